namespace Emulator.Core.Models;

/// <summary>Megatron's non-interleaved one-forward-one-backward (1F1B) pipeline schedule.</summary>
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
