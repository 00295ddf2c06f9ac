namespace Emulator.Core.Specs;

/// <summary>A decoder-only transformer.</summary>
/// <param name="Name">Label for reports.</param>
/// <param name="Layers">Transformer layers.</param>
/// <param name="Hidden">Model width h.</param>
/// <param name="Heads">Attention (query) heads a.</param>
/// <param name="KvHeads">Key/value heads (= Heads for multi-head, fewer for grouped-query, 1 for multi-query).</param>
/// <param name="FfnHidden">MLP inner width.</param>
/// <param name="GatedMlp">SwiGLU-style MLP with three weight matrices instead of two.</param>
/// <param name="Vocab">Vocabulary size V.</param>
/// <param name="SeqLen">Sequence length s in tokens.</param>
public sealed record ModelSpec(
    string Name,
    int Layers,
    int Hidden,
    int Heads,
    int KvHeads,
    int FfnHidden,
    bool GatedMlp,
    int Vocab,
    int SeqLen)
{
    private readonly int? _headDim;

    /// <summary>Width of one attention head: hidden / heads unless set (MaxText and Gemma configs fix it at 128 or 256 whatever the width).</summary>
    public int HeadDim { get => _headDim ?? Hidden / Heads; init => _headDim = value; }

    /// <summary>Whether the head width was set rather than derived from hidden / heads.</summary>
    public bool HeadDimSet => _headDim is not null;

    /// <summary>Width of the attention, heads · head width: the queries' and the attention output's (= hidden unless the head width is set).</summary>
    public int AttentionWidth => Heads * HeadDim;

    /// <summary>Attention and MLP side by side from one layernorm, y = x + Attn(LN(x)) + MLP(LN(x)) (GPT-J, PaLM §2): one
    /// layernorm, one residual add, and one tensor-parallel reduction a pass instead of two.</summary>
    public bool ParallelLayers { get; init; }

    /// <summary>ALiBi's linear biases added to the attention scores (BLOOM): with unfused attention the QKᵀ GEMM accumulates onto
    /// the bias, torch.baddbmm with beta = 1 as BigScience's Megatron-DeepSpeed calls it, so the bias is first copied out to the
    /// scores' size and the GEMM reads it back; a fused attention kernel adds it on chip.</summary>
    public bool Alibi { get; init; }

    /// <summary>The output layer is the word embedding's matrix (GPT, BLOOM, MPT, PaLM, Gemma); false for an output layer of its own
    /// (Llama and most later models), which a single pipeline stage then holds beside the embedding.</summary>
    public bool TiedEmbeddings { get; init; } = true;

    /// <summary>Every linear layer of a block has a bias (GPT, BLOOM, MPT's 2023 configs): backward sums each one's output gradient
    /// over the tokens for the bias's gradient, a reduction kernel each; the forward adds ride in the GEMM's or a fused kernel's.</summary>
    public bool LinearBiases { get; init; }

    /// <summary>The QKV projection alone has a bias (Qwen, ChatGLM3, GLM-4: Megatron's --add-qkv-bias): backward sums its output gradient
    /// over the tokens, a reduction kernel; forward adds it in a kernel of its own unless the GEMM takes it (ComputeModel.QkvBiasAdd).</summary>
    public bool QkvBias { get; init; }

    /// <summary>Width of the keys, and of the values: kv heads · head width.</summary>
    public int KvWidth => KvHeads * HeadDim;

    /// <summary>The key/value width <paramref name="tp"/> tensor-parallel ranks hold together: each rank holds at least one whole head,
    /// so with fewer key/value heads than ranks the heads are replicated (multi-query attention under model parallelism, as PaLM ran it).</summary>
    public long KvWidthAcross(int tp) => Math.Max(KvWidth, (long)HeadDim * tp);
}
