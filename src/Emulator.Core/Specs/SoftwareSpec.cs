namespace Emulator.Core.Specs;

/// <summary>What the training software adds to the hardware: its name and how close its kernels come to the card's microbenchmarks.</summary>
/// <param name="Stack">Software stack label (the `stack` column of published runs), e.g. megatron-lm-2021.</param>
/// <param name="GemmScale">Fraction of the card's GEMM efficiency this stack's matrix kernels reach in training, in (0, 1]; calibrated per stack (docs/validation.md).</param>
public sealed record SoftwareSpec(string Stack, double GemmScale)
{
    /// <summary>Device memory the runtime holds on each card outside the framework's tensors (CUDA context, loaded kernel images):
    /// counted in the peak as nvidia-smi counts it, and against capacity.</summary>
    public long RuntimeMemoryBytes { get; init; }

    /// <summary>A stack that reaches the card's microbenchmark efficiencies.</summary>
    public static readonly SoftwareSpec Generic = new("generic", 1.0);

    /// <summary>The card as this stack drives it: GEMM efficiency scaled by <see cref="GemmScale"/>, in FP8 as in BF16 (both are the
    /// stack's matrix kernels on the card).</summary>
    public CardSpec Apply(CardSpec card) => GemmScale == 1.0 ? card
        : card with { GemmEfficiency = card.GemmEfficiency * GemmScale, Fp8GemmEfficiency = card.Fp8GemmEfficiency * GemmScale };
}
