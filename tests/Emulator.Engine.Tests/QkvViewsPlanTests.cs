using Emulator.Core.Models;
using Emulator.Scenarios;

namespace Emulator.Engine.Tests;

/// <summary>training.qkv-views in a stage's program: the value's copy in every layer's forward and the QKV cat in its backward, for every
/// microbatch, the copy again in full (or full-needed) recomputation's forward, not in selective's.</summary>
public class QkvViewsPlanTests
{
    // quickstart: 24 layers over pp 4 = 6 per stage, 64 / (2 * 4) = 8 microbatches; its model has no rotary embedding.
    [Theory]
    [InlineData("none", 1)]
    [InlineData("selective", 1)]
    [InlineData("full", 2)]
    [InlineData("full-needed", 2)]
    public void Adds_the_views_copies_to_every_layer_and_microbatch_and_full_recompute_reruns_the_forward_ones(string recompute, int forwards)
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"));
        var (p, t) = (s.Parallel, s.Training);
        var forward = ComputeModel.QkvViewsForward(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel).Total;
        var backward = ComputeModel.QkvViewsBackward(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel).Total;
        var plain = QuickstartPlan.Of($"training.recompute={recompute}", "training.flash-attention=true");
        var views = QuickstartPlan.Of($"training.recompute={recompute}", "training.flash-attention=true", "training.qkv-views=true");
        Assert.Equal(6 * 8 * (forwards * forward.HbmBytes + backward.HbmBytes), QuickstartPlan.Bytes(views) - QuickstartPlan.Bytes(plain));
        Assert.Equal(plain.ExecutedFlops, views.ExecutedFlops);
    }

    [Fact]
    public void With_the_fused_rotation_the_wrappers_kernels_come_too()
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"));
        var (p, t) = (s.Parallel, s.Training);
        var forward = ComputeModel.QkvViewsForward(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, fusedRope: true).Total;
        var backward = ComputeModel.QkvViewsBackward(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, fusedRope: true).Total;
        var plain = QuickstartPlan.Of("training.recompute=none", "training.flash-attention=true", "training.fused-rope=true");
        var views = QuickstartPlan.Of("training.recompute=none", "training.flash-attention=true", "training.fused-rope=true", "training.qkv-views=true");
        Assert.Equal(6 * 8 * (forward.HbmBytes + backward.HbmBytes), QuickstartPlan.Bytes(views) - QuickstartPlan.Bytes(plain));
    }
}
