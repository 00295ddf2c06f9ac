using Emulator.Core.Models;
using Emulator.Core.Specs;
using static Emulator.Core.Tests.Models.ModelFixtures;

namespace Emulator.Core.Tests.Models;

/// <summary>Fewer key/value heads than tensor-parallel ranks: each rank holds one whole head, so the heads are replicated and a rank
/// does what it would with one key/value head of its own (a multi-query model at tp 4 costs what 4 key/value groups do).</summary>
public class ReplicatedKvHeadsTests
{
    private static readonly ModelSpec MultiQuery = Llama2_70B with { Name = "mq", KvHeads = 1 };
    private static readonly ModelSpec FourGroups = Llama2_70B with { Name = "gqa-4", KvHeads = 4 };

    [Theory]
    [InlineData(1, 1, 128)]
    [InlineData(1, 12, 12 * 128)]
    [InlineData(8, 8, 8 * 128)]
    [InlineData(8, 4, 8 * 128)]
    [InlineData(8, 16, 16 * 128)]
    public void KvWidthAcross_IsAtLeastOneHeadARank(int kvHeads, int tp, long expected) =>
        Assert.Equal(expected, (Llama2_70B with { KvHeads = kvHeads }).KvWidthAcross(tp));

    [Fact]
    public void MultiQueryAtTp4_CostsWhatFourGroupsDo()
    {
        Assert.Equal(
            ComputeModel.ForwardTpGemms(Card, FourGroups, 4, 1, sequenceParallel: true).Qkv,
            ComputeModel.ForwardTpGemms(Card, MultiQuery, 4, 1, sequenceParallel: true).Qkv);
        Assert.Equal(
            ComputeModel.LayerForward(Card, FourGroups, 4, 1, sequenceParallel: true, flashAttention: true).Total,
            ComputeModel.LayerForward(Card, MultiQuery, 4, 1, sequenceParallel: true, flashAttention: true).Total);
        Assert.Equal(
            MemoryModel.ActivationBytesPerLayer(FourGroups, 4, 1, sequenceParallel: false, Recompute.None),
            MemoryModel.ActivationBytesPerLayer(MultiQuery, 4, 1, sequenceParallel: false, Recompute.None));
        Assert.Equal(
            TransformerMath.StageParams(FourGroups, 20, false, false, 4),
            TransformerMath.StageParams(MultiQuery, 20, false, false, 4));
    }

    [Fact]
    public void TheModelsOwnCount_KeepsOneHead()
    {
        // Model FLOPs (MFU) count the parameters the model has, not the copies its ranks hold.
        Assert.True(TransformerMath.LayerParams(MultiQuery) < TransformerMath.LayerParams(FourGroups));
        Assert.Equal(TransformerMath.LayerParams(MultiQuery), TransformerMath.LayerParams(MultiQuery, 1));
        Assert.Equal(TransformerMath.LayerParams(FourGroups), TransformerMath.LayerParams(MultiQuery, 4));
    }
}
