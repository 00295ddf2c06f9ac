using Emulator.Core.Specs;
using Emulator.Core.Models;
using Emulator.Kernel;
using static Emulator.Core.Tests.Models.ModelFixtures;

namespace Emulator.Core.Tests.Models;

public class ComputeModelTests
{
    [Theory]
    [InlineData(64, 4096, 8192, 0.25)]       // d = 64 = half-dim: 0.5·64/128
    [InlineData(4096, 192, 1024, 0.375)]     // d = 192: 0.5·192/256
    [InlineData(128, 128, 128, 0.5 / 3 * 2)] // d = 128: 0.5·128/192 = 1/3
    public void Gemm_efficiency_follows_the_half_dim_curve(double m, double n, double k, double expected) =>
        Assert.Equal(expected, ComputeModel.GemmEfficiency(Card, m, n, k), 15);

    [Fact]
    public void Gemm_efficiency_approaches_the_best_for_huge_gemms() =>
        Assert.InRange(ComputeModel.GemmEfficiency(Card, 1e9, 1e9, 1e9), 0.49999, 0.5);

    [Fact]
    public void Kernel_time_compute_bound_branch()
    {
        // 1e9 FLOP at 0.5·1e12 = 2 ms = 2e9 ps; 1e6 B at 5e10 B/s = 2e7 ps; max + 1 µs.
        Assert.Equal(new SimTime(2_001_000_000), ComputeModel.KernelTime(Card, 1e9, 1_000_000, 0.5));
    }

    [Fact]
    public void Kernel_time_memory_bound_branch()
    {
        // 1e6 FLOP at 5e11 = 2e6 ps; 1e6 B = 2e7 ps wins; + 1e6 ps.
        Assert.Equal(new SimTime(21_000_000), ComputeModel.KernelTime(Card, 1e6, 1_000_000, 0.5));
        Assert.Equal(new SimTime(1_000_000), ComputeModel.KernelTime(Card, 0, 0, 0));
    }

    [Fact]
    public void Logits_forward_and_backward()
    {
        // tp 2, b 1: GEMM M 64, N 256/2 = 128, K 128, efficiency 0.25: 2·64·128·128 = 2,097,152 FLOP → 8,388,608 ps;
        // bytes 2·(64·128 + 128·128 + 64·128) = 65,536 → 1,310,720 ps, so compute-bound.
        // Cross-entropy over 64·128 = 8,192 logits in six passes of 6, 4, 8, 8, 4, 8 B (38 B a logit = 311,296 B): 983,040, 655,360,
        // 1,310,720, 1,310,720, 655,360, 1,310,720 ps, each + 1 µs.
        var fwd = ComputeModel.LogitsForward(Card, Tiny, tp: 2, microBatch: 1);
        Assert.Equal(new WorkCost(2_097_152, 65_536 + 311_296, 7, new SimTime(9_388_608 + 6_225_920 + 6_000_000)), fwd);
        // Backward: the softmax scaled in place (8 B a logit) and cast to 2 bytes (6 B), then dgrad + wgrad GEMMs like the forward one.
        var bwd = ComputeModel.LogitsBackward(Card, Tiny, tp: 2, microBatch: 1);
        Assert.Equal(new WorkCost(4_194_304, 65_536 + 49_152 + 2 * 65_536, 4, new SimTime(2_310_720 + 1_983_040 + 2 * 9_388_608)), bwd);
        // Fused: one kernel reading the 2-byte logits forward (16,384 B → 327,680 ps), one reading them and writing their gradient backward
        // (32,768 B → 655,360 ps).
        Assert.Equal(new WorkCost(2_097_152, 65_536 + 16_384, 2, new SimTime(9_388_608 + 1_327_680)),
            ComputeModel.LogitsForward(Card, Tiny, tp: 2, microBatch: 1, fusedCrossEntropy: true));
        Assert.Equal(new WorkCost(4_194_304, 32_768 + 2 * 65_536, 3, new SimTime(1_655_360 + 2 * 9_388_608)),
            ComputeModel.LogitsBackward(Card, Tiny, tp: 2, microBatch: 1, fusedCrossEntropy: true));
    }

    [Fact]
    public void Optimizer_step_is_norm_adam_and_weight_copy_per_updated_param_then_the_buffer_zeroed()
    {
        // 1e6 params: gradient norm 4 B, Adam 28 B, master-to-model copy 6 B = 38e6 B at 5e10 B/s = 760e6 ps, + 3 kernels of 1 µs.
        Assert.Equal(new WorkCost(0, 38_000_000, 3, new SimTime(763_000_000)), ComputeModel.OptimizerStep(Card, 1e6, false, 4));
        // Distributed over dp 4: 250,000 params, 9.5e6 B, 190e6 ps.
        Assert.Equal(new WorkCost(0, 9_500_000, 3, new SimTime(193_000_000)), ComputeModel.OptimizerStep(Card, 1e6, true, 4));
        // fp16: the 2-byte gradients copied to fp32 (6 B) and unscaled (8 B) first; a 2e6-byte gradient buffer zeroed after:
        // 54e6 B = 1080e6 ps, 6 kernels.
        Assert.Equal(new WorkCost(0, 54_000_000, 6, new SimTime(1_086_000_000)),
            ComputeModel.OptimizerStep(Card, 1e6, false, 1, gradientBufferBytes: 2_000_000, twoByteGradients: true, lossScaled: true));
        // bf16 gradients reduced in bf16: the copy to fp32 (6 B), no loss scale to undo: 46e6 B = 920e6 ps, 5 kernels.
        Assert.Equal(new WorkCost(0, 46_000_000, 5, new SimTime(925_000_000)),
            ComputeModel.OptimizerStep(Card, 1e6, false, 1, gradientBufferBytes: 2_000_000, twoByteGradients: true));
    }

    [Fact]
    public void Gradient_accumulation_moves_its_bytes_per_parameter_or_nothing_when_fused()
    {
        Assert.Equal(WorkCost.Zero, ComputeModel.GradAccumulate(Card, 1e6, GradAccumulation.Fused, 4));
        // Add into 2-byte gradients: read 2 + read 2 + write 2 = 6 B a parameter, 6e6 B = 120e6 ps, + 1 µs.
        Assert.Equal(new WorkCost(0, 6_000_000, 1, new SimTime(121_000_000)), ComputeModel.GradAccumulate(Card, 1e6, GradAccumulation.Add, 2));
        // Into an fp32 buffer: 2 + 4 + 4 = 10 B.
        Assert.Equal(new WorkCost(0, 10_000_000, 1, new SimTime(201_000_000)), ComputeModel.GradAccumulate(Card, 1e6, GradAccumulation.Add, 4));
        // Cast to fp32 (2 + 4 = 6 B, 121e6 ps), then add it (4 + 4 + 4 = 12 B, 241e6 ps): two kernels.
        Assert.Equal(new WorkCost(0, 18_000_000, 2, new SimTime(362_000_000)), ComputeModel.GradAccumulate(Card, 1e6, GradAccumulation.CastAdd, 4));
        // Spread over 12 parameter tensors, DeepSpeed's loop casts and adds each: the same bytes, 22 launches (1 µs each) more.
        Assert.Equal(new WorkCost(0, 18_000_000, 24, new SimTime(384_000_000)), ComputeModel.GradAccumulate(Card, 1e6, GradAccumulation.CastAdd, 4, tensors: 12));
        // The add's kernels are charged per call whatever the tensors (Megatron-LM's and MindSpeed's hooks are left as they were).
        Assert.Equal(ComputeModel.GradAccumulate(Card, 1e6, GradAccumulation.Add, 4), ComputeModel.GradAccumulate(Card, 1e6, GradAccumulation.Add, 4, tensors: 12));
    }

    [Fact]
    public void A_metric_cross_entropy_casts_the_logits_to_fp32_and_reads_them_three_times_in_log_softmax()
    {
        // 64·256/2 = 8,192 logits: the cast 6 B a logit (49,152 B → 983,040 ps), log_softmax 4 + 4 + 4 + 4 B (131,072 B →
        // 2,621,440 ps), each + 1 µs.
        Assert.Equal(new WorkCost(0, 49_152 + 131_072, 2, new SimTime(983_040 + 2_621_440 + 2_000_000)),
            ComputeModel.MetricCrossEntropy(Card, Tiny, tp: 2, microBatch: 1));
    }

    [Fact]
    public void Composers_eager_adamw_runs_ten_kernels_over_the_fp32_shard()
    {
        // Clipping 4 + 8, then 8 + 12, 8 + 16, 8, 8, 8 and 16 B: 96 B a parameter, 96e6 B = 1.92e9 ps, + 10 kernels' 1 µs.
        Assert.Equal(new WorkCost(0, 96_000_000, 10, new SimTime(1_930_000_000)), ComputeModel.EagerAdamWStep(Card, 1e6));
    }

    [Fact]
    public void Fsdp_gradient_passes_assemble_cast_and_predivide_the_unsharded_gradient()
    {
        // fp32 reduce: cat of the views' 2-byte gradients (2 + 2 = 4 B, 81e6 ps), cast to fp32 (2 + 4 = 6 B, 121e6 ps),
        // in-place pre-division (4 + 4 = 8 B, 161e6 ps): three kernels, 18 B a parameter.
        Assert.Equal(new WorkCost(0, 18_000_000, 3, new SimTime(363_000_000)), ComputeModel.FsdpGradientPasses(Card, 1e6, 4));
        // bf16 reduce: no cast; the cat and a 2 + 2 B division.
        Assert.Equal(new WorkCost(0, 8_000_000, 2, new SimTime(162_000_000)), ComputeModel.FsdpGradientPasses(Card, 1e6, 2));
    }

    [Theory]
    [InlineData(2, 2, 1)]
    [InlineData(4, 2, 2)]
    [InlineData(8, 4, 2)]      // one node of 8: gradients divided by 4 before the reduce-scatter and 2 after
    [InlineData(16, 4, 4)]
    [InlineData(64, 8, 8)]
    [InlineData(512, 32, 16)]
    [InlineData(12, 4, 3)]     // 12 / 4 = 3 is not above 4; 4 still divides 12
    public void Fsdp_divides_gradients_by_its_pre_and_post_divide_factors(int worldSize, int pre, int post) =>
        Assert.Equal((pre, post), ComputeModel.FsdpGradientDivideFactors(worldSize));

    [Fact]
    public void Fsdp_shard_passes_cast_before_the_gather_and_divide_and_accumulate_after_the_reduce_scatter()
    {
        // 1e6 shard parameters: the fp32 shard read and its 2-byte copy written, 6,000,000 B = 120 µs at 20 ps a byte, + 1 µs.
        Assert.Equal(new WorkCost(0, 6_000_000, 1, new SimTime(121_000_000)), ComputeModel.FsdpLowPrecisionShard(Card, 1e6));
        // fp32 reduce over 8 ranks: the post-division by 2 (4 + 4 B, 161e6 ps); from a step's second microbatch the += into the saved
        // shard (4 + 4 + 4 B, 241e6 ps).
        Assert.Equal(new WorkCost(0, 8_000_000, 1, new SimTime(161_000_000)), ComputeModel.FsdpReducedShardPasses(Card, 1e6, 4, 8, accumulate: false));
        Assert.Equal(new WorkCost(0, 20_000_000, 2, new SimTime(402_000_000)), ComputeModel.FsdpReducedShardPasses(Card, 1e6, 4, 8, accumulate: true));
        // bf16 reduce over 2 ranks: no post-division (2 / 2 = 1), the reduced shard cast to fp32 (2 + 4 B) every microbatch.
        Assert.Equal(new WorkCost(0, 6_000_000, 1, new SimTime(121_000_000)), ComputeModel.FsdpReducedShardPasses(Card, 1e6, 2, 2, accumulate: false));
        Assert.Equal(new WorkCost(0, 18_000_000, 2, new SimTime(362_000_000)), ComputeModel.FsdpReducedShardPasses(Card, 1e6, 2, 2, accumulate: true));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_loss_backward_is_the_output_layer_backward_without_its_gemms(bool fused)
    {
        var loss = ComputeModel.LossBackward(Card, Tiny, tp: 2, microBatch: 1, fusedCrossEntropy: fused);
        Assert.Equal(0, loss.Flops);
        Assert.Equal(fused ? 32_768 : 49_152 + 65_536, loss.HbmBytes);
        var rest = ComputeModel.LogitsBackward(Card, Tiny, tp: 2, microBatch: 1, fusedCrossEntropy: fused) - loss;
        Assert.Equal(new WorkCost(4_194_304, 2 * 65_536, 2, new SimTime(2 * 9_388_608)), rest);
    }

    [Fact]
    public void Fsdp2_copies_move_four_bytes_a_parameter_out_of_a_gather_and_two_plus_the_reduce_dtype_into_a_reduce_scatter()
    {
        // 1e6 parameters: the copy-out reads and writes 2 B each (4,000,000 B = 80 µs at 20 ps a byte, + 1 µs); the copy-in reads
        // 2 B and writes 4 (fp32 reduce: 6,000,000 B) or 2 (bf16: 4,000,000 B).
        Assert.Equal(new WorkCost(0, 4_000_000, 1, new SimTime(81_000_000)), ComputeModel.Fsdp2GatherCopyOut(Card, 1e6));
        Assert.Equal(new WorkCost(0, 6_000_000, 1, new SimTime(121_000_000)), ComputeModel.Fsdp2ReduceScatterCopyIn(Card, 1e6, 4));
        Assert.Equal(new WorkCost(0, 4_000_000, 1, new SimTime(81_000_000)), ComputeModel.Fsdp2ReduceScatterCopyIn(Card, 1e6, 2));
    }

    [Fact]
    public void Eager_backward_passes_add_layernorm_weight_gradients_fork_sums_and_the_qkv_cat()
    {
        // Tiny, one sequence of 64 tokens, h 128 (8,192 token·h): each block's layernorm weight gradient reads the input and the
        // output gradient again (4 B, 32,768 B = 655,360 ps + 1 µs) and its fork's sum reads one gradient more (2 B, 16,384 B =
        // 327,680 ps, no launch); the attention block also cats the QKV gradients (4 B × 64 tokens × 384 columns = 98,304 B =
        // 1,966,080 ps + 1 µs).
        var passes = ComputeModel.EagerBackwardPasses(Card, Tiny, tp: 1, microBatch: 1, sequenceParallel: false);
        Assert.Equal(new WorkCost(0, 147_456, 2, new SimTime(4_949_120)), passes.Attention);
        Assert.Equal(new WorkCost(0, 49_152, 1, new SimTime(1_983_040)), passes.Mlp);
        // A parallel layer has one layernorm and one fork, in its attention block.
        var parallel = ComputeModel.EagerBackwardPasses(Card, Tiny with { ParallelLayers = true }, tp: 1, microBatch: 1, sequenceParallel: false);
        Assert.Equal(new LayerWork(passes.Attention, WorkCost.Zero), parallel);
        // tp 2 with sequence parallelism: the layernorm and fork passes see 32 of the 64 tokens, the cat all 64 tokens' 384 / 2
        // columns (16,384 + 8,192 + 49,152 B); grouped-query attention narrows the cat to Q plus the shared K and V.
        var split = ComputeModel.EagerBackwardPasses(Card, Tiny, tp: 2, microBatch: 1, sequenceParallel: true);
        Assert.Equal((73_728L, 24_576L), (split.Attention.HbmBytes, split.Mlp.HbmBytes));
        var gqa = ComputeModel.EagerBackwardPasses(Card, Tiny with { KvHeads = 1 }, tp: 1, microBatch: 1, sequenceParallel: false);
        Assert.Equal(32_768 + 16_384 + 4 * 64 * (128 + 2 * 64), gqa.Attention.HbmBytes);
    }

    [Fact]
    public void Megatron_layer_passes_add_the_qkv_bias_the_context_copy_and_dropout_masks_forward()
    {
        // Tiny with biases, 64 tokens, h 128, tp 1 (20 ps a byte, 1 µs a launch): QKV's bias added over its 384 columns (4 B:
        // 98,304 B = 1,966,080 ps + 1 µs); the attention output's permute copy (4 B × 128: 32,768 B = 655,360 ps + 1 µs); each
        // block's dropout mask, 1 B a token·h (8,192 B = 163,840 ps, no launch).
        var biased = Tiny with { LinearBiases = true };
        var passes = ComputeModel.MegatronForwardPasses(Card, biased, tp: 1, microBatch: 1, sequenceParallel: false, hiddenDropout: true);
        Assert.Equal(new WorkCost(0, 139_264, 2, new SimTime(4_785_280)), passes.Attention);
        Assert.Equal(new WorkCost(0, 8_192, 0, new SimTime(163_840)), passes.Mlp);
        // No biases: no bias add; no hidden dropout: no masks.
        var plain = ComputeModel.MegatronForwardPasses(Card, Tiny, tp: 1, microBatch: 1, sequenceParallel: false, hiddenDropout: false);
        Assert.Equal(new LayerWork(new WorkCost(0, 32_768, 1, new SimTime(1_655_360)), WorkCost.Zero), plain);
        // tp 2 with sequence parallelism: the bias add and the copy see this rank's columns of all 64 tokens, the masks 32 tokens.
        var split = ComputeModel.MegatronForwardPasses(Card, biased, tp: 2, microBatch: 1, sequenceParallel: true, hiddenDropout: true);
        Assert.Equal((49_152L + 16_384 + 4_096, 4_096L), (split.Attention.HbmBytes, split.Mlp.HbmBytes));
    }

    [Fact]
    public void Megatron_layer_passes_add_layernorm_weight_gradients_fork_sums_and_the_qkv_cat_backward()
    {
        // Tiny, 64 tokens, tp 1: each layernorm's weight-gradient pass reads the output gradient and the input (4 B: 32,768 B = 655,360 ps
        // + 1 µs) and sums its partial sums (a launch, 1 µs); with hidden dropout each fork's sum is its own kernel (6 B: 49,152 B =
        // 983,040 ps + 1 µs) and the dropout's backward reads the mask (1 B: 8,192 B = 163,840 ps); the QKV cat (4 B × 384 columns:
        // 98,304 B = 1,966,080 ps + 1 µs).
        var passes = ComputeModel.MegatronBackwardPasses(Card, Tiny, tp: 1, microBatch: 1, sequenceParallel: false, hiddenDropout: true);
        Assert.Equal(new WorkCost(0, 188_416, 4, new SimTime(7_768_320)), passes.Attention);
        Assert.Equal(new WorkCost(0, 90_112, 3, new SimTime(4_802_240)), passes.Mlp);
        // Without dropout the residual kernel charged is the fork's sum, reading one gradient more: eager autograd's passes, and Apex's
        // second weight-gradient launch.
        var plain = ComputeModel.MegatronBackwardPasses(Card, Tiny, tp: 1, microBatch: 1, sequenceParallel: false, hiddenDropout: false);
        var eager = ComputeModel.EagerBackwardPasses(Card, Tiny, tp: 1, microBatch: 1, sequenceParallel: false);
        Assert.Equal((eager.Attention.HbmBytes, eager.Attention.Kernels + 1), (plain.Attention.HbmBytes, plain.Attention.Kernels));
        Assert.Equal((eager.Mlp.HbmBytes, eager.Mlp.Kernels + 1), (plain.Mlp.HbmBytes, plain.Mlp.Kernels));
        Assert.Equal(eager.Attention.Duration + new SimTime(1_000_000), plain.Attention.Duration);
    }

    [Fact]
    public void Bias_gradients_reduce_each_linear_layers_output_gradient_over_the_tokens()
    {
        // Tiny with biases, 64 tokens, tp 1: QKV's 384 columns (2 B: 49,152 B = 983,040 ps + 1 µs) and the projection's 128
        // (16,384 B = 327,680 ps + 1 µs) in the attention block; fc1's 512 (65,536 B) and fc2's 128 in the MLP's.
        var biased = Tiny with { LinearBiases = true };
        var grads = ComputeModel.BiasGradients(Card, biased, tp: 1, microBatch: 1, sequenceParallel: false);
        Assert.Equal(new WorkCost(0, 65_536, 2, new SimTime(3_310_720)), grads.Attention);
        Assert.Equal(new WorkCost(0, 81_920, 2, new SimTime(3_638_400)), grads.Mlp);
        // tp 2 with sequence parallelism: the column-parallel layers' half of the columns over all 64 tokens, the row-parallel
        // ones' whole biases over the rank's 32 tokens.
        var split = ComputeModel.BiasGradients(Card, biased, tp: 2, microBatch: 1, sequenceParallel: true);
        Assert.Equal((24_576L + 8_192, 32_768L + 8_192), (split.Attention.HbmBytes, split.Mlp.HbmBytes));
        Assert.Equal(LayerWork.Zero, ComputeModel.BiasGradients(Card, Tiny, tp: 1, microBatch: 1, sequenceParallel: false));
    }

    [Fact]
    public void A_qkv_only_bias_is_added_after_the_gemm_and_its_gradient_summed()
    {
        // Tiny with a QKV bias, 64 tokens, tp 1: backward reduces QKV's 384 columns (2 B: 49,152 B = 983,040 ps + 1 µs), nothing in
        // the MLP; forward adds it in a kernel of its own (2 + 2 B: 98,304 B = 1,966,080 ps + 1 µs), none when the GEMM takes it.
        var biased = Tiny with { QkvBias = true };
        Assert.Equal(new LayerWork(new WorkCost(0, 49_152, 1, new SimTime(1_983_040)), WorkCost.Zero),
            ComputeModel.BiasGradients(Card, biased, tp: 1, microBatch: 1, sequenceParallel: false));
        Assert.Equal(new LayerWork(new WorkCost(0, 98_304, 1, new SimTime(2_966_080)), WorkCost.Zero),
            ComputeModel.QkvBiasAdd(Card, biased, tp: 1, microBatch: 1, sequenceParallel: false));
        Assert.Equal(LayerWork.Zero, ComputeModel.QkvBiasAdd(Card, biased, tp: 2, microBatch: 1, sequenceParallel: true, inGemm: true));
        // tp 2 halves the columns over all 64 tokens, sequence parallelism or not; without the bias, nothing.
        Assert.Equal(24_576, ComputeModel.BiasGradients(Card, biased, tp: 2, microBatch: 1, sequenceParallel: true).Attention.HbmBytes);
        Assert.Equal(LayerWork.Zero, ComputeModel.QkvBiasAdd(Card, Tiny, tp: 1, microBatch: 1, sequenceParallel: false));
        // Every layer's biases include QKV's, whose add rides in the GEMM there: the four reductions, no add.
        var both = biased with { LinearBiases = true };
        Assert.Equal(ComputeModel.BiasGradients(Card, Tiny with { LinearBiases = true }, tp: 1, microBatch: 1, sequenceParallel: false),
            ComputeModel.BiasGradients(Card, both, tp: 1, microBatch: 1, sequenceParallel: false));
        Assert.Equal(LayerWork.Zero, ComputeModel.QkvBiasAdd(Card, both, tp: 1, microBatch: 1, sequenceParallel: false));
    }

    [Fact]
    public void Fused_rope_rotates_this_ranks_q_and_k_columns_in_one_kernel_each()
    {
        // Tiny, 64 tokens: q 128 columns (4 B an element: 32,768 B = 655,360 ps + 1 µs) and k 128 (the same), all in the attention block.
        var rope = ComputeModel.FusedRope(Card, Tiny, tp: 1, microBatch: 1, sequenceParallel: false);
        Assert.Equal(new LayerWork(new WorkCost(0, 65_536, 2, new SimTime(3_310_720)), WorkCost.Zero), rope);
        // One key/value head for two query heads: k has 64 columns (16,384 B = 327,680 ps + 1 µs); tp 2 halves both, whatever
        // sequence parallelism does to the token-wise kernels (q and k are split by heads, not tokens).
        var gqa = ComputeModel.FusedRope(Card, Tiny with { KvHeads = 1 }, tp: 1, microBatch: 1, sequenceParallel: false);
        Assert.Equal(new WorkCost(0, 49_152, 2, new SimTime(2_983_040)), gqa.Attention);
        Assert.Equal(32_768, ComputeModel.FusedRope(Card, Tiny, tp: 2, microBatch: 1, sequenceParallel: true).Attention.HbmBytes);
    }

    [Fact]
    public void Qkv_views_copy_the_value_forward_and_concatenate_the_gradients_backward()
    {
        // Tiny, 64 tokens, tp 1, no rotation: the value's 128 columns copied (2 + 2 B: 32,768 B = 655,360 ps + 1 µs); backward the
        // cat of all 384 QKV columns (98,304 B = 1,966,080 ps + 1 µs). All in the attention block.
        var forward = ComputeModel.QkvViewsForward(Card, Tiny, tp: 1, microBatch: 1, sequenceParallel: false);
        var backward = ComputeModel.QkvViewsBackward(Card, Tiny, tp: 1, microBatch: 1, sequenceParallel: false);
        Assert.Equal(new LayerWork(new WorkCost(0, 32_768, 1, new SimTime(1_655_360)), WorkCost.Zero), forward);
        Assert.Equal(new LayerWork(new WorkCost(0, 98_304, 1, new SimTime(2_966_080)), WorkCost.Zero), backward);
        // tp 2 halves the head columns whatever sequence parallelism does to the token-wise kernels; one key/value head narrows both.
        Assert.Equal(16_384, ComputeModel.QkvViewsForward(Card, Tiny, tp: 2, microBatch: 1, sequenceParallel: true).Attention.HbmBytes);
        Assert.Equal(4 * 64 * (128 + 2 * 64), ComputeModel.QkvViewsBackward(Card, Tiny with { KvHeads = 1 }, tp: 1, microBatch: 1, sequenceParallel: false).Attention.HbmBytes);
    }

    [Fact]
    public void Qkv_views_with_the_fused_rotation_add_mindspeeds_wrapper_kernels()
    {
        // The 64 × 64 fp32 position table: cos and sin (8 B an element, 32,768 B each) and their bf16 casts (6 B, 24,576 B each),
        // once for q and once for k (229,376 B in 8 kernels); q's and k's 8,192 elements each copied contiguous and concatenated
        // (4 B each: 131,072 B in 4 kernels); the value's copy (32,768 B): 393,216 B = 7,864,320 ps and 13 kernels.
        var forward = ComputeModel.QkvViewsForward(Card, Tiny, tp: 1, microBatch: 1, sequenceParallel: false, fusedRope: true);
        Assert.Equal(new WorkCost(0, 393_216, 13, new SimTime(20_864_320)), forward.Attention);
        // Backward: the QKV cat (98,304 B) and for q and k the unrotated part's zero gradient (2 B: 16,384 B each) and its add
        // (6 B: 49,152 B each): 229,376 B = 4,587,520 ps and 5 kernels.
        var backward = ComputeModel.QkvViewsBackward(Card, Tiny, tp: 1, microBatch: 1, sequenceParallel: false, fusedRope: true);
        Assert.Equal(new WorkCost(0, 229_376, 5, new SimTime(9_587_520)), backward.Attention);
        // Context parallelism 2: the rank's 32 tokens and the table's 32 positions halve every pass.
        Assert.Equal(393_216 / 2, ComputeModel.QkvViewsForward(Card, Tiny, tp: 1, microBatch: 1, sequenceParallel: false, cp: 2, fusedRope: true).Attention.HbmBytes);
    }

    [Fact]
    public void Eager_llama_ops_add_fp32_rmsnorm_rotary_kv_repeat_and_swiglu_kernels()
    {
        // Tiny gated, one key/value head for its two query heads: 64 tokens, h 128 (8,192 elements), q 128 and k 64 columns, f 512.
        // Forward, attention block: the norm's five passes (6 + 8 + 4 + 8 + 6 B, 262,144 B) and two per-token kernels (8 B each,
        // 1,024 B); the rotary passes on q and k (20 B in three kernels each: 163,840 + 81,920 B); repeat_kv's two copies (64 tokens
        // × (2·64 + 2·128) B each, 49,152 B): 558,080 B in 15 kernels, 20 ps a byte and 1 µs a kernel.
        var gqa = Tiny with { GatedMlp = true, KvHeads = 1 };
        var forward = ComputeModel.EagerLlamaForward(Card, gqa, tp: 1, microBatch: 1, sequenceParallel: false);
        Assert.Equal(new WorkCost(0, 558_080, 15, new SimTime(26_161_600)), forward.Attention);
        // MLP block: the second norm (263,168 B, 7 kernels) and SwiGLU's one kernel of 4 B of f (131,072 B).
        Assert.Equal(new WorkCost(0, 394_240, 8, new SimTime(15_884_800)), forward.Mlp);
        // Backward: each norm's ten passes (80 B, 655,360 B; pow(2)'s backward is a copy, a scale and a product) and three
        // per-token kernels (rsqrt's backward, 1,536 B); rotary and the repeat's sums as forward; SwiGLU two kernels of 4 B of f.
        var backward = ComputeModel.EagerLlamaBackward(Card, gqa, tp: 1, microBatch: 1, sequenceParallel: false);
        Assert.Equal(new WorkCost(0, 951_808, 21, new SimTime(40_036_160)), backward.Attention);
        Assert.Equal(new WorkCost(0, 919_040, 15, new SimTime(33_380_800)), backward.Mlp);
        // Every query head with its own keys: no copies. No gate: no SwiGLU. Parallel layers: one norm, in the attention block.
        var mha = ComputeModel.EagerLlamaForward(Card, gqa with { KvHeads = 2 }, tp: 1, microBatch: 1, sequenceParallel: false);
        Assert.Equal(558_080 - 49_152 + 81_920, mha.Attention.HbmBytes);
        Assert.Equal(263_168, ComputeModel.EagerLlamaForward(Card, gqa with { GatedMlp = false }, 1, 1, false).Mlp.HbmBytes);
        Assert.Equal(131_072, ComputeModel.EagerLlamaForward(Card, gqa with { ParallelLayers = true }, 1, 1, false).Mlp.HbmBytes);
    }

    [Fact]
    public void Work_costs_add_field_by_field()
    {
        var a = new WorkCost(1, 2, 3, new SimTime(4));
        Assert.Equal(new WorkCost(2, 4, 6, new SimTime(8)), a + a);
        Assert.Equal(a, a + WorkCost.Zero);
        Assert.Equal(a + a, new LayerWork(a, a).Total);
    }
}
