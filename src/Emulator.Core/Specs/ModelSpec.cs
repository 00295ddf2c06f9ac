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
    /// <summary>Width of one attention head.</summary>
    public int HeadDim => Hidden / Heads;
}
