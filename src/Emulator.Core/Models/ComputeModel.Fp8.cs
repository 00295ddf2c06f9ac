using Emulator.Core.Specs;

namespace Emulator.Core.Models;

/// <summary>Transformer Engine's casts around a layer's FP8 linear GEMMs (training.precision = fp8; docs/cost-models.md §3).</summary>
/// <remarks>
/// Hopper's FP8 GEMMs take both operands K-major, so each FP8 operand is made twice, as a copy and as its transpose (1 B an element
/// each). A cast-transpose reads the 2-byte tensor and writes both (4 B an element); where TE fuses the cast into the kernel that
/// makes the tensor (the layernorm before QKV and fc1, fc2's activation), that kernel writes its FP8 copy in place of the 2-byte one
/// (taken as the same bytes: an upper bound by 1 B an element) and the transpose is its own kernel when backward needs it (1 + 1 B).
/// Forward, TE's Linear (the output projection) casts and transposes its input. Backward, the layernorm outputs and fc2's input are
/// transposed for the weight gradients, and the output gradients of QKV, the projection, fc2 and fc1 are cast and transposed (the
/// bias gradient fused in): fc1's comes out of the activation's backward in 2-byte precision (TE 1.x's LayerNormMLP fuses dGeLU, the
/// cast and the transpose into one kernel for GeLU alone; the activation is not a model key, so GeLU MLPs pay it too, an upper
/// bound). Attention's core, the output layer and every element-wise kernel stay in 2-byte precision; the amax reductions (one small
/// all-reduce a pass) are not charged. On a card whose FP8 GEMMs take either layout (<see cref="CardSpec.Fp8Transposes"/> false:
/// Blackwell; TE 2.x's non_tn_fp8_gemm_supported) one FP8 copy serves both: a cast moves 3 B an element and the separate
/// transposes are not run.
/// </remarks>
public static partial class ComputeModel
{
    /// <summary>Forward: the output projection's input (b·s × A/tp) cast, and transposed where the GEMMs need it: 4 B an element (3
    /// without the transpose), one kernel.</summary>
    public static LayerWork Fp8CastsForward(CardSpec c, ModelSpec m, int tp, int microBatch, bool sequenceParallel, int cp = 1)
    {
        var g = new LayerShape(m, Tp(tp), Tokens(m, microBatch, cp), sequenceParallel, Fp8: true);
        return new LayerWork(Elementwise(c, Fp8CastBytes(c) * g.Tokens * g.A / g.Tp), WorkCost.Zero);
    }

    /// <summary>Bytes an element a cast to FP8 moves: the 2-byte read, the FP8 copy and, where the GEMMs need it, its transpose.</summary>
    private static double Fp8CastBytes(CardSpec c) => c.Fp8Transposes ? 4 : 3;

    /// <summary>A transpose of <paramref name="elements"/> FP8 elements for a weight gradient (1 B read and 1 written an element), a
    /// kernel of its own; nothing where the GEMMs take the copy as it is.</summary>
    private static WorkCost Fp8Transpose(CardSpec c, double elements) => c.Fp8Transposes ? Elementwise(c, 2 * elements) : WorkCost.Zero;

    /// <summary>Backward: attention block, the layernorm output transposed (2 B a token·h) and QKV's and the projection's output
    /// gradients cast and transposed (4 B a token per QKV column on this rank, 4 B a token·h); MLP block, the layernorm output and
    /// fc2's input transposed (2 B a token·h, 2 B a token per f/tp) and fc2's and fc1's output gradients cast and transposed (4 B a
    /// token·h, 4 B a token per fc1 column on this rank, 2f/tp gated). Tokens are the whole microbatch's: with sequence parallelism
    /// these tensors are the gathered ones. Without transposes (<see cref="CardSpec.Fp8Transposes"/> false) the casts move 3 B and
    /// the three transposes are not run.</summary>
    public static LayerWork Fp8CastsBackward(CardSpec c, ModelSpec m, int tp, int microBatch, bool sequenceParallel, int cp = 1)
    {
        var g = new LayerShape(m, Tp(tp), Tokens(m, microBatch, cp), sequenceParallel, Fp8: true);
        var cast = Fp8CastBytes(c);
        var attention = Fp8Transpose(c, g.Tokens * g.H) + Elementwise(c, cast * g.Tokens * g.QkvWidth / g.Tp) + Elementwise(c, cast * g.Tokens * g.H);
        var mlp = Fp8Transpose(c, g.Tokens * g.H) + Fp8Transpose(c, g.Tokens * g.F / g.Tp) + Elementwise(c, cast * g.Tokens * g.H)
            + Elementwise(c, cast * g.Tokens * g.Fc1Width / g.Tp);
        return new LayerWork(attention, mlp);
    }

    /// <summary>The weights of <paramref name="layers"/> layers cast (and transposed where the GEMMs need it) to FP8 once a step (TE caches
    /// them from the step's first microbatch on): 4 B (3) a linear-layer weight element on this rank (<see cref="TransformerMath.LinearWeights"/>),
    /// a kernel a matrix.</summary>
    public static WorkCost Fp8WeightCasts(CardSpec c, ModelSpec m, int tp, int layers)
    {
        if (layers <= 0) return WorkCost.Zero;
        // Four matrices a layer: the bytes are one kernel's, each further matrix adds a launch.
        return (Elementwise(c, Fp8CastBytes(c) * TransformerMath.LinearWeights(m, Tp(tp))) + Launches(c, 3)) * layers;
    }
}
