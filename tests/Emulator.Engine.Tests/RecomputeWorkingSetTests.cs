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

        long Footprint(Recompute kept) => MemoryModel.ActivationBytesPerLayer(s.Model, s.Parallel.Tp, s.Parallel.MicroBatch, s.Training.SequenceParallel, kept);
        Assert.Contains(Footprint(flash ? Recompute.Selective : Recompute.None), allocs);
        Assert.DoesNotContain(Footprint(flash ? Recompute.None : Recompute.Selective), allocs);
    }

    [Fact]
    public void FullNeeded_RedoesOneTpReductionPerLayerFewerThanFull_AndHoldsTheSameActivations()
    {
        StagePlan Plan(string policy) => StagePlanner.Build(ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), [$"training.recompute={policy}"]), 0);
        var (full, needed) = (Plan("full"), Plan("full-needed"));
        // quickstart: 24 layers over pp 4 = 6 per stage, 64 / (2 * 4) = 8 microbatches, tp 2.
        Assert.Equal(full.Program.OfType<TpSync>().Count() - 6 * 8, needed.Program.OfType<TpSync>().Count());
        Assert.Equal(full.Program.OfType<Alloc>().Select(a => a.Bytes), needed.Program.OfType<Alloc>().Select(a => a.Bytes));
        Assert.True(needed.ExecutedFlops < full.ExecutedFlops);
    }
}
