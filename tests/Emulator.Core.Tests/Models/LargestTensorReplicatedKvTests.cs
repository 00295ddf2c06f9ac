using Emulator.Core.Models;
using Emulator.Core.Specs;

namespace Emulator.Core.Tests.Models;

/// <summary>The largest weight tensor a rank holds (DeepSpeed's cast-add fp32 temporary) counts the key/value heads the ranks hold
/// together: with fewer key/value heads than ranks each rank holds a whole one, so the fused QKV can outgrow the MLP's matrices.</summary>
public class LargestTensorReplicatedKvTests
{
    // h 1024, 8 heads of 128, one key/value head, plain MLP of 2048: at tp 8 each rank's QKV is h·(A/8 + 2·128) = 1024·384,
    // its fc1 1024·256; together the ranks hold h·(1024 + 2·8·128) = 1024·3072 of QKV against h·f = 1024·2048.
    private static readonly ModelSpec MultiQuery = new("mq", Layers: 4, Hidden: 1024, Heads: 8, KvHeads: 1, FfnHidden: 2048, GatedMlp: false, Vocab: 256, SeqLen: 64);

    [Fact]
    public void MultiQueryAtTp8_QkvIsTheLargest() =>
        Assert.Equal(1024d * 3072, TransformerMath.LargestLayerTensor(MultiQuery, 8));

    [Fact]
    public void OneRank_KeepsTheModelsOwnHeads() =>
        Assert.Equal(TransformerMath.LargestLayerTensor(MultiQuery), TransformerMath.LargestLayerTensor(MultiQuery, 1));
}
