using Emulator.Core.Topology;

namespace Emulator.Core.Tests.Topology;

public class TorusTests
{
    [Fact]
    public void Shape_counts_chips_and_ports()
    {
        var t = new Torus([8, 8, 8]);
        Assert.Equal(512, t.ChipCount);
        Assert.Equal(6, t.PortCount);
        Assert.Equal(new[] { 8, 8, 8 }, t.Dims);
        Assert.Equal("8x8x8", t.ToString());
        Assert.Equal(4, new Torus([4, 2, 1]).PortCount); // size 2: two ports to one neighbour; size 1: none
        Assert.Equal(0, new Torus([1]).PortCount);
    }

    [Fact]
    public void Coordinates_round_trip_with_x_fastest()
    {
        var t = new Torus([4, 3, 2]);
        Assert.Equal(new[] { 1, 0, 0 }, t.CoordinatesOf(1));
        Assert.Equal(new[] { 0, 1, 0 }, t.CoordinatesOf(4));
        Assert.Equal(new[] { 0, 0, 1 }, t.CoordinatesOf(12));
        Assert.Equal(4 * 3 * 2 - 1, t.ChipAt(3, 2, 1));
        for (var c = 0; c < t.ChipCount; c++)
        {
            var xyz = t.CoordinatesOf(c);
            Assert.Equal(c, t.ChipAt(xyz));
            for (var k = 0; k < 3; k++) Assert.Equal(xyz[k], t.Coordinate(c, k));
        }
    }

    [Fact]
    public void Neighbours_wrap_around()
    {
        var t = new Torus([8, 8, 8]);
        Assert.Equal(t.ChipAt(0, 3, 5), t.Neighbour(t.ChipAt(7, 3, 5), 0, +1));
        Assert.Equal(t.ChipAt(7, 3, 5), t.Neighbour(t.ChipAt(0, 3, 5), 0, -1));
        Assert.Equal(t.ChipAt(2, 0, 5), t.Neighbour(t.ChipAt(2, 7, 5), 1, +1));
        Assert.Equal(t.ChipAt(2, 3, 7), t.Neighbour(t.ChipAt(2, 3, 0), 2, -1));
        Assert.Equal(t.ChipAt(2, 4, 5), t.Neighbour(t.ChipAt(2, 3, 5), 1, +1));
        for (var c = 0; c < t.ChipCount; c++)
            for (var k = 0; k < 3; k++)
                Assert.Equal(c, t.Neighbour(t.Neighbour(c, k, +1), k, -1));
    }

    [Fact]
    public void Size_two_dimensions_link_twice_to_the_same_neighbour()
    {
        var t = new Torus([2, 4]);
        Assert.Equal(1, t.Neighbour(0, 0, +1));
        Assert.Equal(1, t.Neighbour(0, 0, -1));
        Assert.Equal((1, t.PortOf(0, -1)), t.Peer(0, t.PortOf(0, +1)));
        Assert.Equal((1, t.PortOf(0, +1)), t.Peer(0, t.PortOf(0, -1)));
        Assert.Equal(0, t.Neighbour(1, 0, +1));
    }

    [Fact]
    public void Ports_number_the_dimensions_of_size_two_or_more()
    {
        var t = new Torus([4, 1, 2]);
        Assert.Equal(0, t.PortOf(0, +1));
        Assert.Equal(1, t.PortOf(0, -1));
        Assert.Equal(2, t.PortOf(2, +1));
        Assert.Equal(3, t.PortOf(2, -1));
        Assert.Throws<ArgumentException>(() => t.PortOf(1, +1));
        for (var p = 0; p < t.PortCount; p++)
        {
            var (dim, dir) = t.DirectionOf(p);
            Assert.Equal(p, t.PortOf(dim, dir));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => t.DirectionOf(4));
    }

    [Fact]
    public void Every_link_is_wired_both_ways()
    {
        var t = new Torus([3, 2, 4]);
        for (var c = 0; c < t.ChipCount; c++)
            for (var p = 0; p < t.PortCount; p++)
            {
                var (peer, peerPort) = t.Peer(c, p);
                var (dim, dir) = t.DirectionOf(p);
                Assert.Equal(t.Neighbour(c, dim, dir), peer);
                Assert.Equal((c, p), t.Peer(peer, peerPort));
            }
    }

    [Fact]
    public void Rejects_bad_shapes_with_clear_messages()
    {
        Assert.Throws<ArgumentNullException>(() => new Torus(null!));
        Assert.Contains("at least one dimension", Assert.Throws<ArgumentException>(() => new Torus([])).Message);
        var e = Assert.Throws<ArgumentException>(() => new Torus([8, 0, 8]));
        Assert.Contains("dimension 1 of 8x0x8 has size 0", e.Message);
        Assert.Equal("dims", e.ParamName);
        Assert.Contains("has size -2", Assert.Throws<ArgumentException>(() => new Torus([-2])).Message);
        Assert.Contains("more than", Assert.Throws<ArgumentException>(() => new Torus([65536, 65536])).Message);
    }

    [Fact]
    public void Rejects_bad_chips_dimensions_directions_and_coordinates()
    {
        var t = new Torus([4, 4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.CoordinatesOf(16));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Coordinate(0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Neighbour(0, 0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Neighbour(-1, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.ChipAt(4, 0));
        Assert.Throws<ArgumentException>(() => t.ChipAt(1, 2, 3));
        Assert.Equal("dst", Assert.Throws<ArgumentOutOfRangeException>(() => t.Route(0, 16)).ParamName);
    }
}
