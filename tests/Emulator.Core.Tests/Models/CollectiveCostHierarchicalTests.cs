using Emulator.Core.Models;
using Emulator.Core.Units;
using Emulator.Kernel;

namespace Emulator.Core.Tests.Models;

public class CollectiveCostHierarchicalTests
{
    private const long GiB = 1L << 30;
    private static readonly Bandwidth Intra = Bandwidth.FromGBps(300); // 3e11 B/s
    private static readonly Bandwidth Inter = Bandwidth.FromGBps(50);  // 5e10 B/s (400 Gb/s NIC)
    private static readonly SimTime IntraLat = SimTime.FromUs(1);
    private static readonly SimTime InterLat = SimTime.FromUs(5);

    [Fact]
    public void Hierarchical_all_reduce_closed_form()
    {
        // 4 nodes x 8 ranks, 1 GiB.
        // Intra reduce-scatter + all-gather: 2·7/8 · 2^30 B / 3e11 B/s = 6,263,493,973.3… ps → 6,263,493,974, + 14 us.
        // Inter all-reduce of 2^27 B over 4 nodes: 2·3/4 · 2^27 B / 5e10 B/s = 4,026,531,840 ps, + 6 · 5 us.
        var expected = new SimTime(6_263_493_974 + 14_000_000 + 4_026_531_840 + 30_000_000);
        Assert.Equal(expected, CollectiveCost.HierarchicalAllReduce(GiB, 4, 8, Intra, IntraLat, Inter, InterLat));
    }

    [Theory]
    [InlineData(GiB, 8)]
    [InlineData(1_000_003, 3)]
    [InlineData(1, 7)]
    public void One_node_equals_the_intra_ring_all_reduce(long bytes, int perNode)
    {
        Assert.Equal(CollectiveCost.RingAllReduce(bytes, perNode, Intra, IntraLat),
            CollectiveCost.HierarchicalAllReduce(bytes, 1, perNode, Intra, IntraLat, Inter, InterLat));
    }

    [Theory]
    [InlineData(GiB, 16)]
    [InlineData(1_000_003, 3)]
    public void One_rank_per_node_equals_the_inter_ring_all_reduce(long bytes, int nodes)
    {
        Assert.Equal(CollectiveCost.RingAllReduce(bytes, nodes, Inter, InterLat),
            CollectiveCost.HierarchicalAllReduce(bytes, nodes, 1, Intra, IntraLat, Inter, InterLat));
    }

    [Fact]
    public void Inter_node_shard_is_exact_not_rounded_to_bytes()
    {
        // 10 B, 2 nodes x 3 ranks. Intra: 2·2/3 · 10 B · 8 bit / 3e9 bit/s = 35,555.5… ps → 35,556.
        // Inter: each rank's ring carries 10/3 B: 2·1/2 · 10/3 B · 8 bit / 1e9 bit/s = 26,666.6… ps → 26,667.
        var t = CollectiveCost.HierarchicalAllReduce(10, 2, 3, Bandwidth.FromGbps(3), SimTime.Zero, Bandwidth.FromGbps(1), SimTime.Zero);
        Assert.Equal(new SimTime(35_556 + 26_667), t);
    }

    [Fact]
    public void Single_rank_costs_nothing_and_bad_counts_are_rejected()
    {
        Assert.Equal(SimTime.Zero, CollectiveCost.HierarchicalAllReduce(GiB, 1, 1, Intra, IntraLat, Inter, InterLat));
        Assert.Throws<ArgumentOutOfRangeException>(() => CollectiveCost.HierarchicalAllReduce(GiB, 0, 8, Intra, IntraLat, Inter, InterLat));
        Assert.Throws<ArgumentOutOfRangeException>(() => CollectiveCost.HierarchicalAllReduce(GiB, 4, 0, Intra, IntraLat, Inter, InterLat));
    }
}
