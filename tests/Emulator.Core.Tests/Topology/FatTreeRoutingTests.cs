using Emulator.Core.Topology;

namespace Emulator.Core.Tests.Topology;

public class FatTreeRoutingTests
{
    /// <summary>Follows Route/Peer from the source NIC's leaf; asserts up-then-down, no loops, arrival at dst; returns switches passed.</summary>
    private static int Walk(FatTree t, int srcNode, int srcRail, int dstNode, int dstRail, ulong hash)
    {
        var sw = t.Attachment(srcNode, srcRail).Switch;
        var visited = new HashSet<int>();
        var goingDown = false;
        while (true)
        {
            Assert.True(visited.Add(sw), $"loop at {t.NameOf(sw)}");
            var peer = t.Peer(sw, t.Route(sw, dstNode, dstRail, hash));
            if (!peer.IsSwitch)
            {
                Assert.Equal(PortPeer.ToNic(dstNode, dstRail), peer);
                return visited.Count;
            }
            var up = t.TierOf(peer.Switch) > t.TierOf(sw);
            Assert.False(up && goingDown, "path goes up after going down");
            goingDown |= !up;
            sw = peer.Switch;
        }
    }

    [Theory]
    [MemberData(nameof(Fabrics.Names), MemberType = typeof(Fabrics))]
    public void EveryNicReachesEveryNicInSwitchHops(string name)
    {
        var (t, nodes, rails) = Fabrics.Named(name);
        for (var sn = 0; sn < nodes; sn++)
            for (var sr = 0; sr < rails; sr++)
                for (var dn = 0; dn < nodes; dn++)
                    for (var dr = 0; dr < rails; dr++)
                        for (var f = 0; f < 4; f++)
                        {
                            var hash = Ecmp.FlowHash(7, sn * rails + sr, dn * rails + dr, f);
                            Assert.Equal(t.SwitchHops(sn, sr, dn, dr), Walk(t, sn, sr, dn, dr, hash));
                        }
    }

    [Fact]
    public void TwoTierHops()
    {
        var t = Fabrics.TwoTier();
        Assert.Equal(1, t.SwitchHops(0, 3, 1, 3)); // same rail, same leaf
        Assert.Equal(3, t.SwitchHops(0, 3, 2, 3)); // same rail, next leaf of the rail
        Assert.Equal(3, t.SwitchHops(0, 0, 0, 1)); // other rail
    }

    [Fact]
    public void ThreeTierHops()
    {
        var t = Fabrics.ThreeTier(); // each rail's 4 leaves form one pod
        Assert.Equal(1, t.SwitchHops(0, 2, 1, 2));
        Assert.Equal(3, t.SwitchHops(0, 2, 7, 2));
        Assert.Equal(5, t.SwitchHops(0, 0, 0, 1));
        Assert.Equal(5, Walk(t, 0, 0, 0, 1, 12345));
    }

    [Fact]
    public void SameLeafRouteIsTheDownPort()
    {
        var t = Fabrics.TwoTier();
        Assert.Equal(1, t.Route(t.Attachment(0, 5).Switch, 1, 5, 99));
        Assert.Equal(PortPeer.ToNic(1, 5), t.Peer(10, 1));
    }

    [Fact]
    public void LeafEcmpSpreadsEvenlyOverUpPorts()
    {
        var t = Fabrics.Named("four-up").Tree; // leaves have 4 down / 4 up
        var counts = new int[4];
        for (var f = 0; f < 1000; f++)
            counts[t.Route(0, 5, 0, Ecmp.FlowHash(1, 0, 10, f)) - 4]++;
        Assert.All(counts, c => Assert.InRange(c, 200, 300));
    }

    [Fact]
    public void SpineEcmpSpreadsIndependentlyOfLeafChoice()
    {
        var t = Fabrics.ThreeTier(); // leaf 0 (pod 0) to NIC (0, rail 1) on leaf 4 (pod 1)
        var pairs = new Dictionary<(int, int), int>();
        for (var f = 0; f < 1000; f++)
        {
            var hash = Ecmp.FlowHash(3, 0, 1, f);
            var up = t.Route(0, 0, 1, hash);
            var spine = t.Peer(0, up).Switch;
            var key = (up, t.Route(spine, 0, 1, hash));
            pairs[key] = pairs.GetValueOrDefault(key) + 1;
        }
        Assert.Equal(4, pairs.Count);
        Assert.All(pairs.Values, c => Assert.InRange(c, 200, 300));
    }

    [Fact]
    public void RouteIsDeterministic()
    {
        var a = Fabrics.ThreeTier();
        var b = Fabrics.ThreeTier();
        for (var f = 0; f < 100; f++)
        {
            var h = Ecmp.FlowHash(5, 0, 20, f);
            Assert.Equal(a.Route(0, 5, 2, h), b.Route(0, 5, 2, h));
            Assert.Equal(a.Route(16, 5, 2, h), b.Route(16, 5, 2, h));
        }
    }
}
