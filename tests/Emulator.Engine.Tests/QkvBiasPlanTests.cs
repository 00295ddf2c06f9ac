using Emulator.Core.Models;
using Emulator.Scenarios;

namespace Emulator.Engine.Tests;

/// <summary>model.qkv-bias in a stage's program: the bias's gradient in every layer's backward of every microbatch, its add in every
/// forward (and full recomputation's) unless forward's tensor-parallel overlap runs the QKV GEMM fused with its all-gather.</summary>
public class QkvBiasPlanTests
{
    // quickstart: 24 layers over pp 4 = 6 per stage, 64 / (2 * 4) = 8 microbatches, tp 2 with sequence parallelism.
    [Theory]
    [InlineData("none", "false", 1)]
    [InlineData("full", "false", 2)]
    [InlineData("none", "true", 0)]
    [InlineData("full", "true", 0)]
    public void Adds_the_bias_gradient_to_every_backward_and_its_add_unless_the_fused_gemm_takes_it(string recompute, string overlap, int adds)
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["model.qkv-bias=true"]);
        var (p, t) = (s.Parallel, s.Training);
        var gradient = ComputeModel.BiasGradients(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel).Total;
        var add = ComputeModel.QkvBiasAdd(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel).Total;
        var plain = QuickstartPlan.Of($"training.recompute={recompute}", $"training.overlap-tp-forward={overlap}");
        var biased = QuickstartPlan.Of($"training.recompute={recompute}", $"training.overlap-tp-forward={overlap}", "model.qkv-bias=true");
        Assert.Equal(6 * 8 * (adds * add.HbmBytes + gradient.HbmBytes), QuickstartPlan.Bytes(biased) - QuickstartPlan.Bytes(plain));
        Assert.Equal(plain.ExecutedFlops, biased.ExecutedFlops);
    }
}
