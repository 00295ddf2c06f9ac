using Emulator.Core.Models;
using Emulator.Core.Units;
using Emulator.Kernel;

namespace Emulator.Core.Tests.Models;

public class CollectiveCostTreeTests
{
    private const long GiB = 1L << 30;
    private static readonly Bandwidth B = Bandwidth.FromGBps(100); // 1e11 B/s
    private static readonly SimTime Lat = SimTime.FromUs(1);

    [Fact]
    public void Tree_all_reduce_closed_form()
    {
        // 2 · 2^30 B / 1e11 B/s = 21,474,836,480 ps, + 2·⌈log2 8⌉ = 6 latencies.
        Assert.Equal(new SimTime(21_474_836_480 + 6_000_000), CollectiveCost.TreeAllReduce(GiB, 8, B, Lat));
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 2)]
    [InlineData(5, 3)]
    [InlineData(1024, 10)]
    [InlineData(1025, 11)]
    public void Latency_term_is_twice_the_ceiling_of_log2_n(int n, int depth)
    {
        Assert.Equal(Lat * (2L * depth), CollectiveCost.TreeAllReduce(0, n, B, Lat));
    }

    [Fact]
    public void One_rank_costs_nothing()
    {
        Assert.Equal(SimTime.Zero, CollectiveCost.TreeAllReduce(GiB, 1, B, Lat));
    }

    [Fact]
    public void Transfer_rounds_up_to_the_picosecond()
    {
        // 2 · 1 B · 8 bit / 3e9 bit/s = 5,333.3… ps → 5,334.
        Assert.Equal(new SimTime(5_334), CollectiveCost.TreeAllReduce(1, 4, Bandwidth.FromGbps(3), SimTime.Zero));
    }

    [Theory]
    [InlineData(2, 10_737_418_240)]
    [InlineData(3, 16_106_127_360)]
    [InlineData(4, 21_474_836_480)]
    public void With_two_or_three_ranks_no_rank_carries_the_buffer_twice(int n, long transferPs)
    {
        // 2 ranks: each roots one tree and is the other's leaf, so it sends S/2 up and S/2 down: S/B. 3 ranks: the roots
        // send both halves down and a half up as leaves: 1.5 · S/B. From 4 ranks an inner node has a parent and two
        // children: 2 · S/B (1 GiB at 800 Gb/s: 10.737 ms per S/B).
        Assert.Equal(new SimTime(transferPs), CollectiveCost.TreeAllReduce(GiB, n, B, SimTime.Zero));
    }

    [Fact]
    public void Rejects_bad_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CollectiveCost.TreeAllReduce(GiB, 0, B, Lat));
        Assert.Throws<ArgumentOutOfRangeException>(() => CollectiveCost.TreeAllReduce(-1, 8, B, Lat));
        Assert.Throws<ArgumentOutOfRangeException>(() => CollectiveCost.TreeAllReduce(GiB, 8, new Bandwidth(0), Lat));
    }
}
