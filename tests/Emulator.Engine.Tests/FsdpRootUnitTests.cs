using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Engine.Plan;

namespace Emulator.Engine.Tests;

/// <summary>ZeRO-3 (FSDP) and the unit of the non-layer parameters (embedding, output layer), gathered and reduced every microbatch.</summary>
/// <remarks>
/// PyTorch FSDP (torch/distributed/fsdp/_runtime_utils.py): the root unit is not resharded after forward
/// (_post_forward_reshard: `not state._is_root`), but its post-backward hook reshards it (_should_free_in_backward: true for
/// FULL_SHARD) and reduce-scatters its gradient whenever gradients sync, as every unit's; Composer, llm-foundry's trainer, runs
/// every microbatch without no_sync under FSDP (ddp_sync_context yields at once when the model is not a DistributedDataParallel),
/// so the next microbatch's forward gathers the root again. FSDP2 likewise reshards the root after backward.
/// </remarks>
public class FsdpRootUnitTests
{
    /// <summary>One stage of 4 microbatches, dp 4, one card per node.</summary>
    private static Scenario Plan()
    {
        var s = TestScenarios.With(tp: 1, pp: 1, dp: 4, microBatch: 1, globalBatch: 16);
        return s with { Node = s.Node with { CardsPerNode = 1, Nics = 1 }, Training = s.Training with { ZeroStage = 3 } };
    }

    private static (long Other, long OtherGradient) NonLayerBytes(Scenario s)
    {
        var layerParams = TransformerMath.LayerParams(s.Model, 1);
        var other = TransformerMath.StageParams(s.Model, s.Model.Layers, true, true, 1) - s.Model.Layers * layerParams;
        return ((long)Math.Ceiling(2 * other), (long)Math.Ceiling(StagePlanner.GradientBytesPerParam(s.Training) * other));
    }

    [Fact]
    public void NonLayerUnit_IsGatheredBeforeEachMicrobatchsForward_AndReduceScatteredAfterEachBackward()
    {
        var s = Plan();
        Assert.Equal(4, s.Parallel.MicroBatches);
        var (other, otherGradient) = NonLayerBytes(s);
        var program = StagePlanner.Build(s, 0).Program;

        // (32000 + 1024) · 1024 parameters: the word and position embeddings, 2 B a weight and 4 B an fp32 gradient.
        Assert.Equal(67_633_152, other);
        Assert.Equal(135_266_304, otherGradient);
        // A layer's parameters are fewer, so these sizes are the non-layer unit's alone.
        Assert.True(Math.Ceiling(4 * TransformerMath.LayerParams(s.Model, 1)) < otherGradient);
        Assert.Equal(4, program.OfType<RingSync>().Count(r => r.Ring == RingKind.AllGather && r.Bytes == other));
        Assert.Equal(4, program.OfType<RingStart>().Count(r => r.Ring == RingKind.ReduceScatter && r.Bytes == otherGradient));
        // Nothing is left to reduce at the step's end: every reduce-scatter is a layer's or the unit's, each once a microbatch.
        var layerGradient = (long)Math.Ceiling(4 * TransformerMath.LayerParams(s.Model, 1));
        var scatters = program.OfType<RingStart>().Where(r => r.Ring == RingKind.ReduceScatter).ToList();
        Assert.Equal(4 * (s.Model.Layers + 1), scatters.Count);
        Assert.Equal(4 * (s.Model.Layers * layerGradient + otherGradient), scatters.Sum(r => r.Bytes));

        // Each gather's weights are held until that microbatch's backward is done, then released: allocations balance.
        var weights = program.OfType<Alloc>().Where(a => a.Kind == MemoryKind.Weights).ToList();
        Assert.Equal(4, weights.Count(a => a.Bytes == other));
        Assert.Equal(4, weights.Count(a => a.Bytes == -other));
    }

    [Fact]
    public void NonLayerUnit_PerMicrobatch_SendsItsGradientOncePerMicrobatch_OnTheFabric()
    {
        var s = Plan();
        var one = s with { Parallel = s.Parallel with { GlobalBatch = 4 } };
        var (other, otherGradient) = NonLayerBytes(s);
        var (four, single) = (StepEmulation.Run(s), StepEmulation.Run(one));

        // Four microbatches against one: the layers' gathers (forward and backward) and reduce-scatters, and now the non-layer
        // unit's gather and reduce-scatter, repeat each microbatch; only the ZeRO-3 step's parameters are gathered once either way.
        // Each card's NIC carries 3/4 of each collective's bytes (a ring of 4).
        var extra = four.Links.Sum(l => l.Bytes) - single.Links.Sum(l => l.Bytes);
        var layerWeights = (long)Math.Ceiling(2 * TransformerMath.LayerParams(s.Model, 1));
        var layerGradient = (long)Math.Ceiling(4 * TransformerMath.LayerParams(s.Model, 1));
        var perMicrobatch = s.Model.Layers * (2 * layerWeights + layerGradient) + other + otherGradient;
        Assert.Equal(3 * perMicrobatch * 3 / 4 * 4 * 2, extra);
    }
}
