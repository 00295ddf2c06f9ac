using Emulator.Core.Models;
using Emulator.Engine.Messages;
using Emulator.Engine.Plan;
using Emulator.Scenarios;

namespace Emulator.Engine.Tests;

/// <summary>Megatron-LM's 2021-2022 layer passes in a stage's program (training.megatron-layer-passes): the forward ones in every forward
/// layer and, under full recomputation, in every recomputed one; the backward ones in every backward layer.</summary>
public class MegatronLayerPassesPlanTests
{
    // quickstart: 6 layers a stage, 8 microbatches, tp 2 with sequence parallelism; full recomputation, GPT's biases, dropout.
    private static readonly string[] Full = ["training.recompute=full", "model.linear-biases=true", "training.hidden-dropout=true"];

    private static StagePlan Plan(bool passes, params string[] more) =>
        StagePlanner.Build(ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), [.. Full, .. more, $"training.megatron-layer-passes={(passes ? "true" : "false")}"]), 1);

    private static (long Bytes, int Kernels) Sum(StagePlan plan, WorkPhase phase) =>
        plan.Program.OfType<Work>().Where(w => w.Phase == phase).Aggregate((0L, 0), (a, w) => (a.Item1 + w.Cost.HbmBytes, a.Item2 + w.Cost.Kernels));

    [Fact]
    public void ForwardPasses_RunInEveryForwardAndRecomputedLayer_BackwardPassesInEveryBackwardLayer()
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), Full);
        var p = s.Parallel;
        var forward = ComputeModel.MegatronForwardPasses(s.Card, s.Model, p.Tp, p.MicroBatch, s.Training.SequenceParallel, hiddenDropout: true).Total;
        var backward = ComputeModel.MegatronBackwardPasses(s.Card, s.Model, p.Tp, p.MicroBatch, s.Training.SequenceParallel, hiddenDropout: true).Total;
        var (without, with) = (Plan(false), Plan(true));
        const int layers = 6 * 8;
        foreach (var (phase, cost) in new[] { (WorkPhase.Forward, forward), (WorkPhase.Recompute, forward), (WorkPhase.Backward, backward) })
        {
            var (before, after) = (Sum(without, phase), Sum(with, phase));
            Assert.Equal((before.Bytes + layers * cost.HbmBytes, before.Kernels + layers * cost.Kernels), after);
        }
        // No GEMM work moves.
        Assert.Equal(without.ExecutedFlops, with.ExecutedFlops);
    }

    [Fact]
    public void SelectiveRecomputation_RerunsNoneOfThem()
    {
        string[] selective = ["training.recompute=selective"];
        Assert.Equal(Sum(Plan(false, selective), WorkPhase.Recompute), Sum(Plan(true, selective), WorkPhase.Recompute));
    }
}
