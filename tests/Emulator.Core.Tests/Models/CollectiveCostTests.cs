using Emulator.Core.Models;
using Emulator.Core.Units;
using Emulator.Kernel;

namespace Emulator.Core.Tests.Models;

public class CollectiveCostTests
{
    private static readonly Bandwidth B = Bandwidth.FromGBps(100); // 1e11 B/s: 1e6 B take 1e7 ps
    private static readonly SimTime Lat = SimTime.FromUs(1);

    [Fact]
    public void All_reduce_closed_form()
    {
        // 2·3/4 · 1e6 B / 1e11 B/s = 15e6 ps, + 2·3 · 1e6 ps.
        Assert.Equal(new SimTime(21_000_000), CollectiveCost.RingAllReduce(1_000_000, 4, B, Lat));
        Assert.Equal(SimTime.Zero, CollectiveCost.RingAllReduce(1_000_000, 1, B, Lat));
    }

    [Fact]
    public void Reduce_scatter_and_all_gather_closed_form()
    {
        // 3/4 · 1e7 ps = 7.5e6 ps, + 3 · 1e6 ps.
        Assert.Equal(new SimTime(10_500_000), CollectiveCost.RingReduceScatter(1_000_000, 4, B, Lat));
        Assert.Equal(new SimTime(10_500_000), CollectiveCost.RingAllGather(1_000_000, 4, B, Lat));
        Assert.Equal(SimTime.Zero, CollectiveCost.RingAllGather(1_000_000, 1, B, Lat));
    }

    [Fact]
    public void Transfer_rounds_up_to_the_picosecond()
    {
        // 1 B over 3 ranks at 3 Gb/s: 2·2/3 · 8 bit / 3e9 bit/s = 3,555.5… ps → 3,556.
        Assert.Equal(new SimTime(3_556), CollectiveCost.RingAllReduce(1, 3, Bandwidth.FromGbps(3), SimTime.Zero));
    }
}
