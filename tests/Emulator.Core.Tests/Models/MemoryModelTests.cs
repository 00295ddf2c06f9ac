using Emulator.Core.Models;
using Emulator.Core.Specs;
using static Emulator.Core.Tests.Models.ModelFixtures;

namespace Emulator.Core.Tests.Models;

public class MemoryModelTests
{
    // GPT-3, s 2048, b 1, t 8: s·b·h = 25,165,824; 5·a·s²·b = 5·96·2048² = 2,013,265,920.
    [Theory]
    [InlineData(true, Recompute.None, 358_612_992L)]       // (34·sbh + 5as²b)/8 = (855,638,016 + 2,013,265,920)/8
    [InlineData(true, Recompute.Selective, 106_954_752L)]  // 34·sbh/8
    [InlineData(true, Recompute.Full, 6_291_456L)]         // 2·sbh/8
    [InlineData(false, Recompute.None, 578_813_952L)]      // 10·sbh + (24·sbh + 5as²b)/8 = 251,658,240 + 327,155,712
    [InlineData(false, Recompute.Selective, 327_155_712L)] // 10·sbh + 24·sbh/8 = 251,658,240 + 75,497,472
    [InlineData(false, Recompute.Full, 50_331_648L)]       // 2·sbh
    public void Korthikanti_per_layer(bool sp, Recompute policy, long expected)
    {
        Assert.Equal(expected, MemoryModel.ActivationBytesPerLayer(Gpt3, 8, 1, sp, policy));
        double s = 2048, h = 12288, a = 96, t = 8, sbh = s * h;
        var formula = policy switch
        {
            Recompute.Full => sp ? 2 * sbh / t : 2 * sbh,
            Recompute.Selective => sp ? sbh * 34 / t : sbh * (10 + 24 / t),
            _ => sp ? sbh * (34 + 5 * a * s / h) / t : sbh * (10 + 24 / t + 5 * a * s / (h * t)),
        };
        Assert.Equal(formula, expected);
    }

    [Fact]
    public void Gqa_gated_per_layer_generalises_the_24()
    {
        // Llama-2-70B, s 4096, b 1, t 8, SP: 10·s·h = 335,544,320; split s·(2h + 4·1024 + 2h + 2·2f + 2f) = 4096·208,896 = 855,638,016;
        // core 5·64·4096² = 5,368,709,120. None: sum/8 = 819,986,432; Selective: 1,191,182,336/8 = 148,897,792.
        Assert.Equal(819_986_432L, MemoryModel.ActivationBytesPerLayer(Llama2_70B, 8, 1, true, Recompute.None));
        Assert.Equal(148_897_792L, MemoryModel.ActivationBytesPerLayer(Llama2_70B, 8, 1, true, Recompute.Selective));
    }

    [Fact]
    public void Per_microbatch_adds_embedding_and_output_layer()
    {
        // Tiny, t 2, b 1, SP: sbh = 8,192; core 5·2·64² = 40,960; per layer (34·8,192 + 40,960)/2 = 159,744; 2 layers 319,488.
        // First stage + embedding dropout mask 8,192/2 = 4,096; last stage + 4·8,192/2 = 16,384 + fp32 logits 4·64·256/2 = 32,768.
        Assert.Equal(319_488L, MemoryModel.ActivationBytesPerMicrobatch(Tiny, 2, 1, true, Recompute.None, 2, false, false));
        Assert.Equal(372_736L, MemoryModel.ActivationBytesPerMicrobatch(Tiny, 2, 1, true, Recompute.None, 2, true, true));
        // No SP, first stage only: per layer 10·8,192 + (24·8,192 + 40,960)/2 = 200,704; 2 layers + mask 8,192.
        Assert.Equal(409_600L, MemoryModel.ActivationBytesPerMicrobatch(Tiny, 2, 1, false, Recompute.None, 2, true, false));
    }

    [Fact]
    public void Fp8_linear_layers_save_their_inputs_as_one_byte_copies()
    {
        // Tiny, t 2, b 1: QKV's and fc1's inputs (the layernorm outputs) 2·sbh = 16,384 B less, replicated; fc2's input sb·f =
        // 64·512 = 32,768 B less and the projection's FP8 copy beside the attention's output sb·A = 8,192 B more, split: 24,576 B
        // less. With SP all /2: 159,744 − 20,480; without: 200,704 − 16,384 − 12,288.
        Assert.Equal(139_264L, MemoryModel.ActivationBytesPerLayer(Tiny, 2, 1, true, Recompute.None, fp8: true));
        Assert.Equal(172_032L, MemoryModel.ActivationBytesPerLayer(Tiny, 2, 1, false, Recompute.None, fp8: true));
        // Full recomputation keeps the 2-byte layer input; its working set is the FP8 layer's.
        Assert.Equal(MemoryModel.ActivationBytesPerLayer(Tiny, 2, 1, true, Recompute.Full), MemoryModel.ActivationBytesPerLayer(Tiny, 2, 1, true, Recompute.Full, fp8: true));
        Assert.Equal(MemoryModel.ActivationBytesPerLayer(Tiny, 2, 1, true, Recompute.Selective, fp8: true),
            MemoryModel.RecomputeWorkingBytes(Tiny, 2, 1, true, Recompute.Full, flashAttention: true, fp8: true));
    }

    [Fact]
    public void Without_hidden_dropout_the_masks_are_not_kept()
    {
        // Tiny, t 2, b 1: the two 1-byte masks per layer are 2·sbh = 16,384 (/2 with SP), the embedding's sbh = 8,192 (/2 with SP).
        Assert.Equal(159_744L - 8_192, MemoryModel.ActivationBytesPerLayer(Tiny, 2, 1, true, Recompute.None, hiddenDropout: false));
        Assert.Equal(200_704L - 16_384, MemoryModel.ActivationBytesPerLayer(Tiny, 2, 1, false, Recompute.None, hiddenDropout: false));
        Assert.Equal(409_600L - 2 * 16_384 - 8_192, MemoryModel.ActivationBytesPerMicrobatch(Tiny, 2, 1, false, Recompute.None, 2, true, false, hiddenDropout: false));
        // Full recomputation keeps only the layer input either way; its working set is the layer without the masks.
        Assert.Equal(MemoryModel.ActivationBytesPerLayer(Tiny, 2, 1, true, Recompute.Full), MemoryModel.ActivationBytesPerLayer(Tiny, 2, 1, true, Recompute.Full, hiddenDropout: false));
        Assert.Equal(139_264L - 8_192, MemoryModel.RecomputeWorkingBytes(Tiny, 2, 1, true, Recompute.Full, flashAttention: true, hiddenDropout: false));
    }

    [Fact]
    public void Recompute_working_set_is_what_each_policy_rematerialises_for_one_layer()
    {
        Assert.Equal(159_744L, MemoryModel.RecomputeWorkingBytes(Tiny, 2, 1, true, Recompute.Full, flashAttention: false));
        // Selective rematerialises the core for the layer's backward: 5·a·s²·b/t = 40,960/2.
        Assert.Equal(20_480L, MemoryModel.RecomputeWorkingBytes(Tiny, 2, 1, true, Recompute.Selective, flashAttention: false));
        Assert.Equal(0L, MemoryModel.RecomputeWorkingBytes(Tiny, 2, 1, true, Recompute.Selective, flashAttention: true));
        // Dots holds what it rebuilds: two layernorm outputs 4·sbh = 32,768, the attention output 2·sbA = 16,384 and the MLP's fc1
        // and activation outputs 2·64·(512 + 512) = 131,072; all over t 2 with sequence parallelism, the layernorm outputs whole
        // without it.
        Assert.Equal((32_768L + 16_384 + 131_072) / 2, MemoryModel.RecomputeWorkingBytes(Tiny, 2, 1, true, Recompute.Dots, flashAttention: true));
        Assert.Equal(32_768L + (16_384 + 131_072) / 2, MemoryModel.RecomputeWorkingBytes(Tiny, 2, 1, false, Recompute.Dots, flashAttention: true));
        // Minimal keeps fc1's output: its MLP side is the activation's 2·64·512 = 65,536.
        Assert.Equal((32_768L + 16_384 + 65_536) / 2, MemoryModel.RecomputeWorkingBytes(Tiny, 2, 1, true, Recompute.Minimal, flashAttention: true));
        // Without attention dropout only the softmax output is kept: 2·a·s²·b/t = 16,384/2.
        Assert.Equal(8_192L, MemoryModel.RecomputeWorkingBytes(Tiny, 2, 1, true, Recompute.Selective, flashAttention: false, attentionDropout: false));
        Assert.Equal(MemoryModel.ActivationBytesPerLayer(Tiny, 2, 1, false, Recompute.None) - 12_288,
            MemoryModel.ActivationBytesPerLayer(Tiny, 2, 1, false, Recompute.None, attentionDropout: false));
        Assert.Equal(0L, MemoryModel.RecomputeWorkingBytes(Tiny, 2, 1, true, Recompute.None, flashAttention: false));
        // Megatron-LM's fp32 fallback softmax keeps its fp32 output besides the 2-byte probabilities: 6·a·s²·b/t = 24,576, or with
        // attention dropout's mask and output 7·a·s²·b/t = 28,672.
        Assert.Equal(24_576L, MemoryModel.RecomputeWorkingBytes(Tiny, 2, 1, true, Recompute.Selective, flashAttention: false, attentionDropout: false, fusedSoftmax: false));
        Assert.Equal(28_672L, MemoryModel.RecomputeWorkingBytes(Tiny, 2, 1, true, Recompute.Selective, flashAttention: false, fusedSoftmax: false));
        Assert.Equal(MemoryModel.ActivationBytesPerLayer(Tiny, 2, 1, false, Recompute.None) + 8_192,
            MemoryModel.ActivationBytesPerLayer(Tiny, 2, 1, false, Recompute.None, fusedSoftmax: false));
        // FlashAttention rematerialises the layer without the s×s scores: 34·8,192/2, the 5·a·s²·b = 40,960 score bytes dropped.
        Assert.Equal(139_264L, MemoryModel.RecomputeWorkingBytes(Tiny, 2, 1, true, Recompute.Full, flashAttention: true));
    }

    [Fact]
    public void State_is_2_plus_2_plus_12_bytes_per_param()
    {
        // 1,000.5 params round up to 1,001: 2,002 + 2,002 + 12,012.
        Assert.Equal(new StateMemory(2_002, 2_002, 12_012), MemoryModel.State(1000.5, 5, false));
        Assert.Equal(16_016L, MemoryModel.State(1000.5, 5, false).Total);
        // Distributed optimizer, dp 5: 12,012/5 = 2,402.4 rounds up to 2,403.
        Assert.Equal(new StateMemory(2_002, 2_002, 2_403), MemoryModel.State(1000.5, 5, true));
        Assert.Equal(6_407L, MemoryModel.State(1000.5, 5, true).Total);
    }

    [Theory]
    [InlineData(0, 4_000, 8_000, 24_000)]
    [InlineData(1, 4_000, 8_000, 6_000)]
    [InlineData(2, 4_000, 2_000, 6_000)]
    [InlineData(3, 1_000, 2_000, 6_000)]
    public void Sharded_EachZeroStageDividesOneMoreStateByDp(int stage, long weights, long grads, long optimizer)
    {
        // 2,000 parameters, fp32 gradients, dp 4: weights 2 B, gradients 4 B, optimizer 12 B a parameter.
        Assert.Equal(new StateMemory(weights, grads, optimizer), MemoryModel.Sharded(2_000, 4, stage, 4));
    }

    [Fact]
    public void WholeMasterWeights_DivideOnlyTheAdamMomentsByDp()
    {
        // 2,000 parameters, dp 4, ZeRO-1: the fp32 master weights whole (8,000) and m + v divided (16,000/4 = 4,000).
        Assert.Equal(new StateMemory(4_000, 8_000, 12_000), MemoryModel.Sharded(2_000, 4, 1, 4, wholeMasterWeights: true));
        // 1,000.5 parameters round up to 1,001: 4,004 + 8,008/3 = 2,669.3, rounded up to 2,670.
        Assert.Equal(6_674L, MemoryModel.State(1000.5, 3, true, wholeMasterWeights: true).OptimizerBytes);
        // Without a distributed optimizer everything is whole anyway.
        Assert.Equal(12_012L, MemoryModel.State(1000.5, 3, false, wholeMasterWeights: true).OptimizerBytes);
    }

    [Fact]
    public void Dots_KeepsTheInputAndTheSavedDotsBackwardReads()
    {
        // Llama 2 70B, b = 4, s = 4096, tp 1: input and out_proj 4·s·b·h, query_proj 2·s·b·A (A = h), key_proj and value_proj
        // 4·s·b·k·d: 6·16384·8192 + 4·16384·1024 bytes (not mlpwo's output, which backward does not read).
        Assert.Equal(6L * 16384 * 8192 + 4L * 16384 * 1024,
            MemoryModel.ActivationBytesPerLayer(ModelFixtures.Llama2_70B, tp: 1, microBatch: 4, sequenceParallel: false, Recompute.Dots));
        // Minimal keeps the MLP's first GEMM's output too: 2·s·b·2f (gated) more.
        Assert.Equal(6L * 16384 * 8192 + 4L * 16384 * 1024 + 2L * 16384 * 2 * 28672,
            MemoryModel.ActivationBytesPerLayer(ModelFixtures.Llama2_70B, tp: 1, microBatch: 4, sequenceParallel: false, Recompute.Minimal));
    }
}
