using Emulator.Core.Specs;
using Emulator.Kernel;

namespace Emulator.Core.Models;

/// <summary>Roofline cost of the kernels one card runs in a training step (bf16 tensors, 2 bytes an element).</summary>
/// <remarks>
/// Every kernel takes max(compute, memory) + launch overhead. Flops count matrix multiplies only; element-wise kernels
/// (layernorm, softmax, activation, dropout/residual, cross-entropy, Adam) count zero FLOPs and only move bytes.
/// A GEMM of M×K by K×N moves 2·(M·K + K·N + M·N) bytes. Byte counts are rounded up to whole bytes per kernel.
/// </remarks>
public static partial class ComputeModel
{
    /// <summary>Bytes Adam moves per updated parameter: read the fp32 gradient 4 + read fp32 master, m, v 12 + write them 12.</summary>
    public const int AdamBytesPerParam = 28;

    /// <summary>Fraction of peak a GEMM reaches: c.GemmEfficiency · d/(d + c.GemmHalfDim), d = min(m, n, k).</summary>
    public static double GemmEfficiency(CardSpec c, double m, double n, double k)
    {
        var d = Math.Min(m, Math.Min(n, k));
        if (d <= 0) throw new ArgumentOutOfRangeException(nameof(m), d, "GEMM dimensions must be positive");
        return c.GemmEfficiency * d / (d + c.GemmHalfDim);
    }

    /// <summary>Roofline time of one kernel: max(flops/(peak·efficiency), bytes/(HBM bandwidth·MemoryEfficiency)) rounded to the nearest ps, plus KernelOverhead.</summary>
    public static SimTime KernelTime(CardSpec c, double flops, long hbmBytes, double efficiency)
    {
        if (flops < 0) throw new ArgumentOutOfRangeException(nameof(flops), flops, "flops must be non-negative");
        if (hbmBytes < 0) throw new ArgumentOutOfRangeException(nameof(hbmBytes), hbmBytes, "bytes must be non-negative");
        if (flops > 0 && !(efficiency > 0)) throw new ArgumentOutOfRangeException(nameof(efficiency), efficiency, "efficiency must be positive");
        var compute = flops > 0 ? flops / (c.PeakFlops * efficiency) : 0;
        var memory = hbmBytes > 0 ? hbmBytes / (c.HbmBandwidth.BytesPerSecond * c.MemoryEfficiency) : 0;
        return SimTime.FromSeconds(Math.Max(compute, memory)) + c.KernelOverhead;
    }

    /// <summary>Output layer forward on one tp rank: GEMM (b·s)×h by h×(V/tp), then the cross-entropy. As Megatron-LM's vocab-parallel
    /// one runs it, one kernel a pass over the fp32 logits: cast from 2 bytes (2 + 4 B an element), max (4), subtract it (4 + 4), exp in
    /// place (4 + 4), sum (4), divide into the softmax kept for backward (4 + 4): 38 B an element. Fused: one kernel reading the
    /// 2-byte logits (2 B).</summary>
    public static WorkCost LogitsForward(CardSpec c, ModelSpec m, int tp, int microBatch, int cp = 1, bool fusedCrossEntropy = false)
    {
        var tokens = Tokens(m, microBatch, cp);
        double vocab = (double)m.Vocab / Tp(tp);
        var logits = tokens * vocab;
        var gemm = Gemm(c, tokens, vocab, m.Hidden);
        if (fusedCrossEntropy) return gemm + Elementwise(c, logits * 2);
        return gemm + Elementwise(c, logits * (2 + 4)) + Elementwise(c, logits * 4) + Elementwise(c, logits * (4 + 4))
            + Elementwise(c, logits * (4 + 4)) + Elementwise(c, logits * 4) + Elementwise(c, logits * (4 + 4));
    }

    /// <summary>Output layer backward: the softmax scaled by the loss gradient in place (4 + 4 B an element; the target's one-hot is a
    /// scatter) and cast to 2 bytes for the GEMMs (4 + 2), or fused, one kernel reading the 2-byte logits and writing their gradient
    /// (2 + 2); then dgrad and wgrad GEMMs.</summary>
    public static WorkCost LogitsBackward(CardSpec c, ModelSpec m, int tp, int microBatch, int cp = 1, bool fusedCrossEntropy = false)
    {
        var tokens = Tokens(m, microBatch, cp);
        double vocab = (double)m.Vocab / Tp(tp);
        var gemm = Gemm(c, tokens, vocab, m.Hidden);
        return LossBackward(c, m, tp, microBatch, cp, fusedCrossEntropy) + gemm + gemm;
    }

    /// <summary>The loss's part of <see cref="LogitsBackward"/>, the kernels that make the logits' gradient before the output layer's
    /// GEMMs: the softmax scaled in place (4 + 4 B a logit) and cast to 2 bytes (4 + 2), or fused, one kernel (2 + 2).</summary>
    public static WorkCost LossBackward(CardSpec c, ModelSpec m, int tp, int microBatch, int cp = 1, bool fusedCrossEntropy = false)
    {
        var logits = LogitsOnRank(m, tp, microBatch, cp);
        return fusedCrossEntropy
            ? Elementwise(c, logits * (2 + 2))
            : Elementwise(c, logits * (4 + 4)) + Elementwise(c, logits * (4 + 2));
    }

    /// <summary>The mixed-precision optimizer step as memory-bound passes over the updated parameters (paramsOnCard, or paramsOnCard/dp
    /// with a distributed optimizer), as Megatron-LM's Float16OptimizerWithFloat16Params and DistributedOptimizer run it: with
    /// 2-byte gradients (fp16, or bf16 ones reduced in bf16) their copy into fp32 (2 + 4 B), and with fp16's loss scaling the
    /// unscale and overflow check (4 + 4 B); the gradient norm for clipping (read 4 B); Adam (AdamBytesPerParam); the fp32 master
    /// weights copied to the 2-byte model weights (4 + 2 B); then the card's whole gradient buffer zeroed for the next step
    /// (gradientBufferBytes written).</summary>
    public static WorkCost OptimizerStep(CardSpec c, double paramsOnCard, bool distributedOptimizer, int dp, long gradientBufferBytes = 0,
        bool twoByteGradients = false, bool lossScaled = false)
    {
        if (dp < 1) throw new ArgumentOutOfRangeException(nameof(dp), dp, "dp must be at least 1");
        var updated = distributedOptimizer ? paramsOnCard / dp : paramsOnCard;
        var step = (twoByteGradients ? Elementwise(c, updated * (2 + 4)) : WorkCost.Zero)
            + (lossScaled ? Elementwise(c, updated * (4 + 4)) : WorkCost.Zero)
            + Elementwise(c, updated * 4)
            + Elementwise(c, updated * AdamBytesPerParam)
            + Elementwise(c, updated * (4 + 2));
        return gradientBufferBytes > 0 ? step + Elementwise(c, gradientBufferBytes) : step;
    }

    /// <summary>Composer's optimizer step under FSDP on the <paramref name="shardParams"/> fp32 parameters of this rank's shard, one kernel
    /// per PyTorch operation: FSDP's clip_grad_norm_ reads the gradients for their norm (4 B a parameter) and scales them in place (4 + 4),
    /// then DecoupledAdamW (weight decay 0, as MPT's yamls set it) runs exp_avg.mul_ (4 + 4) and add_ of the gradient (4 + 4 + 4),
    /// exp_avg_sq.mul_ (4 + 4) and addcmul_ of the gradient by itself (4 + 4 + 4 + 4), sqrt (4 + 4), the bias-correction division
    /// (4 + 4), + eps in place (4 + 4) and the parameter's addcdiv_ (4 + 4 + 4 + 4): 96 B in ten kernels. FSDP's shard is the fp32
    /// master (cast to 2 bytes at each gather), and set_to_none leaves no gradient buffer to zero.</summary>
    public static WorkCost EagerAdamWStep(CardSpec c, double shardParams) =>
        Passes(c, shardParams, EagerAdamWPassBytes);

    /// <summary>Bytes a shard parameter moves in each kernel of <see cref="EagerAdamWStep"/>, in order.</summary>
    private static readonly double[] EagerAdamWPassBytes = [4, 4 + 4, 4 + 4, 4 + 4 + 4, 4 + 4, 4 + 4 + 4 + 4, 4 + 4, 4 + 4, 4 + 4, 4 + 4 + 4 + 4];

    /// <summary>One element-wise kernel for each of <paramref name="bytesPerElement"/>, each over <paramref name="elements"/>.</summary>
    private static WorkCost Passes(CardSpec c, double elements, double[] bytesPerElement) =>
        bytesPerElement.Aggregate(WorkCost.Zero, (sum, b) => sum + Elementwise(c, b * elements));

    /// <summary>Adding one microbatch's gradients of <paramref name="parameters"/> into the step's buffer of <paramref name="gradientBytes"/>-byte
    /// gradients: nothing when fused into the weight-gradient GEMM; one read-add-write kernel (2 + 2·g bytes a parameter); or a cast to fp32
    /// (2 + 4) then that add (4 + 4 + 4), two kernels for each of the <paramref name="tensors"/> parameter tensors they span (DeepSpeed's
    /// BF16_Optimizer.update_hp_grads loops over the parameters: `hp_grad.data.add_(lp.grad.data.to(hp_grad.dtype))`, each its own cast
    /// and add; the bytes are the parameters' whatever the split).</summary>
    public static WorkCost GradAccumulate(CardSpec c, double parameters, GradAccumulation kind, int gradientBytes, int tensors = 1) => kind switch
    {
        GradAccumulation.Fused => WorkCost.Zero,
        GradAccumulation.Add => Elementwise(c, parameters * (2 + 2 * gradientBytes)),
        GradAccumulation.CastAdd => Elementwise(c, parameters * (2 + 4)) + Elementwise(c, parameters * (4 + 4 + 4)) + Launches(c, 2 * (Math.Max(1, tensors) - 1)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown gradient accumulation"),
    };

    /// <summary><paramref name="count"/> kernel launches that move next to nothing (their bytes counted elsewhere): the fixed cost each.</summary>
    private static WorkCost Launches(CardSpec c, int count) =>
        count <= 0 ? WorkCost.Zero : new WorkCost(0, 0, count, c.KernelOverhead * count);

    /// <summary>One cross-entropy a training loop's metric reruns over a microbatch's logits (torch.nn.CrossEntropyLoss under bf16
    /// autocast, which runs it in fp32): the 2-byte logits cast to fp32 (2 + 4 B a logit), then log_softmax, whose kernel reads each
    /// row three times (max, sum of exponentials, output) and writes it once (16 B); nll_loss reads one logit a row (not counted).</summary>
    public static WorkCost MetricCrossEntropy(CardSpec c, ModelSpec m, int tp, int microBatch, int cp = 1)
    {
        var logits = LogitsOnRank(m, tp, microBatch, cp);
        return Elementwise(c, logits * (2 + 4)) + Elementwise(c, logits * (4 + 4 + 4 + 4));
    }

    /// <summary>Logits of one microbatch on one tensor-parallel (and context-parallel) rank: b·s/cp tokens × V/tp.</summary>
    public static double LogitsOnRank(ModelSpec m, int tp, int microBatch, int cp = 1) => Tokens(m, microBatch, cp) * ((double)m.Vocab / Tp(tp));

    /// <summary>PyTorch FSDP's passes over one unit's unsharded gradient of <paramref name="parameters"/> each microbatch, reduced in
    /// <paramref name="reduceBytes"/>-byte elements: the flat gradient assembled from the 2-byte gradients of its parameters' views (the
    /// backward of split, a cat: 2 + 2 bytes a parameter), cast to the reduce dtype when wider (2 + g) and pre-divided in place before the
    /// reduce-scatter (g + g); one kernel each. The shard-sized passes after it (post-division, accumulation) are not charged.</summary>
    public static WorkCost FsdpGradientPasses(CardSpec c, double parameters, int reduceBytes) =>
        Elementwise(c, parameters * (2 + 2))
        + (reduceBytes > 2 ? Elementwise(c, parameters * (2 + reduceBytes)) : WorkCost.Zero)
        + Elementwise(c, parameters * 2 * reduceBytes);

    /// <summary>PyTorch FSDP's cast of one unit's fp32 shard of <paramref name="shardParams"/> to the 2-byte shard it all-gathers, before
    /// every gather (FlatParamHandle._use_low_precision_shard, on the pre-unshard stream: `_mp_shard.copy_(_local_shard)`): one kernel,
    /// 4 + 2 bytes a shard parameter.</summary>
    public static WorkCost FsdpLowPrecisionShard(CardSpec c, double shardParams) => Elementwise(c, shardParams * (4 + 2));

    /// <summary>PyTorch FSDP's passes over one unit's reduced gradient shard of <paramref name="shardParams"/> after its reduce-scatter over
    /// <paramref name="worldSize"/> ranks in <paramref name="reduceBytes"/>-byte elements (_post_backward_hook, on the post-backward
    /// stream): the post-division by world size / pre-divide factor when that exceeds 1 (g + g B a shard parameter;
    /// <see cref="FsdpGradientDivideFactors"/>); a 2-byte reduced shard cast to the fp32 parameter's dtype (_cast_grad_to_param_dtype:
    /// 2 + 4); and, when a shard gradient is already saved from an earlier microbatch of the step (<paramref name="accumulate"/>),
    /// `_saved_grad_shard += new_sharded_grad` in fp32 (4 + 4 + 4). One kernel each.</summary>
    public static WorkCost FsdpReducedShardPasses(CardSpec c, double shardParams, int reduceBytes, int worldSize, bool accumulate)
    {
        var post = FsdpGradientDivideFactors(worldSize).Post;
        return (post > 1 ? Elementwise(c, shardParams * 2 * reduceBytes) : WorkCost.Zero)
            + (reduceBytes < 4 ? Elementwise(c, shardParams * (reduceBytes + 4)) : WorkCost.Zero)
            + (accumulate ? Elementwise(c, shardParams * (4 + 4 + 4)) : WorkCost.Zero);
    }

    /// <summary>FSDP's gradient pre- and post-divide factors for <paramref name="worldSize"/> ranks (_init_utils.py's
    /// _get_gradient_predivide_factor: the pre-divide doubles from 1 while it divides the world size and is below world size / itself;
    /// the post-divide is world size / pre-divide): 8 ranks 4 and 2, 16 4 and 4, 64 8 and 8, 2 2 and 1.</summary>
    public static (int Pre, int Post) FsdpGradientDivideFactors(int worldSize)
    {
        if (worldSize < 1) throw new ArgumentOutOfRangeException(nameof(worldSize), worldSize, "the world size must be at least 1");
        var factor = 1;
        while (worldSize % factor == 0 && worldSize / factor > factor) factor *= 2;
        return (factor, worldSize / factor);
    }

    /// <summary>The output layer's weight-gradient GEMM alone (one of <see cref="LogitsBackward"/>'s two), for a schedule that defers it.</summary>
    public static WorkCost LogitsWeightGradient(CardSpec c, ModelSpec m, int tp, int microBatch, int cp = 1) =>
        Gemm(c, Tokens(m, microBatch, cp), (double)m.Vocab / Tp(tp), m.Hidden);

    /// <summary>FSDP2's copy of one all-gathered unit of <paramref name="parameters"/> out of the gather's flat 2-byte output into the
    /// unsharded parameters (torch.split_with_sizes_copy in foreach_all_gather_copy_out): one kernel, 2 + 2 bytes a parameter.</summary>
    public static WorkCost Fsdp2GatherCopyOut(CardSpec c, double parameters) => Elementwise(c, parameters * (2 + 2));

    /// <summary>FSDP2's copy of one unit's 2-byte unsharded gradients into the reduce-scatter's input of <paramref name="reduceBytes"/>-byte
    /// elements, cast on the way (chunk_cat in foreach_reduce_scatter_copy_in): one kernel, 2 + g bytes a parameter.</summary>
    public static WorkCost Fsdp2ReduceScatterCopyIn(CardSpec c, double parameters, int reduceBytes) => Elementwise(c, parameters * (2 + reduceBytes));

    /// <summary>One GEMM kernel (or a batch of equal ones in one launch) with its own size-dependent efficiency.</summary>
    /// <remarks><paramref name="accumulate"/>: the GEMM adds onto its output's previous contents (beta = 1), reading them too.</remarks>
    private static WorkCost Gemm(CardSpec c, double m, double n, double k, double batch = 1, bool accumulate = false)
    {
        var flops = 2 * batch * m * n * k;
        var bytes = Bytes(2 * batch * (m * k + k * n + (accumulate ? 2 : 1) * m * n));
        return new WorkCost(flops, bytes, 1, KernelTime(c, flops, bytes, GemmEfficiency(c, m, n, k)));
    }

    /// <summary>One FP8 GEMM as Transformer Engine runs a linear layer's (fprop, dgrad or wgrad): 1-byte operands, a 2-byte output,
    /// at c.Fp8GemmEfficiency · d/(d + c.Fp8GemmHalfDim) of the FP8 peak, d = min(m, n, k); with <paramref name="splitAccumulator"/>
    /// (TE's dgrad and wgrad: the partial sums promoted to fp32 as they go, not fast accumulation) times c.Fp8SplitAccumulatorRate.</summary>
    private static WorkCost Fp8Gemm(CardSpec c, double m, double n, double k, bool splitAccumulator)
    {
        if (!(c.Fp8PeakFlops > 0) || !(c.Fp8GemmEfficiency > 0) || !(c.Fp8GemmHalfDim > 0))
            throw new ArgumentException($"card {c.Name} has no FP8 peak or FP8 GEMM efficiency: an FP8 GEMM cannot run on it", nameof(c));
        var d = Math.Min(m, Math.Min(n, k));
        if (d <= 0) throw new ArgumentOutOfRangeException(nameof(m), d, "GEMM dimensions must be positive");
        var flops = 2 * m * n * k;
        var bytes = Bytes(m * k + k * n + 2 * m * n);
        // KernelTime divides by the card's BF16 peak: the FP8 fraction is restated against it.
        var efficiency = c.Fp8GemmEfficiency * d / (d + c.Fp8GemmHalfDim) * c.Fp8PeakFlops / c.PeakFlops
            * (splitAccumulator ? c.Fp8SplitAccumulatorRate : 1);
        return new WorkCost(flops, bytes, 1, KernelTime(c, flops, bytes, efficiency));
    }

    /// <summary>One memory-bound kernel moving <paramref name="bytes"/>.</summary>
    private static WorkCost Elementwise(CardSpec c, double bytes)
    {
        var b = Bytes(bytes);
        return new WorkCost(0, b, 1, KernelTime(c, 0, b, 1));
    }

    private static long Bytes(double bytes) => checked((long)Math.Ceiling(bytes));

    /// <summary>Tokens of one microbatch on one card: b·s, or b·s/cp with context parallelism.</summary>
    private static double Tokens(ModelSpec m, int microBatch, int cp = 1) =>
        microBatch < 1 ? throw new ArgumentOutOfRangeException(nameof(microBatch), microBatch, "microbatch must be at least 1")
        : cp < 1 ? throw new ArgumentOutOfRangeException(nameof(cp), cp, "cp must be at least 1")
        : (double)microBatch * m.SeqLen / cp;

    private static int Tp(int tp) => tp >= 1 ? tp : throw new ArgumentOutOfRangeException(nameof(tp), tp, "tp must be at least 1");
}
