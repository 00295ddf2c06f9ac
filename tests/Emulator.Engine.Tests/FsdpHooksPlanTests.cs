using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Engine.Plan;

namespace Emulator.Engine.Tests;

/// <summary>PyTorch FSDP 1's root-unit hooks (training.fsdp-root-hooks) and its passes over each unit's shard
/// (training.fsdp-shard-passes) in a stage's program.</summary>
/// <remarks>
/// torch/distributed/fsdp/_runtime_utils.py: the root's pre-backward hook fires on the logits' gradient and, with BACKWARD_PRE,
/// prefetches the handle whose post-forward index is one below the root's, the last layer (_prefetch_handle,
/// _exec_order_utils.get_handle_to_backward_prefetch); _post_backward_final_callback makes the current stream wait for the
/// post-backward stream, which waited for each reduce-scatter (a synchronous collective). _flat_param.py's pre_unshard casts the
/// fp32 shard to the low-precision one before every all-gather (_use_low_precision_shard); the post-backward hook divides the
/// reduced shard by the post-divide factor and adds it to _saved_grad_shard from the second backward of a step on.
/// </remarks>
public class FsdpHooksPlanTests
{
    /// <summary>One stage of 4 microbatches of 1, dp 4 on one-card nodes, ZeRO-3.</summary>
    private static Scenario Plan(bool rootHooks = false, bool shardPasses = false, int metrics = 0)
    {
        var s = TestScenarios.With(tp: 1, pp: 1, dp: 4, microBatch: 1, globalBatch: 16);
        return s with
        {
            Node = s.Node with { CardsPerNode = 1, Nics = 1 },
            Training = s.Training with { ZeroStage = 3, FsdpRootHooks = rootHooks, FsdpShardPasses = shardPasses, MetricCrossEntropies = metrics },
        };
    }

    private static double LayerParams(Scenario s) => TransformerMath.LayerParams(s.Model, 1);

    private static double OtherParams(Scenario s) =>
        TransformerMath.StageParams(s.Model, s.Model.Layers, true, true, 1) - s.Model.Layers * LayerParams(s);

    [Fact]
    public void RootHooks_StartTheLastLayersBackwardGather_BetweenTheLossAndTheOutputLayersGemms()
    {
        var (plain, hooked) = (Plan(), Plan(rootHooks: true));
        var loss = ComputeModel.LossBackward(hooked.Card, hooked.Model, 1, 1);
        var logits = ComputeModel.LogitsBackward(hooked.Card, hooked.Model, 1, 1);
        var layerWeights = (long)Math.Ceiling(2 * LayerParams(hooked));
        var program = StagePlanner.Build(hooked, 0).Program;

        var losses = Enumerable.Range(0, program.Count).Where(i => program[i] is Work w && w.Cost == loss).ToArray();
        Assert.Equal(4, losses.Length);
        Assert.All(losses, i =>
        {
            Assert.Equal(WorkPhase.Backward, ((Work)program[i]).Phase);
            Assert.Equal(new Alloc(MemoryKind.Buffers, layerWeights), program[i + 1]);
            Assert.Equal(RingKind.AllGather, Assert.IsType<RingStart>(program[i + 2]).Ring);
            Assert.Equal(layerWeights, ((RingStart)program[i + 2]).Bytes);
            Assert.Equal(logits - loss, Assert.IsType<Work>(program[i + 3]).Cost);
            // That gather is the one the last layer's backward waits for: the next gather is the layer below's, started before the wait.
            var started = ((RingStart)program[i + 2]).Phase;
            var wait = Enumerable.Range(i + 3, program.Count - i - 3).First(j => program[j] is RingWait { Ring: RingKind.AllGather });
            Assert.Equal(started, ((RingWait)program[wait]).Phase);
        });
        // Without the hooks the output layer's backward is one run and the last layer's gather starts after it; the gathers,
        // their bytes and the work are the same either way.
        var plainProgram = StagePlanner.Build(plain, 0).Program;
        Assert.DoesNotContain(plainProgram.OfType<Work>(), w => w.Cost == loss);
        Assert.Equal(4, plainProgram.OfType<Work>().Count(w => w.Cost == logits));
        Assert.Equal(plainProgram.OfType<RingStart>().Select(r => (r.Ring, r.Bytes)), program.OfType<RingStart>().Select(r => (r.Ring, r.Bytes)));
        Assert.Equal(StagePlanner.Build(plain, 0).ExecutedFlops, StagePlanner.Build(hooked, 0).ExecutedFlops);
    }

    [Fact]
    public void RootHooks_AwaitEveryReduceScatterOfAMicrobatch_BeforeItsMetricsAndTheNextForward()
    {
        var s = Plan(rootHooks: true, metrics: 2);
        var program = StagePlanner.Build(s, 0).Program;
        var metric = ComputeModel.MetricCrossEntropy(s.Card, s.Model, 1, 1);
        var layers = s.Model.Layers;
        var scatters = Enumerable.Range(0, program.Count).Where(i => program[i] is RingStart { Ring: RingKind.ReduceScatter }).ToArray();
        Assert.Equal(4 * (layers + 1), scatters.Length);
        for (var mb = 0; mb < 4; mb++)
        {
            // This microbatch's reduce-scatters: each layer's, then the root unit's.
            var own = scatters.Skip(mb * (layers + 1)).Take(layers + 1).Select(i => ((RingStart)program[i]).Phase).ToArray();
            var last = scatters[mb * (layers + 1) + layers];
            var waits = Enumerable.Range(last + 1, program.Count - last - 1).Where(i => program[i] is RingWait { Ring: RingKind.ReduceScatter })
                .Take(layers + 1).ToArray();
            Assert.Equal(own, waits.Select(i => ((RingWait)program[i]).Phase));
            // All awaited before the training loop's metrics and, but for the last microbatch, the next gather of the root unit.
            var firstMetric = Enumerable.Range(last, program.Count - last).First(i => program[i] is Work w && w.Cost == metric);
            Assert.True(waits[^1] < firstMetric);
            Assert.All(Enumerable.Range(last + 1, waits[^1] - last), i => Assert.False(program[i] is Work or RingSync));
        }
        // Without the hooks nothing waits for a reduce-scatter until the optimizer.
        var plain = StagePlanner.Build(Plan(metrics: 2), 0).Program;
        var lastScatter = Enumerable.Range(0, plain.Count).Last(i => plain[i] is RingStart { Ring: RingKind.ReduceScatter });
        Assert.All(Enumerable.Range(0, plain.Count).Where(i => plain[i] is RingWait { Ring: RingKind.ReduceScatter }), i => Assert.True(i > lastScatter));
    }

    [Fact]
    public void ShardPasses_CastBeforeEveryGather_AndDivideAndAccumulateAfterEveryReduceScatter()
    {
        var (plain, passes) = (Plan(), Plan(shardPasses: true));
        var (layer, other) = (LayerParams(passes), OtherParams(passes));
        var (castLayer, castOther) = (ComputeModel.FsdpLowPrecisionShard(passes.Card, layer / 4), ComputeModel.FsdpLowPrecisionShard(passes.Card, other / 4));
        var program = StagePlanner.Build(passes, 0).Program;
        var layers = passes.Model.Layers;

        // Every layer gathered for forward and for backward each microbatch, the root unit before each forward: a cast before each.
        var casts = Enumerable.Range(0, program.Count).Where(i => program[i] is Work w && w.Cost == castLayer).ToArray();
        Assert.Equal(2 * layers * 4, casts.Length);
        Assert.All(casts, i => Assert.Equal(RingKind.AllGather, Assert.IsType<RingStart>(program[i + 2]).Ring));
        var rootCasts = Enumerable.Range(0, program.Count).Where(i => program[i] is Work w && w.Cost == castOther).ToArray();
        Assert.Equal(4, rootCasts.Length);
        Assert.All(rootCasts, i => Assert.Equal(RingKind.AllGather, Assert.IsType<RingSync>(program[i + 2]).Ring));

        // dp 4 divides by 2 before the reduce-scatter and 2 after it: a post-division every microbatch, the accumulation from the
        // second microbatch on, each right after the unit's reduce-scatter starts.
        Assert.Equal((2, 2), ComputeModel.FsdpGradientDivideFactors(4));
        foreach (var (unit, count) in new[] { (layer, layers), (other, 1) })
        {
            var first = ComputeModel.FsdpReducedShardPasses(passes.Card, unit / 4, 4, 4, accumulate: false);
            var later = ComputeModel.FsdpReducedShardPasses(passes.Card, unit / 4, 4, 4, accumulate: true);
            Assert.Equal((1, 2), (first.Kernels, later.Kernels));
            var firsts = Enumerable.Range(0, program.Count).Where(i => program[i] is Work w && w.Cost == first).ToArray();
            var laters = Enumerable.Range(0, program.Count).Where(i => program[i] is Work w && w.Cost == later).ToArray();
            Assert.Equal((count, 3 * count), (firsts.Length, laters.Length));
            Assert.All(firsts.Concat(laters), i => Assert.Equal(RingKind.ReduceScatter, Assert.IsType<RingStart>(program[i - 1]).Ring));
            Assert.All(firsts, i => Assert.Equal(0, ((Work)program[i]).MicroBatch));
            Assert.All(laters, i => Assert.NotEqual(0, ((Work)program[i]).MicroBatch));
        }
        // Nothing else changes: 2·8·4 + 4 casts, 9 + 27 reduced-shard passes more, the same collectives.
        Assert.Equal(2 * layers * 4 + 4 + 4 * (layers + 1), program.OfType<Work>().Count() - StagePlanner.Build(plain, 0).Program.OfType<Work>().Count());
        Assert.Equal(StagePlanner.Build(plain, 0).Program.OfType<RingStart>().Select(r => r.Bytes), program.OfType<RingStart>().Select(r => r.Bytes));
    }

    [Fact]
    public void RootHooks_RunTheMetricsAfterTheReduceScatters_AndShardPassesAddTheirWork_InTheEmulatedStep()
    {
        var (plain, hooked, passes) = (StepEmulation.Run(Plan()), StepEmulation.Run(Plan(rootHooks: true)), StepEmulation.Run(Plan(shardPasses: true)));
        var (plainMetrics, hookedMetrics) = (StepEmulation.Run(Plan(metrics: 2)), StepEmulation.Run(Plan(rootHooks: true, metrics: 2)));
        // The same bytes cross the fabric either way.
        Assert.Equal(plain.Links.Sum(l => l.Bytes), hooked.Links.Sum(l => l.Bytes));
        Assert.Equal(plain.Links.Sum(l => l.Bytes), passes.Links.Sum(l => l.Bytes));
        // This step is network-bound (one 100 Gb/s NIC a card): without the hooks the two metric cross-entropies of each microbatch
        // run while its reduce-scatters do, which the next microbatch's gather of the root unit waits for anyway, so they cost
        // nothing; with them they start once the reduce-scatters are done and all 4 · 2 add to the step.
        var s = Plan();
        var metric = ComputeModel.MetricCrossEntropy(s.Card, s.Model, 1, 1);
        Assert.Equal(plain.StepTime, plainMetrics.StepTime);
        Assert.Equal(hooked.StepTime + new Emulator.Kernel.SimTime(8 * metric.Duration.Ps), hookedMetrics.StepTime);
        // The last layer's backward gather no longer waits for the output layer's backward: the hooked step is shorter here.
        Assert.True(hooked.StepTime < plain.StepTime);
        Assert.True(passes.StepTime > plain.StepTime);
    }
}
