using Emulator.Core.Specs;

namespace Emulator.Core.Topology;

/// <summary>The folded-Clos fabric of one job: switches, their port wiring, NIC attachment and up-down routing.</summary>
/// <remarks>
/// <para>Endpoints are NICs (node n, rail r), r &lt; railsPerNode. Switches are numbered leaves first, then spines
/// (pod-major), then cores (plane-major); only the switches the job needs are built.</para>
/// <para>Leaves: D = LeafDownPorts down-ports (ports 0..D-1) and U = LeafUpPorts up-ports (ports D..D+U-1).
/// Rail-optimized: NIC (n, r) plugs into leaf r·leavesPerRail + n/D at down-port n%D, leavesPerRail = ceil(nodes/D).
/// Otherwise endpoint e = n·rails + r plugs into leaf e/D at down-port e%D. Spare down-ports of the last leaf
/// (of each rail) are unconnected (<see cref="PortPeer.None"/>). A job that fits one leaf builds no spines and
/// its leaf has no up-ports.</para>
/// <para>2-tier: U spines "spine-0-j"; spine j's down-port i goes to leaf i's up-port j, so SpineDownPorts must be
/// at least the number of leaves. A spine has one port per leaf.</para>
/// <para>3-tier: leaves are grouped into pods of P = SpineDownPorts consecutive leaves; each pod has U spines
/// "spine-pod-j"; spine (pod, j) down-port i goes to leaf pod·P + i up-port j. With more than one pod there are U
/// planes of SU = SpineUpPorts cores "core-j-k"; spine up-ports are P..P+SU-1 and core (j, k) down-port q goes to
/// spine (q, j) up-port k, so a core has one port per pod. A single pod builds no cores and its spines have one
/// port per leaf of the pod; with cores, spines of a partial last pod keep spare (unconnected) down-ports.</para>
/// <para>Routing is up-down: a leaf sends down to the NIC if it is attached there, else up; a spine sends down if the
/// destination leaf is in its pod, else up; a core sends down to the destination pod. Among equal up-ports a
/// switch picks <see cref="Ecmp.Pick"/>(flowHash, switch, upPorts), which re-mixes the hash per switch so leaf and
/// spine choices are independent.</para>
/// </remarks>
public sealed partial class FatTree
{
    private readonly int _nodes, _rails, _down, _up, _spineUp, _podSize, _leavesPerRail;
    private readonly bool _railOptimized;

    private FatTree(FabricSpec spec, int nodes, int rails, int leaves)
    {
        (_nodes, _rails, _down, _up, _railOptimized) = (nodes, rails, spec.LeafDownPorts, spec.LeafUpPorts, spec.RailOptimized);
        _leavesPerRail = Ceil(nodes, _down);
        LeafCount = leaves;
        _podSize = spec.Tiers == 2 ? leaves : spec.SpineDownPorts;
        PodCount = leaves == 1 ? 1 : Ceil(leaves, _podSize);
        SpineCount = leaves == 1 ? 0 : checked(PodCount * _up);
        _spineUp = PodCount > 1 ? spec.SpineUpPorts : 0;
        CoreCount = checked(_up * _spineUp);
    }

    /// <summary>Builds the fabric for <paramref name="nodes"/> nodes of <paramref name="railsPerNode"/> NICs each, validating the spec.</summary>
    public static FatTree Build(FabricSpec spec, int nodes, int railsPerNode)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Tiers is not (2 or 3)) throw new ArgumentException($"fabric tiers must be 2 or 3 (got {spec.Tiers})", nameof(spec));
        if (nodes < 1) throw new ArgumentException($"a fabric needs at least one node (got {nodes})", nameof(nodes));
        if (railsPerNode < 1) throw new ArgumentException($"a node needs at least one NIC (got {railsPerNode})", nameof(railsPerNode));
        if (spec.LeafDownPorts < 1) throw new ArgumentException($"LeafDownPorts must be at least 1 (got {spec.LeafDownPorts})", nameof(spec));
        if (spec.LeafUpPorts < 0 || spec.SpineDownPorts < 0 || spec.SpineUpPorts < 0)
            throw new ArgumentException($"port counts cannot be negative (LeafUpPorts={spec.LeafUpPorts}, SpineDownPorts={spec.SpineDownPorts}, SpineUpPorts={spec.SpineUpPorts})", nameof(spec));

        var leaves = checked((int)Leaves(spec, nodes, railsPerNode));
        if (leaves > 1)
        {
            if (spec.LeafUpPorts < 1)
                throw new ArgumentException($"the job needs {leaves} leaf switches but LeafUpPorts is 0, so leaves cannot reach each other", nameof(spec));
            if (spec.Tiers == 2 && spec.SpineDownPorts < leaves)
                throw new ArgumentException($"a 2-tier fabric for {nodes} nodes x {railsPerNode} rails needs {leaves} leaves, but a spine has only {spec.SpineDownPorts} down-ports (SpineDownPorts); use tiers = 3 or larger spines", nameof(spec));
            if (spec.Tiers == 3 && spec.SpineDownPorts < 1)
                throw new ArgumentException($"a 3-tier fabric needs SpineDownPorts >= 1 (leaves per pod), got {spec.SpineDownPorts}", nameof(spec));
            if (spec.Tiers == 3 && leaves > spec.SpineDownPorts && spec.SpineUpPorts < 1)
                throw new ArgumentException($"a 3-tier fabric with {leaves} leaves in pods of {spec.SpineDownPorts} needs {Ceil(leaves, spec.SpineDownPorts)} pods joined by cores, but SpineUpPorts is 0", nameof(spec));
        }
        return new FatTree(spec, nodes, railsPerNode, leaves);
    }

    /// <summary>Leaf switches a job of <paramref name="nodes"/> nodes of <paramref name="railsPerNode"/> NICs each takes: rail-optimized, each
    /// rail's own ⌈nodes/D⌉ leaves; otherwise ⌈nodes·rails/D⌉ (D = LeafDownPorts, at least 1).</summary>
    public static long Leaves(FabricSpec spec, int nodes, int railsPerNode)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.RailOptimized
            ? (long)railsPerNode * Ceil(nodes, spec.LeafDownPorts)
            : ((long)nodes * railsPerNode + spec.LeafDownPorts - 1) / spec.LeafDownPorts;
    }

    /// <summary>Switches <see cref="Build"/> would make for the job (as <see cref="SwitchCount"/>), counted without building it and in
    /// floating point, so that absurd port counts give a huge number rather than an overflow; validated specs only.</summary>
    public static double SwitchesNeeded(FabricSpec spec, int nodes, int railsPerNode)
    {
        double leaves = Leaves(spec, nodes, railsPerNode);
        if (leaves <= 1) return leaves;
        var podSize = spec.Tiers == 2 ? leaves : spec.SpineDownPorts;
        var pods = Math.Ceiling(leaves / podSize);
        var spineUp = pods > 1 ? spec.SpineUpPorts : 0;
        return leaves + pods * spec.LeafUpPorts + (double)spec.LeafUpPorts * spineUp;
    }

    /// <summary>All switches: leaves, then spines, then cores.</summary>
    public int SwitchCount => LeafCount + SpineCount + CoreCount;

    /// <summary>Leaf switches (ids 0..LeafCount-1).</summary>
    public int LeafCount { get; }

    /// <summary>Spine switches (ids follow the leaves, pod-major).</summary>
    public int SpineCount { get; }

    /// <summary>Core switches (ids follow the spines, plane-major); 0 unless 3-tier with several pods.</summary>
    public int CoreCount { get; }

    /// <summary>Pods of leaves (1 for a 2-tier fabric).</summary>
    public int PodCount { get; }

    /// <summary>Tier of switch <paramref name="sw"/>.</summary>
    public SwitchTier TierOf(int sw) =>
        CheckSwitch(sw) < LeafCount ? SwitchTier.Leaf : sw < LeafCount + SpineCount ? SwitchTier.Spine : SwitchTier.Core;

    /// <summary>Deterministic kebab-case name: "leaf-3", "spine-1-4" (pod 1, index 4), "core-2-0" (plane 2, index 0).</summary>
    public string NameOf(int sw) => TierOf(sw) switch
    {
        SwitchTier.Leaf => $"leaf-{sw}",
        SwitchTier.Spine => $"spine-{(sw - LeafCount) / _up}-{(sw - LeafCount) % _up}",
        _ => $"core-{(sw - LeafCount - SpineCount) / _spineUp}-{(sw - LeafCount - SpineCount) % _spineUp}",
    };

    /// <summary>Ports of switch <paramref name="sw"/> (some trailing down-ports may be unconnected).</summary>
    public int PortCount(int sw) => TierOf(sw) switch
    {
        SwitchTier.Leaf => _down + (SpineCount > 0 ? _up : 0),
        SwitchTier.Spine => CoreCount > 0 ? _podSize + _spineUp : LeavesInPod((sw - LeafCount) / _up),
        _ => PodCount,
    };

    /// <summary>What port <paramref name="port"/> of switch <paramref name="sw"/> is wired to.</summary>
    public PortPeer Peer(int sw, int port)
    {
        if ((uint)port >= (uint)PortCount(sw))
            throw new ArgumentOutOfRangeException(nameof(port), $"{NameOf(sw)} has ports 0..{PortCount(sw) - 1}, not {port}");
        switch (TierOf(sw))
        {
            case SwitchTier.Leaf:
                if (port >= _down) return PortPeer.ToSwitch(SpineId(sw / _podSize, port - _down), sw % _podSize);
                return NicAt(sw, port);
            case SwitchTier.Spine:
                var (pod, j) = Math.DivRem(sw - LeafCount, _up);
                if (port >= _podSize) return PortPeer.ToSwitch(CoreId(j, port - _podSize), pod);
                return port < LeavesInPod(pod) ? PortPeer.ToSwitch(pod * _podSize + port, _down + j) : PortPeer.None;
            default:
                var (plane, k) = Math.DivRem(sw - LeafCount - SpineCount, _spineUp);
                return PortPeer.ToSwitch(SpineId(port, plane), _podSize + k);
        }
    }

    private PortPeer NicAt(int leaf, int port)
    {
        if (_railOptimized)
        {
            var (rail, slot) = Math.DivRem(leaf, _leavesPerRail);
            var node = slot * _down + port;
            return node < _nodes ? PortPeer.ToNic(node, rail) : PortPeer.None;
        }
        var e = leaf * _down + port;
        return e < _nodes * _rails ? PortPeer.ToNic(e / _rails, e % _rails) : PortPeer.None;
    }

    private int SpineId(int pod, int j) => LeafCount + pod * _up + j;

    private int CoreId(int plane, int k) => LeafCount + SpineCount + plane * _spineUp + k;

    private int LeavesInPod(int pod) => Math.Min(_podSize, LeafCount - pod * _podSize);

    private int CheckSwitch(int sw) =>
        (uint)sw < (uint)SwitchCount ? sw : throw new ArgumentOutOfRangeException(nameof(sw), $"switch {sw} outside 0..{SwitchCount - 1}");

    private static int Ceil(int a, int b) => (a + b - 1) / b;
}
