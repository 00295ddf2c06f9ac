using Emulator.Core.Topology;

namespace Emulator.Core.Tests.Topology;

public class FatTreeStructureTests
{
    [Fact]
    public void TwoTierCountsNamesAndPorts()
    {
        var t = Fabrics.TwoTier();
        Assert.Equal((16, 2, 0, 18), (t.LeafCount, t.SpineCount, t.CoreCount, t.SwitchCount));
        Assert.Equal(SwitchTier.Leaf, t.TierOf(15));
        Assert.Equal(SwitchTier.Spine, t.TierOf(16));
        Assert.Equal("leaf-3", t.NameOf(3));
        Assert.Equal("spine-0-1", t.NameOf(17));
        Assert.Equal(4, t.PortCount(0));
        Assert.Equal(16, t.PortCount(16));
    }

    [Fact]
    public void ThreeTierCountsNamesAndPorts()
    {
        var t = Fabrics.ThreeTier();
        Assert.Equal((16, 4, 8, 4, 28), (t.LeafCount, t.PodCount, t.SpineCount, t.CoreCount, t.SwitchCount));
        Assert.Equal("spine-1-1", t.NameOf(16 + 1 * 2 + 1));
        Assert.Equal("core-1-0", t.NameOf(24 + 1 * 2 + 0));
        Assert.Equal(SwitchTier.Core, t.TierOf(27));
        Assert.Equal(4, t.PortCount(0));
        Assert.Equal(6, t.PortCount(16));
        Assert.Equal(4, t.PortCount(24));
    }

    [Fact]
    public void RaggedThreeTierHasSparePorts()
    {
        var t = Fabrics.RaggedThreeTier();
        Assert.Equal((5, 3, 6, 6, 17), (t.LeafCount, t.PodCount, t.SpineCount, t.CoreCount, t.SwitchCount));
        var lastPodSpine = 5 + 2 * 2 + 1; // spine-2-1
        Assert.Equal("spine-2-1", t.NameOf(lastPodSpine));
        Assert.Equal(PortPeer.ToSwitch(4, 3), t.Peer(lastPodSpine, 0));
        Assert.Equal(PortPeer.None, t.Peer(lastPodSpine, 1));
        Assert.False(t.Peer(lastPodSpine, 1).IsConnected);
        Assert.Equal(SwitchTier.Core, t.TierOf(11));
        Assert.Equal(3, t.PortCount(11)); // cores: one port per pod
        Assert.Equal(5, t.PortCount(lastPodSpine)); // 2 down (one spare) + 3 up
    }

    [Fact]
    public void SmallJobsBuildOnlyWhatTheyNeed()
    {
        var (pod, _, _) = Fabrics.Named("single-pod");
        Assert.Equal((2, 2, 0, 4), (pod.LeafCount, pod.SpineCount, pod.CoreCount, pod.SwitchCount));
        Assert.Equal(2, pod.PortCount(2));
        var (leaf, _, _) = Fabrics.Named("single-leaf");
        Assert.Equal(1, leaf.SwitchCount);
        Assert.Equal(8, leaf.PortCount(0));
    }

    [Fact]
    public void AttachmentFollowsRailOrPlainLayout()
    {
        var rail = Fabrics.TwoTier();
        Assert.Equal((11, 1), rail.Attachment(3, 5));
        Assert.Equal((0, 0), rail.Attachment(0, 0));
        var plain = FatTree.Build(Fabrics.Spec(2, 2, 2, 16, 0, false), 4, 8);
        Assert.Equal((5, 1), plain.Attachment(1, 3));
        Assert.Equal(PortPeer.ToNic(1, 3), plain.Peer(5, 1));
    }

    [Theory]
    [MemberData(nameof(Fabrics.Names), MemberType = typeof(Fabrics))]
    public void LinksAreSymmetricAndEveryNicIsPluggedInOnce(string name)
    {
        var (t, nodes, rails) = Fabrics.Named(name);
        var nics = new HashSet<(int, int)>();
        for (var sw = 0; sw < t.SwitchCount; sw++)
            for (var port = 0; port < t.PortCount(sw); port++)
            {
                var peer = t.Peer(sw, port);
                if (peer.IsSwitch)
                {
                    Assert.NotEqual(t.TierOf(sw), t.TierOf(peer.Switch));
                    Assert.Equal(PortPeer.ToSwitch(sw, port), t.Peer(peer.Switch, peer.Port));
                }
                else if (peer.IsConnected)
                {
                    Assert.Equal(SwitchTier.Leaf, t.TierOf(sw));
                    Assert.Equal((sw, port), t.Attachment(peer.Node, peer.Rail));
                    Assert.True(nics.Add((peer.Node, peer.Rail)));
                }
            }
        Assert.Equal(nodes * rails, nics.Count);
    }

    [Theory]
    [MemberData(nameof(Fabrics.Names), MemberType = typeof(Fabrics))]
    public void NamesAreUniqueKebabCase(string name)
    {
        var t = Fabrics.Named(name).Tree;
        var names = Enumerable.Range(0, t.SwitchCount).Select(t.NameOf).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(names, n => Assert.Matches("^(leaf-[0-9]+|spine-[0-9]+-[0-9]+|core-[0-9]+-[0-9]+)$", n));
    }
}
