using Emulator.Core.Specs;

namespace Emulator.Core.Models;

/// <summary>Parameter and FLOP counts of a decoder-only transformer (pure arithmetic, no hardware).</summary>
/// <remarks>
/// Notation: h hidden, a heads, k kv heads, d head width (h/a unless set), A = a·d attention width, f ffn width, V vocab,
/// s sequence, l layers.
/// Every linear layer carries a bias and every layernorm a scale and a shift (GPT-style). Llama-style models
/// have neither biases nor layernorm shifts; for them this over-counts by 5h + 2kd + 2f per layer (1.2e-4 of Llama-2-70B).
/// </remarks>
public static class TransformerMath
{
    /// <summary>
    /// Parameters of one layer: QKV h·A + 2·h·k·d (+ A + 2·k·d bias), output projection A·h (+ h),
    /// MLP fc1 h·f (2·h·f gated) (+ f, 2f gated), fc2 f·h (+ h), two layernorms 2·2h (one, 2h, with parallel layers). Standard GPT
    /// (k = a, A = h, f = 4h): 12h² + 13h.
    /// </summary>
    public static double LayerParams(ModelSpec m) => LayerParams(m, 1);

    /// <summary>The parameters <paramref name="tp"/> tensor-parallel ranks hold together of one layer: <see cref="LayerParams(ModelSpec)"/>
    /// with the key/value heads replicated where there are fewer than ranks (ModelSpec.KvWidthAcross).</summary>
    public static double LayerParams(ModelSpec m, int tp)
    {
        double h = m.Hidden, a = m.AttentionWidth, kvWidth = m.KvWidthAcross(tp), f = m.FfnHidden;
        var fc1Width = m.GatedMlp ? 2 * f : f;
        // The four weight matrices, then their biases (QKV, projection, fc1, fc2) and the layernorms' scales and shifts.
        var biases = a + 2 * kvWidth + h + fc1Width + h;
        var layerNorms = (m.ParallelLayers ? 1 : 2) * 2 * h;
        return LinearWeights(m, tp) * tp + biases + layerNorms;
    }

    /// <summary>Elements of one layer's four linear weight matrices on one of <paramref name="tp"/> ranks: QKV h·(A + 2·k·d)/tp, the
    /// projection A·h/tp, fc1 h·f/tp (2f gated) and fc2 f·h/tp, the matrices FP8 training casts (biases and layernorms not).</summary>
    public static double LinearWeights(ModelSpec m, int tp)
    {
        double h = m.Hidden, a = m.AttentionWidth, f = m.FfnHidden;
        return h * (a + 2 * m.KvWidthAcross(tp)) / tp + a * h / tp + h * (m.GatedMlp ? 2 * f : f) / tp + f * h / tp;
    }

    /// <summary>Parameter tensors of one layer as <see cref="LayerParams(ModelSpec, int)"/> counts them: the four linear layers' weights and
    /// biases, and each layernorm's weight and bias (one layernorm with parallel layers): 12, or 10.</summary>
    public static int LayerTensors(ModelSpec m) => 8 + (m.ParallelLayers ? 1 : 2) * 2;

    /// <summary>Elements of a layer's largest weight matrix: the fused QKV h·(A + 2·k·d), fc1 h·f (h·2f gated) or fc2 f·h.</summary>
    public static double LargestLayerTensor(ModelSpec m) => LargestLayerTensor(m, 1);

    /// <summary><see cref="LargestLayerTensor(ModelSpec)"/> as <paramref name="tp"/> ranks hold it together (each rank holds 1/tp): with fewer
    /// key/value heads than ranks each rank holds a whole one (ModelSpec.KvWidthAcross), so the QKV is h·(A + 2·d·tp).</summary>
    public static double LargestLayerTensor(ModelSpec m, int tp)
    {
        double h = m.Hidden, kvWidth = m.KvWidthAcross(tp), f = m.FfnHidden;
        return Math.Max(h * (m.AttentionWidth + 2 * kvWidth), Math.Max(h * (m.GatedMlp ? 2 * f : f), f * h));
    }

    /// <summary>Embedding parameters (V + s)·h: word embeddings plus learned positions, as Narayanan et al. (SC'21) eq. 2 counts them (RoPE models have no position table; s·h is negligible).</summary>
    public static double EmbeddingParams(ModelSpec m) => ((double)m.Vocab + m.SeqLen) * m.Hidden;

    /// <summary>l·LayerParams + EmbeddingParams: output layer tied to the word embedding, final layernorm not counted, so a standard GPT gives exactly Narayanan eq. 2, 12lh²(1 + 13/12h + (V+s)/12lh).</summary>
    public static double TotalParams(ModelSpec m) => m.Layers * LayerParams(m) + EmbeddingParams(m);

    /// <summary>
    /// Parameters held by one card of a stage: its layers, the embedding (V+s)·h on the first stage and the untied output copy V·h on the last,
    /// all divided by tp (layernorm and some bias parameters are really replicated over tp; they are under 1e-3 of a layer and divided too),
    /// key/value heads replicated where there are fewer than tp.
    /// With a single stage a tied embedding is held once and serves as the output layer; an untied output layer is held beside it.
    /// </summary>
    public static double StageParams(ModelSpec m, int stageLayers, bool firstStage, bool lastStage, int tp)
    {
        if (tp < 1) throw new ArgumentOutOfRangeException(nameof(tp), tp, "tp must be at least 1");
        var total = stageLayers * LayerParams(m, tp);
        if (firstStage) total += EmbeddingParams(m);
        if (lastStage && (!firstStage || !m.TiedEmbeddings)) total += (double)m.Vocab * m.Hidden;
        return total / tp;
    }

    /// <summary>Model FLOPs of a step of <paramref name="sequences"/> sequences, README MFU convention: per token 6·N (N = TotalParams) plus 12·l·A·s attention (PaLM's 12·L·H·Q·T; A = h unless the head width is set), no recomputation.</summary>
    public static double ModelFlopsPerStep(ModelSpec m, long sequences)
    {
        var tokens = (double)sequences * m.SeqLen;
        return tokens * (6 * TotalParams(m) + 12.0 * m.Layers * m.AttentionWidth * m.SeqLen);
    }

    /// <summary>Narayanan et al. (SC'21) FLOPs per iteration counting full recomputation: 96·B·s·l·h²·(1 + s/6h + V/16lh), B = sequences.</summary>
    public static double Megatron2021FlopsPerStep(ModelSpec m, long sequences)
    {
        double b = sequences, s = m.SeqLen, l = m.Layers, h = m.Hidden, v = m.Vocab;
        return 96 * b * s * l * h * h * (1 + s / (6 * h) + v / (16 * l * h));
    }
}
