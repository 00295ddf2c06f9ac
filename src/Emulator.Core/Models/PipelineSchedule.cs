namespace Emulator.Core.Models;

/// <summary>Megatron's one-forward-one-backward (1F1B) pipeline schedules, plain and interleaved.</summary>
public static class PipelineSchedule
{
    /// <summary>Ops of one stage in order: min(stages − stage − 1, m) warm-up forwards, then alternating forward/backward, then the cool-down backwards.</summary>
    public static IReadOnlyList<PipeOp> OneFOneB(int stage, int stages, int microBatches)
    {
        Check(stage, stages, microBatches);
        var warmup = Math.Min(stages - stage - 1, microBatches);
        var steady = microBatches - warmup;
        var ops = new List<PipeOp>(2 * microBatches);
        for (var i = 0; i < warmup; i++) ops.Add(new PipeOp(PipeOpKind.Forward, i));
        for (var i = 0; i < steady; i++)
        {
            ops.Add(new PipeOp(PipeOpKind.Forward, warmup + i));
            ops.Add(new PipeOp(PipeOpKind.Backward, i));
        }
        for (var i = steady; i < microBatches; i++) ops.Add(new PipeOp(PipeOpKind.Backward, i));
        return ops;
    }

    /// <summary>Ops of one stage of Megatron's interleaved 1F1B with <paramref name="chunks"/> model chunks per stage (Narayanan et al., SC'21, §2.2; Megatron-core's schedules.py).</summary>
    /// <remarks>
    /// The m·v chunk-microbatches run in groups of <paramref name="group"/> microbatches (Megatron-core's
    /// microbatch_group_size_per_vp_stage; 0 = p, Megatron-LM's only choice): a group goes through chunk 0, then chunk 1, ...;
    /// the last group takes what is left. Backwards visit the same table with the chunks reversed. Warm-up is
    /// (p − stage − 1)·2 + (v − 1)·group forwards (at most m·v), then one forward one backward, then the cool-down backwards.
    /// With <paramref name="allForwardsFirstWhenMEqualsP"/> (Megatron-LM before microbatch groups, 2021 on), m = p makes every stage's
    /// warm-up all m·v forwards: "Run all forward passes and then all backward passes if number of microbatches is just the number
    /// of pipeline stages" (its schedules.py), where the later rule lets the last stages start 1F1B.
    /// </remarks>
    public static IReadOnlyList<PipeOp> Interleaved(int stage, int stages, int microBatches, int chunks, int group = 0, bool allForwardsFirstWhenMEqualsP = false)
    {
        Check(stage, stages, microBatches);
        if (chunks < 1) throw new ArgumentOutOfRangeException(nameof(chunks), chunks, "chunks must be at least 1");
        if (chunks == 1) return OneFOneB(stage, stages, microBatches);
        if (group == 0) group = stages;
        if (InterleavingProblem(stages, microBatches, group) is { } problem) throw new ArgumentException(problem, nameof(group));
        var table = ScheduleTable(microBatches, chunks, group);
        var total = table.Count;
        var warmup = allForwardsFirstWhenMEqualsP && microBatches == stages ? total : Math.Min((stages - stage - 1) * 2 + (chunks - 1) * group, total);
        var ops = new List<PipeOp>(2 * total);
        PipeOp Forward(int k) => new(PipeOpKind.Forward, table[k].MicroBatch, table[k].Chunk);
        PipeOp Backward(int k) => new(PipeOpKind.Backward, table[k].MicroBatch, chunks - 1 - table[k].Chunk);
        for (var k = 0; k < warmup; k++) ops.Add(Forward(k));
        for (var i = 0; i < total - warmup; i++)
        {
            ops.Add(Forward(warmup + i));
            ops.Add(Backward(i));
        }
        for (var k = total - warmup; k < total; k++) ops.Add(Backward(k));
        return ops;
    }

    /// <summary>Why m microbatches cannot run in groups of <paramref name="group"/> on p stages (Megatron-core's checks), or null.</summary>
    /// <remarks>A group shorter than p would leave a stage waiting on a chunk its predecessor has not reached: Megatron-core refuses it.</remarks>
    public static string? InterleavingProblem(int stages, int microBatches, int group)
    {
        if (group < stages || group > microBatches)
            return $"microbatch groups of {group} are outside [pp = {stages}, microbatches = {microBatches}]";
        var rest = microBatches % group;
        return rest > 0 && rest < stages
            ? $"{microBatches} microbatches in groups of {group} leave a last group of {rest}, fewer than pp = {stages}"
            : null;
    }

    /// <summary>Megatron-core's schedule table: (microbatch, chunk) of each forward in order, group by group, chunk-major within a group.</summary>
    private static List<(int MicroBatch, int Chunk)> ScheduleTable(int microBatches, int chunks, int group)
    {
        var table = new List<(int, int)>(microBatches * chunks);
        for (var start = 0; start < microBatches; start += group)
        {
            var end = start + group >= microBatches ? microBatches : start + group;
            for (var c = 0; c < chunks; c++)
                for (var mb = start; mb < end; mb++) table.Add((mb, c));
            if (end == microBatches) break;
        }
        return table;
    }

    /// <summary>Idle fraction of an interleaved step with v chunks: (p − 1)/(v·m + p − 1).</summary>
    public static double InterleavedBubbleFraction(int stages, int microBatches, int chunks)
    {
        Check(0, stages, microBatches);
        return (stages - 1) / (double)(chunks * microBatches + stages - 1);
    }

    /// <summary>Peak number of microbatches whose activations a stage holds at once: min(stages − stage, m).</summary>
    public static int MaxInFlight(int stage, int stages, int microBatches)
    {
        Check(stage, stages, microBatches);
        return Math.Min(stages - stage, microBatches);
    }

    /// <summary>Idle fraction of a 1F1B step, (p − 1)/(m + p − 1) (that is (p − 1)/m of the ideal time).</summary>
    public static double BubbleFraction(int stages, int microBatches)
    {
        Check(0, stages, microBatches);
        return (stages - 1) / (double)(microBatches + stages - 1);
    }

    private static void Check(int stage, int stages, int microBatches)
    {
        if (stages < 1) throw new ArgumentOutOfRangeException(nameof(stages), stages, "stages must be at least 1");
        if (stage < 0 || stage >= stages) throw new ArgumentOutOfRangeException(nameof(stage), stage, "stage must be in [0, stages)");
        if (microBatches < 1) throw new ArgumentOutOfRangeException(nameof(microBatches), microBatches, "microbatches must be at least 1");
    }
}
