using System.Globalization;
using System.Text.RegularExpressions;
using Emulator.Core.Specs;

namespace Emulator.Scenarios;

/// <summary>Builds validation errors: blames the key from the highest-priority source and quotes every value as it was written.</summary>
internal sealed partial class ValidationContext(Scenario scenario, Provenance provenance)
{
    private readonly Dictionary<string, string> _typed = TypedTexts(scenario);

    /// <summary>An error about <paramref name="keys"/>; the first key from the highest-priority source is blamed.</summary>
    /// <remarks>
    /// In <paramref name="why"/>, `{key}` renders as "key = value" (with its file when that differs from the blamed one)
    /// and `{=key}` as the bare value. Blaming the highest-priority source points a `--set` user at their own override.
    /// </remarks>
    public ScenarioException Fail(string[] keys, string why)
    {
        var blamed = keys[0];
        var best = Of(blamed);
        foreach (var k in keys.Skip(1))
        {
            var o = Of(k);
            if (o.Rank > best.Rank) (blamed, best) = (k, o);
        }
        var text = Token().Replace(why, m =>
        {
            var key = m.Groups[2].Value;
            var o = Of(key);
            if (m.Groups[1].Value == "=") return o.Text;
            return o.Label == best.Label ? $"{key} = {o.Text}" : $"{key} = {o.Text} (from {o.Label})";
        });
        return new ScenarioException($"{best.Label}: {blamed} = {best.Text}: {text}", best.Label, blamed);
    }

    /// <summary>Priority of the source that set <paramref name="key"/> (defaults 0, preset and stack 1, scenario 2, overrides above).</summary>
    public int RankOf(string key) => Of(key).Rank;

    /// <summary>An error about one key.</summary>
    public ScenarioException Fail(string key, string why) => Fail([key], why);

    private (string Label, int Rank, string Text) Of(string key) => provenance.Of(key, _typed.GetValueOrDefault(key, "?"));

    [GeneratedRegex(@"\{(=?)([a-z][a-z0-9.\-]*)\}")]
    private static partial Regex Token();

    private static Dictionary<string, string> TypedTexts(Scenario s)
    {
        static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
        static string D(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["name"] = s.Name,
            ["description"] = s.Description,
            ["hardware"] = s.Preset,
            ["cluster.cards"] = I(s.Cards),
            ["model.name"] = s.Model.Name,
            ["model.layers"] = I(s.Model.Layers),
            ["model.hidden"] = I(s.Model.Hidden),
            ["model.heads"] = I(s.Model.Heads),
            ["model.kv-heads"] = I(s.Model.KvHeads),
            // Quoted before heads = 0 is refused, which hidden / heads cannot be worked out from.
            ["model.head-dim"] = s.Model.HeadDimSet || s.Model.Heads != 0 ? I(s.Model.HeadDim) : "hidden / heads",
            ["model.ffn-hidden"] = I(s.Model.FfnHidden),
            ["model.gated-mlp"] = s.Model.GatedMlp ? "true" : "false",
            ["model.parallel-layers"] = s.Model.ParallelLayers ? "true" : "false",
            ["model.alibi"] = s.Model.Alibi ? "true" : "false",
            ["model.linear-biases"] = s.Model.LinearBiases ? "true" : "false",
            ["model.qkv-bias"] = s.Model.QkvBias ? "true" : "false",
            ["model.tied-embeddings"] = s.Model.TiedEmbeddings ? "true" : "false",
            ["model.vocab"] = I(s.Model.Vocab),
            ["model.seq-len"] = I(s.Model.SeqLen),
            ["parallel.tp"] = I(s.Parallel.Tp),
            ["parallel.pp"] = I(s.Parallel.Pp),
            ["parallel.dp"] = I(s.Parallel.Dp),
            ["parallel.cp"] = I(s.Parallel.Cp),
            ["parallel.micro-batch"] = I(s.Parallel.MicroBatch),
            ["parallel.global-batch"] = I(s.Parallel.GlobalBatch),
            ["parallel.schedule"] = s.Parallel.Schedule,
            ["parallel.virtual-stages"] = I(s.Parallel.VirtualStages),
            ["parallel.microbatch-group"] = I(s.Parallel.MicroBatchGroup),
            ["parallel.stage-layers"] = "[" + string.Join(", ", s.Parallel.StageLayers) + "]",
            ["training.precision"] = s.Training.Precision,
            ["training.recompute"] = ScenarioKeys.RecomputeNames.First(n => n.Policy == s.Training.Recompute).Name,
            ["training.sequence-parallel"] = s.Training.SequenceParallel ? "true" : "false",
            ["training.zero-stage"] = I(s.Training.ZeroStage),
            ["training.dp-algorithm"] = s.Training.DpAlgorithm.ToString().ToLowerInvariant(),
            ["training.cp-algorithm"] = s.Training.CpAlgorithm == CpAlgorithm.AllGather ? "all-gather" : "ring",
            ["training.cp-merge"] = s.Training.CpMerge == CpMerge.Eager ? "eager" : "fused",
            ["training.grad-accumulation"] = ScenarioKeys.GradAccumulationNames.First(n => n.Kind == s.Training.GradAccumulation).Name,
            ["training.all-reduce-sharded-grads"] = s.Training.AllReduceShardedGrads ? "true" : "false",
            ["training.whole-master-weights"] = s.Training.WholeMasterWeights ? "true" : "false",
            ["training.overlap-grad-reduce"] = s.Training.OverlapGradReduce ? "true" : "false",
            ["training.overlap-param-gather"] = s.Training.OverlapParamGather ? "true" : "false",
            ["training.overlap-tp-forward"] = s.Training.OverlapTpForward ? "true" : "false",
            ["training.half-precision-grads"] = s.Training.HalfPrecisionGrads ? "true" : "false",
            ["training.zero-shard-group"] = I(s.Training.ZeroShardGroup),
            ["training.overlap-tp-backward"] = s.Training.OverlapTpBackward ? "true" : "false",
            ["training.regather-tp-inputs"] = s.Training.RegatherTpInputs ? "true" : "false",
            ["training.deferred-output-wgrads"] = I(s.Training.DeferredOutputWgrads),
            ["training.fp8-weights"] = s.Training.Fp8Weights ? "true" : "false",
            ["training.scatter-gather-sends"] = s.Training.ScatterGatherSends ? "true" : "false",
            ["training.fused-cross-entropy"] = s.Training.FusedCrossEntropy ? "true" : "false",
            ["training.fsdp-gradient-passes"] = s.Training.FsdpGradientPasses ? "true" : "false",
            ["training.fsdp-root-hooks"] = s.Training.FsdpRootHooks ? "true" : "false",
            ["training.fsdp-shard-passes"] = s.Training.FsdpShardPasses ? "true" : "false",
            ["training.fsdp2-copies"] = s.Training.Fsdp2Copies ? "true" : "false",
            ["training.eager-backward-passes"] = s.Training.EagerBackwardPasses ? "true" : "false",
            ["training.megatron-layer-passes"] = s.Training.MegatronLayerPasses ? "true" : "false",
            ["training.eager-llama-ops"] = s.Training.EagerLlamaOps ? "true" : "false",
            ["training.fused-rope"] = s.Training.FusedRope ? "true" : "false",
            ["training.qkv-views"] = s.Training.QkvViews ? "true" : "false",
            ["training.recompute-layers"] = s.Training.RecomputeLayers is { } recomputeLayers ? I(recomputeLayers) : "every layer",
            ["training.metric-cross-entropies"] = I(s.Training.MetricCrossEntropies),
            ["training.tied-embedding-grad-bytes"] = I(s.Training.TiedEmbeddingGradBytes),
            ["training.tied-embedding-after-dp"] = s.Training.TiedEmbeddingAfterDp ? "true" : "false",
            ["training.optimizer"] = ScenarioKeys.OptimizerNames.First(n => n.Kind == s.Training.Optimizer).Name,
            ["training.keep-low-precision-grads"] = s.Training.KeepLowPrecisionGrads ? "true" : "false",
            ["training.keep-stage-outputs"] = s.Training.KeepStageOutputs ? "true" : "false",
            ["training.flash-attention"] = s.Training.FlashAttention ? "true" : "false",
            ["training.softmax"] = ScenarioKeys.SoftmaxNames.First(n => n.Rule == s.Training.Softmax).Name,
            ["training.hidden-dropout"] = s.Training.HiddenDropout ? "true" : "false",
            ["training.attention-dropout"] = s.Training.AttentionDropout ? "true" : "false",
            ["software.stack"] = s.Software.Stack,
            ["software.gemm-scale"] = D(s.Software.GemmScale),
            ["software.runtime-memory"] = I(s.Software.RuntimeMemoryBytes) + "B",
            ["cluster.stage-hardware"] = "[" + string.Join(", ", s.StageCards.Select(c => c.Name)) + "]",
            ["emulation.seed"] = I(s.Emulation.Seed),
            ["emulation.rdma-chunk"] = s.Emulation.RdmaChunkBytes == EmulationSpec.WholeWrites ? "whole" : I(s.Emulation.RdmaChunkBytes) + "B",
            ["emulation.threads"] = I(s.Emulation.Threads),
            ["emulation.mirror-replicas"] = s.Emulation.MirrorReplicas ? "true" : "false",
            ["emulation.tp-collectives"] = s.Emulation.TpCollectiveRings ? "ring" : "one-event",
            ["emulation.trace-cards"] = I(s.Emulation.TraceCards),
            ["card.name"] = s.Card.Name,
            ["card.peak-flops"] = D(s.Card.PeakFlops) + "FLOPS",
            ["card.hbm.stacks"] = I(s.Card.HbmStacks),
            ["card.hbm.stack-capacity"] = I(s.Card.StackCapacityBytes) + "B",
            ["card.hbm.stack-bandwidth"] = I(s.Card.StackBandwidth.BitsPerSecond) + "bps",
            ["card.power"] = D(s.Card.PowerWatts) + "W",
            ["card.efficiency.gemm"] = D(s.Card.GemmEfficiency),
            ["card.efficiency.gemm-half-dim"] = D(s.Card.GemmHalfDim),
            ["card.peak-fp8-flops"] = D(s.Card.Fp8PeakFlops) + "FLOPS",
            ["card.efficiency.gemm-fp8"] = D(s.Card.Fp8GemmEfficiency),
            ["card.efficiency.gemm-fp8-half-dim"] = D(s.Card.Fp8GemmHalfDim),
            ["card.efficiency.gemm-fp8-split-accumulator"] = D(s.Card.Fp8SplitAccumulatorRate),
            ["card.fp8-transposes"] = s.Card.Fp8Transposes ? "true" : "false",
            ["card.efficiency.attention"] = D(s.Card.AttentionEfficiency),
            ["card.efficiency.collective-share-network"] = D(s.Card.NetworkCollectiveShare),
            ["card.efficiency.collective-share"] = D(s.Card.CollectiveShare),
            ["card.efficiency.attention-vector-softmax"] = D(s.Card.AttentionVectorSoftmax),
            ["card.efficiency.attention-vector-update"] = D(s.Card.AttentionVectorUpdate),
            ["card.efficiency.memory"] = D(s.Card.MemoryEfficiency),
            ["card.efficiency.kernel-overhead"] = s.Card.KernelOverhead.ToString(),
            ["node.cards"] = I(s.Node.CardsPerNode),
            ["node.intra.bandwidth"] = I(s.Node.IntraBandwidth.BitsPerSecond) + "bps",
            ["node.intra.latency"] = s.Node.IntraLatency.ToString(),
            ["node.nics"] = I(s.Node.Nics),
            ["node.nic.bandwidth"] = I(s.Node.NicBandwidth.BitsPerSecond) + "bps",
            ["node.nic.latency"] = s.Node.NicLatency.ToString(),
            ["node.intra.efficiency"] = D(s.Node.IntraEfficiency),
            ["node.intra.topology"] = s.Node.IntraMeshPeers > 0 ? "full-mesh" : "crossbar",
            ["node.intra.all-reduce-efficiency"] = D(s.Node.IntraAllReduceEfficiency),
            ["node.nic.efficiency"] = D(s.Node.NicEfficiency),
            ["fabric.kind"] = s.Fabric.Kind,
            ["fabric.torus-dims"] = "[" + string.Join(", ", s.Fabric.TorusDims) + "]",
            ["fabric.slices"] = I(s.Fabric.Slices),
            ["fabric.pod-chips"] = I(s.Fabric.PodChips),
            ["fabric.dcn-latency"] = s.Fabric.DcnLatency.ToString(),
            ["fabric.tiers"] = I(s.Fabric.Tiers),
            ["fabric.link.bandwidth"] = I(s.Fabric.LinkBandwidth.BitsPerSecond) + "bps",
            ["fabric.link.latency"] = s.Fabric.LinkLatency.ToString(),
            ["fabric.leaf.down-ports"] = I(s.Fabric.LeafDownPorts),
            ["fabric.leaf.up-ports"] = I(s.Fabric.LeafUpPorts),
            ["fabric.spine.down-ports"] = I(s.Fabric.SpineDownPorts),
            ["fabric.spine.up-ports"] = I(s.Fabric.SpineUpPorts),
            ["fabric.rail-optimized"] = s.Fabric.RailOptimized ? "true" : "false",
        };
    }
}
