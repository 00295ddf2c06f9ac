using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Kernel;
using static Emulator.Core.Tests.Models.ModelFixtures;

namespace Emulator.Core.Tests.Models;

/// <summary>Ring attention's steps beyond the one fused kernel: Transformer Engine's and MindSpeed's output merges, backward's gradient adds.</summary>
public class RingAttentionTests
{
    // Tiny with one key/value head: h 128, a 2 (d 64), s 64. At cp 2, tp 1, b 1 a rank holds T = 32 tokens: n = 2 query heads,
    // E = 32·128 = 4,096 output elements, K = 32·64 = 2,048 key elements. The card moves a byte in 20 ps, a launch is 1 µs.
    private static readonly ModelSpec Gqa = Tiny with { KvHeads = 1 };

    [Fact]
    public void Fused_ChargesTransformerEnginesCorrections()
    {
        var (forward, _) = ComputeModel.RingAttentionPasses(Card, Gqa, tp: 1, microBatch: 1, cp: 2, CpMerge.Fused);
        // The second step's launch; K and V concatenated (8K); the first output correction (4E) and the lse clone (8·n·T);
        // one more output correction (6E) and lse correction (12·n·T).
        const long bytes = 8 * 2048 + 4 * 4096 + 8 * 2 * 32 + 6 * 4096 + 12 * 2 * 32;
        Assert.Equal(58_624, bytes);
        Assert.Equal(new WorkCost(0, bytes, 6, SimTime.FromUs(6) + new SimTime(20 * bytes)), forward);
    }

    [Fact]
    public void Eager_ChargesMindSpeedsForwardUpdateOnce_ForEachStepAfterTheFirst()
    {
        var (forward, _) = ComputeModel.RingAttentionPasses(Card, Gqa, tp: 1, microBatch: 1, cp: 2, CpMerge.Eager);
        // One update: 28X over the fp32 statistics (X = 32·n·T = 2,048 B) in ten kernels, 2X + 62E over the outputs in eight;
        // with the launch and the K,V concatenation.
        const long update = 28 * 2048 + 2 * 2048 + 62 * 4096;
        const long bytes = update + 8 * 2048;
        Assert.Equal(331_776, bytes);
        Assert.Equal(new WorkCost(0, bytes, 20, SimTime.FromUs(20) + new SimTime(20 * bytes)), forward);
        // cp 4: three updates and three more launches on a quarter of the tokens each.
        var (four, _) = ComputeModel.RingAttentionPasses(Card, Gqa, tp: 1, microBatch: 1, cp: 4, CpMerge.Eager);
        Assert.Equal(3 + 1 + 3 * 18, four.Kernels);
        Assert.Equal(3 * update / 2 + 8 * 1024, four.HbmBytes);
    }

    [Fact]
    public void Backward_AddsEachStepsGradients_AlikeForBothMerges()
    {
        var (_, fused) = ComputeModel.RingAttentionPasses(Card, Gqa, tp: 1, microBatch: 1, cp: 2, CpMerge.Fused);
        var (_, eager) = ComputeModel.RingAttentionPasses(Card, Gqa, tp: 1, microBatch: 1, cp: 2, CpMerge.Eager);
        // A launch; dQ added twice (6E each); dK and dV on the diagonal (6K each) and on the one half block (3K each).
        const long bytes = 2 * 6 * 4096 + 2 * 6 * 2048 + 2 * 3 * 2048;
        Assert.Equal(new WorkCost(0, bytes, 7, SimTime.FromUs(7) + new SimTime(20 * bytes)), fused);
        Assert.Equal(fused, eager);
    }

    [Fact]
    public void WithoutContextParallelism_NothingIsAdded()
    {
        var (forward, backward) = ComputeModel.RingAttentionPasses(Card, Gqa, tp: 1, microBatch: 1, cp: 1, CpMerge.Eager);
        Assert.Equal(WorkCost.Zero, forward);
        Assert.Equal(WorkCost.Zero, backward);
    }

    [Fact]
    public void AttentionCoreWork_IsWhatTheLayerChargesForTheCore()
    {
        // The layer's attention block less its layernorm, QKV, projection and residual is the core, fused or not, either way.
        foreach (var flash in new[] { false, true })
        {
            var (coreF, coreB) = ComputeModel.AttentionCoreWork(Card, Tiny, 1, 1, false, flash, cp: 2);
            var withCore = ComputeModel.LayerForward(Card, Tiny, 1, 1, false, flash, cp: 2).Attention;
            var (qkv, proj, _, _) = ComputeModel.ForwardTpGemms(Card, Tiny, 1, 1, false, cp: 2);
            // Layernorm (2 + 2 B) and residual add (3 × 2 B) over 32 tokens × 128.
            var rest = withCore - coreF - qkv - proj;
            Assert.Equal(2, rest.Kernels);
            Assert.Equal(2 * 32 * 128 * (2 + 3), rest.HbmBytes);
            // Backward: the same with each GEMM's two (dgrad and wgrad) and the layernorm's (2 + 2 + 2 B) and residual's (2 + 2 B) backward.
            var withCoreB = ComputeModel.LayerBackward(Card, Tiny, 1, 1, false, flash, cp: 2).Attention;
            var restB = withCoreB - coreB - qkv - qkv - proj - proj;
            Assert.Equal(2, restB.Kernels);
            Assert.Equal(2 * 32 * 128 * (3 + 2), restB.HbmBytes);
            Assert.Equal(0, restB.Flops);
        }
    }
}
