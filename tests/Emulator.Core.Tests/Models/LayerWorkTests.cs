using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Kernel;
using static Emulator.Core.Tests.Models.ModelFixtures;

namespace Emulator.Core.Tests.Models;

public class LayerWorkTests
{
    private const long Launch = 1_000_000; // ps per kernel

    [Fact]
    public void Forward_tiny_layer_kernel_by_kernel()
    {
        // Tiny, tp 1, b 1: tokens 64; every GEMM has min dimension 64 → efficiency 0.25 → 4 ps a FLOP, compute-bound; bytes cost 20 ps each.
        // Attention: layernorm 2·2·64·128 = 32,768 B → 655,360 ps;
        //   QKV M64 N384 K128: 6,291,456 FLOP → 25,165,824 ps, 2·(8,192 + 49,152 + 24,576) = 163,840 B;
        //   QKᵀ 2 heads of 64×64×64: 1,048,576 FLOP → 4,194,304 ps, 2·2·(3·4,096) = 49,152 B;
        //   softmax 2·64·64 = 8,192 scores × 4 B = 32,768 B → 655,360 ps; AV same as QKᵀ;
        //   projection M64 N128 K128: 2,097,152 FLOP → 8,388,608 ps, 65,536 B; dropout+residual 6·8,192 = 49,152 B → 983,040 ps.
        //   Sum: 10,485,760 FLOP, 442,368 B, 7 kernels, 44,236,800 + 7 µs.
        // MLP: layernorm 32,768 B → 655,360; fc1 M64 N512 K128: 8,388,608 FLOP → 33,554,432 ps, 212,992 B;
        //   GeLU 2·(512 + 512)·64 = 131,072 B → 2,621,440; fc2 M64 N128 K512 like fc1; residual 49,152 B → 983,040.
        //   Sum: 16,777,216 FLOP, 638,976 B, 5 kernels, 71,368,704 + 5 µs.
        var w = ComputeModel.LayerForward(Card, Tiny, tp: 1, microBatch: 1, sequenceParallel: false);
        Assert.Equal(new WorkCost(10_485_760, 442_368, 7, new SimTime(44_236_800 + 7 * Launch)), w.Attention);
        Assert.Equal(new WorkCost(16_777_216, 638_976, 5, new SimTime(71_368_704 + 5 * Launch)), w.Mlp);
    }

    [Fact]
    public void Attention_dropout_is_one_kernel_of_five_bytes_per_score_each_way()
    {
        // Tiny, tp 1, b 1: 2 heads × 64² = 8,192 scores; 5 B each = 40,960 B at 20 ps a byte = 819,200 ps, plus a launch.
        var dropout = new WorkCost(0, 40_960, 1, new SimTime(819_200 + Launch));
        var fwd = ComputeModel.LayerForward(Card, Tiny, tp: 1, microBatch: 1, sequenceParallel: false);
        var bwd = ComputeModel.LayerBackward(Card, Tiny, tp: 1, microBatch: 1, sequenceParallel: false);
        Assert.Equal(fwd.Attention + dropout, ComputeModel.LayerForward(Card, Tiny, 1, 1, false, attentionDropout: true).Attention);
        Assert.Equal(bwd.Attention + dropout, ComputeModel.LayerBackward(Card, Tiny, 1, 1, false, attentionDropout: true).Attention);
        Assert.Equal(fwd.Mlp, ComputeModel.LayerForward(Card, Tiny, 1, 1, false, attentionDropout: true).Mlp);
        // Fused into FlashAttention: no kernel of its own.
        Assert.Equal(ComputeModel.LayerForward(Card, Tiny, 1, 1, false, flashAttention: true),
            ComputeModel.LayerForward(Card, Tiny, 1, 1, false, flashAttention: true, attentionDropout: true));
    }

    [Fact]
    public void Alibi_copies_the_bias_to_the_scores_and_the_scores_gemm_reads_it_back()
    {
        // Tiny, tp 1, b 1: 8,192 scores. torch.baddbmm(bias, q, kᵀ, beta = 1): the bias expanded and copied, 2 B a score written
        // (16,384 B → 327,680 ps, a kernel), and QKᵀ reading those scores as it accumulates, 16,384 B more (2·2·(2·4,096 + 2·4,096) =
        // 65,536 B → 1,310,720 ps, still below its 4,194,304 ps of compute). Backward and the MLP unchanged; nothing with FlashAttention.
        var alibi = Tiny with { Alibi = true };
        var copy = new WorkCost(0, 16_384, 1, new SimTime(327_680 + Launch));
        var gemmRead = new WorkCost(0, 16_384, 0, SimTime.Zero);
        var fwd = ComputeModel.LayerForward(Card, Tiny, 1, 1, false);
        Assert.Equal(fwd.Attention + copy + gemmRead, ComputeModel.LayerForward(Card, alibi, 1, 1, false).Attention);
        Assert.Equal(fwd.Mlp, ComputeModel.LayerForward(Card, alibi, 1, 1, false).Mlp);
        Assert.Equal(ComputeModel.LayerBackward(Card, Tiny, 1, 1, false), ComputeModel.LayerBackward(Card, alibi, 1, 1, false));
        Assert.Equal(ComputeModel.LayerRecompute(Card, Tiny, 1, 1, false, Recompute.Selective).Attention + copy + gemmRead,
            ComputeModel.LayerRecompute(Card, alibi, 1, 1, false, Recompute.Selective).Attention);
        Assert.Equal(ComputeModel.LayerForward(Card, Tiny, 1, 1, false, flashAttention: true),
            ComputeModel.LayerForward(Card, alibi, 1, 1, false, flashAttention: true));
    }

    [Fact]
    public void Unfused_softmax_is_five_fp32_kernels_each_way()
    {
        // Tiny, tp 1, b 1: 8,192 scores at 20 ps a byte. Fused: one kernel of 4 B a score forward (655,360 ps), 6 B backward (983,040).
        // Megatron-LM's fallback forward: cast 6, scale 8, masked_fill 8, softmax 8, cast back 6 = 36 B a score, 294,912 B in five
        // kernels (5,898,240 ps); backward: cast 6, softmax 12, masked_fill 8, scale 8, cast back 6 = 40 B, 327,680 B (6,553,600 ps).
        var fwd = ComputeModel.LayerForward(Card, Tiny, 1, 1, false);
        var bwd = ComputeModel.LayerBackward(Card, Tiny, 1, 1, false);
        var fused = (Forward: new WorkCost(0, 32_768, 1, new SimTime(655_360 + Launch)), Backward: new WorkCost(0, 49_152, 1, new SimTime(983_040 + Launch)));
        var torch = (Forward: new WorkCost(0, 294_912, 5, new SimTime(5_898_240 + 5 * Launch)), Backward: new WorkCost(0, 327_680, 5, new SimTime(6_553_600 + 5 * Launch)));
        Assert.Equal(fwd.Attention - fused.Forward + torch.Forward, ComputeModel.LayerForward(Card, Tiny, 1, 1, false, fusedSoftmax: false).Attention);
        Assert.Equal(bwd.Attention - fused.Backward + torch.Backward, ComputeModel.LayerBackward(Card, Tiny, 1, 1, false, fusedSoftmax: false).Attention);
        Assert.Equal(fwd.Mlp, ComputeModel.LayerForward(Card, Tiny, 1, 1, false, fusedSoftmax: false).Mlp);
        // Selective recomputation reruns the core with it.
        Assert.Equal(ComputeModel.LayerRecompute(Card, Tiny, 1, 1, false, Recompute.Selective).Attention - fused.Forward + torch.Forward,
            ComputeModel.LayerRecompute(Card, Tiny, 1, 1, false, Recompute.Selective, fusedSoftmax: false).Attention);
    }

    [Fact]
    public void Vector_units_bound_the_fused_attention_of_narrow_heads()
    {
        // Ascend-like split cores: softmax 0.61 of the cube's time at heads of 128, update 0.20 at any width.
        var split = Card with { AttentionVectorSoftmax = 0.61, AttentionVectorUpdate = 0.20 };
        Assert.Equal(1.42, ComputeModel.VectorBound(split, 64), 12);  // 0.61·2 + 0.20
        Assert.Equal(1.0, ComputeModel.VectorBound(split, 128));      // 0.81: the cube's pace
        Assert.Equal(1.0, ComputeModel.VectorBound(Card, 64));        // no separate vector units
        // Tiny's heads are 64 wide. Forward 4·2·64²·64 = 2,097,152 FLOPs at 0.5: 4,194,304 ps, 1.42 times that is 5,955,912;
        // backward 2.5 times the FLOPs: 10,485,760 ps, then 14,889,779. Compute-bound either way (65,536 B, 131,072 B).
        Assert.Equal(new SimTime(5_955_912 - 4_194_304),
            ComputeModel.LayerForward(split, Tiny, 1, 1, false, flashAttention: true).Attention.Duration
            - ComputeModel.LayerForward(Card, Tiny, 1, 1, false, flashAttention: true).Attention.Duration);
        Assert.Equal(new SimTime(14_889_779 - 10_485_760),
            ComputeModel.LayerBackward(split, Tiny, 1, 1, false, flashAttention: true).Attention.Duration
            - ComputeModel.LayerBackward(Card, Tiny, 1, 1, false, flashAttention: true).Attention.Duration);
        // The unfused core is separate kernels: unchanged.
        Assert.Equal(ComputeModel.LayerForward(Card, Tiny, 1, 1, false), ComputeModel.LayerForward(split, Tiny, 1, 1, false));
    }

    [Fact]
    public void Forward_with_tensor_and_sequence_parallelism()
    {
        // tp 2, SP, b 2: tokens 128; layernorm/residual kernels see 64 tokens (same bytes as above).
        // QKV M128 N192 K128 efficiency 1/3 (3 ps a FLOP): 6,291,456 FLOP → 18,874,368 ps, 131,072 B; QKᵀ, softmax, AV as above (b·a/tp = 2);
        // projection M128 N128 K64: 0.25, 8,388,608 ps, 65,536 B. Attention: 10,485,760 FLOP, 409,600 B, 37,945,344 + 7 µs.
        // fc1 M128 N256 K128 and fc2 M128 N128 K256: 1/3, 25,165,824 ps, 163,840 B each; GeLU 2·(256 + 256)·128 = 131,072 B.
        // MLP: 16,777,216 FLOP, 540,672 B, 54,591,488 + 5 µs.
        var w = ComputeModel.LayerForward(Card, Tiny, tp: 2, microBatch: 2, sequenceParallel: true);
        Assert.Equal(new WorkCost(10_485_760, 409_600, 7, new SimTime(37_945_344 + 7 * Launch)), w.Attention);
        Assert.Equal(new WorkCost(16_777_216, 540_672, 5, new SimTime(54_591_488 + 5 * Launch)), w.Mlp);
        // Without SP the layernorms and residuals touch all 128 tokens: 4 kernels each move twice the bytes.
        var noSp = ComputeModel.LayerForward(Card, Tiny, tp: 2, microBatch: 2, sequenceParallel: false);
        Assert.Equal(w.Total.HbmBytes + 2 * (32_768 + 49_152), noSp.Total.HbmBytes);
    }

    [Fact]
    public void Backward_tiny_layer_kernel_by_kernel()
    {
        // Each GEMM twice (dgrad + wgrad). Attention: layernorm bwd 6·8,192 = 49,152 B → 983,040; 2×QKV 50,331,648; 2×QKᵀ 8,388,608;
        //   softmax bwd 6·8,192 = 49,152 B → 983,040; 2×AV 8,388,608; 2×projection 16,777,216; residual bwd 4·8,192 = 32,768 B → 655,360.
        //   20,971,520 FLOP, 786,432 B, 11 kernels, 86,507,520 + 11 µs.
        // MLP: layernorm bwd 983,040; 2×fc1 67,108,864; GeLU bwd 2·(2·512 + 512)·64 = 196,608 B → 3,932,160; 2×fc2 67,108,864; residual 655,360.
        //   33,554,432 FLOP, 1,130,496 B, 7 kernels, 139,788,288 + 7 µs.
        var w = ComputeModel.LayerBackward(Card, Tiny, tp: 1, microBatch: 1, sequenceParallel: false);
        Assert.Equal(new WorkCost(20_971_520, 786_432, 11, new SimTime(86_507_520 + 11 * Launch)), w.Attention);
        Assert.Equal(new WorkCost(33_554_432, 1_130_496, 7, new SimTime(139_788_288 + 7 * Launch)), w.Mlp);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(8, 1)]
    [InlineData(8, 4)]
    public void Gpt_forward_flops_are_24bsh2_times_1_plus_s_over_6h_over_tp(int tp, int b)
    {
        double s = Gpt3.SeqLen, h = Gpt3.Hidden;
        var expected = 24 * b * s * h * h * (1 + s / (6 * h)) / tp;
        var check = (2 * b * s * 12 * h * h + 4 * b * s * s * h) / tp;
        Assert.Equal(1.0, check / expected, 14);
        var fwd = ComputeModel.LayerForward(Card, Gpt3, tp, b, sequenceParallel: true).Total.Flops;
        Assert.Equal(1.0, fwd / expected, 14);
        Assert.Equal(2 * fwd, ComputeModel.LayerBackward(Card, Gpt3, tp, b, true).Total.Flops);
    }

    [Fact]
    public void Gqa_gated_forward_flops()
    {
        // Llama-2-70B, tp 8, b 1: 2·b·s·(h·(h + 2·1024) + h·h + 3·h·f)/tp + 4·b·s²·h/tp.
        double s = 4096, h = 8192, f = 28672;
        var expected = (2 * s * (h * (h + 2048) + h * h + 3 * h * f) + 4 * s * s * h) / 8;
        Assert.Equal(expected, ComputeModel.LayerForward(Card, Llama2_70B, 8, 1, true).Total.Flops);
    }

    [Fact]
    public void Recompute_policies()
    {
        var fwd = ComputeModel.LayerForward(Card, Tiny, 1, 1, false);
        Assert.Equal(LayerWork.Zero, ComputeModel.LayerRecompute(Card, Tiny, 1, 1, false, Recompute.None));
        Assert.Equal(fwd, ComputeModel.LayerRecompute(Card, Tiny, 1, 1, false, Recompute.Full));
        // Selective: QKᵀ + softmax + AV = 2·1,048,576 FLOP, 49,152 + 32,768 + 49,152 B, 4,194,304 + 655,360 + 4,194,304 ps + 3 µs.
        var selective = ComputeModel.LayerRecompute(Card, Tiny, 1, 1, false, Recompute.Selective);
        Assert.Equal(new WorkCost(2_097_152, 131_072, 3, new SimTime(9_043_968 + 3 * Launch)), selective.Attention);
        Assert.Equal(WorkCost.Zero, selective.Mlp);
        // FullNeeded: the whole attention block; of the MLP its layernorm, fc1 and GeLU (fc2 and the residual add feed nothing
        // backward reads): 8,388,608 FLOP, 32,768 + 212,992 + 131,072 B, 655,360 + 33,554,432 + 2,621,440 ps + 3 µs.
        var needed = ComputeModel.LayerRecompute(Card, Tiny, 1, 1, false, Recompute.FullNeeded);
        Assert.Equal(fwd.Attention, needed.Attention);
        Assert.Equal(new WorkCost(8_388_608, 376_832, 3, new SimTime(36_831_232 + 3 * Launch)), needed.Mlp);
    }

    [Fact]
    public void Full_recompute_step_flops_match_Megatron_2021()
    {
        // Per layer forward + backward + recompute = 4 × 24bsh²(1 + s/6h), plus logits 6·b·s·h·V = the V/16lh term.
        const int b = 2;
        var perLayer = ComputeModel.LayerForward(Card, Gpt3, 1, b, false).Total.Flops
            + ComputeModel.LayerBackward(Card, Gpt3, 1, b, false).Total.Flops
            + ComputeModel.LayerRecompute(Card, Gpt3, 1, b, false, Recompute.Full).Total.Flops;
        var step = Gpt3.Layers * perLayer
            + ComputeModel.LogitsForward(Card, Gpt3, 1, b).Flops + ComputeModel.LogitsBackward(Card, Gpt3, 1, b).Flops;
        Assert.Equal(1.0, step / TransformerMath.Megatron2021FlopsPerStep(Gpt3, b), 12);
    }
}
