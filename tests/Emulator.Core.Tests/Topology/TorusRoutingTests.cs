using Emulator.Core.Topology;

namespace Emulator.Core.Tests.Topology;

public class TorusRoutingTests
{
    /// <summary>Follows Route from src to dst, checking each hop is a link in dimension order; returns the hops taken.</summary>
    private static List<TorusHop> Walk(Torus t, int src, int dst)
    {
        var path = new List<TorusHop>();
        var lastDim = 0;
        for (var c = src; c != dst;)
        {
            Assert.True(path.Count < t.Diameter, $"route {src} -> {dst} does not terminate");
            var hop = t.Route(c, dst);
            Assert.Equal(t.Neighbour(c, hop.Dim, hop.Direction), hop.Chip);
            Assert.Equal(t.PortOf(hop.Dim, hop.Direction), hop.Port);
            Assert.Equal(hop.Chip, t.Peer(c, hop.Port).Chip);
            Assert.True(hop.Dim >= lastDim, "dimension order violated");
            lastDim = hop.Dim;
            path.Add(hop);
            c = hop.Chip;
        }
        return path;
    }

    [Fact]
    public void Every_route_on_8x8x8_terminates_in_hops_and_at_most_12()
    {
        var t = new Torus([8, 8, 8]);
        Assert.Equal(12, t.Diameter);
        var max = 0;
        for (var s = 0; s < t.ChipCount; s += 7)
            for (var d = 0; d < t.ChipCount; d++)
            {
                var hops = t.Hops(s, d);
                Assert.Equal(hops, Walk(t, s, d).Count);
                Assert.Equal(hops, t.Hops(d, s));
                max = Math.Max(max, hops);
            }
        Assert.Equal(12, max);
        Assert.Equal(12, t.Hops(t.ChipAt(0, 0, 0), t.ChipAt(4, 4, 4)));
        Assert.Equal(3, t.Hops(t.ChipAt(0, 0, 0), t.ChipAt(7, 7, 7)));
    }

    [Theory]
    [InlineData(new[] { 3, 2, 5 })]
    [InlineData(new[] { 2, 2, 2 })]
    [InlineData(new[] { 4, 1, 3, 2 })]
    [InlineData(new[] { 16 })]
    public void Every_route_is_minimal_on_other_shapes(int[] dims)
    {
        var t = new Torus(dims);
        for (var s = 0; s < t.ChipCount; s++)
            for (var d = 0; d < t.ChipCount; d++)
            {
                var path = Walk(t, s, d);
                Assert.Equal(t.Hops(s, d), path.Count);
                Assert.True(path.Count <= t.Diameter);
            }
    }

    [Fact]
    public void Routes_take_the_shorter_way_and_ties_go_plus()
    {
        var t = new Torus([8, 8, 8]);
        var origin = t.ChipAt(0, 0, 0);
        Assert.Equal(new TorusHop(t.ChipAt(7, 0, 0), 0, -1, 1), t.Route(origin, t.ChipAt(6, 0, 0)));
        Assert.Equal(new TorusHop(t.ChipAt(1, 0, 0), 0, +1, 0), t.Route(origin, t.ChipAt(3, 5, 2)));
        Assert.Equal(new TorusHop(t.ChipAt(1, 0, 0), 0, +1, 0), t.Route(origin, t.ChipAt(4, 0, 0))); // tie
        Assert.Equal(new TorusHop(t.ChipAt(0, 0, 7), 2, -1, 5), t.Route(origin, t.ChipAt(0, 0, 5)));
        Assert.All(Walk(t, origin, t.ChipAt(4, 4, 4)), h => Assert.Equal(+1, h.Direction));
        var two = new Torus([2]);
        Assert.Equal(new TorusHop(1, 0, +1, 0), two.Route(0, 1));
        Assert.Equal(new TorusHop(0, 0, +1, 0), two.Route(1, 0));
    }

    [Fact]
    public void Routing_is_deterministic()
    {
        var a = new Torus([8, 8, 8]);
        var b = new Torus([8, 8, 8]);
        for (var s = 0; s < a.ChipCount; s += 13)
            for (var d = 0; d < a.ChipCount; d += 5)
                if (s != d) Assert.Equal(Walk(a, s, d), Walk(b, s, d));
    }

    [Fact]
    public void Routing_to_oneself_has_no_next_hop()
    {
        var t = new Torus([4, 4]);
        Assert.Equal(0, t.Hops(5, 5));
        Assert.Throws<ArgumentException>(() => t.Route(5, 5));
    }
}
