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

    [Theory]
    [InlineData(new[] { 12, 16, 16 }, 12, 256, new[] { 16, 16 })]       // PaLM's pod: 12-way model axis, FSDP on the others
    [InlineData(new[] { 12, 16, 16, 2 }, 12, 512, new[] { 16, 16, 2 })] // two pods: the slice axis last
    [InlineData(new[] { 4, 4, 4 }, 1, 64, new[] { 4, 4, 4 })]           // pure data parallelism: every axis
    [InlineData(new[] { 4, 4, 4 }, 16, 4, new[] { 4 })]
    public void A_replica_filling_leading_torus_axes_leaves_the_others_to_dp(int[] chips, int tp, int replicas, int[] axes) =>
        Assert.Equal(axes, DataParallelDims.TorusAxes(chips, tp, replicas));

    [Theory]
    [InlineData(new[] { 4, 4, 4 }, 2, 32)]  // tp half an axis
    [InlineData(new[] { 4, 4, 4 }, 4, 8)]   // dp half an axis
    [InlineData(new[] { 6, 4 }, 4, 6)]      // tp does not fill the first axis
    public void A_replica_part_filling_an_axis_has_no_torus_axes(int[] chips, int tp, int replicas) =>
        Assert.Null(DataParallelDims.TorusAxes(chips, tp, replicas));
}
