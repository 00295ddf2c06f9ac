using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Core.Units;
using Emulator.Kernel;

namespace Emulator.Core.Tests.Models;

public class FlashAttentionTests
{
    private static readonly CardSpec Card = new("c", 100e12, 2, 8L << 30, Bandwidth.FromGBps(1000), 300, 0.8, 128, 0.9, SimTime.FromNs(1000));
    private static readonly ModelSpec Gpt = new("gpt", 24, 2048, 16, 16, 8192, false, 51200, 2048);

    [Fact]
    public void AttentionEfficiency_ChargesTheCausalHalfAtIt_AndKeepsTheSquaresFlops()
    {
        // Gpt at tp 2, b 1: 8 heads of 128 on this rank, s 2048. The fused forward's square is F = 4·8·2048²·128 FLOPs; set, the
        // kernel computes F/2 at 25% of the 100 TFLOP/s peak, where by default it computes F at the 0.8 GEMM efficiency.
        var square = 4.0 * 8 * 2048 * 2048 * 128;
        var byDefault = ComputeModel.LayerForward(Card, Gpt, 2, 1, false, flashAttention: true).Attention;
        var causal = ComputeModel.LayerForward(Card with { AttentionEfficiency = 0.25 }, Gpt, 2, 1, false, flashAttention: true).Attention;
        Assert.Equal(byDefault.Flops, causal.Flops);
        var expected = square / 2 / (100e12 * 0.25) - square / (100e12 * 0.8);
        Assert.Equal(expected, (causal.Duration - byDefault.Duration).Seconds, 9);
        // Half the GEMM efficiency on the half is the default's time (to the picosecond's rounding).
        var half = ComputeModel.LayerForward(Card with { AttentionEfficiency = 0.4 }, Gpt, 2, 1, false, flashAttention: true).Attention;
        Assert.InRange(Math.Abs((half.Duration - byDefault.Duration).Ps), 0, 1);
    }

    [Fact]
    public void Forward_Flash_SameFlopsLessTrafficFewerKernels()
    {
        var plain = ComputeModel.LayerForward(Card, Gpt, 2, 1, true);
        var flash = ComputeModel.LayerForward(Card, Gpt, 2, 1, true, flashAttention: true);
        Assert.Equal(plain.Attention.Flops, flash.Attention.Flops, 6);
        // QKᵀ, softmax and AV (3 kernels) become one; the b·(a/t)·s² scores no longer go through HBM.
        Assert.Equal(plain.Attention.Kernels - 2, flash.Attention.Kernels);
        var scores = 1.0 * 16 / 2 * 2048 * 2048;
        Assert.True(plain.Attention.HbmBytes - flash.Attention.HbmBytes > 2 * 2 * scores);
        Assert.Equal(plain.Mlp, flash.Mlp);
    }

    [Fact]
    public void Backward_Flash_CoreIsTwoAndAHalfForwards()
    {
        var plainF = ComputeModel.LayerForward(Card, Gpt, 1, 1, false);
        var plainB = ComputeModel.LayerBackward(Card, Gpt, 1, 1, false);
        var flashB = ComputeModel.LayerBackward(Card, Gpt, 1, 1, false, flashAttention: true);
        // Core forward FLOPs: QKᵀ and AV, 2·2·b·s²·h = 4·2048²·2048; unfused backward doubles them, FlashAttention-2 does 2.5x.
        var core = 4.0 * 2048 * 2048 * 2048;
        Assert.Equal(plainB.Attention.Flops - 2 * core + 2.5 * core, flashB.Attention.Flops, 3);
        Assert.True(plainF.Attention.Flops > core);
    }

    [Fact]
    public void DotsAndMinimal_RerunTheFusedForward_DotsTheFirstMlpGemmToo()
    {
        var minimal = ComputeModel.LayerRecompute(Card, Gpt, 1, 1, false, Recompute.Minimal, flashAttention: true);
        var dots = ComputeModel.LayerRecompute(Card, Gpt, 1, 1, false, Recompute.Dots, flashAttention: true);
        // Both redo the fused attention (4·16·2048²·128 FLOPs) beside the layernorm; dots also the MLP's first GEMM, 2·s·h·f.
        Assert.Equal(4.0 * 16 * 2048 * 2048 * 128, minimal.Attention.Flops, 3);
        Assert.Equal(minimal.Attention, dots.Attention);
        Assert.Equal(2.0 * 2048 * 2048 * 8192, dots.Mlp.Flops - minimal.Mlp.Flops, 3);
    }

    [Fact]
    public void DotsAndMinimal_RebuildTheMlpNormInputOfSerialLayers_ParallelLayersNormOnce()
    {
        // Gpt at tp 1, b 1: s·h = 2048·2048 and s·f = 2048·8192 elements of 2 bytes. A serial layer's MLP side under minimal redoes the
        // residual add (reads two, writes one), the layernorm (reads one, writes one) and the activation (reads f, writes f).
        const double sh = 2048.0 * 2048, sf = 2048.0 * 8192;
        var serial = ComputeModel.LayerRecompute(Card, Gpt, 1, 1, false, Recompute.Minimal, flashAttention: true);
        Assert.Equal(2 * (3 * sh + 2 * sh + 2 * sf), serial.Mlp.HbmBytes, 3);
        Assert.Equal(2, serial.Attention.Kernels);
        // Parallel layers: the one layernorm reads the saved layer input (no add), counted once, with the MLP; the attention side
        // is the fused core alone; dots adds the MLP's first GEMM (2·s·h·f FLOPs) as on serial layers.
        var parallelModel = Gpt with { ParallelLayers = true };
        var parallel = ComputeModel.LayerRecompute(Card, parallelModel, 1, 1, false, Recompute.Minimal, flashAttention: true);
        Assert.Equal(2 * (2 * sh + 2 * sf), parallel.Mlp.HbmBytes, 3);
        Assert.Equal(1, parallel.Attention.Kernels);
        var parallelDots = ComputeModel.LayerRecompute(Card, parallelModel, 1, 1, false, Recompute.Dots, flashAttention: true);
        Assert.Equal(parallel.Attention, parallelDots.Attention);
        Assert.Equal(2.0 * 2048 * 2048 * 8192, parallelDots.Mlp.Flops - parallel.Mlp.Flops, 3);
    }

    [Fact]
    public void SelectiveRecompute_WithFlash_RerunsOnlyTheFusedForward()
    {
        // Megatron-core's checkpoint_core_attention: one fused kernel over the square, 4·b·a·s²·d = 4·16·2048²·128 FLOPs at tp 1.
        var redo = ComputeModel.LayerRecompute(Card, Gpt, 1, 1, false, Recompute.Selective, flashAttention: true);
        Assert.Equal(4.0 * 16 * 2048 * 2048 * 128, redo.Attention.Flops, 3);
        Assert.Equal(1, redo.Attention.Kernels);
        Assert.Equal(WorkCost.Zero, redo.Mlp);
        // Unfused, selective re-runs QKᵀ, softmax and AV: the same FLOPs in three kernels.
        var unfused = ComputeModel.LayerRecompute(Card, Gpt, 1, 1, false, Recompute.Selective);
        Assert.Equal(redo.Attention.Flops, unfused.Attention.Flops, 3);
        Assert.Equal(3, unfused.Attention.Kernels);
    }
}
