using Emulator.Core.Models;
using Emulator.Core.Specs;

namespace Emulator.Core.Tests.Models;

public class SoftmaxKernelTests
{
    [Theory]
    [InlineData(8, 32)]      // with the heads per rank as the key length: warps of 8 threads, two rows each, 16 warps
    [InlineData(14, 16)]
    [InlineData(16, 16)]
    [InlineData(26, 8)]
    [InlineData(28, 8)]
    [InlineData(2048, 4)]    // the key length it was written for: warps of 32, one row each
    public void BatchesPerBlock_IsMegatronsGetBatchPerBlock(int keyLength, int rows) =>
        Assert.Equal(rows, SoftmaxKernel.BatchesPerBlock(keyLength));

    [Theory]
    [InlineData(2, 26, 2048, false)] // 104 heads at tp 4: b·np = 52, blocks of 8: the fp32 fallback
    [InlineData(2, 8, 2048, false)]  // 64 heads at tp 8: 16, blocks of 32
    [InlineData(4, 8, 2048, true)]   // 32, blocks of 32
    [InlineData(2, 16, 2048, true)]  // 64 heads at tp 4: 32, blocks of 16
    [InlineData(2, 28, 2048, true)]  // BLOOM's final 112 heads at tp 4: 56, blocks of 8
    [InlineData(4, 8, 4096, false)]  // that code's kernel took keys up to 2048
    public void BigScience2022_FallsBackWhereItsCodeDid(int microBatch, int headsPerRank, int seqLen, bool fused) =>
        Assert.Equal(fused, SoftmaxKernel.Fused(SoftmaxRule.BigScience2022, microBatch, headsPerRank, seqLen));

    [Fact]
    public void Fused_and_fallback_ignore_the_shape()
    {
        Assert.True(SoftmaxKernel.Fused(SoftmaxRule.Fused, 2, 26, 2048));
        Assert.False(SoftmaxKernel.Fused(SoftmaxRule.Fp32Fallback, 4, 8, 2048));
    }
}
