using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Engine.Messages;

namespace Emulator.Engine.Plan;

/// <summary>Turns a scenario into one program per pipeline stage: 1F1B order, per-layer kernels and collectives, memory, gradient sync, optimizer.</summary>
public static class StagePlanner
{
    /// <summary>Layers of each stage: the explicit list, or an even split.</summary>
    public static IReadOnlyList<int> StageLayers(Scenario s)
    {
        if (s.Parallel.StageLayers.Count > 0) return s.Parallel.StageLayers;
        return Enumerable.Repeat(s.Model.Layers / s.Parallel.Pp, s.Parallel.Pp).ToArray();
    }

    /// <summary>Bytes one card sends to the next stage per microbatch: b·s·h in 2-byte precision, split over tp ranks along the sequence
    /// (sequence parallelism) or by Megatron's scatter/gather (training.scatter-gather-sends), else whole from every rank.</summary>
    public static long PipelineBytes(Scenario s) =>
        2L * s.Parallel.MicroBatch * s.Model.SeqLen * s.Model.Hidden / (SplitsSends(s.Training) ? s.Parallel.Tp : 1) / s.Parallel.Cp;

    private static bool SplitsSends(TrainingSpec t) => t.SequenceParallel || t.ScatterGatherSends;

    /// <summary>Bytes per rank of one tensor-parallel all-reduce (or all-gather + reduce-scatter pair with sequence parallelism).</summary>
    public static long TensorParallelBytes(Scenario s) => 2L * s.Parallel.MicroBatch * s.Model.SeqLen * s.Model.Hidden / s.Parallel.Cp;

    /// <summary>Keys and values of one layer and microbatch on one card, 2-byte: 2·(b·s/cp)·k·d/tp; ring attention passes them round the cp group.</summary>
    public static long KeyValueBytes(Scenario s) =>
        2L * 2 * s.Parallel.MicroBatch * s.Model.SeqLen / s.Parallel.Cp * s.Model.KvWidthAcross(s.Parallel.Tp) / s.Parallel.Tp;

    /// <summary>Bytes of one gradient: bf16 training accumulates and all-reduces fp32 main gradients (Megatron-LM forces
    /// accumulate_allreduce_grads_in_fp32 with bf16; DeepSpeed's bf16 optimizer keeps fp32 gradients too) unless
    /// training.half-precision-grads says otherwise; fp16 keeps 2-byte gradients.</summary>
    public static int GradientBytesPerParam(TrainingSpec t) => t.Precision != "fp16" && !t.HalfPrecisionGrads ? 4 : 2;

    /// <summary>The ring phase of the tied word embedding's gradient all-reduce: one number both ends' programs share (their own
    /// phases count up from 0 and stay far below it; the card's tensor-parallel rings start at 2^24).</summary>
    public const int TiedEmbeddingPhase = (1 << 24) - 1;

    /// <summary>Bytes per card of the tied word embedding's gradient the first and last stages all-reduce: V·h/tp parameters at
    /// training.tied-embedding-grad-bytes each; 0 on the other stages, with one stage and with untied embeddings.</summary>
    public static long TiedEmbeddingBytes(Scenario s, int stage) =>
        s.Parallel.Pp > 1 && s.Model.TiedEmbeddings && (stage == 0 || stage == s.Parallel.Pp - 1)
            ? (long)Math.Ceiling((double)s.Training.TiedEmbeddingGradBytes * s.Model.Vocab * s.Model.Hidden / s.Parallel.Tp)
            : 0;

    /// <summary>Tags a pipeline transfer with its microbatch and the receiving model chunk (microbatches are at most 65,536).</summary>
    public static int Tag(int microBatch, int chunk) => chunk * 65536 + microBatch;

    /// <summary>Layers of each model chunk of <paramref name="stage"/>: the stage's layers split as evenly as possible, earlier chunks taking the remainder.</summary>
    public static int[] ChunkLayers(Scenario s, int stage)
    {
        var layers = StageLayers(s)[stage];
        var v = s.Parallel.VirtualStages;
        return Enumerable.Range(0, v).Select(c => layers / v + (c < layers % v ? 1 : 0)).ToArray();
    }

    /// <summary>Builds the program of <paramref name="stage"/>.</summary>
    public static StagePlan Build(Scenario s, int stage)
    {
        s = s with { Card = s.CardOfStage(stage) };
        var p = s.Parallel;
        var t = s.Training;
        var v = p.VirtualStages;
        var chunkLayers = ChunkLayers(s, stage);
        var layers = chunkLayers.Sum();
        var first = stage == 0;
        var last = stage == p.Pp - 1;
        var m = p.MicroBatches;
        // FP8 training (Transformer Engine): the layers' linear GEMMs on the FP8 units, with TE's casts around them; their inputs
        // saved for backward as the FP8 copies.
        var fp8 = t.Precision == "fp8";
        // Virtual stage c·pp + stage runs chunk c; the first virtual stage holds the embedding, the last the logits.
        bool FirstVirtual(int chunk) => first && chunk == 0;
        bool LastVirtual(int chunk) => last && chunk == v - 1;

        var paramsOnCard = TransformerMath.StageParams(s.Model, layers, first, last, p.Tp);
        var gradPerParam = GradientBytesPerParam(t);
        var replicas = p.WeightReplicas;
        // ZeRO shards over its shard group (all replicas, or a slice's, or training.zero-shard-group); the groups hold replicas.
        var shards = s.ZeroShards;
        var cp = p.Cp;
        var zeroState = MemoryModel.Sharded(paramsOnCard, shards, t.ZeroStage, gradPerParam, t.WholeMasterWeights);
        // Under Composer's FSDP the fp32 shard, counted with the optimizer's state, is the only copy of the weights (cast at each gather).
        var state = t.Optimizer == OptimizerKind.EagerAdamW ? zeroState with { WeightBytes = 0 } : zeroState;
        var sharded = shards > 1 ? t.ZeroStage : 0;
        // One layer's parameters and gradients on this card, the unit of FSDP gathers and of overlapped gradient buckets.
        var layerParams = TransformerMath.LayerParams(s.Model, p.Tp) / p.Tp;
        var layerWeightBytes = (long)Math.Ceiling(2 * layerParams);
        var layerGradBytes = (long)Math.Ceiling(gradPerParam * layerParams);
        // Embedding, output layer and final norm: the stage's parameters outside its layers.
        var otherParams = Math.Max(0, paramsOnCard - layers * layerParams);
        var phase = 0;
        var pending = new List<(RingKind Kind, int Phase)>();
        // FlashAttention keeps no s×s scores, exactly what selective recompute drops from the stored activations.
        var keptPolicy = t.FlashAttention ? Recompute.Selective : Recompute.None;
        var storedPolicy = t.Recompute == Recompute.None ? keptPolicy : t.Recompute;
        // Whole-layer recomputation may cover only the first N layers of each chunk (training.recompute-layers); the rest keep theirs.
        int Recomputed(int c) => Math.Min(t.RecomputeLayers ?? chunkLayers[c], chunkLayers[c]);
        // Decided on the final plan, so a --set micro batch or tp moves BigScience's 2022 rule with it.
        var fusedSoftmax = SoftmaxKernel.Fused(t.Softmax, p.MicroBatch, s.Model.Heads / p.Tp, s.Model.SeqLen);
        // Context parallelism keeps s/cp of every sequence on a card: every activation shrinks by cp.
        long KeptBytes(int c) => MemoryModel.ActivationBytesPerMicrobatch(s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, keptPolicy, chunkLayers[c] - Recomputed(c), false, false, t.HiddenDropout, t.AttentionDropout, fusedSoftmax, fp8);
        long[] activations, keptActivations;
        long working;
        try
        {
            activations = Enumerable.Range(0, v).Select(c => CeilDiv(checked(
                MemoryModel.ActivationBytesPerMicrobatch(s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, storedPolicy, Recomputed(c), FirstVirtual(c), LastVirtual(c), t.HiddenDropout, t.AttentionDropout, fusedSoftmax, fp8)
                + KeptBytes(c)), cp)).ToArray();
            // With only some layers recomputed, backward meets the kept ones first and has freed their activations by the time the
            // first recomputation needs its working buffer: that part is released there, the rest after the chunk's backward.
            keptActivations = Enumerable.Range(0, v).Select(c => Recomputed(c) > 0 ? Math.Min(CeilDiv(KeptBytes(c), cp), activations[c]) : 0).ToArray();
            working = CeilDiv(MemoryModel.RecomputeWorkingBytes(s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, t.Recompute, t.FlashAttention, t.HiddenDropout, t.AttentionDropout, fusedSoftmax, fp8), cp);
        }
        catch (OverflowException e)
        {
            // The sizes are at fault, not the hardware's rates (the virtual clock's overflow names those).
            throw new SizeOverflowException(
                $"one microbatch's activations overflow 64-bit byte counts: parallel.micro-batch = {p.MicroBatch} sequences of model.seq-len = {s.Model.SeqLen} tokens "
                + $"(model.hidden = {s.Model.Hidden}, model.heads = {s.Model.Heads}) are far beyond any card's memory; lower parallel.micro-batch, model.seq-len or model.heads", e);
        }

        var fwd = ComputeModel.LayerForward(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, t.FlashAttention, cp, t.AttentionDropout, fusedSoftmax, fp8);
        var bwd = ComputeModel.LayerBackward(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, t.FlashAttention, cp, t.AttentionDropout, fusedSoftmax, fp8)
            + (t.EagerBackwardPasses ? ComputeModel.EagerBackwardPasses(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, cp) : LayerWork.Zero);
        bwd += ComputeModel.BiasGradients(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, cp);
        var re = ComputeModel.LayerRecompute(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, t.Recompute, t.FlashAttention, cp, t.AttentionDropout, fusedSoftmax, fp8);
        // Kernels a block runs before its MLP's second GEMM: full recomputation (and full-needed, which stops there) reruns them;
        // selective's core alone does not (each below comes before the attention core or outside it).
        void BeforeSecondGemm(LayerWork forward)
        {
            fwd += forward;
            if (t.Recompute is Recompute.Full or Recompute.FullNeeded) re += forward;
        }
        // Userbuffers (Transformer Engine's tp-comm overlap) or mc2: with sequence parallelism each of a serial forward layer's four
        // collectives runs beside the GEMM it feeds or drains (ForwardLayer, below).
        var overlapTpForward = t.OverlapTpForward && p.Tp > 1 && t.SequenceParallel && !s.Model.ParallelLayers;
        if (fp8)
        {
            BeforeSecondGemm(ComputeModel.Fp8CastsForward(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, cp));
            bwd += ComputeModel.Fp8CastsBackward(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, cp);
        }
        // A QKV-only bias is added after the GEMM, unless the GEMM runs fused with its all-gather, which takes it.
        BeforeSecondGemm(ComputeModel.QkvBiasAdd(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, cp, inGemm: overlapTpForward));
        if (t.MegatronLayerPasses)
        {
            var megatronForward = ComputeModel.MegatronForwardPasses(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, t.HiddenDropout, cp);
            fwd += megatronForward;
            bwd += ComputeModel.MegatronBackwardPasses(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, t.HiddenDropout, cp);
            // A reentrant checkpoint reruns the whole layer; full-needed stops before the MLP's second GEMM, whose residual (and mask) it
            // skips; selective, dots and minimal rerun nothing these passes cover.
            if (t.Recompute == Recompute.Full) re += megatronForward;
            else if (t.Recompute == Recompute.FullNeeded) re += new LayerWork(megatronForward.Attention, WorkCost.Zero);
        }
        if (t.EagerLlamaOps)
        {
            BeforeSecondGemm(ComputeModel.EagerLlamaForward(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, cp));
            bwd += ComputeModel.EagerLlamaBackward(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, cp);
        }
        if (t.FusedRope)
        {
            var rope = ComputeModel.FusedRope(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, cp);
            BeforeSecondGemm(rope);
            bwd += rope;
        }
        if (t.QkvViews)
        {
            // The copies around the attention core's inputs, and the split's backward cat.
            BeforeSecondGemm(ComputeModel.QkvViewsForward(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, cp, t.FusedRope));
            bwd += ComputeModel.QkvViewsBackward(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, cp, t.FusedRope);
        }
        // Ring attention runs the core as cp steps and merges their outputs (and adds their gradients): charged on the attention
        // block, and rerun with it by any recompute of the core.
        var ringPasses = cp > 1 && t.CpAlgorithm == CpAlgorithm.Ring
            ? ComputeModel.RingAttentionPasses(s.Card, s.Model, p.Tp, p.MicroBatch, cp, t.CpMerge)
            : (Forward: WorkCost.Zero, Backward: WorkCost.Zero);
        fwd += new LayerWork(ringPasses.Forward, WorkCost.Zero);
        bwd += new LayerWork(ringPasses.Backward, WorkCost.Zero);
        if (t.Recompute != Recompute.None) re += new LayerWork(ringPasses.Forward, WorkCost.Zero);
        // What the key/value ring runs beside: the core and its merges, not the layernorm and QKV before it (whose output it sends)
        // nor the output projection and residual after it (which wait for its result).
        var coreWork = ComputeModel.AttentionCoreWork(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, t.FlashAttention, cp, t.AttentionDropout, fusedSoftmax);
        var ringCore = (Forward: coreWork.Forward + ringPasses.Forward, Backward: coreWork.Backward + ringPasses.Backward);
        var logitsF = ComputeModel.LogitsForward(s.Card, s.Model, p.Tp, p.MicroBatch, cp, t.FusedCrossEntropy);
        var logitsB = ComputeModel.LogitsBackward(s.Card, s.Model, p.Tp, p.MicroBatch, cp, t.FusedCrossEntropy);
        var lossB = ComputeModel.LossBackward(s.Card, s.Model, p.Tp, p.MicroBatch, cp, t.FusedCrossEntropy);
        // The last stage's deferred output-layer weight gradients (training.deferred-output-wgrads): the step's first N microbatches'
        // run after its last backward, so their chunk's gradient reduction waits for them.
        var outputWgrad = ComputeModel.LogitsWeightGradient(s.Card, s.Model, p.Tp, p.MicroBatch, cp);
        var deferrals = last ? Math.Min(t.DeferredOutputWgrads, m) : 0;
        var deferred = 0;
        // With deferrals the output layer's chunk reduces its gradients after the drain, not at its aligned turn.
        bool SyncsAfterDrain(int chunk) => deferrals > 0 && chunk == v - 1;
        // Each deferred microbatch keeps the output layer's input (its sequence-parallel shard) and the logits' 2-byte gradient until
        // the drain (Megatron-core's embedding_activation_buffer and grad_output_buffer).
        var deferredBytes = deferrals == 0 ? 0 : (long)Math.Ceiling(2.0 * p.MicroBatch * s.Model.SeqLen / cp
            * (s.Model.Hidden / (t.SequenceParallel ? (double)p.Tp : 1) + (double)s.Model.Vocab / p.Tp));
        // Each microbatch's gradients join the step's buffer layer by layer as backward produces them, the non-layer ones after:
        // the whole g-byte buffer, ZeRO-2's unsharded 2-byte one, or under FSDP (reduce-scattered every microbatch) this rank's shard.
        var (accumulated, accumulateBytes) = sharded switch { 3 => (1.0 / shards, gradPerParam), 2 => (1.0, 2), _ => (1.0, gradPerParam) };
        var accumulateLayer = ComputeModel.GradAccumulate(s.Card, layerParams * accumulated, t.GradAccumulation, accumulateBytes, TransformerMath.LayerTensors(s.Model));
        var accumulateOther = ComputeModel.GradAccumulate(s.Card, otherParams * accumulated, t.GradAccumulation, accumulateBytes);
        // PyTorch FSDP reduce-scatters each unit's gradient every microbatch, after passes over it whole (its post-backward hook).
        var fsdpPasses = sharded == 3 && t.FsdpGradientPasses;
        var fsdpLayerPasses = fsdpPasses ? ComputeModel.FsdpGradientPasses(s.Card, layerParams, gradPerParam) : WorkCost.Zero;
        var fsdpOtherPasses = fsdpPasses ? ComputeModel.FsdpGradientPasses(s.Card, otherParams, gradPerParam) : WorkCost.Zero;
        // PyTorch FSDP's root unit's hooks: its pre-backward prefetch of the last layer and its final callback's wait (below).
        var fsdpRootHooks = sharded == 3 && t.FsdpRootHooks;
        // And its passes over each unit's shard: the fp32 shard cast to the 2-byte one before every gather, and after every
        // reduce-scatter the reduced shard's post-division and (from a step's second microbatch) its accumulation.
        var fsdpShardPasses = sharded == 3 && t.FsdpShardPasses;
        var shardCastLayer = fsdpShardPasses ? ComputeModel.FsdpLowPrecisionShard(s.Card, layerParams / shards) : WorkCost.Zero;
        var shardCastOther = fsdpShardPasses && otherParams > 0 ? ComputeModel.FsdpLowPrecisionShard(s.Card, otherParams / shards) : WorkCost.Zero;
        // FSDP2 copies each gathered unit out of the gather's flat buffer before using it, and each unit's gradients into the
        // reduce-scatter's buffer after its backward.
        var fsdp2 = sharded == 3 && t.Fsdp2Copies;
        var copyOutLayer = fsdp2 ? ComputeModel.Fsdp2GatherCopyOut(s.Card, layerParams) : WorkCost.Zero;
        var copyInLayer = fsdp2 ? ComputeModel.Fsdp2ReduceScatterCopyIn(s.Card, layerParams, gradPerParam) : WorkCost.Zero;
        var copyInOther = fsdp2 ? ComputeModel.Fsdp2ReduceScatterCopyIn(s.Card, otherParams, gradPerParam) : WorkCost.Zero;
        // A training loop's metrics rerun the loss after each backward, holding the 2-byte logits and two fp32 copies meanwhile.
        var metric = t.MetricCrossEntropies > 0 ? ComputeModel.MetricCrossEntropy(s.Card, s.Model, p.Tp, p.MicroBatch, cp) : WorkCost.Zero;
        var metricHeld = t.MetricCrossEntropies > 0 ? MemoryModel.MetricCrossEntropyBytes(s.Model, p.Tp, p.MicroBatch, cp) : 0;
        var fsdpLayerGradient = fsdpPasses ? MemoryModel.FsdpUnshardedGradientBytes(layerParams, gradPerParam) : 0;
        // DeepSpeed's bf16 optimizer adds them after the whole backward (update_hp_grads), casting one tensor at a time to an fp32
        // temporary: the largest, the word embedding on the stages that hold it, is the transient that counts (cast-add runs at
        // ZeRO 0-1 only, ScenarioValidator, so the tensors are whole).
        var afterBackward = t.GradAccumulation == GradAccumulation.CastAdd;
        long CastTemporary(bool holdsOther) => (long)Math.Ceiling(4.0 / p.Tp *
            Math.Max(TransformerMath.LargestLayerTensor(s.Model, p.Tp), holdsOther ? (double)s.Model.Vocab * s.Model.Hidden : 0));
        var optimizer = t.Optimizer == OptimizerKind.EagerAdamW
            ? ComputeModel.EagerAdamWStep(s.Card, paramsOnCard / shards)
            : ComputeModel.OptimizerStep(s.Card, paramsOnCard, t.DistributedOptimizer, shards, state.GradientBytes, gradPerParam == 2, t.Precision == "fp16");
        // TE casts each updated weight to FP8 (and its transpose) once a step, at the next step's first microbatch: charged with the step.
        if (fp8) optimizer += ComputeModel.Fp8WeightCasts(s.Card, s.Model, p.Tp, layers);
        var kvBytes = cp > 1 ? KeyValueBytes(s) : 0;
        var tpBytes = p.Tp > 1 ? TensorParallelBytes(s) : 0;
        var p2pBytes = PipelineBytes(s);

        // DeepSpeed's bf16 optimizer: 2-byte gradients beside the fp32 buffer, one per weight. ZeRO-2 accumulates the
        // microbatches' gradients in an unsharded 2-byte buffer before reduce-scattering them into the fp32 shard.
        var fullWeightBytes = (long)Math.Ceiling(2 * paramsOnCard);
        var lowPrecisionGrads = (t.KeepLowPrecisionGrads && gradPerParam > 2) || sharded == 2 ? fullWeightBytes : 0;
        // TE keeps each linear weight's FP8 copy and, where the GEMMs need it, its transpose between steps: 2 B a weight element
        // (1 B on cards without); FP8 primary weights are those and nothing else, so the linear weights' 2-byte copy is not held.
        var layerLinearWeights = TransformerMath.LinearWeights(s.Model, p.Tp);
        var linearWeights = layers * layerLinearWeights;
        var fp8WeightBytes = fp8 ? (long)Math.Ceiling((s.Card.Fp8Transposes ? 2 : 1) * linearWeights) : 0;
        var program = new List<Instruction>
        {
            // The validator allows fp8-weights only with precision fp8 and ZeRO <= 2, where WeightBytes holds every weight whole.
            new Alloc(MemoryKind.Weights, t.Fp8Weights ? state.WeightBytes - (long)Math.Ceiling(2 * linearWeights) : state.WeightBytes),
            new Alloc(MemoryKind.Gradients, state.GradientBytes + lowPrecisionGrads),
            new Alloc(MemoryKind.Optimizer, state.OptimizerBytes),
        };
        if (fp8) program.Add(new Alloc(MemoryKind.Weights, fp8WeightBytes));
        if (s.Software.RuntimeMemoryBytes > 0) program.Insert(0, new Alloc(MemoryKind.Runtime, s.Software.RuntimeMemoryBytes));
        // A held stage output is the full microbatch activation b·s·h (2 bytes), not the tp-split send; with context parallelism
        // the card computes s/cp tokens of each sequence, so its output is b·(s/cp)·h.
        var heldOutput = t.KeepStageOutputs ? 2L * p.MicroBatch * s.Model.SeqLen / cp * s.Model.Hidden : 0;
        double flops = 0;

        // FSDP: each layer's parameters are gathered before use, the next layer's prefetched while this one computes, and dropped
        // after it. The non-layer parameters (the root unit: embedding, output layer) are gathered before a microbatch's forward
        // and kept through its backward (FSDP does not reshard the root after forward), then resharded by their post-backward
        // hook, which reduce-scatters their gradient every microbatch as every unit's (PyTorch's _post_forward_reshard,
        // _should_free_in_backward, _post_backward_hook): the next microbatch gathers them again. With microbatches of several
        // in flight (a pipeline) they stay gathered while any is.
        var otherWeightBytes = (long)Math.Ceiling(2 * otherParams);
        var otherGradBytes = (long)Math.Ceiling(gradPerParam * otherParams);
        bool HoldsOther(int c) => otherParams > 0 && (FirstVirtual(c) || LastVirtual(c));
        var otherInFlight = 0;
        void GatherOther(int mb)
        {
            if (otherInFlight++ > 0) return;
            if (shardCastOther.Kernels > 0) program.Add(new Work(shardCastOther, WorkPhase.Forward, mb));
            program.Add(new Alloc(MemoryKind.Weights, otherWeightBytes));
            program.Add(new RingSync(RingKind.AllGather, otherWeightBytes, phase++));
            if (fsdp2) program.Add(new Work(ComputeModel.Fsdp2GatherCopyOut(s.Card, otherParams), WorkPhase.Forward, mb));
        }
        int Gather(bool intoBuffer, long bytes)
        {
            if (intoBuffer) program.Add(new Alloc(MemoryKind.Buffers, bytes));
            program.Add(new RingStart(RingKind.AllGather, bytes, phase));
            return phase++;
        }
        // After a unit's reduce-scatter: FSDP's passes over the reduced shard (fsdp-shard-passes).
        void ReducedShardPasses(double unitParams, int mb)
        {
            if (!fsdpShardPasses) return;
            var passes = ComputeModel.FsdpReducedShardPasses(s.Card, unitParams / shards, gradPerParam, shards, accumulate: mb > 0);
            if (passes.Kernels > 0) program.Add(new Work(passes, WorkPhase.Backward, mb));
        }
        // A layer's gather under ZeRO-3, after FSDP's cast of the fp32 shard to the 2-byte one it all-gathers (fsdp-shard-passes).
        int LayerGather(WorkPhase kind, int mb)
        {
            if (shardCastLayer.Kernels > 0) program.Add(new Work(shardCastLayer, kind, mb));
            return Gather(true, layerWeightBytes);
        }
        // firstGather: the first layer's gather, when it was started already (FSDP's root pre-backward prefetch, below).
        void Layers(int count, WorkPhase kind, int mb, Action<int> layer, int firstGather = -1)
        {
            var next = sharded == 3 ? firstGather >= 0 ? firstGather : LayerGather(kind, mb) : -1;
            for (var l = 0; l < count; l++)
            {
                var gathered = next;
                if (sharded == 3 && l + 1 < count) next = LayerGather(kind, mb);
                if (sharded == 3) program.Add(new RingWait(RingKind.AllGather, gathered));
                layer(l);
                if (sharded == 3) program.Add(new Alloc(MemoryKind.Buffers, -layerWeightBytes));
            }
        }

        // ZeRO-1/2 with overlap-param-gather: the last step's updated parameters are gathered ahead of the step's first forward
        // through them, a bucket at a time: the embedding, each layer, the output layer, in the order the first forwards reach
        // them, chunk by chunk. (The step starts where the last one's optimizer left them sharded: the steady state.)
        var overlapParamGather = t.OverlapParamGather && sharded is 1 or 2;
        // The non-layer parameters form a bucket before a chunk's layers (the embedding) or after them (the output layer).
        bool OtherBucketBefore(int c) => otherParams > 0 && FirstVirtual(c);
        bool OtherBucketAfter(int c) => otherParams > 0 && LastVirtual(c) && !FirstVirtual(c);
        // FP8 primary weights are gathered as their FP8 data (Megatron-core's fp8_param_gather): 1 B a linear weight, not 2.
        var layerGatherBytes = t.Fp8Weights ? (long)Math.Ceiling(2 * layerParams - layerLinearWeights) : layerWeightBytes;
        var paramBuckets = new List<long>();
        var bucketsThrough = new int[v];
        for (var c = 0; overlapParamGather && c < v; c++)
        {
            if (OtherBucketBefore(c)) paramBuckets.Add(otherWeightBytes);
            paramBuckets.AddRange(Enumerable.Repeat(layerGatherBytes, chunkLayers[c]));
            if (OtherBucketAfter(c)) paramBuckets.Add(otherWeightBytes);
            bucketsThrough[c] = paramBuckets.Count;
        }
        var bucketGathers = new List<int>();
        var bucketsUsed = 0;
        void DispatchThrough(int buckets)
        {
            while (bucketGathers.Count < Math.Min(buckets, paramBuckets.Count)) bucketGathers.Add(Gather(false, paramBuckets[bucketGathers.Count]));
        }
        var schedule = PipelineSchedule.Interleaved(stage, p.Pp, m, v, p.MicroBatchGroup, allForwardsFirstWhenMEqualsP: p.Schedule == "1f1b-megatron-2021");
        // Interleaved, Megatron-core's schedule dispatches whole chunks (schedules.py's param_sync_func): the first two at the
        // step's start, chunk j when this stage starts forward number F(j - 1) - stage, F(c) being where chunk c's first forward
        // falls, so that every stage dispatches it at about the same time. Otherwise its forward pre-hooks dispatch one bucket
        // ahead: the first at the start, the next when a forward reaches the one before it.
        var chunkDispatchAt = new int[v];
        if (v > 1)
        {
            var forwardChunks = schedule.Where(op => op.Kind == PipeOpKind.Forward).Select(op => op.Chunk).ToList();
            for (var j = 2; j < v; j++) chunkDispatchAt[j] = forwardChunks.IndexOf(j - 1) - stage;
        }
        DispatchThrough(v > 1 ? bucketsThrough[1] : 1);
        // Before the first forward through a bucket: wait for it (one bucket ahead, dispatch the next first).
        void GatheredParams()
        {
            if (v == 1) DispatchThrough(bucketsUsed + 2);
            program.Add(new RingWait(RingKind.AllGather, bucketGathers[bucketsUsed++]));
        }
        var chunkGathered = new bool[v];
        // A gradient bucket leaves while backward goes on: every microbatch under FSDP, the last one otherwise.
        var bucketKind = sharded == 0 || (sharded == 1 && t.AllReduceShardedGrads) ? RingKind.AllReduce : RingKind.ReduceScatter;
        void Bucket(long bytes)
        {
            program.Add(new RingStart(bucketKind, bytes, phase));
            pending.Add((bucketKind, phase++));
        }

        // Interleaved with overlap-grad-reduce, Megatron-core's schedule reduces whole chunks (schedules.py's grad_sync_func; NeMo passes
        // its distributed Adam's bucket sync): backward runs under no_sync, and chunk c's reduction is dispatched after this stage's
        // backward number B(c) + stage, B(c) being that of chunk c's last microbatch, so that every stage dispatches it at about the
        // same time; chunks whose turn does not come before the stage's last backward go after it. FSDP (ZeRO-3) reduces every microbatch.
        var alignedGradSync = t.OverlapGradReduce && replicas > 1 && v > 1 && sharded != 3;
        var chunkSyncAt = new int[v];
        var backwards = 0;
        if (alignedGradSync)
        {
            var backwardChunks = schedule.Where(op => op.Kind == PipeOpKind.Backward).Select(op => op.Chunk).ToList();
            for (var c = 0; c < v; c++) chunkSyncAt[c] = backwardChunks.LastIndexOf(c) + stage;
        }
        void ChunkGradSync(int chunk)
        {
            var holdsOther = OtherBucketBefore(chunk) || OtherBucketAfter(chunk);
            Bucket((long)Math.Ceiling(gradPerParam * (chunkLayers[chunk] * layerParams + (holdsOther ? otherParams : 0))));
        }

        // A collective over the card's context-parallel group that the card waits for.
        void ContextSync(RingKind kind, long bytes)
        {
            var ring = phase++;
            program.Add(new RingStart(kind, bytes, ring, RingGroup.Context));
            program.Add(new RingWait(kind, ring, RingGroup.Context));
        }

        // Ring attention: the other cp ranks' keys and values come round while the attention computes (backward also
        // sends their gradients back round: twice the bytes). All-gather attention (Llama 3) gathers them first and, in
        // backward, reduce-scatters their gradients after: the same bytes, none of them hidden.
        void Attention(WorkCost cost, WorkPhase kind, int mb)
        {
            if (kvBytes == 0)
            {
                program.Add(new Work(cost, kind, mb));
                return;
            }
            // Every rank's keys and values, and in backward their gradients too.
            var exchanged = (kind == WorkPhase.Backward ? 2 : 1) * kvBytes * cp;
            if (t.CpAlgorithm == CpAlgorithm.AllGather)
            {
                // They are held while the attention runs; the collective's own ring holds one block (CardActor.Launch), so
                // the rest is allocated here.
                var held = exchanged - kvBytes;
                program.Add(new Alloc(MemoryKind.Buffers, held));
                ContextSync(RingKind.AllGather, kvBytes * cp);
                program.Add(new Work(cost, kind, mb));
                if (kind == WorkPhase.Backward) ContextSync(RingKind.ReduceScatter, kvBytes * cp);
                program.Add(new Alloc(MemoryKind.Buffers, -held));
                return;
            }
            // Transformer Engine and MindSpeed send the first block once QKV has made it, inside the core.
            var core = kind == WorkPhase.Backward ? ringCore.Backward : ringCore.Forward;
            var before = cost - core;
            if (before.Kernels > 0) program.Add(new Work(before, kind, mb));
            var ring = phase++;
            program.Add(new RingStart(RingKind.AllGather, exchanged, ring, RingGroup.Context));
            program.Add(new Work(core, kind, mb));
            program.Add(new RingWait(RingKind.AllGather, ring, RingGroup.Context));
        }

        // The second block's collective, when only its all-gather half is needed: with sequence parallelism a TpSync stands for
        // the all-gather before a block and the reduce-scatter after it (an all-reduce's traffic), and a recomputation that
        // stops before the MLP's second GEMM still gathers the MLP's input but never scatters its output. Half the bytes give
        // the all-gather's traffic exactly and count its t − 1 start-up latencies twice (microseconds per layer).
        var gatherOnlyBytes = t.SequenceParallel ? tpBytes / 2 : 0;
        // FP8 with sequence parallelism: Transformer Engine gathers its FP8 operands, 1 B an element (the layernorm output before
        // QKV and fc1, its re-gather for the weight gradients, the output gradient before the dgrad GEMMs); reduce-scatters stay
        // 2-byte. A gather then moves half its bytes, and a collective standing for a scatter and a gather three quarters.
        var gatherBytes = fp8 ? gatherOnlyBytes / 2 : gatherOnlyBytes;
        var pairBytes = tpBytes - gatherOnlyBytes + gatherBytes;
        var regatherBytes = t.RegatherTpInputs ? gatherBytes : 0;

        // Parallel layers reduce both branches' outputs (and in backward their input gradients) together: one collective.
        var parallelLayers = s.Model.ParallelLayers;
        // A parallel layer's two branches: one kernel run unless ring attention must wrap the attention's part, so that the node
        // can run it between the layer's collectives itself (a chain), as it does a serial layer's blocks.
        void Branches(WorkCost attention, WorkCost mlp, WorkPhase kind, int mb)
        {
            if (kvBytes == 0)
            {
                program.Add(new Work(attention + mlp, kind, mb));
                return;
            }
            Attention(attention, kind, mb);
            program.Add(new Work(mlp, kind, mb));
        }
        // regather: a blocking all-gather before each block (backward with sequence parallelism and no overlap: the saved 1/t input).
        void Layer(LayerWork w, WorkPhase kind, int mb, bool attentionFirst, long? closingBytes = null, long regather = 0)
        {
            var closing = closingBytes ?? pairBytes;
            if (regather > 0) program.Add(new TpSync(regather));
            if (parallelLayers)
            {
                Branches(w.Attention, w.Mlp, kind, mb);
                if (closing > 0) program.Add(new TpSync(closing));
                flops += w.Total.Flops;
                return;
            }
            if (attentionFirst) Attention(w.Attention, kind, mb);
            else program.Add(new Work(w.Mlp, kind, mb));
            if (tpBytes > 0) program.Add(new TpSync(pairBytes));
            if (regather > 0) program.Add(new TpSync(regather));
            if (attentionFirst) program.Add(new Work(w.Mlp, kind, mb));
            else Attention(w.Attention, kind, mb);
            if (closing > 0) program.Add(new TpSync(closing));
            flops += w.Total.Flops;
        }

        // Megatron-LM's asynchronous backward collectives (2022 on): each block's input-gradient all-reduce runs beside its first
        // linear's weight-gradient GEMM. With sequence parallelism the block first gathers its output gradient (blocking), then
        // re-gathers its saved 1/t input beside the input-gradient GEMM and reduce-scatters the input gradient beside the
        // weight-gradient GEMM (each an all-gather's or reduce-scatter's traffic: gatherOnlyBytes).
        var overlapTp = t.OverlapTpBackward && tpBytes > 0;
        var firstGemm = overlapTp ? ComputeModel.BackwardFirstLinearGemm(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, cp, fp8) : LayerWork.Zero;
        // bytes: the collective's own (a gather's or a scatter's under sequence parallelism); unset, a scatter's, or without
        // sequence parallelism an all-reduce's.
        void Overlapped(WorkCost gemm, int mb, WorkPhase kind = WorkPhase.Backward, long? bytes = null)
        {
            program.Add(new TpStart(bytes ?? (t.SequenceParallel ? gatherOnlyBytes : tpBytes)));
            program.Add(new Work(gemm, kind, mb));
            program.Add(TpWait.Instance);
        }
        void OverlappedBlock(WorkCost block, WorkCost gemm, int mb, Action<WorkCost> rest)
        {
            if (!t.SequenceParallel)
            {
                rest(block - gemm);
                Overlapped(gemm, mb);
                return;
            }
            program.Add(new TpSync(gatherBytes));
            rest(block - gemm - gemm);
            if (regatherBytes > 0) Overlapped(gemm, mb, bytes: regatherBytes);
            else program.Add(new Work(gemm, WorkPhase.Backward, mb));
            Overlapped(gemm, mb);
        }
        void BackwardLayer(int mb)
        {
            if (!overlapTp)
            {
                // Sequence parallelism saves each block's input split 1/t; its backward gathers it again before the weight
                // gradient (Megatron's linear layers do so whether or not they overlap it), here blocking.
                Layer(bwd, WorkPhase.Backward, mb, attentionFirst: false, regather: regatherBytes);
                return;
            }
            if (parallelLayers)
            {
                // Both first linears' GEMMs run beside the one collective; the attention's share of the rest goes through
                // Attention() for context parallelism.
                var attentionRest = bwd.Attention - firstGemm.Attention - (t.SequenceParallel ? firstGemm.Attention : WorkCost.Zero);
                OverlappedBlock(bwd.Total, firstGemm.Total, mb, rest => Branches(attentionRest, rest - attentionRest, WorkPhase.Backward, mb));
                flops += bwd.Total.Flops;
                return;
            }
            OverlappedBlock(bwd.Mlp, firstGemm.Mlp, mb, rest => program.Add(new Work(rest, WorkPhase.Backward, mb)));
            OverlappedBlock(bwd.Attention, firstGemm.Attention, mb, rest => Attention(rest, WorkPhase.Backward, mb));
            flops += bwd.Total.Flops;
        }

        // Userbuffers (Transformer Engine's tp-comm overlap): with sequence parallelism each of a forward layer's four collectives
        // runs beside the GEMM it feeds or drains (userbuffers pipeline the two chunk by chunk; here they simply overlap): the
        // all-gathers beside QKV and fc1, the reduce-scatters beside the projection and fc2. The layer's other kernels keep their block; the gather of the last layer's scattered output
        // before the logits is the vocabulary's (below).
        var forwardGemms = overlapTpForward ? ComputeModel.ForwardTpGemms(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, cp, fp8) : default;
        void ForwardLayer(LayerWork w, WorkPhase kind, int mb)
        {
            if (!overlapTpForward)
            {
                Layer(w, kind, mb, attentionFirst: true);
                return;
            }
            var (qkv, proj, fc1, fc2) = forwardGemms;
            Overlapped(qkv, mb, kind, gatherBytes);
            Attention(w.Attention - qkv - proj, kind, mb);
            Overlapped(proj, mb, kind);
            Overlapped(fc1, mb, kind, gatherBytes);
            program.Add(new Work(w.Mlp - fc1 - fc2, kind, mb));
            Overlapped(fc2, mb, kind);
            flops += w.Total.Flops;
        }

        // Megatron's scatter/gather: without sequence parallelism each rank sends 1/t of the activation or gradient, and the
        // receiver all-gathers the pieces over tp before it can use them (gather_split_1d_tensor; DeepSpeed's is_pipe_partitioned),
        // blocking, at an all-gather's traffic. With sequence parallelism the tensor is already split along the sequence; without
        // scatter/gather (Megatron-core) every rank sent it whole.
        var receiveGather = tpBytes > 0 && !t.SequenceParallel && t.ScatterGatherSends ? tpBytes / 2 : 0;
        void Receive(TransferKind kind, int mb, int c)
        {
            program.Add(new WaitInput(kind, mb, c));
            if (receiveGather > 0) program.Add(new TpSync(receiveGather));
        }

        // The vocab-parallel embedding and output layer (Megatron's VocabParallelEmbedding and parallel_lm_logits): the embedding's
        // partial lookups are summed over tp (an all-reduce; with SP a reduce-scatter, its gradient all-gathered back); the output
        // layer's input is gathered first with SP and its gradient reduced over tp on the way back (an all-reduce without SP).
        var vocabSync = tpBytes == 0 ? 0 : t.SequenceParallel ? gatherOnlyBytes : tpBytes;

        var forwards = 0;
        foreach (var op in schedule)
        {
            var (mb, c) = (op.MicroBatch, op.Chunk);
            if (op.Kind == PipeOpKind.Forward)
            {
                if (!FirstVirtual(c)) Receive(TransferKind.Activation, mb, c);
                for (var j = 2; overlapParamGather && j < v; j++)
                    if (chunkDispatchAt[j] == forwards) DispatchThrough(bucketsThrough[j]);
                forwards++;
                program.Add(new Alloc(MemoryKind.Activations, activations[c]));
                if (sharded == 3 && HoldsOther(c)) GatherOther(mb);
                var gatherParams = overlapParamGather && !chunkGathered[c];
                chunkGathered[c] = true;
                if (gatherParams && OtherBucketBefore(c)) GatheredParams();
                if (FirstVirtual(c) && vocabSync > 0) program.Add(new TpSync(vocabSync));
                Layers(chunkLayers[c], WorkPhase.Forward, mb, _ =>
                {
                    if (gatherParams) GatheredParams();
                    if (fsdp2) program.Add(new Work(copyOutLayer, WorkPhase.Forward, mb));
                    ForwardLayer(fwd, WorkPhase.Forward, mb);
                });
                if (gatherParams && OtherBucketAfter(c)) GatheredParams();
                if (LastVirtual(c))
                {
                    if (gatherOnlyBytes > 0) program.Add(new TpSync(gatherOnlyBytes));
                    program.Add(new Work(logitsF, WorkPhase.Forward, mb));
                    flops += logitsF.Flops;
                }
                if (!LastVirtual(c))
                {
                    program.Add(new SendInput(TransferKind.Activation, mb, p2pBytes, last ? c + 1 : c));
                    if (heldOutput > 0) program.Add(new Alloc(MemoryKind.Buffers, heldOutput));
                }
                continue;
            }

            if (!LastVirtual(c)) Receive(TransferKind.Gradient, mb, c);
            var backwardGather = -1;
            if (LastVirtual(c))
            {
                if (fsdpRootHooks && chunkLayers[c] > 0)
                {
                    // The loss's backward makes the logits' gradient, which fires the root unit's pre-backward hook: with
                    // BACKWARD_PRE it prefetches the unit whose forward ended last before the root's, the last layer, so that
                    // layer's gather runs beside the output layer's backward GEMMs (_pre_backward_hook, _prefetch_handle).
                    program.Add(new Work(lossB, WorkPhase.Backward, mb));
                    backwardGather = LayerGather(WorkPhase.Backward, mb);
                    program.Add(new Work(logitsB - lossB, WorkPhase.Backward, mb));
                }
                else if (deferred < deferrals)
                {
                    program.Add(new Alloc(MemoryKind.Buffers, deferredBytes));
                    program.Add(new Work(logitsB - outputWgrad, WorkPhase.Backward, mb));
                    deferred++;
                }
                else program.Add(new Work(logitsB, WorkPhase.Backward, mb));
                flops += logitsB.Flops;
                if (vocabSync > 0) program.Add(new TpSync(vocabSync));
            }
            var microbatchBuckets = pending.Count;
            var chunkWorking = Recomputed(c) > 0 ? working : 0;
            var keptLayers = chunkLayers[c] - Recomputed(c);
            if (chunkWorking > 0 && keptLayers == 0) program.Add(new Alloc(MemoryKind.Activations, chunkWorking));
            var bucketed = sharded == 3 || (t.OverlapGradReduce && replicas > 1 && mb == m - 1 && !alignedGradSync);
            Layers(chunkLayers[c], WorkPhase.Backward, mb, l =>
            {
                // The first recomputed layer (l = keptLayers < the chunk's layers): the kept layers' activations are gone by then.
                if (l == keptLayers && keptLayers > 0)
                {
                    program.Add(new Alloc(MemoryKind.Activations, -keptActivations[c]));
                    if (chunkWorking > 0) program.Add(new Alloc(MemoryKind.Activations, chunkWorking));
                }
                if (fsdp2) program.Add(new Work(copyOutLayer, WorkPhase.Backward, mb));
                // Backward meets the chunk's layers last to first: the recomputed first N come after the kept ones.
                var policy = l < keptLayers ? Recompute.None : t.Recompute;
                if (policy == Recompute.Full) ForwardLayer(re, WorkPhase.Recompute, mb);
                // Only what backward reads: the MLP's reduction feeds just the residual, so it is not redone (with sequence
                // parallelism the gather of the MLP's input still is).
                else if (policy == Recompute.FullNeeded) Layer(re, WorkPhase.Recompute, mb, attentionFirst: true, closingBytes: gatherBytes);
                // Selective recompute reruns the attention core, so under ring attention the other ranks' K/V come round again.
                else if (policy == Recompute.Selective) { Attention(re.Total, WorkPhase.Recompute, mb); flops += re.Total.Flops; }
                // Dots and minimal rerun the attention core too (its output is not saved), so the keys and values come round again.
                else if (policy is Recompute.Dots or Recompute.Minimal)
                {
                    Attention(re.Attention, WorkPhase.Recompute, mb);
                    // Dots reruns fc1 on every token: with sequence parallelism its input is gathered again first.
                    if (policy == Recompute.Dots && gatherOnlyBytes > 0) program.Add(new TpSync(gatherBytes));
                    program.Add(new Work(re.Mlp, WorkPhase.Recompute, mb));
                    flops += re.Total.Flops;
                }
                BackwardLayer(mb);
                if (fsdp2) program.Add(new Work(copyInLayer, WorkPhase.Backward, mb));
                if (fsdpLayerPasses.Kernels > 0)
                {
                    program.Add(new Alloc(MemoryKind.Buffers, fsdpLayerGradient));
                    program.Add(new Work(fsdpLayerPasses, WorkPhase.Backward, mb));
                    program.Add(new Alloc(MemoryKind.Buffers, -fsdpLayerGradient));
                }
                if (accumulateLayer.Kernels > 0 && !afterBackward) program.Add(new Work(accumulateLayer, WorkPhase.Backward, mb));
                if (bucketed) Bucket(layerGradBytes);
                if (sharded == 3) ReducedShardPasses(layerParams, mb);
            }, backwardGather);
            var holdsOther = HoldsOther(c);
            if (fsdpOtherPasses.Kernels > 0 && holdsOther) program.Add(new Work(fsdpOtherPasses, WorkPhase.Backward, mb));
            if (fsdp2 && holdsOther) program.Add(new Work(copyInOther, WorkPhase.Backward, mb));
            if (accumulateOther.Kernels > 0 && holdsOther && !afterBackward) program.Add(new Work(accumulateOther, WorkPhase.Backward, mb));
            if (sharded == 3 && holdsOther)
            {
                Bucket(otherGradBytes);
                ReducedShardPasses(otherParams, mb);
                if (--otherInFlight == 0) program.Add(new Alloc(MemoryKind.Weights, -otherWeightBytes));
            }
            if (chunkWorking > 0) program.Add(new Alloc(MemoryKind.Activations, -chunkWorking));
            program.Add(new Alloc(MemoryKind.Activations, -(activations[c] - keptActivations[c])));
            if (afterBackward)
            {
                // Autograd has freed the microbatch's activations by then; the stage output is released only after (DeepSpeed's
                // _exec_backward_pass).
                var temporary = CastTemporary(holdsOther);
                program.Add(new Alloc(MemoryKind.Buffers, temporary));
                for (var l = 0; l < chunkLayers[c]; l++) program.Add(new Work(accumulateLayer, WorkPhase.Backward, mb));
                if (holdsOther) program.Add(new Work(accumulateOther, WorkPhase.Backward, mb));
                program.Add(new Alloc(MemoryKind.Buffers, -temporary));
            }
            if (heldOutput > 0 && !LastVirtual(c)) program.Add(new Alloc(MemoryKind.Buffers, -heldOutput));
            for (var chunk = 0; alignedGradSync && chunk < v; chunk++)
                if (chunkSyncAt[chunk] == backwards && !SyncsAfterDrain(chunk)) ChunkGradSync(chunk);
            backwards++;
            if (!FirstVirtual(c)) program.Add(new SendInput(TransferKind.Gradient, mb, p2pBytes, first ? c - 1 : c));
            else if (gatherOnlyBytes > 0) program.Add(new TpSync(gatherOnlyBytes));
            // FSDP's post-backward final callback ends the backward: the compute stream waits for the post-backward stream, so for
            // every reduce-scatter of this microbatch, before the training loop's next kernels (its metrics, the next forward).
            if (fsdpRootHooks)
                for (var i = microbatchBuckets; i < pending.Count; i++) program.Add(new RingWait(pending[i].Kind, pending[i].Phase));
            // The training loop's metrics rerun the loss once the backward is done, its gradient already on its way.
            if (metricHeld > 0 && LastVirtual(c))
            {
                program.Add(new Alloc(MemoryKind.Buffers, metricHeld));
                for (var i = 0; i < t.MetricCrossEntropies; i++) program.Add(new Work(metric, WorkPhase.Backward, mb));
                program.Add(new Alloc(MemoryKind.Buffers, -metricHeld));
            }
        }

        // Aligned, a chunk whose turn falls past this stage's last backward goes after it, with the others left, launched before
        // the drain as Megatron-core's schedule launches the remaining syncs before finish_embedding_wgrad_compute.
        for (var chunk = 0; alignedGradSync && chunk < v; chunk++)
            if (chunkSyncAt[chunk] >= backwards && !SyncsAfterDrain(chunk)) ChunkGradSync(chunk);
        // Megatron-core drains the deferred output-layer weight gradients after the last backward, before finalize_model_grads,
        // which then reduces the output layer's gradients (its chunk's, aligned, whenever that chunk's turn fell).
        if (deferred > 0)
        {
            program.Add(new Work(outputWgrad * deferred, WorkPhase.Backward, m - 1));
            program.Add(new Alloc(MemoryKind.Buffers, -deferred * deferredBytes));
            if (alignedGradSync) ChunkGradSync(v - 1);
        }
        // Whatever was not reduced in buckets (all of it without overlap; the non-layer parameters' gradients with it) goes now.
        var unbucketedBytes = alignedGradSync || sharded == 3 ? 0
            : pending.Count == 0 ? (long)Math.Ceiling(gradPerParam * paramsOnCard) : otherGradBytes;
        // The first and last stages all-reduce the tied word embedding's gradient between them (a ring of two, one card of each per
        // tp and dp rank), blocking: DeepSpeed's ReduceTiedGrads before the data-parallel reduction (ReduceGrads) starts,
        // Megatron-LM's embedding-group all-reduce once it has finished.
        var tiedBytes = TiedEmbeddingBytes(s, stage);
        if (!t.TiedEmbeddingAfterDp) ReduceTiedEmbedding();
        if (unbucketedBytes > 0) Bucket(unbucketedBytes);
        foreach (var (kind, ring) in pending) program.Add(new RingWait(kind, ring));
        if (t.TiedEmbeddingAfterDp) ReduceTiedEmbedding();
        program.Add(new Work(optimizer, WorkPhase.Optimizer, -1));
        // ZeRO-1/2 all-gather the updated 2-byte parameters (FP8 primary weights 1 B); FSDP gathers them layer by layer in the next step.
        if (sharded is 1 or 2 && !overlapParamGather)
            program.Add(new RingSync(RingKind.AllGather, fullWeightBytes - (t.Fp8Weights ? (long)Math.Ceiling(linearWeights) : 0), phase++));
        return new StagePlan(stage, layers, program, state, flops);

        void ReduceTiedEmbedding()
        {
            if (tiedBytes <= 0) return;
            program.Add(new RingStart(RingKind.AllReduce, tiedBytes, TiedEmbeddingPhase, RingGroup.Embedding));
            program.Add(new RingWait(RingKind.AllReduce, TiedEmbeddingPhase, RingGroup.Embedding));
        }
    }

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;
}
