using Emulator.Core.Specs;

namespace Emulator.Core.Models;

/// <summary>What a Llama block written in eager PyTorch runs beyond the fused kernels LayerForward and LayerBackward charge
/// (training.eager-llama-ops): torchtitan's 2024 model without torch.compile, read from its code.</summary>
/// <remarks>
/// RMSNorm: `(x.float() * rsqrt(x.float().pow(2).mean(-1) + eps)).type_as(x) * weight`, one kernel an op. Forward beyond the
/// charged kernel (read and write 2 B, standing for the product with the weight): the cast (2 + 4 B an element), the square (4 + 4),
/// the mean (4), the product with rsqrt (4 + 4) and the cast back (4 + 2), and two kernels on one value a token (add eps, rsqrt).
/// Backward beyond the charged kernel (6 B, standing for the product with the weight): the cast back's (2 + 4), the product's two
/// gradients (4 + 4, and 4 + 4 + 4 then a row sum of 4), the mean's expansion (4), the square's (pow_backward's
/// `grad * (2 * x.pow(1))`: x.pow(1) is a copy, 4 + 4, then 2·that, 4 + 4, then the product with the gradient, 4 + 4 + 4), the two
/// fp32 gradients' sum (4 + 4 + 4) and the cast's (4 + 2), and rsqrt's backward on one value a token (`-0.5 * grad * result.pow(3)`,
/// three kernels); the weight's gradient is eager-backward-passes'.
/// Rotary embedding of q and k as fp32 complex products: cast (2 + 4), product (4 + 4), cast back (4 + 2), each way.
/// repeat_kv with fewer key/value heads than query heads: keys and values copied to the query width (read k, write q, 2 B each),
/// and in backward summed back.
/// SwiGLU as `silu(w1 x) * w3 x`: forward silu (2 + 2 B of f) and product (2 + 2 + 2), where one fused kernel reading 2f and writing f
/// is charged; backward the product's two gradients and silu's (each reads two and writes one, 6 B of f) where one kernel of 10 B
/// is charged.
/// </remarks>
public static partial class ComputeModel
{
    /// <summary>The eager block's forward passes beyond LayerForward's kernels, on one tp rank (also rerun by full recomputation).</summary>
    public static LayerWork EagerLlamaForward(CardSpec c, ModelSpec m, int tp, int microBatch, bool sequenceParallel, int cp = 1)
    {
        var g = new LayerShape(m, Tp(tp), Tokens(m, microBatch, cp), sequenceParallel);
        var norm = NormPasses(c, g, [2 + 4, 4 + 4, 4, 4 + 4, 4 + 2]);
        var attention = norm + RotaryPasses(c, g) + RepeatKvPasses(c, g);
        // silu (2 + 2 B of f) and the product (2 + 2 + 2) where one kernel of 6 B is charged: one kernel of 4 B more.
        var swiGlu = m.GatedMlp ? Passes(c, g.Tokens * g.F / g.Tp, [4]) : WorkCost.Zero;
        return new LayerWork(attention, (m.ParallelLayers ? WorkCost.Zero : norm) + swiGlu);
    }

    /// <summary>The eager block's backward passes beyond LayerBackward's (and eager-backward-passes') kernels, on one tp rank.</summary>
    public static LayerWork EagerLlamaBackward(CardSpec c, ModelSpec m, int tp, int microBatch, bool sequenceParallel, int cp = 1)
    {
        var g = new LayerShape(m, Tp(tp), Tokens(m, microBatch, cp), sequenceParallel);
        var norm = NormPasses(c, g, [2 + 4, 4 + 4, 4 + 4 + 4, 4, 4, 4 + 4, 4 + 4, 4 + 4 + 4, 4 + 4 + 4, 4 + 2])
            + Passes(c, g.ReplicatedTokens, [4 + 4]);
        var attention = norm + RotaryPasses(c, g) + RepeatKvPasses(c, g);
        // Three kernels of 6 B of f where one of 10 B is charged: two kernels and 8 B more.
        var swiGlu = m.GatedMlp ? Passes(c, g.Tokens * g.F / g.Tp, [4, 4]) : WorkCost.Zero;
        return new LayerWork(attention, (m.ParallelLayers ? WorkCost.Zero : norm) + swiGlu);
    }

    /// <summary>One RMSNorm's passes of <paramref name="bytesPerElement"/> over its tokens·h, and two kernels on one fp32 value a token
    /// (forward: add eps, rsqrt; backward adds a third, rsqrt's backward being three).</summary>
    private static WorkCost NormPasses(CardSpec c, LayerShape g, double[] bytesPerElement) =>
        Passes(c, g.ReplicatedTokens * g.H, bytesPerElement) + Passes(c, g.ReplicatedTokens, [4 + 4, 4 + 4]);

    /// <summary>The rotary embedding's cast, complex product and cast back on this rank's q and k columns.</summary>
    private static WorkCost RotaryPasses(CardSpec c, LayerShape g) =>
        Passes(c, g.Tokens * g.A / g.Tp, [2 + 4, 4 + 4, 4 + 2]) + Passes(c, g.Tokens * g.KvWidth / g.Tp, [2 + 4, 4 + 4, 4 + 2]);

    /// <summary>repeat_kv's copies of keys and values to the query width (or their sums back), none when every query head has its own.</summary>
    private static WorkCost RepeatKvPasses(CardSpec c, LayerShape g) => g.KvWidth < g.A
        ? Passes(c, g.Tokens / g.Tp, [2 * g.KvWidth + 2 * g.A, 2 * g.KvWidth + 2 * g.A])
        : WorkCost.Zero;
}
