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
}
