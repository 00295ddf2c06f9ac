using Emulator.Core.Models;
using Emulator.Scenarios;

namespace Emulator.Engine.Tests;

/// <summary>training.fused-rope in a stage's program: the rotation's kernels after every layer's forward and backward of every
/// microbatch, and again in full (or full-needed) recomputation's forward, not in selective's.</summary>
public class FusedRopePlanTests
{
    // quickstart: 24 layers over pp 4 = 6 per stage, 64 / (2 * 4) = 8 microbatches.
    [Theory]
    [InlineData("none", 1)]
    [InlineData("selective", 1)]
    [InlineData("full", 2)]
    [InlineData("full-needed", 2)]
    public void Adds_the_rotation_to_every_layer_and_microbatch_and_full_recompute_reruns_it(string recompute, int forwards)
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"));
        var (p, t) = (s.Parallel, s.Training);
        var rope = ComputeModel.FusedRope(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel).Total;
        Assert.Equal((6 * 8 * (forwards + 1) * rope.HbmBytes, 0.0), QuickstartPlan.AddedBy("training.fused-rope", recompute));
    }
}
