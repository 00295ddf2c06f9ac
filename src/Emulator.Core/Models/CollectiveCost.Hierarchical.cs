using Emulator.Core.Units;
using Emulator.Kernel;

namespace Emulator.Core.Models;

public static partial class CollectiveCost
{
    /// <summary>Two-level all-reduce over nodes × perNode ranks: intra-node ring reduce-scatter, inter-node ring all-reduce of S/perNode, intra-node ring all-gather.</summary>
    /// <remarks>
    /// <para>Cost: 2(p−1)/p · S/B_intra + 2(p−1) · intraLatency + 2(m−1)/m · (S/p)/B_inter + 2(m−1) · interLatency, with p = perNode
    /// and m = nodes. Each rank of a node runs its own inter-node ring on its 1/p shard, so <paramref name="inter"/> is one
    /// rank's NIC bandwidth.</para>
    /// <para>The intra-node reduce-scatter and all-gather cost the same and are rounded up together, and S/p is kept exact,
    /// so one node costs exactly <see cref="RingAllReduce"/> over the intra fabric and one rank per node exactly
    /// <see cref="RingAllReduce"/> over the inter fabric.</para>
    /// </remarks>
    public static SimTime HierarchicalAllReduce(long bytes, int nodes, int perNode, Bandwidth intra, SimTime intraLatency, Bandwidth inter, SimTime interLatency)
    {
        if (nodes < 1) throw new ArgumentOutOfRangeException(nameof(nodes), nodes, "nodes must be at least 1");
        if (perNode < 1) throw new ArgumentOutOfRangeException(nameof(perNode), perNode, "ranks per node must be at least 1");
        return RingPhase(bytes, 1, perNode, 2, intra, intraLatency) + RingPhase(bytes, perNode, nodes, 2, inter, interLatency);
    }
}
