using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Core.Topology;
using Emulator.Core.Units;
using static Emulator.Scenarios.ScenarioLimits;

namespace Emulator.Scenarios;

/// <summary>Refuses scenarios that cannot run or would exhaust this machine: ranges of single keys first, then relations between keys.</summary>
public static class ScenarioValidator
{
    /// <summary>Validates a scenario built in code; errors name <paramref name="source"/> as the file.</summary>
    public static void Validate(Scenario scenario, string source = "scenario") => Validate(scenario, new Provenance(source));

    /// <summary>Validates a loaded scenario; errors name the file each key came from.</summary>
    internal static void Validate(Scenario s, Provenance provenance)
    {
        var v = new ValidationContext(s, provenance);
        CheckSizes(s, v);
        CheckHardware(s, v);
        CheckEmulation(s, v);
        CheckPlan(s, v);
        CheckModelSplit(s, v);
        CheckBatch(s, v);
        CheckShardGroup(s, v);
    }

    private static void CheckSizes(Scenario s, ValidationContext v)
    {
        AtLeastOne(v, "cluster.cards", s.Cards);
        AtMost(v, "cluster.cards", s.Cards, MaxCards, "each card is several actors (card, HBM banks, ports) holding state, and more would exhaust this machine's 24 GiB");
        AtLeastOne(v, "model.layers", s.Model.Layers);
        AtMost(v, "model.layers", s.Model.Layers, MaxLayers, "30x the deepest published model; per-layer state is kept on every stage");
        AtLeastOne(v, "model.hidden", s.Model.Hidden);
        AtMost(v, "model.hidden", s.Model.Hidden, MaxHidden, "10x any published model; keeps h² byte and FLOP counts exact in 64 bits");
        AtLeastOne(v, "model.heads", s.Model.Heads);
        AtLeastOne(v, "model.kv-heads", s.Model.KvHeads);
        if (s.Model.HeadDimSet)
        {
            AtLeastOne(v, "model.head-dim", s.Model.HeadDim);
            if ((long)s.Model.Heads * s.Model.HeadDim > MaxFfnHidden)
                throw v.Fail(["model.head-dim", "model.heads"], $"heads x head-dim = {(long)s.Model.Heads * s.Model.HeadDim} is wider than {MaxFfnHidden}, the widest layer allowed (exact 64-bit byte and FLOP counts)");
        }
        AtLeastOne(v, "model.ffn-hidden", s.Model.FfnHidden);
        AtMost(v, "model.ffn-hidden", s.Model.FfnHidden, MaxFfnHidden, "4x the largest allowed hidden");
        AtLeastOne(v, "model.vocab", s.Model.Vocab);
        AtMost(v, "model.vocab", s.Model.Vocab, MaxVocab, "16x the largest published tokenizers; the logits of one microbatch would not fit in memory");
        AtLeastOne(v, "model.seq-len", s.Model.SeqLen);
        AtMost(v, "model.seq-len", s.Model.SeqLen, MaxSeqLen, "attention terms grow with seq-len², which beyond 1M tokens leaves exact 64-bit arithmetic");
        AtLeastOne(v, "parallel.tp", s.Parallel.Tp);
        AtLeastOne(v, "parallel.pp", s.Parallel.Pp);
        AtLeastOne(v, "parallel.dp", s.Parallel.Dp);
        AtLeastOne(v, "parallel.cp", s.Parallel.Cp);
        AtLeastOne(v, "parallel.micro-batch", s.Parallel.MicroBatch);
        AtLeastOne(v, "parallel.global-batch", s.Parallel.GlobalBatch);
        AtLeastOne(v, "parallel.virtual-stages", s.Parallel.VirtualStages);
        AtLeastOne(v, "parallel.microbatch-group", s.Parallel.MicroBatchGroup);
        OneOf(v, "parallel.schedule", s.Parallel.Schedule, ScenarioKeys.ScheduleChoices);
        OneOf(v, "training.precision", s.Training.Precision, ScenarioKeys.PrecisionChoices);
        if (s.Training.ZeroStage is < 0 or > 3)
            throw v.Fail("training.zero-stage", "must be 0, 1, 2 or 3 (0 replicated, 1 distributed optimizer, 2 sharded gradients, 3 sharded parameters / FSDP)");
        if (!Enum.IsDefined(s.Training.Recompute))
            throw v.Fail("training.recompute", $"not a valid value; choose one of {string.Join(", ", ScenarioKeys.RecomputeChoices)}");
        if (s.Training.RecomputeLayers is { } recomputeLayers)
        {
            if (recomputeLayers < 0)
                throw v.Fail("training.recompute-layers", "must be 0 or more: the layers of each pipeline chunk full recomputation covers");
            if (s.Training.Recompute is not (Recompute.Full or Recompute.FullNeeded))
                throw v.Fail(["training.recompute-layers", "training.recompute"],
                    "recompute-layers picks the layers whole-layer recomputation covers, and {training.recompute} recomputes no whole layers: set recompute = full (or full-needed), or remove recompute-layers");
        }
        if (s.Training.Fp8Weights && s.Training.Precision != "fp8")
            throw v.Fail(["training.fp8-weights", "training.precision"], "FP8 primary weights are Transformer Engine's FP8 training, and {training.precision} is not fp8: set precision = fp8 or fp8-weights = false");
        if (s.Training.Fp8Weights && s.Training.ZeroStage == 3)
            throw v.Fail(["training.fp8-weights", "training.zero-stage"], "FP8 primary weights are modelled with Megatron's replicated weights, and {training.zero-stage} shards them FSDP's way: set fp8-weights = false or zero-stage at most 2");
        if (s.Training.DeferredOutputWgrads < 0)
            throw v.Fail("training.deferred-output-wgrads", "must be 0 or more: the microbatches whose output-layer weight gradients wait for the last stage's last backward (0: none)");
        if (s.Training.DeferredOutputWgrads > 0 && s.Parallel.Pp == 1)
            throw v.Fail(["training.deferred-output-wgrads", "parallel.pp"],
                "deferred output-layer weight gradients fill a pipeline's drain, and {parallel.pp} has none (Megatron-core defers them only with pipeline parallelism): set deferred-output-wgrads = 0");
        if (s.Training.DeferredOutputWgrads > 0 && s.Training.ZeroStage == 3)
            throw v.Fail(["training.deferred-output-wgrads", "training.zero-stage"],
                "deferred output-layer weight gradients are Megatron-core's, and {training.zero-stage} shards the parameters FSDP's way, whose hooks reduce-scatter each microbatch's gradient: set deferred-output-wgrads = 0");
    }

    private static void CheckHardware(Scenario s, ValidationContext v)
    {
        // With a preset per stage the main card runs no kernel: the stages' cards need the FP8 figures.
        var fp8 = s.Training.Precision == "fp8";
        CheckCard(s.Card, v, fp8 && s.StageCards.Count == 0 ? "use a preset with FP8 figures (h100-80g-roce, h200-141g-ib, gb200-nvl72), set them, or train in bf16" : null);
        Fraction(v, "software.gemm-scale", s.Software.GemmScale);
        if (s.Software.RuntimeMemoryBytes < 0) throw v.Fail("software.runtime-memory", "must be >= 0: the device memory the runtime holds outside the framework's tensors");
        if (s.Software.RuntimeMemoryBytes > MaxRuntimeMemoryBytes)
            throw v.Fail("software.runtime-memory", "at most 1024TiB, far beyond any card's HBM: a CUDA context is a few GiB at most (check the unit)");

        var n = s.Node;
        AtLeastOne(v, "node.cards", n.CardsPerNode);
        AtLeastOneMbps(v, "node.intra.bandwidth", n.IntraBandwidth);
        Latency(v, "node.intra.latency", n.IntraLatency.Ps);
        AtLeastOne(v, "node.nics", n.Nics);
        AtLeastOneMbps(v, "node.nic.bandwidth", n.NicBandwidth);
        Latency(v, "node.nic.latency", n.NicLatency.Ps);
        Fraction(v, "node.intra.efficiency", n.IntraEfficiency);
        Fraction(v, "node.intra.all-reduce-efficiency", n.IntraAllReduceEfficiency);
        Fraction(v, "node.nic.efficiency", n.NicEfficiency);

        if (s.StageCards.Count > 0)
        {
            if (s.StageCards.Count != s.Parallel.Pp)
                throw v.Fail(["cluster.stage-hardware", "parallel.pp"], $"cluster.stage-hardware names {s.StageCards.Count} presets for {{=parallel.pp}} pipeline stages (parallel.pp); give one per stage, or [] for none");
            if ((long)s.Parallel.Tp * s.Parallel.WeightReplicas % n.CardsPerNode != 0)
                throw v.Fail(["cluster.stage-hardware", "parallel.tp", "parallel.cp", "parallel.dp", "node.cards"], $"a stage spans tp*cp*dp = {{=parallel.tp}}*{{=parallel.cp}}*{{=parallel.dp}} = {s.Parallel.Tp * s.Parallel.WeightReplicas} cards, not a whole number of {{=node.cards}}-card nodes, so a node would hold two kinds of card; choose tp*cp*dp a multiple of node.cards");
            // A stage's preset gets the main card's range checks; a share of 1 or more would divide a kernel's time by zero.
            for (var i = 0; i < s.StageCards.Count; i++)
                CheckCard(s.StageCards[i], new ValidationContext(s with { Card = s.StageCards[i] }, new Provenance($"cluster.stage-hardware item {i + 1} ({s.StageCards[i].Name})")),
                    fp8 ? "name a preset with FP8 figures (h100-80g-roce, h200-141g-ib, gb200-nvl72) in cluster.stage-hardware, or train in bf16" : null);
            var odd = s.StageCards.FirstOrDefault(card => card.HbmStacks != s.Card.HbmStacks);
            if (odd is not null)
                throw v.Fail("cluster.stage-hardware", $"{odd.Name} has {odd.HbmStacks} HBM stacks but the main card {s.Card.Name} has {s.Card.HbmStacks}; every card of a job needs the same stack count (one bank actor per stack)");
        }

        var f = s.Fabric;
        if (s.Training.GradAccumulation == GradAccumulation.CastAdd && s.Training.ZeroStage >= 2)
            throw v.Fail(["training.grad-accumulation", "training.zero-stage"],
                "cast-add is DeepSpeed's bf16 optimizer, which runs at zero-stage 0 or 1 only, and {training.zero-stage} shards the gradients: use grad-accumulation = add, or zero-stage 0 or 1");
        if (s.Training.HalfPrecisionGrads && s.Training.Precision == "fp16")
            throw v.Fail(["training.half-precision-grads", "training.precision"],
                "half-precision gradients are bf16 (or fp8) training's choice against fp32 main gradients, and {training.precision} has 2-byte gradients anyway: set half-precision-grads = false");
        if (s.Training.HalfPrecisionGrads && s.Training.GradAccumulation == GradAccumulation.CastAdd)
            throw v.Fail(["training.grad-accumulation", "training.half-precision-grads"],
                "{training.grad-accumulation} is DeepSpeed's bf16 optimizer, which keeps fp32 gradients beside the bf16 ones it casts and adds, and {training.half-precision-grads} keeps only bf16 ones: set half-precision-grads = false, or grad-accumulation = add");
        if (s.Training.HalfPrecisionGrads && s.Training.KeepLowPrecisionGrads)
            throw v.Fail(["training.keep-low-precision-grads", "training.half-precision-grads"],
                "{training.keep-low-precision-grads} keeps DeepSpeed's bf16 gradients beside fp32 ones, and {training.half-precision-grads} keeps only bf16 ones: set half-precision-grads = false, or keep-low-precision-grads = false");
        if (s.Training.GradAccumulation == GradAccumulation.CastAdd && s.Training.OverlapGradReduce)
            throw v.Fail(["training.grad-accumulation", "training.overlap-grad-reduce"],
                "cast-add adds the gradients after the whole backward (DeepSpeed's update_hp_grads), so they cannot be reduced in buckets during it ({training.overlap-grad-reduce}): set overlap-grad-reduce = false, or grad-accumulation = add");
        if (s.Training.AllReduceShardedGrads && s.Training.ZeroStage != 1)
            throw v.Fail(["training.all-reduce-sharded-grads", "training.zero-stage"],
                "a whole-gradient all-reduce (training.all-reduce-sharded-grads) applies to zero-stage 1 only (a sharded optimizer fed whole gradients), and {training.zero-stage} "
                + (s.Training.ZeroStage == 0 ? "all-reduces gradients anyway" : "keeps the gradients sharded") + ": set training.all-reduce-sharded-grads = false, or zero-stage = 1");
        if (s.Training.WholeMasterWeights && s.Training.ZeroStage != 1)
            throw v.Fail(["training.whole-master-weights", "training.zero-stage"],
                "whole master weights beside a sharded Adam state (training.whole-master-weights) belong to zero-stage 1, and {training.zero-stage} "
                + (s.Training.ZeroStage == 0 ? "keeps the whole optimizer state on every rank anyway" : "shards more than the optimizer") + ": set training.whole-master-weights = false, or zero-stage = 1");
        if (s.Training.OverlapTpForward && s.Parallel.Tp > 1 && !s.Training.SequenceParallel)
            throw v.Fail(["training.overlap-tp-forward", "training.sequence-parallel"],
                "userbuffers overlap the all-gathers and reduce-scatters that sequence parallelism splits each all-reduce into, and {training.sequence-parallel} leaves them all-reduces: set sequence-parallel = true, or overlap-tp-forward = false");
        if (s.Training.OverlapTpForward && s.Parallel.Tp > 1 && s.Model.ParallelLayers)
            throw v.Fail(["training.overlap-tp-forward", "model.parallel-layers"],
                "userbuffers overlap a serial layer's four forward collectives with its GEMMs, and {model.parallel-layers} has one collective a pass: set overlap-tp-forward = false");
        if (s.Training.MegatronLayerPasses && s.Model.ParallelLayers)
            throw v.Fail(["training.megatron-layer-passes", "model.parallel-layers"],
                "Megatron-LM's 2021-2022 layer is serial (two layernorms, two residual forks), and {model.parallel-layers} has one of each: set megatron-layer-passes = false");
        if (s.Training.MetricCrossEntropies is < 0 or > MaxMetricCrossEntropies)
            throw v.Fail("training.metric-cross-entropies", $"must be 0 (none) to {MaxMetricCrossEntropies}: the cross-entropies a training loop's metrics rerun over each microbatch's logits");
        if (s.Training.TiedEmbeddingGradBytes is not (0 or 2 or 4))
            throw v.Fail("training.tied-embedding-grad-bytes", "must be 0 (none), 2 (the 2-byte gradient) or 4 (an fp32 one): the bytes a parameter the first and last stages all-reduce of the tied word embedding's gradient");
        if (s.Training.Optimizer == OptimizerKind.EagerAdamW && s.Training.ZeroStage != 3)
            throw v.Fail(["training.optimizer", "training.zero-stage"],
                "eager-adamw steps the fp32 shards FSDP holds (no separate master weights), and {training.zero-stage} does not shard the parameters: set optimizer = fused-adam, or zero-stage = 3");
        FsdpOnly(s, v, s.Training.FsdpGradientPasses, "fsdp-gradient-passes", "FSDP's passes over each unit's unsharded gradient (training.fsdp-gradient-passes)");
        FsdpOnly(s, v, s.Training.FsdpRootHooks, "fsdp-root-hooks",
            "FSDP's root-unit hooks (training.fsdp-root-hooks: the last layer's gather prefetched for backward, the reduce-scatters awaited at each backward's end)");
        FsdpOnly(s, v, s.Training.FsdpShardPasses, "fsdp-shard-passes",
            "FSDP's passes over each unit's shard (training.fsdp-shard-passes: the 2-byte cast before each gather, the reduced shard's post-division and accumulation)");
        if (s.Training.FsdpShardPasses && s.Training.GradAccumulation != GradAccumulation.Fused)
            throw v.Fail(["training.fsdp-shard-passes", "training.grad-accumulation"],
                "training.fsdp-shard-passes charges FSDP's own accumulation into the saved gradient shard, and {training.grad-accumulation} charges another: set grad-accumulation = fused, or fsdp-shard-passes = false");
        FsdpOnly(s, v, s.Training.Fsdp2Copies, "fsdp2-copies", "FSDP2's copies around its gathers and reduce-scatters (training.fsdp2-copies)");
        // A later source turning FlashAttention on (a --set over a published row) overrides the unfused softmax's rule; set together, they contradict.
        if (s.Training.Softmax != SoftmaxRule.Fused && s.Training.FlashAttention && v.RankOf("training.softmax") >= v.RankOf("training.flash-attention"))
            throw v.Fail(["training.softmax", "training.flash-attention"],
                "training.softmax chooses how the unfused attention's softmax runs, and {training.flash-attention} computes the softmax inside the fused attention kernel: set softmax = fused, or flash-attention = false");
        if (s.Training.FusedRope && s.Training.EagerLlamaOps)
            throw v.Fail(["training.fused-rope", "training.eager-llama-ops"],
                "training.eager-llama-ops already charges the rotary embedding as torchtitan's eager complex products, and training.fused-rope charges it as fused kernels; a run rotates q and k one way: set one to false");
        if (s.Model.QkvBias && s.Model.LinearBiases)
            throw v.Fail(["model.qkv-bias", "model.linear-biases"],
                "model.linear-biases gives every linear layer of a block a bias, the QKV projection's included, and model.qkv-bias gives that one alone: set one to false");
        if (s.Training.QkvViews && !s.Training.FlashAttention)
            throw v.Fail(["training.qkv-views", "training.flash-attention"],
                "training.qkv-views charges the copies around the fused attention kernel's inputs (the value made contiguous for its layout), and {training.flash-attention} runs the attention unfused: set qkv-views = false, or flash-attention = true");
        if (s.Training.QkvViews && s.Training.EagerBackwardPasses)
            throw v.Fail(["training.qkv-views", "training.eager-backward-passes"],
                "training.qkv-views and training.eager-backward-passes both charge the QKV split's backward (a cat of the three gradients); a run has one split: set one to false");
        // ALiBi and rotary embeddings are two ways of giving attention the tokens' positions; no model uses both.
        if (s.Training.FusedRope && s.Model.Alibi)
            throw v.Fail(["training.fused-rope", "model.alibi"],
                "training.fused-rope charges a rotary position embedding of q and k, and {model.alibi} gives the positions as biases on the attention scores instead; a model uses one of them: set one to false");
        if (s.Training.Fsdp2Copies && s.Training.FsdpGradientPasses)
            throw v.Fail(["training.fsdp2-copies", "training.fsdp-gradient-passes"],
                "training.fsdp2-copies is FSDP2's way around its collectives and training.fsdp-gradient-passes FSDP 1's; a run uses one of them: set one to false");
        if (s.Training.OverlapParamGather && s.Training.ZeroStage is not (1 or 2))
            throw v.Fail(["training.overlap-param-gather", "training.zero-stage"],
                "an overlapped parameter all-gather is the distributed optimizer's (Megatron-core's overlap_param_gather), and {training.zero-stage} "
                + (s.Training.ZeroStage == 0 ? "keeps whole parameters on every rank" : "gathers each layer's parameters before every use anyway") + ": set overlap-param-gather = false, or zero-stage 1 or 2");
        if (f.IsTorus && s.Training.DpAlgorithm == DpAlgorithm.Tree)
            throw v.Fail(["training.dp-algorithm", "fabric.kind"], "tree all-reduces run on fat trees only, and {fabric.kind} links chips directly; on a torus gradients go round one ring per axis (dp-algorithm = ring)");
        if (s.Emulation.MirrorReplicas && s.Training.DpAlgorithm == DpAlgorithm.Tree)
            throw v.Fail(["training.dp-algorithm", "emulation.mirror-replicas"], "a tree all-reduce needs every data-parallel replica live, and {emulation.mirror-replicas} mirrors them; set emulation.mirror-replicas = false or dp-algorithm = ring");
        if (f.IsTorus)
        {
            AtLeastOneMbps(v, "fabric.link.bandwidth", f.LinkBandwidth);
            Latency(v, "fabric.link.latency", f.LinkLatency.Ps);
            if (f.TorusDims.Any(d => d < 1))
                throw v.Fail("fabric.torus-dims", "every axis needs at least one chip");
            if (f.Slices < 1)
                throw v.Fail("fabric.slices", "a job runs on at least one slice; write 1 for a single torus");
            if (s.Cards % f.Slices != 0)
                throw v.Fail(["cluster.cards", "fabric.slices"], "cluster.cards must be a multiple of fabric.slices: every slice holds the same chips");
            var sliceChips = f.TorusDims.Aggregate(1L, (a, d) => a * d);
            if (sliceChips * f.Slices != s.Cards)
                throw f.Slices == 1
                    ? v.Fail(["fabric.torus-dims", "cluster.cards"], $"the axes hold {string.Join("x", f.TorusDims)} = {sliceChips} chips but cluster.cards = {s.Cards}; make their product equal the job's cards, or write [] for the most cube-like shape")
                    : v.Fail(["fabric.torus-dims", "fabric.slices", "cluster.cards"], $"the axes hold {string.Join("x", f.TorusDims)} = {sliceChips} chips but a slice has cluster.cards / fabric.slices = {s.Cards / f.Slices}; make their product equal that, or write [] for the most cube-like shape");
            if (f.PodChips < 0)
                throw v.Fail("fabric.pod-chips", "the most chips a slice may hold is a count of chips; write 0 for no limit");
            if (f.PodChips > 0 && sliceChips > f.PodChips)
                throw v.Fail(["fabric.slices", "fabric.pod-chips", "cluster.cards"], $"a slice of {sliceChips} chips exceeds the {f.PodChips} one slice may hold; set fabric.slices so that cluster.cards / fabric.slices is at most {f.PodChips} (the slices are data-parallel replicas, so they must also divide parallel.dp)");
            if (f.ChipDims.Count(d => d >= 2) > MaxRingAxes)
                throw v.Fail(["fabric.torus-dims", "fabric.slices"], $"the chips have {f.ChipDims.Count(d => d >= 2)} axes of 2 or more chips (counting the one across slices); a collective runs one ring per axis and at most {MaxRingAxes}: merge axes");
            if (f.Slices > 1)
            {
                Latency(v, "fabric.dcn-latency", f.DcnLatency.Ps);
                if (sliceChips % s.Node.CardsPerNode != 0)
                    throw v.Fail(["fabric.torus-dims", "node.cards"], $"a slice of {sliceChips} chips is not a whole number of {s.Node.CardsPerNode}-chip hosts; a host belongs to one slice");
                if (s.Parallel.Pp > 1 || s.Parallel.Dp % f.Slices != 0)
                    throw v.Fail(["fabric.slices", "parallel.pp", "parallel.dp"], $"slices are data-parallel replicas here (the data-centre network carries gradients only, and tensor- and context-parallel groups stay inside a slice): use pp = 1 and a dp that {f.Slices} slices divide");
            }
            return;
        }
        if (f.Slices != 1)
            throw v.Fail(["fabric.slices", "fabric.kind"], "slices join tori over the data-centre network, and {fabric.kind} is one network: remove fabric.slices or set it to 1");
        if (f.Tiers is not (2 or 3))
            throw v.Fail("fabric.tiers", "a fat tree here has 2 tiers (leaf-spine) or 3 (leaf-spine-core); write 2 or 3");
        AtLeastOneMbps(v, "fabric.link.bandwidth", f.LinkBandwidth);
        Latency(v, "fabric.link.latency", f.LinkLatency.Ps);
        Ports(v, "fabric.leaf.down-ports", f.LeafDownPorts);
        Ports(v, "fabric.leaf.up-ports", f.LeafUpPorts);
        Ports(v, "fabric.spine.down-ports", f.SpineDownPorts);
        if (f.Tiers == 3) Ports(v, "fabric.spine.up-ports", f.SpineUpPorts);
    }

    /// <summary>The ranges of one card's keys: the main card's, and each stage preset's (cluster.stage-hardware); with
    /// <paramref name="fp8Advice"/>, the card runs FP8 GEMMs and must have their figures (the advice says how to get them).</summary>
    private static void CheckCard(CardSpec c, ValidationContext v, string? fp8Advice)
    {
        if (c.Fp8PeakFlops != 0) Rate(v, "card.peak-fp8-flops", c.Fp8PeakFlops, 1e9, "1GFLOPS", "FP8 units compute at some positive rate");
        if (c.Fp8GemmEfficiency != 0) Fraction(v, "card.efficiency.gemm-fp8", c.Fp8GemmEfficiency);
        if (c.Fp8GemmHalfDim != 0) Positive(v, "card.efficiency.gemm-fp8-half-dim", c.Fp8GemmHalfDim, "it is a matrix dimension");
        Fraction(v, "card.efficiency.gemm-fp8-split-accumulator", c.Fp8SplitAccumulatorRate);
        if (fp8Advice is not null)
        {
            (string Key, double Value)[] figures = [("card.peak-fp8-flops", c.Fp8PeakFlops), ("card.efficiency.gemm-fp8", c.Fp8GemmEfficiency), ("card.efficiency.gemm-fp8-half-dim", c.Fp8GemmHalfDim)];
            var missing = figures.Where(f => f.Value == 0).Select(f => f.Key).ToArray();
            if (missing.Length > 0)
                throw v.Fail(["training.precision", .. missing],
                    $"FP8 training runs the linear GEMMs on the card's FP8 units, and {c.Name} has no {string.Join(", ", missing)}: {fp8Advice}");
        }
        Rate(v, "card.peak-flops", c.PeakFlops, 1e9, "1GFLOPS", "a card computes at some positive rate");
        AtLeastOne(v, "card.hbm.stacks", c.HbmStacks);
        if (c.HbmStacks > MaxHbmStacks)
            throw v.Fail("card.hbm.stacks", $"at most {MaxHbmStacks}: cards carry 4 to 12 HBM stacks, one bank actor each");
        AtLeastOne(v, "card.hbm.stack-capacity", c.StackCapacityBytes);
        if (c.StackCapacityBytes > MaxStackCapacityBytes)
            throw v.Fail("card.hbm.stack-capacity", "at most 1TiB: one HBM stack holds tens of GiB (check the unit)");
        AtLeastOneMbps(v, "card.hbm.stack-bandwidth", c.StackBandwidth);
        Positive(v, "card.power", c.PowerWatts, "a working card draws power");
        Fraction(v, "card.efficiency.gemm", c.GemmEfficiency);
        if (c.AttentionEfficiency != 0) Fraction(v, "card.efficiency.attention", c.AttentionEfficiency);
        if (c.CollectiveShare is < 0 or >= 1 || double.IsNaN(c.CollectiveShare))
            throw v.Fail("card.efficiency.collective-share", "must be in [0, 1): the fraction of the card's compute a collective beside it takes (0 = none)");
        if (c.CollectiveShareNetwork is { } network && (network is < 0 or >= 1 || double.IsNaN(network)))
            throw v.Fail("card.efficiency.collective-share-network", "must be in [0, 1): the fraction of the card's compute a collective whose group spans nodes takes beside it (0 = none)");
        if (c.AttentionVectorSoftmax is < 0 or > 10 || double.IsNaN(c.AttentionVectorSoftmax))
            throw v.Fail("card.efficiency.attention-vector-softmax", "must be in [0, 10]: the softmax's vector time per score over the matrix units' at heads of 128 (0 = never vector-bound)");
        if (c.AttentionVectorUpdate is < 0 or > 10 || double.IsNaN(c.AttentionVectorUpdate))
            throw v.Fail("card.efficiency.attention-vector-update", "must be in [0, 10]: the output update's vector time per score over the matrix units' (0 = none)");
        Positive(v, "card.efficiency.gemm-half-dim", c.GemmHalfDim, "it is a matrix dimension");
        Fraction(v, "card.efficiency.memory", c.MemoryEfficiency);
        if (c.KernelOverhead.Ps < 0) throw v.Fail("card.efficiency.kernel-overhead", "must be >= 0");
        if (c.KernelOverhead.Ps > MaxLatencyPs) throw v.Fail("card.efficiency.kernel-overhead", "at most 1s: a kernel's launch cost is microseconds (check the unit)");
    }

    /// <summary>Refuses a training.KEY that charges PyTorch FSDP's work (<paramref name="what"/>) on a run whose zero stage shards no parameters.</summary>
    private static void FsdpOnly(Scenario s, ValidationContext v, bool on, string key, string what)
    {
        if (on && s.Training.ZeroStage != 3)
            throw v.Fail(["training." + key, "training.zero-stage"],
                what + " belong to fully sharded data parallelism, and {training.zero-stage} does not shard the parameters: set " + key + " = false, or zero-stage = 3");
    }

    private static void CheckEmulation(Scenario s, ValidationContext v)
    {
        var e = s.Emulation;
        if (e.RdmaChunkBytes < MinRdmaChunkBytes)
            throw v.Fail("emulation.rdma-chunk", "below the 4KiB minimum: chunks smaller than the 4 KiB RDMA MTU multiply events without modelling anything real; use e.g. 1MiB, or whole");
        AtLeastOne(v, "emulation.threads", e.Threads);
        AtMost(v, "emulation.threads", e.Threads, MaxThreads, "this machine has 2 cores, so more partition threads only add barrier cost");
        if (e.TraceCards < 0) throw v.Fail("emulation.trace-cards", "must be >= 0 (0 = no trace)");
        AtMost(v, "emulation.trace-cards", e.TraceCards, MaxTraceCards, "each traced card adds a track of all its events to trace.json, and more tracks make the file too large for trace viewers");
    }

    private static void CheckPlan(Scenario s, ValidationContext v)
    {
        var p = s.Parallel;
        long product = (long)p.Tp * p.Cp * p.Pp * p.Dp;
        if (product != s.Cards && p.Cp == 1)
            throw v.Fail(["parallel.tp", "parallel.pp", "parallel.dp", "cluster.cards"],
                $"tp*pp*dp = {{=parallel.tp}}*{{=parallel.pp}}*{{=parallel.dp}} = {product} but {{cluster.cards}}; choose tp, pp, dp whose product is {s.Cards}");
        if (product != s.Cards)
            throw v.Fail(["parallel.tp", "parallel.cp", "parallel.pp", "parallel.dp", "cluster.cards"],
                $"tp*cp*pp*dp = {{=parallel.tp}}*{{=parallel.cp}}*{{=parallel.pp}}*{{=parallel.dp}} = {product} but {{cluster.cards}}; choose sizes whose product is {s.Cards}");
        if (s.Model.SeqLen % p.Cp != 0)
            throw v.Fail(["parallel.cp", "model.seq-len"],
                $"context parallelism splits each sequence evenly, so cp must divide {{model.seq-len}}; choose cp among {List(Divisors(s.Model.SeqLen).Where(d => d <= 64))}");
        var perNode = s.Node.CardsPerNode;
        if (s.Cards % perNode != 0)
            throw v.Fail(["cluster.cards", "node.cards"],
                $"the job is made of whole nodes, so cards must be a multiple of {{node.cards}}; use e.g. {Multiples(s.Cards, perNode)}");
        if (!s.Fabric.IsTorus && s.Fabric.Tiers == 2 && FatTree.Leaves(s.Fabric, s.Nodes, s.Node.Nics) is var leaves && leaves > 1 && leaves > s.Fabric.SpineDownPorts)
            throw v.Fail(["fabric.spine.down-ports", "fabric.tiers", "cluster.cards", "node.nics", "fabric.leaf.down-ports"],
                $"a 2-tier fabric joins every leaf switch to each spine, one spine down-port per leaf, and the job's {s.Nodes} node{(s.Nodes == 1 ? "" : "s")} x {s.Node.Nics} NICs take {leaves} leaf switches ({(s.Fabric.RailOptimized ? "rail-optimized, " : "")}{{fabric.leaf.down-ports}}); use fabric.tiers = 3, fabric.spine.down-ports >= {leaves}, or fewer cards");
        if (!TpFitsNodes(s, p.Tp))
            throw v.Fail(["parallel.tp", "node.cards"], s.Fabric.IsTorus
                ? $"tensor parallelism covers part of one host or whole hosts, so tp must divide {{node.cards}} or be a multiple of it; choose tp among {List(Divisors(perNode))} or a multiple of {perNode}"
                : $"tensor parallelism stays inside one node, so tp must divide {{node.cards}}; choose tp among {List(Divisors(perNode))}");
    }

    private static void CheckModelSplit(Scenario s, ValidationContext v)
    {
        var m = s.Model;
        var p = s.Parallel;
        if (!m.HeadDimSet && m.Hidden % m.Heads != 0)
            throw v.Fail(["model.hidden", "model.heads"],
                $"hidden must be a multiple of {{model.heads}} so that every head has hidden/heads dimensions; use e.g. hidden = {Multiples(m.Hidden, m.Heads)}, or set model.head-dim");
        if (m.Heads % p.Tp != 0)
            throw v.Fail(["model.heads", "parallel.tp"],
                $"heads must be divisible by {{parallel.tp}} because each tensor-parallel rank holds whole heads; choose tp among {List(Divisors(m.Heads).Where(d => TpFitsNodes(s, d)))}");
        if (m.KvHeads > m.Heads || m.Heads % m.KvHeads != 0)
            throw v.Fail(["model.kv-heads", "model.heads"],
                $"kv-heads must divide {{model.heads}} so each key/value head serves the same number of query heads; choose one of {List(Divisors(m.Heads))}");
        if (m.KvHeads >= p.Tp && m.KvHeads % p.Tp != 0)
            throw v.Fail(["model.kv-heads", "parallel.tp"],
                $"kv-heads >= tp must be a multiple of {{parallel.tp}} so each tensor-parallel rank holds whole key/value heads");
        if (m.KvHeads < p.Tp && p.Tp % m.KvHeads != 0)
            throw v.Fail(["model.kv-heads", "parallel.tp"],
                $"with fewer kv-heads than tp, {{parallel.tp}} must be a multiple of kv-heads so each key/value head is replicated over a whole number of ranks");

        var stages = p.StageLayers;
        if (stages.Count == 0)
        {
            if (p.Pp > m.Layers)
                throw v.Fail(["model.layers", "parallel.pp"],
                    $"{{parallel.pp}} stages for {m.Layers} layers: every stage needs at least one layer; choose pp among {List(Divisors(m.Layers))}");
            if (m.Layers % p.Pp != 0)
                throw v.Fail(["model.layers", "parallel.pp"],
                    $"layers must split evenly over the pipeline stages, {{parallel.pp}}; choose pp among {List(Divisors(m.Layers))} or give parallel.stage-layers with pp entries summing to {m.Layers}");
            return;
        }
        if (stages.Count != p.Pp)
            throw v.Fail(["parallel.stage-layers", "parallel.pp"],
                $"{stages.Count} entries but {{parallel.pp}}; give one layer count per stage");
        for (var i = 0; i < stages.Count; i++)
            if (stages[i] < 1)
                throw v.Fail("parallel.stage-layers", $"stage {i} has {stages[i]} layers; every stage needs at least 1");
        long sum = stages.Sum(x => (long)x);
        if (sum != m.Layers)
            throw v.Fail(["parallel.stage-layers", "model.layers"],
                $"the stages hold {sum} layers but {{model.layers}}; the entries must sum to {m.Layers}");
    }

    /// <summary>A ZeRO shard group below the whole data-parallel group (hybrid sharding) must fall on its ring dimensions.</summary>
    private static void CheckShardGroup(Scenario s, ValidationContext v)
    {
        var group = s.Training.ZeroShardGroup;
        if (group < 0) throw v.Fail("training.zero-shard-group", "must be 0 (shard over all data-parallel ranks) or a positive group size");
        if (group == 0) return;
        if (s.Training.ZeroStage == 0)
            throw v.Fail(["training.zero-shard-group", "training.zero-stage"], "a shard group applies to sharded state: set zero-stage 1, 2 or 3, or zero-shard-group = 0");
        var perSlice = s.Parallel.WeightReplicas / s.Fabric.Slices;
        if (perSlice % group != 0)
            throw v.Fail(["training.zero-shard-group", "parallel.dp", "parallel.cp"], $"the {perSlice} data-parallel ranks (dp*cp{(s.Fabric.Slices > 1 ? " of a slice" : "")}) must split into whole shard groups; choose a divisor of {perSlice}");
        if (!s.Fabric.IsTorus && s.Emulation.MirrorReplicas)
            throw v.Fail(["training.zero-shard-group", "emulation.mirror-replicas"], "replica mirroring on a fat tree keeps one node's replicas, which a shard group would cut across; set mirror-replicas = false");
        if (s.Training.DpAlgorithm == DpAlgorithm.Tree)
            throw v.Fail(["training.zero-shard-group", "training.dp-algorithm"], "the tree all-reduce runs over the whole group's node dimension, which a shard group splits; use dp-algorithm = ring, or zero-shard-group = 0");
        var dims = DataParallelDims.Of(s);
        if (dims is not null && dims.Dims.Count(d => d > 1) > MaxRingAxes)
            throw v.Fail("training.zero-shard-group", $"the group splits a ring axis in two, giving the data-parallel group {dims.Dims.Count(d => d > 1)} ring dimensions; a collective runs at most {MaxRingAxes}: choose a group of whole leading dimensions, or merge torus axes");
        if (dims is null)
        {
            var fits = Enumerable.Range(1, perSlice).Where(g => perSlice % g == 0 && DataParallelDims.Of(s with { Training = s.Training with { ZeroShardGroup = g } }) is not null);
            throw v.Fail("training.zero-shard-group", $"the group must be whole leading ring dimensions of the data-parallel group ({string.Join(" x ", DataParallelDims.Of(s with { Training = s.Training with { ZeroShardGroup = 0 } })!.Dims)}, first fastest) or a divisor of the next one; choose among {List(fits.Select(g => (long)g))}");
        }
    }

    private static void CheckBatch(Scenario s, ValidationContext v)
    {
        var p = s.Parallel;
        long perStep = (long)p.MicroBatch * p.Dp;
        string[] keys = ["parallel.global-batch", "parallel.micro-batch", "parallel.dp"];
        if (p.GlobalBatch % perStep != 0)
            throw v.Fail(keys,
                $"global-batch must be a multiple of micro-batch*dp = {{=parallel.micro-batch}}*{{=parallel.dp}} = {perStep} so every pipeline runs whole microbatches; use e.g. global-batch = {Multiples(p.GlobalBatch, perStep)}");
        var microBatches = p.GlobalBatch / perStep;
        if (microBatches > MaxMicroBatches)
            throw v.Fail(keys,
                $"global-batch/(micro-batch*dp) = {microBatches} microbatches per pipeline per step, above the limit of {MaxMicroBatches}: each microbatch is a chain of events on every stage, so one step would take hours on this 2-core machine; raise micro-batch or lower global-batch");
        if (p.VirtualStages == 1) return;
        if (p.Pp < 2)
            throw v.Fail(["parallel.virtual-stages", "parallel.pp"], "an interleaved schedule needs at least 2 pipeline stages; set virtual-stages = 1 or raise pp");
        // Megatron-LM's interleaving before microbatch groups took the microbatches p at a time, and refused any other count.
        if (p.Schedule == "1f1b-megatron-2021" && (p.MicroBatchGroup != p.Pp || microBatches % p.Pp != 0))
            throw v.Fail(["parallel.schedule", "parallel.virtual-stages", "parallel.pp", "parallel.global-batch", "parallel.microbatch-group"],
                p.MicroBatchGroup != p.Pp
                    ? "microbatch groups came with Megatron-core's later schedule, and {parallel.schedule} runs the microbatches pp at a time: remove microbatch-group, or set schedule = 1f1b"
                    : $"Megatron-LM's interleaved schedule ({{parallel.schedule}}) needs the microbatches (global-batch/(micro-batch*dp) = {microBatches}) a multiple of pp; use e.g. global-batch = {Multiples(p.GlobalBatch, perStep * p.Pp)}, or schedule = 1f1b with microbatch groups, or virtual-stages = 1");
        if (PipelineSchedule.InterleavingProblem(p.Pp, (int)microBatches, p.MicroBatchGroup) is { } problem)
            throw v.Fail(["parallel.virtual-stages", "parallel.pp", "parallel.global-batch", "parallel.microbatch-group"],
                $"the interleaved schedule runs the {microBatches} microbatches (global-batch/(micro-batch*dp)) in groups of parallel.microbatch-group (default pp), each at least pp long, as Megatron-core does: {problem}; " +
                $"use e.g. {InterleavingFixes(p, perStep, (int)microBatches)}virtual-stages = 1");
        var stageLayers = p.StageLayers.Count > 0 ? p.StageLayers.Min() : s.Model.Layers / p.Pp;
        if (stageLayers < p.VirtualStages)
            throw v.Fail(p.StageLayers.Count > 0 ? ["parallel.virtual-stages", "parallel.stage-layers"] : ["parallel.virtual-stages", "model.layers", "parallel.pp"],
                $"a stage with {stageLayers} layers cannot be split into {{parallel.virtual-stages}} model chunks; every chunk needs at least one layer");
    }

    /// <summary>The changes that let the interleaved schedule run, each followed by ", or ": a global batch of whole groups of pp
    /// microbatches (unless it is one already: then only the group is wrong), and the groups the current microbatches allow.</summary>
    private static string InterleavingFixes(ParallelSpec p, long perStep, int microBatches)
    {
        var fixes = new List<string>();
        if (p.GlobalBatch % (perStep * p.Pp) != 0) fixes.Add($"global-batch = {Multiples(p.GlobalBatch, perStep * p.Pp)}");
        var groups = Enumerable.Range(p.Pp, Math.Max(0, microBatches - p.Pp + 1))
            .Where(g => PipelineSchedule.InterleavingProblem(p.Pp, microBatches, g) is null).ToList();
        if (groups.Count > 4) groups = [.. groups.Take(3), microBatches];
        if (groups.Count > 0)
            fixes.Add("microbatch-group = " + string.Join(" or ", groups.Select(g => g == microBatches ? $"{g} (one group)" : $"{g}")));
        return string.Concat(fixes.Select(f => f + ", or "));
    }

    private static void AtLeastOne(ValidationContext v, string key, long value)
    {
        if (value < 1) throw v.Fail(key, "must be >= 1; zero or negative sizes make no sense");
    }

    private static void AtMost(ValidationContext v, string key, long value, long max, string why)
    {
        if (value > max) throw v.Fail(key, $"at most {max} is supported: {why}");
    }

    private static void Positive(ValidationContext v, string key, double value, string why)
    {
        if (!(value > 0) || double.IsInfinity(value)) throw v.Fail(key, $"must be > 0: {why}");
    }

    /// <summary>A rate (FLOP/s, bit/s) of at least <paramref name="min"/>: far below any hardware's, a kernel or transfer would outlast the
    /// picosecond clock's range (about 106 days).</summary>
    private static void Rate(ValidationContext v, string key, double value, double min, string minText, string why)
    {
        Positive(v, key, value, why);
        if (value < min) throw v.Fail(key, $"must be at least {minText}: far below any accelerator's (check the unit), and the emulated times would overflow");
    }

    /// <summary>A bandwidth of at least 1 Mbit/s.</summary>
    private static void AtLeastOneMbps(ValidationContext v, string key, Bandwidth bandwidth) =>
        Rate(v, key, bandwidth.BitsPerSecond, 1e6, "1Mbps", "a link or memory moves data at some positive rate");

    // Efficiencies below this would make the rate they scale round to nothing, and no hardware reaches less than 0.1% of its peak.
    private const double MinFraction = 0.001;

    private static void Fraction(ValidationContext v, string key, double value)
    {
        if (!(value > 0 && value <= 1)) throw v.Fail(key, "must be a fraction in (0, 1]: the share of the peak that is reached, e.g. 0.8");
        if (value < MinFraction) throw v.Fail(key, $"must be a fraction in (0, 1] of at least {MinFraction}: the share of the peak that is reached, e.g. 0.8");
    }

    // One second: latencies are microseconds; far longer ones overflow the picosecond clock once added up over a step.
    private const long MaxLatencyPs = 1_000_000_000_000;

    private static void Latency(ValidationContext v, string key, long ps)
    {
        if (ps <= 0) throw v.Fail(key, "must be > 0: every physical link has some latency, and the parallel kernel uses it as lookahead");
        if (ps > MaxLatencyPs) throw v.Fail(key, "at most 1s: link latencies are microseconds (check the unit)");
    }

    private static void Ports(ValidationContext v, string key, int ports)
    {
        if (ports < 1) throw v.Fail(key, "must be >= 1: a switch with no ports on this side cannot connect the job");
    }

    private static void OneOf(ValidationContext v, string key, string value, IReadOnlyList<string> choices)
    {
        if (!choices.Contains(value)) throw v.Fail(key, $"not a valid value; choose one of {string.Join(", ", choices)}");
    }

    /// <summary>Whether a tensor-parallel group of <paramref name="tp"/> cards fits the nodes: it divides a node, or on a torus it may
    /// span whole hosts (its collectives then run as rings over the chip links).</summary>
    private static bool TpFitsNodes(Scenario s, long tp) =>
        s.Node.CardsPerNode % tp == 0 || (s.Fabric.IsTorus && tp % s.Node.CardsPerNode == 0);

    private static IEnumerable<long> Divisors(long n)
    {
        for (long d = 1; d <= n; d++)
            if (n % d == 0) yield return d;
    }

    private static string List(IEnumerable<long> values) => string.Join(", ", values);

    /// <summary>The multiples of <paramref name="step"/> just below and above <paramref name="value"/>.</summary>
    private static string Multiples(long value, long step)
    {
        var below = value / step * step;
        var above = below + step;
        return below >= step ? $"{below} or {above}" : $"{above}";
    }
}
