using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Kernel;
using static Emulator.Core.Tests.Models.ModelFixtures;

namespace Emulator.Core.Tests.Models;

public class Fp8Tests
{
    private const long Launch = 1_000_000; // ps per kernel

    /// <summary>The fixture card with FP8 units: 2 TFLOP/s, best 0.5 halving at 64, so a GEMM with min dimension 64 runs at 0.25 (2 ps a FLOP).</summary>
    private static readonly CardSpec Fp8Card = Card with { Fp8PeakFlops = 2e12, Fp8GemmEfficiency = 0.5, Fp8GemmHalfDim = 64 };

    [Fact]
    public void Linear_gemms_run_on_the_fp8_units_with_one_byte_operands()
    {
        // Tiny, tp 1, b 1 (LayerWorkTests' forward): each linear GEMM has min dimension 64, 2 ps a FLOP instead of 4, compute-bound,
        // and reads 1-byte operands, writing a 2-byte output. QKV M64 N384 K128: 12,582,912 ps, 8,192 + 49,152 + 2·24,576 = 106,496 B
        // (163,840 in bf16); projection M64 N128 K128: 4,194,304 ps, 40,960 B (65,536); fc1 M64 N512 K128 and fc2 M64 N128 K512:
        // 16,777,216 ps each, 139,264 B and 114,688 B (212,992 each). Attention core, layernorms and residuals unchanged; FLOPs too.
        var fp8 = ComputeModel.LayerForward(Fp8Card, Tiny, tp: 1, microBatch: 1, sequenceParallel: false, fp8: true);
        Assert.Equal(new WorkCost(10_485_760, 442_368 - 81_920, 7, new SimTime(44_236_800 - 12_582_912 - 4_194_304 + 7 * Launch)), fp8.Attention);
        Assert.Equal(new WorkCost(16_777_216, 638_976 - 73_728 - 98_304, 5, new SimTime(71_368_704 - 2 * 16_777_216 + 5 * Launch)), fp8.Mlp);
        // Backward runs each as two GEMMs of the same shape (dgrad, wgrad): twice the forward's saving.
        var bf16Backward = ComputeModel.LayerBackward(Fp8Card, Tiny, 1, 1, false);
        var fp8Backward = ComputeModel.LayerBackward(Fp8Card, Tiny, 1, 1, false, fp8: true);
        Assert.Equal(bf16Backward.Attention.Duration - new SimTime(2 * (12_582_912 + 4_194_304)), fp8Backward.Attention.Duration);
        Assert.Equal(bf16Backward.Mlp.Duration - new SimTime(4 * 16_777_216), fp8Backward.Mlp.Duration);
        // Full recomputation reruns the forward as it ran.
        Assert.Equal(fp8, ComputeModel.LayerRecompute(Fp8Card, Tiny, 1, 1, false, Recompute.Full, fp8: true));
    }

    [Fact]
    public void Backward_gemms_run_at_the_split_accumulators_rate()
    {
        // At half the fast-accumulation rate the backward GEMMs (min dimension 64: 0.25 · 0.5 of 2 TFLOP/s, 4 ps a FLOP) take exactly
        // the bf16 time; they still move 1-byte operands. Forward keeps fast accumulation.
        var split = Fp8Card with { Fp8SplitAccumulatorRate = 0.5 };
        var bf16 = ComputeModel.LayerBackward(split, Tiny, 1, 1, false);
        var fp8 = ComputeModel.LayerBackward(split, Tiny, 1, 1, false, fp8: true);
        Assert.Equal(bf16.Total.Duration, fp8.Total.Duration);
        Assert.True(fp8.Total.HbmBytes < bf16.Total.HbmBytes);
        Assert.Equal(ComputeModel.LayerForward(Fp8Card, Tiny, 1, 1, false, fp8: true), ComputeModel.LayerForward(split, Tiny, 1, 1, false, fp8: true));
        Assert.Equal(ComputeModel.BackwardFirstLinearGemm(split, Tiny, 1, 1, false).Attention.Duration,
            ComputeModel.BackwardFirstLinearGemm(split, Tiny, 1, 1, false, fp8: true).Attention.Duration);
    }

    [Fact]
    public void Casts_transpose_each_fp8_operand_that_no_fused_kernel_makes()
    {
        // Tiny, tp 1, b 1, 64 tokens at 20 ps a byte. Forward: the projection's input cast and transposed, 4·64·128 = 32,768 B.
        Assert.Equal(new WorkCost(0, 32_768, 1, new SimTime(655_360 + Launch)), ComputeModel.Fp8CastsForward(Fp8Card, Tiny, 1, 1, false).Attention);
        Assert.Equal(WorkCost.Zero, ComputeModel.Fp8CastsForward(Fp8Card, Tiny, 1, 1, false).Mlp);
        // Backward, attention: layernorm output transposed 2·64·128 = 16,384 B, QKV's output gradient 4·64·384 = 98,304 B, the
        // projection's 4·64·128 = 32,768 B; MLP: layernorm output 16,384 B, fc2's input 2·64·512 = 65,536 B, fc2's output gradient
        // 32,768 B, fc1's 4·64·512 = 131,072 B.
        var backward = ComputeModel.Fp8CastsBackward(Fp8Card, Tiny, 1, 1, false);
        Assert.Equal(new WorkCost(0, 147_456, 3, new SimTime(2_949_120 + 3 * Launch)), backward.Attention);
        Assert.Equal(new WorkCost(0, 245_760, 4, new SimTime(4_915_200 + 4 * Launch)), backward.Mlp);
    }

    [Fact]
    public void Where_fp8_gemms_take_either_layout_one_copy_serves_and_no_transpose_runs()
    {
        var blackwell = Fp8Card with { Fp8Transposes = false };
        // Forward: the projection's input cast only, 3·64·128 = 24,576 B.
        Assert.Equal(new WorkCost(0, 24_576, 1, new SimTime(491_520 + Launch)), ComputeModel.Fp8CastsForward(blackwell, Tiny, 1, 1, false).Attention);
        // Backward: no transposes of the layernorm outputs or fc2's input; the output gradients cast at 3 B: QKV's 3·64·384 =
        // 73,728 B and the projection's 3·64·128 = 24,576 B; fc2's 24,576 B and fc1's 3·64·512 = 98,304 B.
        var backward = ComputeModel.Fp8CastsBackward(blackwell, Tiny, 1, 1, false);
        Assert.Equal(new WorkCost(0, 98_304, 2, new SimTime(1_966_080 + 2 * Launch)), backward.Attention);
        Assert.Equal(new WorkCost(0, 122_880, 2, new SimTime(2_457_600 + 2 * Launch)), backward.Mlp);
        // Once a step: 3 B a linear weight, 589,824 B a layer.
        Assert.Equal(new WorkCost(0, 1_179_648, 8, new SimTime(2 * 11_796_480 + 8 * Launch)), ComputeModel.Fp8WeightCasts(blackwell, Tiny, 1, layers: 2));
    }

    [Fact]
    public void Weights_are_cast_once_a_step_four_bytes_a_linear_weight()
    {
        // Tiny: QKV 128·384 + projection 128·128 + fc1 128·512 + fc2 512·128 = 196,608 weights a layer, 786,432 B (15,728,640 ps) in
        // four kernels; two layers twice that. tp 2 halves every matrix.
        Assert.Equal(196_608, TransformerMath.LinearWeights(Tiny, 1));
        Assert.Equal(98_304, TransformerMath.LinearWeights(Tiny, 2));
        Assert.Equal(new WorkCost(0, 1_572_864, 8, new SimTime(2 * 15_728_640 + 8 * Launch)), ComputeModel.Fp8WeightCasts(Fp8Card, Tiny, 1, layers: 2));
        Assert.Equal(WorkCost.Zero, ComputeModel.Fp8WeightCasts(Fp8Card, Tiny, 1, layers: 0));
    }

    [Fact]
    public void A_card_without_fp8_units_cannot_run_an_fp8_gemm()
    {
        var e = Assert.Throws<ArgumentException>(() => ComputeModel.LayerForward(Card, Tiny, 1, 1, false, fp8: true));
        Assert.Contains("no FP8 peak", e.Message);
    }

    [Fact]
    public void A_stacks_gemm_scale_applies_to_its_fp8_gemms_too()
    {
        var driven = new SoftwareSpec("s", 0.9).Apply(Fp8Card);
        Assert.Equal(0.45, driven.GemmEfficiency, 12);
        Assert.Equal(0.45, driven.Fp8GemmEfficiency, 12);
        Assert.Equal(Fp8Card.Fp8PeakFlops, driven.Fp8PeakFlops);
    }
}
