using Emulator.Core.Topology;

namespace Emulator.Core.Tests.Topology;

/// <summary>Splitting a data-parallel group's ring dimensions at a ZeRO shard group (hybrid sharding).</summary>
public class DataParallelDimsTests
{
    [Theory]
    [InlineData(new[] { 8, 4 }, 32, new[] { 8, 4 }, 2)]    // all of them: the default
    [InlineData(new[] { 8, 4 }, 8, new[] { 8, 4 }, 1)]     // one node's cards
    [InlineData(new[] { 8, 4 }, 4, new[] { 4, 2, 4 }, 1)]  // half a node: its axis split
    [InlineData(new[] { 8, 4 }, 16, new[] { 8, 2, 2 }, 2)] // two nodes
    [InlineData(new[] { 8, 4 }, 1, new[] { 8, 4 }, 0)]     // no sharding
    [InlineData(new[] { 4, 4, 2 }, 16, new[] { 4, 4, 2 }, 2)]
    public void A_group_on_the_dimensions_splits_them(int[] dims, int group, int[] split, int shardDims)
    {
        var d = DataParallelDims.Split(dims, group);
        Assert.NotNull(d);
        Assert.Equal(split, d.Dims);
        Assert.Equal(shardDims, d.ShardDims);
    }

    [Theory]
    [InlineData(new[] { 8, 4 }, 3)]   // not a divisor
    [InlineData(new[] { 6, 4 }, 8)]   // 6 then 4: no leading product is 8
    [InlineData(new[] { 8, 4 }, 64)]  // larger than the group
    public void A_group_off_the_dimensions_is_refused(int[] dims, int group) => Assert.Null(DataParallelDims.Split(dims, group));
}
