using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Engine.Plan;
using Emulator.Scenarios;

namespace Emulator.Engine.Tests;

/// <summary>Full recomputation's working set in a stage's program: one layer rematerialised, without the s×s scores under FlashAttention.</summary>
public class RecomputeWorkingSetTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FullRecompute_HoldsOneLayersFootprint_WithoutScoresUnderFlash(bool flash)
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["training.recompute=full", $"training.flash-attention={(flash ? "true" : "false")}"]);
        var allocs = StagePlanner.Build(s, 0).Program.OfType<Alloc>().Where(a => a.Kind == MemoryKind.Activations).Select(a => a.Bytes).ToArray();

        long Footprint(Recompute kept) => MemoryModel.ActivationBytesPerLayer(s.Model, s.Parallel.Tp, s.Parallel.MicroBatch, s.Training.SequenceParallel, kept,
            s.Training.HiddenDropout, s.Training.AttentionDropout);
        Assert.Contains(Footprint(flash ? Recompute.Selective : Recompute.None), allocs);
        Assert.DoesNotContain(Footprint(flash ? Recompute.None : Recompute.Selective), allocs);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FullNeeded_SkipsTheMlpsReduction_KeepingItsGatherUnderSequenceParallelism_AndHoldsTheSameActivations(bool sp)
    {
        StagePlan Plan(string policy) => StagePlanner.Build(ScenarioLoader.Load(RepoPaths.Scenario("quickstart"),
            [$"training.recompute={policy}", $"training.sequence-parallel={(sp ? "true" : "false")}"]), 0);
        var (full, needed) = (Plan("full"), Plan("full-needed"));
        // quickstart: 24 layers over pp 4 = 6 per stage, 64 / (2 * 4) = 8 microbatches, tp 2. Per layer and microbatch the
        // recomputation's second collective is gone (no sequence parallelism) or only its all-gather half is left.
        // A layer collective's bytes (the stage's first collective is the embedding's, a reduce-scatter with sequence parallelism).
        var tpBytes = StagePlanner.TensorParallelBytes(ScenarioLoader.Load(RepoPaths.Scenario("quickstart")));
        var fullBytes = full.Program.OfType<TpSync>().Sum(x => x.Bytes);
        Assert.Equal(fullBytes - 6 * 8 * (sp ? tpBytes - tpBytes / 2 : tpBytes), needed.Program.OfType<TpSync>().Sum(x => x.Bytes));
        Assert.Equal(full.Program.OfType<TpSync>().Count() - (sp ? 0 : 6 * 8), needed.Program.OfType<TpSync>().Count());
        Assert.Equal(full.Program.OfType<Alloc>().Select(a => a.Bytes), needed.Program.OfType<Alloc>().Select(a => a.Bytes));
        Assert.True(needed.ExecutedFlops < full.ExecutedFlops);
    }
}
