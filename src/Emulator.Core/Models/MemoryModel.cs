using Emulator.Core.Specs;

namespace Emulator.Core.Models;

/// <summary>HBM footprint on one card: model state (mixed-precision Adam) and activations (Korthikanti et al. 2022).</summary>
/// <remarks>
/// Activations per layer, generalised from Korthikanti et al. to grouped-query attention and gated MLPs (it reduces to their
/// s·b·h·(34 + 5·a·s/h) for a standard GPT). Tokens-wide tensors kept for backward, in bytes with s·b = tokens:
/// 10·s·b·h replicated over tp unless sequence parallel (layernorm inputs 2+2, QKV and fc1 inputs 2+2, two dropout masks 1+1);
/// split over tp: Q 2·s·b·h, K and V 4·s·b·k·d, projection input 2·s·b·h, activation input 2·s·b·f (4·s·b·f gated),
/// fc2 input 2·s·b·f (24·s·b·h for a standard GPT); attention core 5·a·s²·b (softmax output 2, dropout mask 1, dropout output 2).
/// Divisions by tp round up. Without hidden dropout (stacks that train with none) the two masks, and the embedding's, are not kept.
/// Parallel layers keep one layernorm input and one input shared by QKV and fc1: 6·s·b·h replicated (4 without dropout).
/// </remarks>
public static class MemoryModel
{
    /// <summary>2-byte weights, gradients of <paramref name="gradientBytesPerParam"/> bytes (2, or 4 for fp32 main grads), fp32 master + m + v 12 B, divided by dp (rounded up) under a distributed optimizer;
    /// with <paramref name="wholeMasterWeights"/> only m and v are divided, the 4-byte master weights held whole.</summary>
    public static StateMemory State(double paramsOnCard, int dp, bool distributedOptimizer, int gradientBytesPerParam = 2, bool wholeMasterWeights = false)
    {
        if (gradientBytesPerParam is not (2 or 4)) throw new ArgumentOutOfRangeException(nameof(gradientBytesPerParam), gradientBytesPerParam, "gradients are 2 (fp16/bf16) or 4 (fp32) bytes");
        if (dp < 1) throw new ArgumentOutOfRangeException(nameof(dp), dp, "dp must be at least 1");
        if (paramsOnCard < 0) throw new ArgumentOutOfRangeException(nameof(paramsOnCard), paramsOnCard, "parameters must be non-negative");
        var p = checked((long)Math.Ceiling(paramsOnCard));
        var optimizer = !distributedOptimizer ? checked(12 * p)
            : wholeMasterWeights ? checked(4 * p + CeilDiv(checked(8 * p), dp))
            : CeilDiv(checked(12 * p), dp);
        return new StateMemory(checked(2 * p), checked(gradientBytesPerParam * p), optimizer);
    }

    /// <summary>What PyTorch FSDP holds of one unit's gradient while its passes run before the reduce-scatter (ComputeModel.FsdpGradientPasses):
    /// autograd's 2-byte unsharded gradient and, when the reduce dtype is wider, its copy in <paramref name="reduceBytes"/>-byte elements.</summary>
    public static long FsdpUnshardedGradientBytes(double parameters, int reduceBytes) =>
        checked((long)Math.Ceiling((2 + (reduceBytes > 2 ? reduceBytes : 0)) * parameters));

    /// <summary>What a training loop's metric cross-entropies hold while they run (ComputeModel.MetricCrossEntropy): the 2-byte logits
    /// and their two fp32 copies, the cast and log_softmax's output, 10 bytes a logit on this rank.</summary>
    public static long MetricCrossEntropyBytes(ModelSpec m, int tp, int microBatch, int cp = 1) =>
        checked((long)Math.Ceiling(10 * ComputeModel.LogitsOnRank(m, tp, microBatch, cp)));

    /// <summary>Model state under ZeRO stage <paramref name="zeroStage"/>: stage 1 divides the optimizer state by dp, stage 2 also the
    /// gradients, stage 3 also the weights (each rounded up); stage 0 is <see cref="State"/> replicated.</summary>
    public static StateMemory Sharded(double paramsOnCard, int dp, int zeroStage, int gradientBytesPerParam, bool wholeMasterWeights = false)
    {
        if (zeroStage is < 0 or > 3) throw new ArgumentOutOfRangeException(nameof(zeroStage), zeroStage, "ZeRO stages are 0 to 3");
        var full = State(paramsOnCard, dp, zeroStage >= 1, gradientBytesPerParam, wholeMasterWeights);
        return new StateMemory(
            zeroStage >= 3 ? CeilDiv(full.WeightBytes, dp) : full.WeightBytes,
            zeroStage >= 2 ? CeilDiv(full.GradientBytes, dp) : full.GradientBytes,
            full.OptimizerBytes);
    }

    /// <summary>Activation bytes one layer keeps per microbatch: with SP s·b·h·(34 + 5·a·s/h)/t, without s·b·h·(10 + 24/t + 5·a·s/(h·t)) (2·a·s/h
    /// for the scores without attention dropout, two or four more a score with the unfused softmax's fp32 probabilities); Selective drops
    /// that term; Full and FullNeeded keep the input 2·s·b·h (/t with SP). With FP8 linear layers (Transformer Engine 1.x under
    /// Megatron-core) each linear GEMM saves its input's 1-byte FP8 copy: the layernorm outputs before QKV and fc1 and fc2's input
    /// (the activation's output) are kept in 1 byte, not 2, while the attention's 2-byte output stays saved by the fused kernel and
    /// the projection adds its FP8 copy: s·b·(2h + f − A) less (s·b·(h + f − A) with parallel layers' one layernorm output).</summary>
    public static long ActivationBytesPerLayer(ModelSpec m, int tp, int microBatch, bool sequenceParallel, Recompute policy, bool hiddenDropout = true, bool attentionDropout = true, bool fusedSoftmax = true, bool fp8 = false)
    {
        var t = CheckTp(tp);
        var sbh = checked(TokenBytes(m, microBatch) * m.Hidden);
        var replicated = checked(((m.ParallelLayers ? 6 : 10) - (hiddenDropout ? 0 : 2) - (fp8 ? (m.ParallelLayers ? 1 : 2) : 0)) * sbh);
        if (policy is Recompute.Full or Recompute.FullNeeded) return sequenceParallel ? CeilDiv(2 * sbh, t) : 2 * sbh;
        if (policy is Recompute.Dots or Recompute.Minimal)
        {
            // MaxText's save_dot_except_mlpwi may save the named dots (query_proj, key_proj, value_proj, out_proj, mlpwo); JAX keeps
            // those backward reads, with the scanned layer's input: 2·sbh, Q 2·sbA, K and V 4·sb·k·d, and out_proj's output 2·sbh,
            // which rebuilds the MLP's input (not with parallel layers, whose MLP reads the layer input). mlpwo's output only joins
            // the residual, and the attention output ("context") is not among the names: both are dropped.
            var kv = checked(TokenBytes(m, microBatch) * m.KvWidthAcross(t));
            var sba = checked(TokenBytes(m, microBatch) * m.AttentionWidth);
            // MaxText's minimal (checkpoint_dots_with_no_batch_dims) also keeps the MLP's first GEMM's output, 2·sb·f₁.
            // Without sequence parallelism the layer input and out_proj's output are whole on every rank.
            var fc1 = policy == Recompute.Minimal ? checked(2 * TokenBytes(m, microBatch) * (m.GatedMlp ? 2L : 1L) * m.FfnHidden) : 0;
            var tokensWide = checked((m.ParallelLayers ? 2 : 4) * sbh);
            var kept = checked(2 * sba + 4 * kv + fc1);
            return sequenceParallel ? CeilDiv(checked(tokensWide + kept), t) : checked(tokensWide + CeilDiv(kept, t));
        }
        var core = policy == Recompute.Selective ? 0 : CoreBytes(m, microBatch, attentionDropout, fusedSoftmax);
        var fp8Inputs = fp8 ? checked(TokenBytes(m, microBatch) * (m.AttentionWidth - m.FfnHidden)) : 0;
        var split = checked(SplitTokenBytes(m, microBatch, t) + fp8Inputs + core);
        return sequenceParallel ? CeilDiv(checked(replicated + split), t) : checked(replicated + CeilDiv(split, t));
    }

    /// <summary>
    /// Activation bytes of one microbatch held by one card of a stage: stageLayers × per layer, plus on the first stage the embedding dropout
    /// mask s·b·h (1 B, /t with SP), plus on the last stage the final layernorm and output-layer inputs 4·s·b·h (/t with SP) and the
    /// fp32 logits 4·s·b·V/t (Korthikanti et al. §4.3). The transient of recomputation is RecomputeWorkingBytes, not included here.
    /// </summary>
    public static long ActivationBytesPerMicrobatch(ModelSpec m, int tp, int microBatch, bool sequenceParallel, Recompute policy, int stageLayers, bool firstStage, bool lastStage, bool hiddenDropout = true, bool attentionDropout = true, bool fusedSoftmax = true, bool fp8 = false)
    {
        var t = CheckTp(tp);
        var sbh = TokenBytes(m, microBatch) * m.Hidden;
        checked
        {
            var total = stageLayers * ActivationBytesPerLayer(m, tp, microBatch, sequenceParallel, policy, hiddenDropout, attentionDropout, fusedSoftmax, fp8);
            if (firstStage && hiddenDropout) total += sequenceParallel ? CeilDiv(sbh, t) : sbh;
            if (lastStage)
            {
                total += sequenceParallel ? CeilDiv(4 * sbh, t) : 4 * sbh;
                total += CeilDiv(4 * TokenBytes(m, microBatch) * m.Vocab, t);
            }
            return total;
        }
    }

    /// <summary>Transient bytes while one layer's backward runs: under Full or FullNeeded the layer's rematerialised activations (its no-recompute
    /// footprint; with FlashAttention without the s×s scores, which the fused kernel never stores); under Selective without FlashAttention
    /// the rematerialised scores, ⌈core/t⌉; under Dots what the layer's backward rebuilds: the layernorm outputs 4·sbh (2·sbh with
    /// parallel layers; /t with SP), the attention output 2·sbA/t (and the unfused scores) and the MLP's first GEMM and activation
    /// outputs 2·sb·(f₁ + f)/t; under Minimal the same with only the activation's 2·sb·f/t on the MLP's side; otherwise 0.</summary>
    public static long RecomputeWorkingBytes(ModelSpec m, int tp, int microBatch, bool sequenceParallel, Recompute policy, bool flashAttention, bool hiddenDropout = true, bool attentionDropout = true, bool fusedSoftmax = true, bool fp8 = false) => policy switch
    {
        Recompute.Full or Recompute.FullNeeded => ActivationBytesPerLayer(m, tp, microBatch, sequenceParallel, flashAttention ? Recompute.Selective : Recompute.None, hiddenDropout, attentionDropout, fusedSoftmax, fp8),
        Recompute.Selective when !flashAttention => CeilDiv(CoreBytes(m, microBatch, attentionDropout, fusedSoftmax), CheckTp(tp)),
        Recompute.Dots or Recompute.Minimal => DotsWorkingBytes(m, CheckTp(tp), microBatch, sequenceParallel, mlpGemm: policy == Recompute.Dots,
            flashAttention ? 0 : CoreBytes(m, microBatch, attentionDropout, fusedSoftmax)),
        _ => 0,
    };

    /// <summary>What `dots` (mlpGemm: the first GEMM's output too) or `minimal` (the activation's only) rebuilds for one layer's backward,
    /// both sides at once as the emulated program rebuilds them: the layernorm outputs, the attention output (and the unfused core's scores).</summary>
    private static long DotsWorkingBytes(ModelSpec m, int t, int microBatch, bool sequenceParallel, bool mlpGemm, long scores)
    {
        var sb = TokenBytes(m, microBatch);
        var norm = checked((m.ParallelLayers ? 2L : 4L) * sb * m.Hidden);
        var mlp = checked(2 * sb * ((mlpGemm ? (m.GatedMlp ? 2L : 1L) * m.FfnHidden : 0) + m.FfnHidden));
        var split = checked(2 * sb * m.AttentionWidth + scores + mlp);
        return sequenceParallel ? CeilDiv(checked(norm + split), t) : checked(norm + CeilDiv(split, t));
    }

    /// <summary>The unfused attention core's stored scores over all heads: the softmax output 2·a·s²·b, and with attention dropout its mask
    /// and output too, 5·a·s²·b (Korthikanti et al.'s term). Megatron-LM's unfused fallback softmax saves its fp32 output for its backward
    /// (4 B a score) and the AV GEMM the 2-byte probabilities cast from it (or dropout's mask and output): 6·a·s²·b, or 7 with dropout.</summary>
    private static long CoreBytes(ModelSpec m, int microBatch, bool attentionDropout, bool fusedSoftmax)
    {
        long perScore = (fusedSoftmax, attentionDropout) switch { (true, false) => 2, (true, true) => 5, (false, false) => 6, (false, true) => 7 };
        return checked(perScore * m.Heads * m.SeqLen * TokenBytes(m, microBatch));
    }

    /// <summary>The tp-split tokens-wide tensors: Q, K, V, projection input (the attention context), activation input and output (24·s·b·h for a standard GPT).</summary>
    private static long SplitTokenBytes(ModelSpec m, int microBatch, int tp)
    {
        var sb = TokenBytes(m, microBatch);
        long a = m.AttentionWidth, kvWidth = m.KvWidthAcross(tp), f = m.FfnHidden;
        var fc1Width = m.GatedMlp ? 2 * f : f;
        return checked(sb * (2 * a + 4 * kvWidth + 2 * a + 2 * fc1Width + 2 * f));
    }

    private static long TokenBytes(ModelSpec m, int microBatch) =>
        microBatch >= 1 ? (long)m.SeqLen * microBatch : throw new ArgumentOutOfRangeException(nameof(microBatch), microBatch, "microbatch must be at least 1");

    private static int CheckTp(int tp) => tp >= 1 ? tp : throw new ArgumentOutOfRangeException(nameof(tp), tp, "tp must be at least 1");

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;
}
