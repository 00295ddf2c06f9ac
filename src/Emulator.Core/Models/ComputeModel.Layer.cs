using Emulator.Core.Specs;

namespace Emulator.Core.Models;

/// <summary>Kernel-by-kernel work of one transformer layer on one tensor-parallel rank for one microbatch.</summary>
/// <remarks>
/// Attention block: layernorm, QKV GEMM (b·s)×h by h×(A + 2·k·d)/tp, QKᵀ (a/tp batched s×d by d×s), softmax, AV (s×s by s×d),
/// output projection (b·s)×(A/tp) by (A/tp)×h (A = a·d, the attention width: h unless the head width is set), dropout+residual. MLP block: layernorm, fc1 h×f/tp (2f/tp gated), activation,
/// fc2 (f/tp)×h, dropout+residual. With sequence parallelism the layernorm and dropout/residual kernels work on s/tp tokens.
/// With context parallelism cp a card holds s/cp tokens of each sequence and attends them to all s keys (ring attention):
/// every token-wise kernel and the attention core shrink by cp.
/// Element-wise bytes, 2 per element: forward layernorm reads x, writes y (2 per token·h); dropout+residual reads branch
/// and residual, writes sum (3); softmax reads and writes (2 per score); activation reads its input, writes its output.
/// Attention dropout, when it is its own kernel, reads the probabilities and writes them and a 1-byte mask (5 bytes per
/// score), and in backward reads the gradient and the mask and writes the gradient (5 bytes per score).
/// Backward: every GEMM becomes a dgrad and a wgrad kernel of the same shape, so GEMM FLOPs double; layernorm, softmax
/// and activation read input and output gradient and write input gradient; dropout+residual reads dy and writes dx (2).
/// Parallel layers (model.parallel-layers) have one layernorm, counted in the attention block, and one residual add of both
/// branches (reads x and the two outputs, writes the sum: 4), counted in the MLP block; backward adds the two branches'
/// input gradients (3) before the one layernorm.
/// </remarks>
public static partial class ComputeModel
{
    /// <summary>Forward pass of one layer on one tp rank for microBatch sequences; standard GPT FLOPs are 24·b·s·h²·(1 + s/6h)/tp.</summary>
    public static LayerWork LayerForward(CardSpec c, ModelSpec m, int tp, int microBatch, bool sequenceParallel, bool flashAttention = false, int cp = 1, bool attentionDropout = false, bool fusedSoftmax = true, bool fp8 = false)
    {
        var g = new LayerShape(m, Tp(tp), Tokens(m, microBatch, cp), sequenceParallel, fp8);
        var layerNorm = LayerNormForward(c, g);
        var attention = layerNorm
            + QkvGemm(c, g)
            + AttentionCore(c, g, flashAttention, attentionDropout, fusedSoftmax)
            + ProjGemm(c, g);
        var mlp = Fc1Gemm(c, g)
            + ActivationForward(c, g)
            + Fc2Gemm(c, g);
        if (m.ParallelLayers) return new LayerWork(attention, mlp + Elementwise(c, 2 * 4 * g.ReplicatedTokens * g.H));
        var residual = ResidualAdd(c, g);
        return new LayerWork(attention + residual, layerNorm + mlp + residual);
    }

    /// <summary>Backward pass (dgrad + wgrad) of one layer on one tp rank: GEMM and attention-core FLOPs are twice the forward's.</summary>
    public static LayerWork LayerBackward(CardSpec c, ModelSpec m, int tp, int microBatch, bool sequenceParallel, bool flashAttention = false, int cp = 1, bool attentionDropout = false, bool fusedSoftmax = true, bool fp8 = false)
    {
        var g = new LayerShape(m, Tp(tp), Tokens(m, microBatch, cp), sequenceParallel, fp8);
        var qkv = QkvGemm(c, g, backward: true);
        var proj = ProjGemm(c, g, backward: true);
        var core = AttentionCoreBackward(c, g, flashAttention, attentionDropout, fusedSoftmax);
        var layerNorm = Elementwise(c, 2 * 3 * g.ReplicatedTokens * g.H);
        var residual = Elementwise(c, 2 * 2 * g.ReplicatedTokens * g.H);
        var attention = qkv + qkv + core + proj + proj;
        var fc1 = Fc1Gemm(c, g, backward: true);
        var fc2 = Fc2Gemm(c, g, backward: true);
        var mlp = fc1 + fc1
            + Elementwise(c, 2 * (2 * g.Fc1Width + g.F) * g.Tokens / g.Tp)
            + fc2 + fc2;
        // The two branches' input gradients meet in one add before the shared layernorm.
        if (m.ParallelLayers) return new LayerWork(layerNorm + Elementwise(c, 2 * 3 * g.ReplicatedTokens * g.H) + attention, mlp + residual);
        return new LayerWork(layerNorm + attention + residual, layerNorm + mlp + residual);
    }

    /// <summary>What eager PyTorch autograd adds to one layer's backward beyond LayerBackward's kernels (training.eager-backward-passes):
    /// each layernorm's weight gradient, a kernel reading its input and output gradient again (2 + 2 B a token·h); each residual fork's
    /// gradient sum, which reads two gradients and writes one where the residual kernel is charged one read and one write (2 B a token·h
    /// more, no launch more); and the QKV split's backward, a cat of the three gradients (2 + 2 B a token per QKV column on this rank).
    /// A parallel layer has one layernorm and one fork.</summary>
    public static LayerWork EagerBackwardPasses(CardSpec c, ModelSpec m, int tp, int microBatch, bool sequenceParallel, int cp = 1)
    {
        var g = new LayerShape(m, Tp(tp), Tokens(m, microBatch, cp), sequenceParallel);
        var normAndFork = Elementwise(c, 2 * 2 * g.ReplicatedTokens * g.H) + MoreBytes(c, 2 * g.ReplicatedTokens * g.H);
        var attention = normAndFork + QkvPass(c, g);
        return new LayerWork(attention, m.ParallelLayers ? WorkCost.Zero : normAndFork);
    }

    /// <summary>The forward kernels of Megatron-LM's own layer of 2021-2023 (and of the forks of it, Megatron-DeepSpeed) beyond LayerForward's
    /// (training.megatron-layer-passes; a full recomputation reruns them): the QKV projection's bias added by a kernel of its own, as
    /// ColumnParallelLinear's F.linear does on a 3-D input before PyTorch 1.12 (matmul, then add_: 2 + 2 B an output element; the fused
    /// addmm path for contiguous 3-D input is pytorch#72728) and Megatron-LM 2022's linear layers always (`output + bias`); the
    /// attention output's permute(2, 0, 1, 3).contiguous(), a copy of this rank's b·s·A/tp elements (2 + 2 B); and, with hidden dropout,
    /// each fused bias-dropout-add's 1-byte mask written besides the sum (the jit's dropout keeps `rand_like(x) &lt; 1 - p` for backward).</summary>
    public static LayerWork MegatronForwardPasses(CardSpec c, ModelSpec m, int tp, int microBatch, bool sequenceParallel, bool hiddenDropout, int cp = 1)
    {
        var g = new LayerShape(m, Tp(tp), Tokens(m, microBatch, cp), sequenceParallel);
        var qkvBias = m.LinearBiases ? QkvPass(c, g) : WorkCost.Zero;
        var context = Elementwise(c, 2 * 2 * g.Tokens * g.A / g.Tp);
        var mask = hiddenDropout ? MoreBytes(c, g.ReplicatedTokens * g.H) : WorkCost.Zero;
        return new LayerWork(qkvBias + context + mask, mask);
    }

    /// <summary>The backward kernels of Megatron-LM's own layer beyond LayerBackward's (training.megatron-layer-passes), per serial
    /// block: Megatron's fused layernorm (Apex's kernels) computes the weight and bias gradients apart from the input gradient charged,
    /// cuComputePartGradGammaBeta reading the output gradient and the input again (2 + 2 B a token per hidden unit) and
    /// cuComputeGradGammaBeta summing the partial sums (a launch); autograd sums the two gradients of each residual fork (the block's input
    /// feeds both its layernorm and the bias-dropout-add): with hidden dropout the residual kernel charged is the dropout's backward
    /// (the gradient times the 1-byte mask: 1 B more) and the sum is a kernel of its own (2 + 2 + 2 B), without it the charged kernel is the
    /// sum, reading one gradient more (2 B); and the QKV split (split_tensor_along_last_dim) backward, a cat (2 + 2 B a QKV element).</summary>
    public static LayerWork MegatronBackwardPasses(CardSpec c, ModelSpec m, int tp, int microBatch, bool sequenceParallel, bool hiddenDropout, int cp = 1)
    {
        var g = new LayerShape(m, Tp(tp), Tokens(m, microBatch, cp), sequenceParallel);
        var layerNormWeights = Elementwise(c, 2 * 2 * g.ReplicatedTokens * g.H) + Elementwise(c, 0);
        var fork = hiddenDropout
            ? Elementwise(c, 2 * 3 * g.ReplicatedTokens * g.H) + MoreBytes(c, g.ReplicatedTokens * g.H)
            : MoreBytes(c, 2 * g.ReplicatedTokens * g.H);
        var qkvCat = QkvPass(c, g);
        return new LayerWork(layerNormWeights + fork + qkvCat, layerNormWeights + fork);
    }

    /// <summary>The rotary position embedding of this rank's q and k columns as one fused kernel a tensor, reading and writing 2 B an
    /// element (the cos and sin tables, one row a position, stay in cache); backward rotates the gradients back the same way
    /// (training.fused-rope: Transformer Engine's fused RoPE, torch_npu's npu_rotary_mul).</summary>
    public static LayerWork FusedRope(CardSpec c, ModelSpec m, int tp, int microBatch, bool sequenceParallel, int cp = 1)
    {
        var g = new LayerShape(m, Tp(tp), Tokens(m, microBatch, cp), sequenceParallel);
        return new LayerWork(Elementwise(c, 2 * 2 * g.Tokens * g.A / g.Tp) + Elementwise(c, 2 * 2 * g.Tokens * g.KvWidth / g.Tp), WorkCost.Zero);
    }

    /// <summary>Forward kernels around the attention core where q, k and v are strided views of the fused QKV GEMM's output
    /// (training.qkv-views: Megatron-core's get_query_key_value_tensors splits it with torch.split, and MindSpeed-LLM hands the views
    /// to torch_npu's kernels): the value copied contiguous for the fused attention's SBH layout (2 + 2 B an element of this rank's
    /// value columns, a kernel). With the fused rotation (<paramref name="fusedRope"/>), MindSpeed's wrapper around npu_rotary_mul
    /// (apply_rotary_pos_emb_bshd), for q and for k: cos and sin of the (s/cp)×d fp32 position table, each cast to bf16 (4 + 4 and
    /// 4 + 2 B a table element, four kernels); the strided view copied contiguous before the rotation (2 + 2 B an element); the
    /// rotated tensor concatenated with the empty unrotated part t[..., rot_dim:] (torch.cat: a copy, 2 + 2 B an element). The
    /// rotation itself is <see cref="FusedRope"/>'s.</summary>
    public static LayerWork QkvViewsForward(CardSpec c, ModelSpec m, int tp, int microBatch, bool sequenceParallel, int cp = 1, bool fusedRope = false)
    {
        var g = new LayerShape(m, Tp(tp), Tokens(m, microBatch, cp), sequenceParallel);
        var work = Elementwise(c, 2 * 2 * g.Tokens * g.KvWidth / g.Tp);
        if (!fusedRope) return new LayerWork(work, WorkCost.Zero);
        var table = (double)m.SeqLen / cp * g.D;
        var tableKernels = Elementwise(c, table * (4 + 4)) + Elementwise(c, table * (4 + 2));
        foreach (var columns in new[] { g.A, g.KvWidth })
        {
            var elements = g.Tokens * columns / g.Tp;
            work += tableKernels + tableKernels + Elementwise(c, elements * (2 + 2)) + Elementwise(c, elements * (2 + 2));
        }
        return new LayerWork(work, WorkCost.Zero);
    }

    /// <summary>Backward kernels of <see cref="QkvViewsForward"/>'s views: the q, k and v gradients concatenated back into the QKV
    /// output's gradient (torch.split's backward, a cat: 2 + 2 B an element of this rank's QKV columns, a kernel). With the fused
    /// rotation, for q and for k, the empty unrotated part's slice gradient, zeros of the whole tensor's size (slice_backward:
    /// 2 B an element written), added to the rotation's gradient (2 + 2 + 2 B an element): two kernels each.</summary>
    public static LayerWork QkvViewsBackward(CardSpec c, ModelSpec m, int tp, int microBatch, bool sequenceParallel, int cp = 1, bool fusedRope = false)
    {
        var g = new LayerShape(m, Tp(tp), Tokens(m, microBatch, cp), sequenceParallel);
        var work = QkvPass(c, g);
        if (!fusedRope) return new LayerWork(work, WorkCost.Zero);
        foreach (var columns in new[] { g.A, g.KvWidth })
        {
            var elements = g.Tokens * columns / g.Tp;
            work += Elementwise(c, elements * 2) + Elementwise(c, elements * (2 + 2 + 2));
        }
        return new LayerWork(work, WorkCost.Zero);
    }

    /// <summary>The bias gradients of a block's four linear layers (model.linear-biases): each a reduction over this rank's tokens of the
    /// layer's 2-byte output gradient, one kernel each. Column-parallel layers (QKV, fc1) hold 1/tp of their outputs' columns; the
    /// row-parallel ones' biases (attention output, fc2) are whole and summed over the tokens this rank holds after the reduction
    /// (1/tp of them with sequence parallelism).</summary>
    public static LayerWork BiasGradients(CardSpec c, ModelSpec m, int tp, int microBatch, bool sequenceParallel, int cp = 1)
    {
        if (!m.LinearBiases && !m.QkvBias) return LayerWork.Zero;
        var g = new LayerShape(m, Tp(tp), Tokens(m, microBatch, cp), sequenceParallel);
        var qkv = Elementwise(c, 2 * g.Tokens * g.QkvWidth / g.Tp);
        // The QKV projection's bias alone (model.qkv-bias): its column-parallel reduction, as with every layer's.
        if (!m.LinearBiases) return new LayerWork(qkv, WorkCost.Zero);
        var rowParallel = Elementwise(c, 2 * g.ReplicatedTokens * g.H);
        return new LayerWork(qkv + rowParallel, Elementwise(c, 2 * g.Tokens * g.Fc1Width / g.Tp) + rowParallel);
    }

    /// <summary>The forward add of a QKV-only bias (model.qkv-bias) as Megatron-core's linear layer runs it after the GEMM, `output +
    /// bias`: one kernel reading and writing 2 B an element of this rank's QKV columns (the bias row stays in cache); nothing without
    /// the bias, with every layer's biases (model.linear-biases, whose adds ride in the GEMM or a fused kernel), or when the GEMM
    /// takes it (<paramref name="inGemm"/>: mc2's npu_all_gather_base_mm).</summary>
    public static LayerWork QkvBiasAdd(CardSpec c, ModelSpec m, int tp, int microBatch, bool sequenceParallel, int cp = 1, bool inGemm = false)
    {
        if (!m.QkvBias || m.LinearBiases || inGemm) return LayerWork.Zero;
        var g = new LayerShape(m, Tp(tp), Tokens(m, microBatch, cp), sequenceParallel);
        return new LayerWork(QkvPass(c, g), WorkCost.Zero);
    }

    /// <summary>One kernel reading and writing 2 B an element of this rank's QKV output: a bias add after the GEMM, or the split's
    /// backward cat.</summary>
    private static WorkCost QkvPass(CardSpec c, LayerShape g) => Elementwise(c, 2 * 2 * g.Tokens * g.QkvWidth / g.Tp);

    /// <summary><paramref name="bytes"/> more for a kernel already charged: their HBM time, no launch.</summary>
    private static WorkCost MoreBytes(CardSpec c, double bytes)
    {
        var b = Bytes(bytes);
        return new WorkCost(0, b, 0, KernelTime(c, 0, b, 1) - c.KernelOverhead);
    }

    /// <summary>One backward GEMM (input- or weight-gradient: the same shape, LayerBackward runs two) of each block's first linear,
    /// QKV and fc1: the work a backward tensor-parallel collective of that block can run beside (Megatron-LM's asynchronous
    /// input-gradient all-reduce).</summary>
    public static LayerWork BackwardFirstLinearGemm(CardSpec c, ModelSpec m, int tp, int microBatch, bool sequenceParallel, int cp = 1, bool fp8 = false)
    {
        var g = new LayerShape(m, Tp(tp), Tokens(m, microBatch, cp), sequenceParallel, fp8);
        return new LayerWork(QkvGemm(c, g, backward: true), Fc1Gemm(c, g, backward: true));
    }

    /// <summary>The four forward GEMMs beside which userbuffers run a layer's tensor-parallel collectives: QKV and fc1, each fed by an
    /// all-gather, and the output projection and fc2, each drained by a reduce-scatter (Transformer Engine's tp-comm overlap).</summary>
    public static (WorkCost Qkv, WorkCost Proj, WorkCost Fc1, WorkCost Fc2) ForwardTpGemms(CardSpec c, ModelSpec m, int tp, int microBatch, bool sequenceParallel, int cp = 1, bool fp8 = false)
    {
        var g = new LayerShape(m, Tp(tp), Tokens(m, microBatch, cp), sequenceParallel, fp8);
        return (QkvGemm(c, g), ProjGemm(c, g), Fc1Gemm(c, g), Fc2Gemm(c, g));
    }

    /// <summary>The QKV projection's GEMM: (b·s)×h by h×(A + 2·k·d)/tp; <paramref name="backward"/>: one of its dgrad and wgrad.</summary>
    private static WorkCost QkvGemm(CardSpec c, LayerShape g, bool backward = false) => LinearGemm(c, g, g.Tokens, g.QkvWidth / g.Tp, g.H, backward);

    /// <summary>The attention's output projection: (b·s)×(A/tp) by (A/tp)×h.</summary>
    private static WorkCost ProjGemm(CardSpec c, LayerShape g, bool backward = false) => LinearGemm(c, g, g.Tokens, g.H, g.A / g.Tp, backward);

    /// <summary>fc1's GEMM: (b·s)×h by h×f/tp (2f/tp gated).</summary>
    private static WorkCost Fc1Gemm(CardSpec c, LayerShape g, bool backward = false) => LinearGemm(c, g, g.Tokens, g.Fc1Width / g.Tp, g.H, backward);

    /// <summary>fc2's GEMM: (b·s)×(f/tp) by (f/tp)×h.</summary>
    private static WorkCost Fc2Gemm(CardSpec c, LayerShape g, bool backward = false) => LinearGemm(c, g, g.Tokens, g.H, g.F / g.Tp, backward);

    /// <summary>A linear layer's GEMM, in FP8 where the layer's linears run so (training.precision = fp8; backward's with TE's split
    /// accumulator), else in 2-byte precision.</summary>
    private static WorkCost LinearGemm(CardSpec c, LayerShape g, double m, double n, double k, bool backward) =>
        g.Fp8 ? Fp8Gemm(c, m, n, k, splitAccumulator: backward) : Gemm(c, m, n, k);

    /// <summary>Forward work redone during backward: None nothing, Selective the attention core (QKᵀ, softmax, AV), Full the whole LayerForward, FullNeeded all of it but the MLP's second GEMM and residual add (with parallel layers, also
    /// the attention's output projection: its output only joins the residual), Dots what MaxText's save_dot_except_mlpwi does not save: both
    /// layernorms (the MLP's after the residual add that rebuilds its input), the attention core (its output, "context", is not among the saved names) and the MLP's first GEMM with its activation;
    /// Minimal (MaxText's minimal) the same but the MLP's first GEMM, whose output it keeps.</summary>
    /// <remarks>With FlashAttention, Selective re-runs the fused forward: Megatron-core checkpoints the core attention whatever
    /// its kernel (`checkpoint_core_attention` under recompute_granularity selective), so backward first rebuilds its output.</remarks>
    public static LayerWork LayerRecompute(CardSpec c, ModelSpec m, int tp, int microBatch, bool sequenceParallel, Recompute policy, bool flashAttention = false, int cp = 1, bool attentionDropout = false, bool fusedSoftmax = true, bool fp8 = false)
    {
        var g = new LayerShape(m, Tp(tp), Tokens(m, microBatch, cp), sequenceParallel, fp8);
        return policy switch
        {
            Recompute.None => LayerWork.Zero,
            Recompute.Selective => new LayerWork(AttentionCore(c, g, flashAttention, attentionDropout, fusedSoftmax), WorkCost.Zero),
            Recompute.Full => LayerForward(c, m, tp, microBatch, sequenceParallel, flashAttention, cp, attentionDropout, fusedSoftmax, fp8),
            // The attention block's output rebuilds the MLP's layernorm input, so all of it is redone; fc2's output only joins the residual.
            Recompute.FullNeeded when !m.ParallelLayers => new LayerWork(LayerForward(c, m, tp, microBatch, sequenceParallel, flashAttention, cp, attentionDropout, fusedSoftmax, fp8).Attention,
                MlpInputRecompute(c, g)),
            Recompute.FullNeeded => ParallelLayerInputsRecompute(c, g, flashAttention, attentionDropout, fusedSoftmax),
            Recompute.Dots or Recompute.Minimal => DotsRecompute(c, g, flashAttention, attentionDropout, fusedSoftmax, mlpGemm: policy == Recompute.Dots),
            _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "unknown recompute policy"),
        };
    }

    /// <summary>What `dots` redoes: the attention's layernorm and core (from the saved Q, K, V) and the MLP's input side; `minimal`
    /// (mlpGemm false) keeps the MLP's first GEMM's output and redoes only its layernorm and activation. A serial layer's MLP
    /// layernorm reads the residual stream after attention, which neither policy saves, so the residual add (layer input plus the
    /// saved projection output) is redone before it. With parallel layers the one shared layernorm reads the saved layer input and
    /// is counted once, with the MLP.</summary>
    private static LayerWork DotsRecompute(CardSpec c, LayerShape g, bool flashAttention, bool attentionDropout, bool fusedSoftmax, bool mlpGemm) => new(
        (g.Model.ParallelLayers ? WorkCost.Zero : LayerNormForward(c, g)) + AttentionCore(c, g, flashAttention, attentionDropout, fusedSoftmax),
        (g.Model.ParallelLayers ? WorkCost.Zero : ResidualAdd(c, g))
        + (mlpGemm ? MlpInputRecompute(c, g) : LayerNormForward(c, g) + ActivationForward(c, g)));

    /// <summary>What `full-needed` redoes of a parallel layer: the shared layernorm, QKV and the attention core, fc1 and its activation.</summary>
    private static LayerWork ParallelLayerInputsRecompute(CardSpec c, LayerShape g, bool flashAttention, bool attentionDropout, bool fusedSoftmax) => new(
        LayerNormForward(c, g) + QkvGemm(c, g) + AttentionCore(c, g, flashAttention, attentionDropout, fusedSoftmax),
        Fc1Gemm(c, g) + ActivationForward(c, g));

    /// <summary>What `dots` recomputes, and `full-needed` of the MLP: the MLP's layernorm, its first GEMM (h × f/tp, 2f/tp gated) and activation.</summary>
    private static WorkCost MlpInputRecompute(CardSpec c, LayerShape g) => LayerNormForward(c, g) + Fc1Gemm(c, g) + ActivationForward(c, g);

    /// <summary>A serial layer's dropout and residual add: reads the branch output and the residual, writes the sum, 2 bytes each per token·h.</summary>
    private static WorkCost ResidualAdd(CardSpec c, LayerShape g) => Elementwise(c, 2 * 3 * g.ReplicatedTokens * g.H);

    /// <summary>A forward layernorm: reads x and writes y, 2 bytes each per token·h (on s/tp tokens with sequence parallelism).</summary>
    private static WorkCost LayerNormForward(CardSpec c, LayerShape g) => Elementwise(c, 2 * 2 * g.ReplicatedTokens * g.H);

    /// <summary>The MLP's activation: reads fc1's output (f, 2f gated) and writes f per token, split over tp.</summary>
    private static WorkCost ActivationForward(CardSpec c, LayerShape g) => Elementwise(c, 2 * (g.Fc1Width + g.F) * g.Tokens / g.Tp);

    /// <summary>The attention core alone, forward and backward (what LayerForward and LayerBackward charge for it): the part of the
    /// attention block a context-parallel key/value ring can run beside, once QKV has produced the keys and values and before the
    /// output projection needs the result.</summary>
    public static (WorkCost Forward, WorkCost Backward) AttentionCoreWork(CardSpec c, ModelSpec m, int tp, int microBatch, bool sequenceParallel,
        bool flashAttention = false, int cp = 1, bool attentionDropout = false, bool fusedSoftmax = true)
    {
        var g = new LayerShape(m, Tp(tp), Tokens(m, microBatch, cp), sequenceParallel);
        return (AttentionCore(c, g, flashAttention, attentionDropout, fusedSoftmax), AttentionCoreBackward(c, g, flashAttention, attentionDropout, fusedSoftmax));
    }

    /// <summary>The backward attention core: the fused kernel, or two GEMMs for each of QKᵀ and AV, the softmax's (and dropout's) backward.</summary>
    private static WorkCost AttentionCoreBackward(CardSpec c, LayerShape g, bool flashAttention, bool attentionDropout, bool fusedSoftmax)
    {
        if (flashAttention) return FlashAttentionKernel(c, g, backward: true);
        var scores = Gemm(c, g.S, g.S, g.D, g.HeadBatch);
        var context = Gemm(c, g.S, g.D, g.S, g.HeadBatch);
        return scores + scores + SoftmaxBackward(c, g, fusedSoftmax) + AttentionDropout(c, g, attentionDropout) + context + context;
    }

    /// <summary>The forward attention core: the fused kernel, or QKᵀ, softmax (and dropout) and AV as kernels of their own.</summary>
    private static WorkCost AttentionCore(CardSpec c, LayerShape g, bool flashAttention, bool attentionDropout, bool fusedSoftmax) =>
        flashAttention ? FlashAttentionKernel(c, g, backward: false) : AttentionCoreForward(c, g, attentionDropout, fusedSoftmax);

    /// <summary>QKᵀ, softmax (and attention dropout as its own kernel, if on) and AV of a/tp heads: 2·b·s²·h/tp FLOPs for each GEMM.</summary>
    private static WorkCost AttentionCoreForward(CardSpec c, LayerShape g, bool dropout, bool fusedSoftmax) =>
        ScoresGemm(c, g)
        + SoftmaxForward(c, g, fusedSoftmax)
        + AttentionDropout(c, g, dropout)
        + Gemm(c, g.S, g.D, g.S, g.HeadBatch);

    /// <summary>QKᵀ; with ALiBi, torch.baddbmm(bias, q, kᵀ, beta = 1): the [b·a/tp, 1, s] bias expanded and copied to the scores' size
    /// (2 B a score written; its own reads stay in cache), then the GEMM reading those scores as it accumulates (2 B a score more).</summary>
    private static WorkCost ScoresGemm(CardSpec c, LayerShape g) =>
        g.Model.Alibi
            ? Elementwise(c, 2 * g.Scores) + Gemm(c, g.S, g.S, g.D, g.HeadBatch, accumulate: true)
            : Gemm(c, g.S, g.S, g.D, g.HeadBatch);

    /// <summary>The attention softmax forward: Megatron-LM's fused scale-mask-softmax kernel reads and writes the 2-byte scores (4 B a
    /// score); its fallback, forward_torch_softmax, runs five kernels over fp32 copies: cast to fp32 (2 + 4), scale (4 + 4), masked_fill_
    /// in place (4 + 4; the s×s mask, shared by every head, stays in cache), softmax (4 + 4) and cast back (4 + 2): 36 B a score.</summary>
    private static WorkCost SoftmaxForward(CardSpec c, LayerShape g, bool fused) =>
        fused ? Elementwise(c, 2 * 2 * g.Scores) : Passes(c, g.Scores, TorchSoftmaxForwardBytes);

    /// <summary>The softmax backward: the fused kernel reads the output gradient and the probabilities and writes the input gradient
    /// (6 B a score); autograd through the fallback runs five: the gradient cast to fp32 (2 + 4), softmax backward reading it and the
    /// saved fp32 probabilities (4 + 4 + 4), masked_fill's (4 + 4), the scale's (4 + 4) and the cast back (4 + 2): 40 B a score.</summary>
    private static WorkCost SoftmaxBackward(CardSpec c, LayerShape g, bool fused) =>
        fused ? Elementwise(c, 2 * 3 * g.Scores) : Passes(c, g.Scores, TorchSoftmaxBackwardBytes);

    /// <summary>Bytes a score moves in each kernel of the fallback softmax's forward, in order (<see cref="SoftmaxForward"/>).</summary>
    private static readonly double[] TorchSoftmaxForwardBytes = [2 + 4, 4 + 4, 4 + 4, 4 + 4, 4 + 2];

    /// <summary>Bytes a score moves in each kernel of the fallback softmax's backward, in order (<see cref="SoftmaxBackward"/>).</summary>
    private static readonly double[] TorchSoftmaxBackwardBytes = [2 + 4, 4 + 4 + 4, 4 + 4, 4 + 4, 4 + 2];

    /// <summary>Attention dropout as its own kernel, when on: 5 bytes per score either way (forward reads the probabilities and
    /// writes them and a 1-byte mask; backward reads the gradient and the mask and writes the gradient).</summary>
    private static WorkCost AttentionDropout(CardSpec c, LayerShape g, bool on) => on ? Elementwise(c, 5 * g.Scores) : WorkCost.Zero;

    /// <summary>FlashAttention-2 as one fused kernel: forward QKᵀ and AV (4·b·s²·h/tp FLOPs); backward recomputes QKᵀ and
    /// runs dV, dP, dQ, dK (2.5x the forward FLOPs, Dao 2023). HBM traffic is only Q, K, V, O (and their gradients and dO in
    /// backward); the scores stay on chip. Time: the causal half at card.efficiency.attention, or by default the whole square
    /// at the card's best GEMM efficiency (an estimate, set once for every preset: about a causal kernel at 40% of peak), times
    /// <see cref="VectorBound"/> where separate vector units pace narrow heads (Ascend).</summary>
    private static WorkCost FlashAttentionKernel(CardSpec c, LayerShape g, bool backward)
    {
        var forwardFlops = 2 * 2 * g.HeadBatch * g.S * g.S * g.D;
        var qkvo = g.Tokens * (g.QkvWidth + g.A) / g.Tp; // Q, K+V, O elements on this rank
        var flops = backward ? 2.5 * forwardFlops : forwardFlops;
        // Backward reads Q, K, V, O and dO and writes dQ, dK, dV: twice the forward's elements.
        var bytes = (long)(2 * (backward ? 2 * qkvo : qkvo));
        // A causal kernel computes the blocks on and below the diagonal, half the square (the FLOPs reported stay the square's,
        // the MFU convention's); unset, the square runs at GEMM efficiency, the same time as that half at half of it.
        var vector = VectorBound(c, g.D);
        var time = c.AttentionEfficiency > 0 ? KernelTime(c, flops / 2, bytes, c.AttentionEfficiency / vector) : KernelTime(c, flops, bytes, c.GemmEfficiency / vector);
        return new WorkCost(flops, bytes, 1, time);
    }

    /// <summary>How many times its matrix units' time a fused attention with heads <paramref name="headDim"/> wide takes on a card whose
    /// vector units run apart (Ascend): max(1, softmax·128/d + update), the vector units' share growing as the heads narrow; 1
    /// elsewhere. Backward is taken at forward's ratio.</summary>
    public static double VectorBound(CardSpec c, double headDim) =>
        c.AttentionVectorSoftmax <= 0 ? 1 : Math.Max(1, c.AttentionVectorSoftmax * 128 / headDim + c.AttentionVectorUpdate);

    /// <summary>Sizes of one layer on one tp rank, in doubles (head width d, attention width A = a·d: h unless the head width is set).</summary>
    /// <remarks><paramref name="Fp8"/>: the four linear layers' GEMMs run in FP8 (training.precision = fp8).</remarks>
    private readonly record struct LayerShape(ModelSpec Model, int Tp, double Tokens, bool SequenceParallel, bool Fp8 = false)
    {
        public double H => Model.Hidden;
        public double S => Model.SeqLen;
        public double F => Model.FfnHidden;
        public double D => Model.HeadDim;
        public double A => Model.AttentionWidth;
        /// <summary>Key (or value) width the tp ranks hold together: ModelSpec.KvWidthAcross.</summary>
        public double KvWidth => Model.KvWidthAcross(Tp);
        public double QkvWidth => A + 2 * KvWidth;
        public double Fc1Width => Model.GatedMlp ? 2 * F : F;
        /// <summary>Independent s×s attention problems on this rank: b·a/tp.</summary>
        public double HeadBatch => Tokens / S * Model.Heads / Tp;
        /// <summary>Attention scores on this rank: b·(a/tp)·s².</summary>
        public double Scores => HeadBatch * S * S;
        /// <summary>Tokens a layernorm or dropout kernel touches: all of them, or 1/tp with sequence parallelism.</summary>
        public double ReplicatedTokens => SequenceParallel ? Tokens / Tp : Tokens;
    }
}
