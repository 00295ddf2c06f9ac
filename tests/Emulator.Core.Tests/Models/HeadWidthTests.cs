using Emulator.Core.Models;
using Emulator.Core.Specs;
using static Emulator.Core.Tests.Models.ModelFixtures;

namespace Emulator.Core.Tests.Models;

/// <summary>A head width set apart from hidden / heads (model.head-dim): the attention is A = a·d wide, the residual stream h.</summary>
public class HeadWidthTests
{
    /// <summary>MaxText's 16B (global_parameter_scale 16): emb 4096, 64 heads of 128 (A = 8192), mlp 28672 SwiGLU, 32 layers.</summary>
    private static readonly ModelSpec MaxText16b = new("maxtext-16b", 32, 4096, 64, 64, 28672, true, 32000, 2048) { HeadDim = 128 };

    [Fact]
    public void Layer_parameters_use_the_attention_width_for_q_k_v_and_the_output_projection()
    {
        // QKV 4096·8192 + 2·4096·8192 + 8192 + 2·8192 = 100,687,872; projection 8192·4096 + 4096 = 33,558,528;
        // MLP 4096·57344 + 57344 + 28672·4096 + 4096 = 352,382,976; layernorms 16,384.
        Assert.Equal(486_645_760d, TransformerMath.LayerParams(MaxText16b));
        // The fused QKV 4096·24576 is smaller than fc1 4096·57344.
        Assert.Equal(4096d * 57344, TransformerMath.LargestLayerTensor(MaxText16b));
        // Attention FLOPs per token 12·l·A·s (PaLM's 12·L·H·Q·T).
        var tokens = 2048d;
        Assert.Equal(tokens * (6 * TransformerMath.TotalParams(MaxText16b) + 12d * 32 * 8192 * 2048), TransformerMath.ModelFlopsPerStep(MaxText16b, 1));
    }

    [Fact]
    public void The_default_head_width_set_explicitly_changes_nothing()
    {
        var explicitWidth = Gpt3 with { HeadDim = Gpt3.Hidden / Gpt3.Heads };
        Assert.Equal(TransformerMath.LayerParams(Gpt3), TransformerMath.LayerParams(explicitWidth));
        Assert.Equal(ComputeModel.LayerForward(Card, Gpt3, 8, 1, true), ComputeModel.LayerForward(Card, explicitWidth, 8, 1, true));
        Assert.Equal(MemoryModel.ActivationBytesPerLayer(Gpt3, 8, 1, false, Recompute.None), MemoryModel.ActivationBytesPerLayer(explicitWidth, 8, 1, false, Recompute.None));
    }

    [Fact]
    public void Layer_flops_count_the_attention_width()
    {
        // Forward, tp 4, b 1 (2048 tokens): QKV 2·T·h·(A + 2·k·d)/t, QKᵀ and AV 2·(2·s²·d·a/t), projection 2·T·A·h/t,
        // fc1 2·T·h·2f/t, fc2 2·T·f·h/t.
        double T = 2048, h = 4096, a = 8192, f = 28672, t = 4, s = 2048;
        var expected = 2 * T * h * (a + 2 * a) / t + 2 * 2 * s * s * a / t + 2 * T * a * h / t + 2 * T * h * 2 * f / t + 2 * T * f * h / t;
        Assert.Equal(expected, ComputeModel.LayerForward(Card, MaxText16b, 4, 1, false).Total.Flops);
        Assert.Equal(expected, ComputeModel.LayerForward(Card, MaxText16b, 4, 1, false, flashAttention: true).Total.Flops);
    }

    [Fact]
    public void Grouped_query_keys_and_values_take_the_kv_width_and_queries_the_attention_width()
    {
        // 8 kv heads of 128 (k·d = 1024) beside 64 query heads (A = 8192) on a 4096-wide model, tp 4, b 1 (2048 tokens).
        var gqa = MaxText16b with { KvHeads = 8 };
        double T = 2048, S = 2048, D = 128, h = 4096, a = 8192, kv = 1024, f = 28672, t = 4, headsPerRank = 64 / 4;
        Assert.Equal(h * (a + 2 * kv) + a + 2 * kv + a * h + h + h * 2 * f + 2 * f + f * h + h + 4 * h, TransformerMath.LayerParams(gqa));
        // FlashAttention reads Q, K, V and writes O, 2 bytes each: 2·T·(A + 2kd + A)/t; the unfused core instead moves
        // QKᵀ's and AV's operands, 2·(2·s·d + s²) per head each, and the softmax, 4·s² per head.
        var flash = ComputeModel.LayerForward(Card, gqa, 4, 1, false, flashAttention: true).Attention.HbmBytes;
        var unfused = ComputeModel.LayerForward(Card, gqa, 4, 1, false).Attention.HbmBytes;
        Assert.Equal(2 * T * (a + 2 * kv + a) / t - headsPerRank * (8 * S * S + 8 * S * D), flash - unfused);
        // `dots` keeps the layer input and out_proj's output (h, whole without sequence parallelism), Q (A), K and V (k·d):
        // 4h·T + (2A + 4kd)·T/t.
        Assert.Equal((long)(4 * h * T + (2 * a + 4 * kv) * T / t), MemoryModel.ActivationBytesPerLayer(gqa, 4, 1, false, Recompute.Dots));
    }

    [Fact]
    public void Stored_activations_hold_q_and_the_context_at_the_attention_width()
    {
        // Without SP, no recompute: 10·sbh replicated (h wide) + (2A + 4kd + 2A + 2·2f + 2f)·sb/t + 5·a·s²·b/t.
        long s = 2048, h = 4096, a = 8192, f = 28672, heads = 64, t = 4;
        var expected = 10 * s * h + (4 * a + 4 * a + 4 * f + 2 * f) * s / t + 5 * heads * s * s / t;
        Assert.Equal(expected, MemoryModel.ActivationBytesPerLayer(MaxText16b, 4, 1, false, Recompute.None, hiddenDropout: true));
    }
}
