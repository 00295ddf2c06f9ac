using Emulator.Core.Models;
using static Emulator.Core.Tests.Models.ModelFixtures;

namespace Emulator.Core.Tests.Models;

public class TransformerMathTests
{
    [Fact]
    public void Standard_gpt_layer_is_12h2_plus_13h()
    {
        // h = 12288: 12·150,994,944 + 13·12,288 = 1,811,939,328 + 159,744.
        Assert.Equal(1_812_099_072d, TransformerMath.LayerParams(Gpt3));
        Assert.Equal(12d * 128 * 128 + 13 * 128, TransformerMath.LayerParams(Tiny));
    }

    [Fact]
    public void Gpt3_total_matches_Narayanan_eq2()
    {
        // 96·1,812,099,072 + (51,200 + 2,048)·12,288 = 173,961,510,912 + 654,311,424.
        Assert.Equal(174_615_822_336d, TransformerMath.TotalParams(Gpt3));
        double l = 96, h = 12288, v = 51200, s = 2048;
        var eq2 = 12 * l * h * h * (1 + 13 / (12 * h) + (v + s) / (12 * l * h));
        Assert.Equal(1.0, TransformerMath.TotalParams(Gpt3) / eq2, 12);
        Assert.Equal((v + s) * h, TransformerMath.EmbeddingParams(Gpt3));
    }

    [Fact]
    public void Llama2_70b_with_gqa_and_gated_mlp()
    {
        // Per layer (k·d = 8·128 = 1024): QKV 8192² + 2·8192·1024 + 8192 + 2048 = 83,896,320; proj 8192² + 8192 = 67,117,056;
        // MLP 2·8192·28672 + 2·28672 + 28672·8192 + 8192 = 704,708,608; layernorms 4·8192 = 32,768. Sum 855,754,752.
        Assert.Equal(855_754_752d, TransformerMath.LayerParams(Llama2_70B));
        // 80·855,754,752 + (32,000 + 4,096)·8,192 = 68,460,380,160 + 295,698,432 = 68,756,078,592:
        // 0.32% under the published 68.98e9, which has an untied output layer (+262M) and no biases or position table.
        Assert.Equal(68_756_078_592d, TransformerMath.TotalParams(Llama2_70B));
        Assert.InRange(TransformerMath.TotalParams(Llama2_70B) / 68.98e9, 0.99, 1.01);
    }

    [Fact]
    public void A_layer_holds_twelve_parameter_tensors_or_ten_with_parallel_layers()
    {
        // QKV, projection, fc1, fc2: a weight and a bias each; two layernorms of a weight and a bias (one with parallel layers).
        Assert.Equal(12, TransformerMath.LayerTensors(Tiny));
        Assert.Equal(10, TransformerMath.LayerTensors(Tiny with { ParallelLayers = true }));
    }

    [Fact]
    public void Largest_layer_tensor_is_fc1_or_fc2_or_the_fused_qkv()
    {
        // Tiny GPT: QKV 128·384, fc1 and fc2 128·512 = 65,536.
        Assert.Equal(65_536, TransformerMath.LargestLayerTensor(Tiny));
        // Llama 2 70B: gated fc1 8192·2·28672 = 469,762,048 (QKV 8192·10240, fc2 28672·8192).
        Assert.Equal(469_762_048, TransformerMath.LargestLayerTensor(Llama2_70B));
    }

    [Fact]
    public void Stage_params_split_embedding_and_output_over_tp()
    {
        // Tiny: layer 198,272; embedding (256 + 64)·128 = 40,960; output copy 256·128 = 32,768.
        Assert.Equal((2 * 198_272 + 40_960) / 2d, TransformerMath.StageParams(Tiny, 2, firstStage: true, lastStage: false, tp: 2));
        Assert.Equal((2 * 198_272 + 32_768) / 2d, TransformerMath.StageParams(Tiny, 2, firstStage: false, lastStage: true, tp: 2));
        Assert.Equal(198_272d, TransformerMath.StageParams(Tiny, 2, firstStage: false, lastStage: false, tp: 2));
        // pp = 1: the embedding is held once and doubles as the output layer, so tp = 1 gives TotalParams.
        Assert.Equal(TransformerMath.TotalParams(Tiny), TransformerMath.StageParams(Tiny, 4, true, true, 1));
        // An untied output layer is a matrix of its own: one stage holds it beside the embedding; stages apart hold the same.
        var untied = Tiny with { TiedEmbeddings = false };
        Assert.Equal((4 * 198_272 + 40_960 + 32_768) / 2d, TransformerMath.StageParams(untied, 4, firstStage: true, lastStage: true, tp: 2));
        Assert.Equal(TransformerMath.StageParams(Tiny, 2, false, true, 2), TransformerMath.StageParams(untied, 2, false, true, 2));
        Assert.Equal(TransformerMath.StageParams(Tiny, 2, true, false, 2), TransformerMath.StageParams(untied, 2, true, false, 2));
        // Model FLOPs count the output layer once either way (the README convention's 6·N).
        Assert.Equal(TransformerMath.ModelFlopsPerStep(Tiny, 8), TransformerMath.ModelFlopsPerStep(untied, 8));
    }

    [Fact]
    public void Model_flops_follow_the_readme_convention()
    {
        // N = 4·198,272 + 40,960 = 834,048; per token 6N + 12·l·h·s = 5,004,288 + 393,216 = 5,397,504; 3 sequences = 192 tokens.
        Assert.Equal(1_036_320_768d, TransformerMath.ModelFlopsPerStep(Tiny, 3));
    }

    [Fact]
    public void Megatron_2021_flops()
    {
        // 96·3·64·4·128² = 1,207,959,552; 1 + 64/768 + 256/8192 = 107/96; product 1,346,371,584.
        Assert.Equal(1.0, TransformerMath.Megatron2021FlopsPerStep(Tiny, 3) / 1_346_371_584d, 12);
    }
}
