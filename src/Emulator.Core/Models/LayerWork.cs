namespace Emulator.Core.Models;

/// <summary>One transformer layer's work split at the two tensor-parallel collectives: attention block, then MLP block.</summary>
/// <param name="Attention">Layernorm, QKV, attention core, output projection, dropout/residual.</param>
/// <param name="Mlp">Layernorm, fc1, activation, fc2, dropout/residual.</param>
public readonly record struct LayerWork(WorkCost Attention, WorkCost Mlp)
{
    /// <summary>No work in either block.</summary>
    public static readonly LayerWork Zero = new(WorkCost.Zero, WorkCost.Zero);

    /// <summary>Work added to a layer block by block (extra passes on its attention and its MLP).</summary>
    public static LayerWork operator +(LayerWork a, LayerWork b) => new(a.Attention + b.Attention, a.Mlp + b.Mlp);

    /// <summary>Both blocks together.</summary>
    public WorkCost Total => Attention + Mlp;
}
