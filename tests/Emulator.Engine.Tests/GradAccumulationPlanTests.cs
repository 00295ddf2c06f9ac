using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Engine.Messages;
using Emulator.Engine.Plan;
using Emulator.Engine.Results;
using Emulator.Scenarios;

namespace Emulator.Engine.Tests;

/// <summary>Each microbatch's gradient accumulation in a stage's program: one kernel run after each layer's backward, plus one for
/// the embedding or output layer on the stages that hold them; nothing when fused into the weight-gradient GEMM.</summary>
public class GradAccumulationPlanTests
{
    // quickstart: bf16 (fp32 gradient buffer), 24 layers over pp 4 = 6 per stage, 64 / (2 * 4) = 8 microbatches, tp 2, dp 4.
    private static StagePlan Plan(string kind, int stage, params string[] more) =>
        StagePlanner.Build(ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), [$"training.grad-accumulation={kind}", .. more]), stage);

    private static WorkCost LayerAdd(GradAccumulation kind, double share = 1, int gradientBytes = 4)
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"));
        return ComputeModel.GradAccumulate(s.Card, TransformerMath.LayerParams(s.Model) / s.Parallel.Tp * share, kind, gradientBytes, TransformerMath.LayerTensors(s.Model));
    }

    private static int Added(StagePlan fused, StagePlan plan) => plan.Program.OfType<Work>().Count() - fused.Program.OfType<Work>().Count();

    [Fact]
    public void Add_FollowsEachLayersBackward_EveryMicrobatch()
    {
        var (fused, middle) = (Plan("fused", 1), Plan("add", 1));
        var layer = LayerAdd(GradAccumulation.Add);
        Assert.Equal(1, layer.Kernels);
        Assert.Equal(6 * 8, Added(fused, middle));
        var program = middle.Program;
        var adds = Enumerable.Range(0, program.Count).Where(i => program[i] is Work w && w.Cost == layer).ToArray();
        Assert.Equal(6 * 8, adds.Length);
        // Right after the layer's closing tensor-parallel collective, whose block before it is backward work (the main_grad hook).
        Assert.All(adds, i =>
        {
            Assert.IsType<TpSync>(program[i - 1]);
            Assert.Equal(WorkPhase.Backward, Assert.IsType<Work>(program[i - 2]).Phase);
        });
        Assert.Equal(fused.ExecutedFlops, middle.ExecutedFlops);
    }

    [Fact]
    public void CastAdd_RunsAfterTheBackward_HoldingOneFp32TemporaryOfTheLargestTensor()
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"));
        var layer = LayerAdd(GradAccumulation.CastAdd);
        // A cast and an add for each of the layer's 12 parameter tensors (update_hp_grads loops over them).
        Assert.Equal(2 * 12, layer.Kernels);
        var embedding = (double)s.Model.Vocab * s.Model.Hidden;
        foreach (var (stage, temporaryElements) in new[] { (1, TransformerMath.LargestLayerTensor(s.Model)), (0, embedding), (3, embedding) })
        {
            var program = Plan("cast-add", stage, "training.keep-stage-outputs=true").Program;
            var temporary = (long)Math.Ceiling(4 * temporaryElements / s.Parallel.Tp);
            var opens = Enumerable.Range(0, program.Count).Where(i => program[i] is Alloc { Kind: MemoryKind.Buffers } a && a.Bytes == temporary).ToArray();
            Assert.Equal(8, opens.Length);
            Assert.All(opens, i =>
            {
                // DeepSpeed's update_hp_grads: after autograd freed the microbatch's activations, one add per layer (+ the embedding).
                Assert.True(program[i - 1] is Alloc { Kind: MemoryKind.Activations } freed && freed.Bytes < 0);
                Assert.All(Enumerable.Range(i + 1, 6), j => Assert.Equal(layer, Assert.IsType<Work>(program[j]).Cost));
                var close = i + 7 + (stage == 1 ? 0 : 1);
                Assert.Equal(new Alloc(MemoryKind.Buffers, -temporary), program[close]);
                // The held stage output goes only after (DeepSpeed frees it at the end of _exec_backward_pass); the last stage holds none.
                if (stage != 3) Assert.True(program[close + 1] is Alloc { Kind: MemoryKind.Buffers } held && held.Bytes < 0 && held.Bytes != -temporary);
            });
        }
    }

    [Fact]
    public void FirstAndLastStages_AlsoAddTheirNonLayerGradients_OncePerMicrobatch()
    {
        Assert.Equal(6 * 8 + 8, Added(Plan("fused", 0), Plan("add", 0)));
        Assert.Equal(6 * 8 + 8, Added(Plan("fused", 3), Plan("add", 3)));
        // Interleaved: only the first model chunk of the first stage and the last chunk of the last hold them.
        string[] v2 = ["parallel.virtual-stages=2"];
        Assert.Equal(6 * 8 + 8, Added(Plan("fused", 0, v2), Plan("add", 0, v2)));
        Assert.Equal(6 * 8, Added(Plan("fused", 1, v2), Plan("add", 1, v2)));
        Assert.Equal(6 * 8 + 8, Added(Plan("fused", 3, v2), Plan("add", 3, v2)));
        // One stage holding everything: one non-layer add per microbatch, not two.
        string[] one = ["parallel.pp=1", "parallel.dp=16", "parallel.global-batch=64"];
        Assert.Equal(24 * 2 + 2, Added(Plan("fused", 0, one), Plan("add", 0, one)));
    }

    [Fact]
    public void ShardedGradients_AddIntoWhatEachRankHolds()
    {
        // ZeRO-2 accumulates into its unsharded 2-byte buffer; FSDP into this rank's fp32 shard (1/dp).
        Assert.Equal(6 * 8, Plan("add", 1, "training.zero-stage=2").Program.OfType<Work>().Count(w => w.Cost == LayerAdd(GradAccumulation.Add, gradientBytes: 2)));
        Assert.Equal(6 * 8, Plan("add", 1, "training.zero-stage=3").Program.OfType<Work>().Count(w => w.Cost == LayerAdd(GradAccumulation.Add, share: 1.0 / 4)));
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
    public void OnOneReplicaOfOneStage_TheStepLengthensByExactlyTheAccumulationKernels()
    {
        // One node, one replica, one stage (tp 8): every card runs the same serial program and nothing overlaps the adds, so
        // each microbatch's adds, one per layer plus one for the embedding, lengthen the step by their roofline time exactly.
        string[] one = ["cluster.cards=8", "parallel.tp=8", "parallel.pp=1", "parallel.dp=1", "parallel.global-batch=8"];
        StepResult Step(string kind) => StepEmulation.Run(ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), [.. one, $"training.grad-accumulation={kind}"]));
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), one);
        var layer = ComputeModel.GradAccumulate(s.Card, TransformerMath.LayerParams(s.Model) / 8, GradAccumulation.Add, 4);
        var other = ComputeModel.GradAccumulate(s.Card, TransformerMath.StageParams(s.Model, 24, true, true, 8) - 24 * TransformerMath.LayerParams(s.Model) / 8, GradAccumulation.Add, 4);
        var perMicrobatch = layer.Duration.Ps * 24 + other.Duration.Ps;

        Assert.Equal(4, s.Parallel.MicroBatches);
        Assert.Equal(Step("fused").StepTime.Ps + 4 * perMicrobatch, Step("add").StepTime.Ps);
    }

    [Fact]
    public void FsdpGradientPasses_FollowEachLayersBackward_EveryMicrobatch_OverTheWholeLayer()
    {
        string[] fsdp = ["training.zero-stage=3"];
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), fsdp);
        var passes = ComputeModel.FsdpGradientPasses(s.Card, TransformerMath.LayerParams(s.Model) / s.Parallel.Tp, 4);
        var (plain, middle) = (Plan("fused", 1, fsdp), Plan("fused", 1, [.. fsdp, "training.fsdp-gradient-passes=true"]));
        Assert.Equal(6 * 8, middle.Program.OfType<Work>().Count(w => w.Cost == passes));
        Assert.Equal(6 * 8, Added(plain, middle));
        // Each holds the layer's unsharded 2-byte gradient and its fp32 copy while it runs.
        var gradient = (long)Math.Ceiling((2 + 4) * TransformerMath.LayerParams(s.Model) / s.Parallel.Tp);
        var program = middle.Program;
        Assert.All(Enumerable.Range(0, program.Count).Where(i => program[i] is Work w && w.Cost == passes), i =>
        {
            Assert.Equal(new Alloc(MemoryKind.Buffers, gradient), program[i - 1]);
            Assert.Equal(new Alloc(MemoryKind.Buffers, -gradient), program[i + 1]);
        });
        // The first stage also passes over its embedding's gradient once a microbatch.
        Assert.Equal(6 * 8 + 8, Added(Plan("fused", 0, fsdp), Plan("fused", 0, [.. fsdp, "training.fsdp-gradient-passes=true"])));
        Assert.Equal(plain.ExecutedFlops, middle.ExecutedFlops);
    }

    [Fact]
    public void Fsdp2Copies_FollowEveryGather_AndPrecedeEveryReduceScatter()
    {
        string[] fsdp = ["training.zero-stage=3"];
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), fsdp);
        var layerParams = TransformerMath.LayerParams(s.Model) / s.Parallel.Tp;
        var (copyOut, copyIn) = (ComputeModel.Fsdp2GatherCopyOut(s.Card, layerParams), ComputeModel.Fsdp2ReduceScatterCopyIn(s.Card, layerParams, 4));
        var (plain, middle) = (Plan("fused", 1, fsdp), Plan("fused", 1, [.. fsdp, "training.fsdp2-copies=true"]));
        // A middle stage: each of its 6 layers gathered for forward and for backward, its gradients reduce-scattered, 8 microbatches.
        Assert.Equal(2 * 6 * 8, middle.Program.OfType<Work>().Count(w => w.Cost == copyOut));
        Assert.Equal(6 * 8, middle.Program.OfType<Work>().Count(w => w.Cost == copyIn));
        Assert.Equal(3 * 6 * 8, Added(plain, middle));
        // Each copy-out runs after its gather's wait; each copy-in right after the layer's backward.
        var program = middle.Program;
        Assert.All(Enumerable.Range(0, program.Count).Where(i => program[i] is Work w && w.Cost == copyOut),
            i => Assert.IsType<RingWait>(program[i - 1]));
        // The first stage also copies its embedding out of the step's one gather and its gradients in once a microbatch.
        Assert.Equal(3 * 6 * 8 + 1 + 8, Added(Plan("fused", 0, fsdp), Plan("fused", 0, [.. fsdp, "training.fsdp2-copies=true"])));
        Assert.Equal(plain.ExecutedFlops, middle.ExecutedFlops);
    }

    [Fact]
    public void MetricCrossEntropies_RunOnTheLastStage_AfterEachMicrobatchsBackward_HoldingTheirLogits()
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"));
        var metric = ComputeModel.MetricCrossEntropy(s.Card, s.Model, s.Parallel.Tp, s.Parallel.MicroBatch);
        var held = (long)Math.Ceiling(10.0 * s.Parallel.MicroBatch * s.Model.SeqLen * s.Model.Vocab / s.Parallel.Tp);
        Assert.Equal(held, (long)Math.Ceiling(10 * ComputeModel.LogitsOnRank(s.Model, s.Parallel.Tp, s.Parallel.MicroBatch)));
        var program = Plan("fused", 3, "training.metric-cross-entropies=2").Program;
        var opens = Enumerable.Range(0, program.Count).Where(i => program[i] is Alloc { Kind: MemoryKind.Buffers } a && a.Bytes == held).ToArray();
        Assert.Equal(8, opens.Length);
        Assert.All(opens, i =>
        {
            // After the microbatch's gradient has left for the stage before (the pipeline does not wait on the metrics): two
            // cross-entropies, then the logits and their fp32 copies go.
            Assert.Equal(TransferKind.Gradient, Assert.IsType<SendInput>(program[i - 1]).Kind);
            Assert.Equal(metric, Assert.IsType<Work>(program[i + 1]).Cost);
            Assert.Equal(metric, Assert.IsType<Work>(program[i + 2]).Cost);
            Assert.Equal(new Alloc(MemoryKind.Buffers, -held), program[i + 3]);
        });
        // The other stages hold no logits.
        Assert.Equal(Plan("fused", 1).Program, Plan("fused", 1, "training.metric-cross-entropies=2").Program);
    }

    [Fact]
    public void EagerAdamW_StepsThisRanksShard_InPlaceOfMegatronsOptimizer()
    {
        string[] fsdp = ["training.zero-stage=3"];
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), fsdp);
        var plan = Plan("fused", 1, [.. fsdp, "training.optimizer=eager-adamw"]);
        var step = Assert.Single(plan.Program.OfType<Work>(), w => w.Phase == WorkPhase.Optimizer);
        Assert.Equal(ComputeModel.EagerAdamWStep(s.Card, TransformerMath.StageParams(s.Model, 6, false, false, s.Parallel.Tp) / s.ZeroShards), step.Cost);
        Assert.NotEqual(step.Cost, Assert.Single(Plan("fused", 1, fsdp).Program.OfType<Work>(), w => w.Phase == WorkPhase.Optimizer).Cost);
        // No 2-byte shard is kept beside the fp32 one the optimizer's state counts.
        Assert.Equal(new Alloc(MemoryKind.Weights, 0), plan.Program[0]);
        Assert.True(Plan("fused", 1, fsdp).Program[0] is Alloc { Kind: MemoryKind.Weights, Bytes: > 0 });
    }

    [Fact]
    public void Fused_IsTheDefault_AndAddsNoWork()
    {
        var plain = StagePlanner.Build(ScenarioLoader.Load(RepoPaths.Scenario("quickstart")), 1);
        Assert.Equal(plain.Program, Plan("fused", 1).Program);
    }
}
