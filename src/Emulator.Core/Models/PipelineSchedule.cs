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

    /// <summary>Ops of one stage of Megatron's interleaved 1F1B with <paramref name="chunks"/> model chunks per stage (Narayanan et al., SC'21, §2.2; schedules.py).</summary>
    /// <remarks>
    /// The m·v chunk-microbatches run in groups of p microbatches: a group goes through chunk 0, then chunk 1, ...; backwards
    /// visit the chunks in reverse. Warm-up is (p − stage − 1)·2 + (v − 1)·p forwards (at most m·v), then one forward one backward,
    /// then the cool-down backwards. Like Megatron, it needs m to be a multiple of p.
    /// </remarks>
    public static IReadOnlyList<PipeOp> Interleaved(int stage, int stages, int microBatches, int chunks)
    {
        Check(stage, stages, microBatches);
        if (chunks < 1) throw new ArgumentOutOfRangeException(nameof(chunks), chunks, "chunks must be at least 1");
        if (chunks == 1) return OneFOneB(stage, stages, microBatches);
        if (microBatches % stages != 0)
            throw new ArgumentException($"an interleaved schedule needs the microbatches ({microBatches}) to be a multiple of the stages ({stages})", nameof(microBatches));
        var total = microBatches * chunks;
        var warmup = Math.Min((stages - stage - 1) * 2 + (chunks - 1) * stages, total);
        var ops = new List<PipeOp>(2 * total);
        PipeOp Op(PipeOpKind kind, int k)
        {
            var inGroup = k % (stages * chunks);
            var chunk = inGroup / stages;
            if (kind == PipeOpKind.Backward) chunk = chunks - 1 - chunk;
            var microBatch = k / (stages * chunks) * stages + k % stages;
            return new PipeOp(kind, microBatch, chunk);
        }
        for (var k = 0; k < warmup; k++) ops.Add(Op(PipeOpKind.Forward, k));
        for (var i = 0; i < total - warmup; i++)
        {
            ops.Add(Op(PipeOpKind.Forward, warmup + i));
            ops.Add(Op(PipeOpKind.Backward, i));
        }
        for (var k = total - warmup; k < total; k++) ops.Add(Op(PipeOpKind.Backward, k));
        return ops;
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
