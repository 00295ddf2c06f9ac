using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Engine.Plan;
using Emulator.Scenarios;

namespace Emulator.Engine.Tests;

/// <summary>Each microbatch's gradient accumulation in a stage's program: one kernel run per layer and microbatch, plus one for the
/// embedding or output layer on the stages that hold them; nothing when fused into the weight-gradient GEMM.</summary>
public class GradAccumulationPlanTests
{
    private static StagePlan Plan(string kind, int stage) =>
        StagePlanner.Build(ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), [$"training.grad-accumulation={kind}"]), stage);

    [Theory]
    [InlineData("add", 1)]
    [InlineData("cast-add", 2)]
    public void Accumulation_RunsAfterEachLayersBackward_ForEveryMicrobatch(string kind, int kernelsPerLayer)
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"));
        var (fused, middle, first) = (Plan("fused", 1), Plan(kind, 1), Plan(kind, 0));
        // quickstart: bf16 (fp32 gradient buffer), 24 layers over pp 4 = 6 per stage, 64 / (2 * 4) = 8 microbatches, tp 2.
        var layer = ComputeModel.GradAccumulate(s.Card, TransformerMath.LayerParams(s.Model) / s.Parallel.Tp,
            kind == "add" ? GradAccumulation.Add : GradAccumulation.CastAdd, 4);
        Assert.Equal(kernelsPerLayer, layer.Kernels);
        var extra = middle.Program.OfType<Work>().Except(fused.Program.OfType<Work>()).ToArray();
        Assert.All(extra, w => Assert.Equal(WorkPhase.Backward, w.Phase));
        Assert.Equal(6 * 8, middle.Program.OfType<Work>().Count(w => w.Cost == layer));
        Assert.Equal(fused.Program.OfType<Work>().Count() + 6 * 8, middle.Program.OfType<Work>().Count());
        // The first stage also adds the embedding's gradients once per microbatch.
        Assert.Equal(Plan("fused", 0).Program.OfType<Work>().Count() + 6 * 8 + 8, first.Program.OfType<Work>().Count());
        Assert.Equal(fused.ExecutedFlops, middle.ExecutedFlops);
    }

    [Fact]
    public void ZeroOne_ReduceScattersGradients_OrAllReducesThemWhole_WhenAsked()
    {
        StagePlan Zero1(bool whole) => StagePlanner.Build(ScenarioLoader.Load(RepoPaths.Scenario("quickstart"),
            ["training.zero-stage=1", $"training.all-reduce-sharded-grads={(whole ? "true" : "false")}"]), 1);
        var (scattered, whole) = (Zero1(false).Program.OfType<RingStart>().ToArray(), Zero1(true).Program.OfType<RingStart>().ToArray());
        Assert.Equal(scattered.Select(r => r with { Ring = RingKind.AllReduce }), whole);
        Assert.Contains(scattered, r => r.Ring == RingKind.ReduceScatter);
    }

    [Fact]
    public void Fused_IsTheDefault_AndAddsNoWork()
    {
        var plain = StagePlanner.Build(ScenarioLoader.Load(RepoPaths.Scenario("quickstart")), 1);
        Assert.Equal(plain.Program, Plan("fused", 1).Program);
    }
}
