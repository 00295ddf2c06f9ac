using Emulator.Core.Specs;
using Emulator.Core.Topology;

namespace Emulator.Engine;

/// <summary>The replica-mirroring fidelity knob (`emulation.mirror-replicas`): emulate the data-parallel replicas that share the
/// first nodes and let them stand in for all the others, which run the same program at the same times.</summary>
/// <remarks>A ring step across a mirrored dimension is written to the sending card itself through its NIC and leaf switch:
/// it loads the NIC's send side and the leaf's port down to the card, where the step from the previous (mirrored) rank would
/// arrive, and it lands when such a step would (the replicas are symmetric). Lost: the spine and core hops of those steps
/// and their contention with other replicas' traffic. Its error is measured in docs/performance.md.</remarks>
/// <param name="Kept">Weight replicas (dp·cp ranks) emulated: those sharing a node, or 1.</param>
/// <param name="Replicas">Weight replicas of the full job.</param>
/// <param name="FullDims">The full job's dp dimensions; all but the first (or all, when Kept is 1) are mirrored.</param>
public sealed record ReplicaMirror(int Kept, int Replicas, IReadOnlyList<int> FullDims)
{
    /// <summary>The scenario to emulate and its mirror, or the scenario itself and null when there is nothing to mirror.</summary>
    public static (Scenario Emulated, ReplicaMirror? Mirror) Of(Scenario s)
    {
        var p = s.Parallel;
        if (!s.Emulation.MirrorReplicas || s.Fabric.IsTorus) return (s, null);
        var dims = new RankMap(p.Tp, p.Pp, p.WeightReplicas, s.Node.CardsPerNode).DpDims;
        var kept = dims.Count > 1 ? dims[0] : 1;
        if (kept == p.WeightReplicas || kept % p.Cp != 0) return (s, null);
        var cards = p.Tp * p.Pp * kept;
        if (cards % s.Node.CardsPerNode != 0) return (s, null);
        var emulated = s with { Cards = cards, Parallel = p with { Dp = kept / p.Cp } };
        return (emulated, new ReplicaMirror(kept, p.WeightReplicas, dims));
    }

    /// <summary>Whether dimension <paramref name="dim"/> of <see cref="FullDims"/> is stood in for rather than emulated.</summary>
    public bool Mirrored(int dim) => Kept == 1 || dim > 0;
}
