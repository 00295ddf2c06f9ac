using Emulator.Core.Specs;
using Emulator.Core.Topology;

namespace Emulator.Engine;

/// <summary>The replica-mirroring fidelity knob (`emulation.mirror-replicas`): emulate the data-parallel replicas that share the
/// first nodes (on a torus, the first slice) and let them stand in for all the others, which run the same program at the same times.</summary>
/// <remarks>A ring step across a mirrored dimension is written to the sending card itself through its NIC and leaf switch:
/// it loads the NIC's send side and the leaf's port down to the card, where the step from the previous (mirrored) rank would
/// arrive, and it lands when such a step would (the replicas are symmetric). Lost: the spine and core hops of those steps
/// and their contention with other replicas' traffic. Its error is measured in docs/performance.md. On a torus of several
/// slices the step crosses the chip's own data-centre-network port and comes back, which is exact: every DCN path is a
/// link of its own, shared with no other replica's traffic.</remarks>
/// <param name="Kept">Weight replicas (dp·cp ranks) emulated: those sharing a node (or a slice), or 1.</param>
/// <param name="Replicas">Weight replicas of the full job.</param>
/// <param name="Groups">The full job's dp ring dimensions (and its ZeRO shard dimensions); those from <see cref="FirstMirrored"/> on are mirrored.</param>
/// <param name="FirstMirrored">The first mirrored dimension: 1 (0 when Kept is 1) on a fat tree, the slice axis on a torus.</param>
public sealed record ReplicaMirror(int Kept, int Replicas, DataParallelDims Groups, int FirstMirrored)
{
    /// <summary>The scenario to emulate and its mirror, or the scenario itself and null when there is nothing to mirror.</summary>
    public static (Scenario Emulated, ReplicaMirror? Mirror) Of(Scenario s)
    {
        var p = s.Parallel;
        if (!s.Emulation.MirrorReplicas || (s.Fabric.IsTorus && s.Fabric.Slices == 1)) return (s, null);
        // Validated: the shard group falls on the dimensions (inside a slice; on a torus the last dimension crosses the slices).
        var groups = DataParallelDims.Of(s)!;
        if (s.Fabric.IsTorus)
        {
            var sliced = s with { Cards = s.Cards / s.Fabric.Slices, Parallel = p with { Dp = p.Dp / s.Fabric.Slices }, Fabric = s.Fabric with { Slices = 1 } };
            return (sliced, new ReplicaMirror(p.WeightReplicas / s.Fabric.Slices, p.WeightReplicas, groups, groups.Dims.Count - 1));
        }
        // One dimension whose ranks share nodes (every replica on one node, or a ring that does not split by node) runs over the
        // crossbar, which a mirrored step would send through the NIC instead: nothing to mirror then.
        if (groups.Dims.Count == 1 && p.Tp < s.Node.CardsPerNode) return (s, null);
        var kept = groups.Dims.Count > 1 ? groups.Dims[0] : 1;
        if (kept == p.WeightReplicas || kept % p.Cp != 0) return (s, null);
        var cards = p.Tp * p.Pp * kept;
        if (cards % s.Node.CardsPerNode != 0) return (s, null);
        var emulated = s with { Cards = cards, Parallel = p with { Dp = kept / p.Cp } };
        return (emulated, new ReplicaMirror(kept, p.WeightReplicas, groups, kept == 1 ? 0 : 1));
    }

    /// <summary>The emulated (kept) dimensions: the full job's before the first mirrored one.</summary>
    public IReadOnlyList<int> KeptDims { get; } = Groups.Dims.Take(FirstMirrored).ToArray();

    /// <summary>Whether dimension <paramref name="dim"/> of the full job's dimensions is stood in for rather than emulated.</summary>
    public bool Mirrored(int dim) => dim >= FirstMirrored;
}
