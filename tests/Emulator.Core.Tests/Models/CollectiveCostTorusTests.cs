using Emulator.Core.Models;
using Emulator.Core.Units;
using Emulator.Kernel;

namespace Emulator.Core.Tests.Models;

public class CollectiveCostTorusTests
{
    private const long GiB = 1L << 30;
    private static readonly Bandwidth B = Bandwidth.FromGBps(100); // 1e11 B/s per link
    private static readonly SimTime Lat = SimTime.FromUs(1);
    private static readonly int[] Cube = [8, 8, 8];

    // Reduce-scatter of 1 GiB on 8x8x8 at 1e11 B/s per link, one direction:
    // dim 0: 7/8 · 2^30 B → 9,395,240,960 ps; dim 1: 7/8 · 2^27 B → 1,174,405,120 ps; dim 2: 7/8 · 2^24 B → 146,800,640 ps.
    private const long CubeBandwidthTerm = 9_395_240_960 + 1_174_405_120 + 146_800_640; // 10,716,446,720 ps
    private const long CubeLatencyTerm = 3 * 7 * 1_000_000;

    [Fact]
    public void Reduce_scatter_and_all_gather_closed_form()
    {
        var expected = new SimTime(CubeBandwidthTerm + CubeLatencyTerm);
        Assert.Equal(expected, CollectiveCost.TorusReduceScatter(GiB, Cube, B, Lat, bidirectional: false));
        Assert.Equal(expected, CollectiveCost.TorusAllGather(GiB, Cube, B, Lat, bidirectional: false));
    }

    [Fact]
    public void All_reduce_closed_form()
    {
        Assert.Equal(new SimTime(2 * (CubeBandwidthTerm + CubeLatencyTerm)), CollectiveCost.TorusAllReduce(GiB, Cube, B, Lat, bidirectional: false));
    }

    [Fact]
    public void Bidirectional_halves_the_bandwidth_term_only()
    {
        Assert.Equal(new SimTime(CubeBandwidthTerm / 2 + CubeLatencyTerm), CollectiveCost.TorusReduceScatter(GiB, Cube, B, Lat, bidirectional: true));
        Assert.Equal(new SimTime(CubeBandwidthTerm + 2 * CubeLatencyTerm), CollectiveCost.TorusAllReduce(GiB, Cube, B, Lat, bidirectional: true));
        var noLatency = CollectiveCost.TorusAllReduce(GiB, Cube, B, SimTime.Zero, bidirectional: false);
        Assert.Equal(noLatency.Ps / 2, CollectiveCost.TorusAllReduce(GiB, Cube, B, SimTime.Zero, bidirectional: true).Ps);
    }

    [Theory]
    [InlineData(GiB, 8)]
    [InlineData(1_000_003, 3)]
    [InlineData(1, 3)]
    [InlineData(12_345, 2)]
    public void One_dimension_equals_the_plain_ring(long bytes, int n)
    {
        Assert.Equal(CollectiveCost.RingAllReduce(bytes, n, B, Lat), CollectiveCost.TorusAllReduce(bytes, [n], B, Lat, false));
        Assert.Equal(CollectiveCost.RingReduceScatter(bytes, n, B, Lat), CollectiveCost.TorusReduceScatter(bytes, [n], B, Lat, false));
        Assert.Equal(CollectiveCost.RingAllGather(bytes, n, B, Lat), CollectiveCost.TorusAllGather(bytes, [n], B, Lat, false));
        // Two counter-rotating rings are one ring at twice the bandwidth.
        var doubled = new Bandwidth(2 * B.BitsPerSecond);
        Assert.Equal(CollectiveCost.RingAllReduce(bytes, n, doubled, Lat), CollectiveCost.TorusAllReduce(bytes, [n], B, Lat, true));
    }

    [Fact]
    public void Dimensions_of_size_one_cost_nothing()
    {
        Assert.Equal(CollectiveCost.TorusAllReduce(GiB, [8], B, Lat, false), CollectiveCost.TorusAllReduce(GiB, [1, 8, 1], B, Lat, false));
        Assert.Equal(CollectiveCost.TorusAllReduce(GiB, [4, 4], B, Lat, true), CollectiveCost.TorusAllReduce(GiB, [1, 4, 1, 4, 1], B, Lat, true));
        Assert.Equal(SimTime.Zero, CollectiveCost.TorusAllReduce(GiB, [1, 1, 1], B, Lat, false));
    }

    [Fact]
    public void Later_dimensions_work_on_the_shrunken_buffer()
    {
        // 4x4: 3/4 · 2^30 B → 8,053,063,680 ps, then 3/4 · 2^28 B → 2,013,265,920 ps; 2·(3+3) latencies.
        Assert.Equal(new SimTime(2 * (8_053_063_680 + 2_013_265_920) + 12_000_000), CollectiveCost.TorusAllReduce(GiB, [4, 4], B, Lat, false));
    }

    [Fact]
    public void Rejects_bad_shapes()
    {
        Assert.Throws<ArgumentNullException>(() => CollectiveCost.TorusAllReduce(GiB, null!, B, Lat, false));
        Assert.Throws<ArgumentException>(() => CollectiveCost.TorusAllReduce(GiB, [], B, Lat, false));
        var e = Assert.Throws<ArgumentException>(() => CollectiveCost.TorusAllReduce(GiB, [8, 0, 8], B, Lat, false));
        Assert.Contains("dimension 1 has size 0", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => CollectiveCost.TorusAllReduce(-1, Cube, B, Lat, false));
    }
}
