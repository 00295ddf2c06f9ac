using Emulator.Core.Specs;

namespace Emulator.Core.Models;

/// <summary>Whether the unfused attention's softmax runs Megatron-LM's fused scale-mask-softmax kernel or its fp32 fallback.</summary>
public static class SoftmaxKernel
{
    /// <summary>True when the fused kernel runs for microbatches of <paramref name="microBatch"/> sequences of <paramref name="seqLen"/>
    /// tokens with <paramref name="headsPerRank"/> heads on a tensor-parallel rank. Under <see cref="SoftmaxRule.BigScience2022"/>
    /// it runs as BigScience's Megatron-DeepSpeed of February 2022 decided (megatron/model/fused_softmax.py at 51ac6022): 16 &lt; s ≤ 2048,
    /// s and b·np multiples of 4, and b·np a multiple of the block the CUDA helper sizes, which that code, passing get_batch_per_block's
    /// arguments out of order, sized from np instead of the key length (fixed in March 2022, its PR #260).</summary>
    public static bool Fused(SoftmaxRule rule, int microBatch, int headsPerRank, int seqLen) => rule switch
    {
        SoftmaxRule.Fused => true,
        SoftmaxRule.Fp32Fallback => false,
        SoftmaxRule.BigScience2022 => seqLen is > 16 and <= 2048 && seqLen % 4 == 0 && microBatch * headsPerRank % 4 == 0
            && microBatch * headsPerRank % BatchesPerBlock(headsPerRank) == 0,
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "unknown softmax rule"),
    };

    /// <summary>Rows of a 128-thread block of Megatron-LM's scaled_masked_softmax kernel for a key length k (scaled_masked_softmax.h,
    /// get_batch_per_block): a warp of min(k rounded up to a power of two, 32) threads a row, two rows a warp up to 128.</summary>
    public static int BatchesPerBlock(int keyLength)
    {
        if (keyLength < 1) throw new ArgumentOutOfRangeException(nameof(keyLength), keyLength, "key length must be at least 1");
        var pow2 = 1;
        while (pow2 < keyLength) pow2 *= 2;
        return 128 / Math.Min(pow2, 32) * (pow2 <= 128 ? 2 : 1);
    }
}
