namespace Emulator.Core.Topology;

public sealed partial class FatTree
{
    /// <summary>The leaf switch and down-port that NIC (<paramref name="node"/>, <paramref name="rail"/>) plugs into.</summary>
    public (int Switch, int Port) Attachment(int node, int rail)
    {
        if ((uint)node >= (uint)_nodes || (uint)rail >= (uint)_rails)
            throw new ArgumentOutOfRangeException(nameof(node), $"NIC (node {node}, rail {rail}) outside {_nodes} nodes x {_rails} rails");
        if (_railOptimized) return (rail * _leavesPerRail + node / _down, node % _down);
        var e = node * _rails + rail;
        return (e / _down, e % _down);
    }

    /// <summary>Egress port at switch <paramref name="sw"/> towards NIC (<paramref name="dstNode"/>, <paramref name="dstRail"/>): up-down routing, ECMP by <paramref name="flowHash"/>.</summary>
    public int Route(int sw, int dstNode, int dstRail, ulong flowHash)
    {
        var (leaf, port) = Attachment(dstNode, dstRail);
        switch (TierOf(sw))
        {
            case SwitchTier.Leaf:
                return sw == leaf ? port : _down + Ecmp.Pick(flowHash, sw, _up);
            case SwitchTier.Spine:
                var pod = (sw - LeafCount) / _up;
                return leaf / _podSize == pod ? leaf % _podSize : _podSize + Ecmp.Pick(flowHash, sw, _spineUp);
            default:
                return leaf / _podSize;
        }
    }

    /// <summary>Switches a packet passes between two NICs: 1 on the same leaf, 3 via a spine, 5 via a core.</summary>
    public int SwitchHops(int srcNode, int srcRail, int dstNode, int dstRail)
    {
        var src = Attachment(srcNode, srcRail).Switch;
        var dst = Attachment(dstNode, dstRail).Switch;
        if (src == dst) return 1;
        return src / _podSize == dst / _podSize ? 3 : 5;
    }
}
