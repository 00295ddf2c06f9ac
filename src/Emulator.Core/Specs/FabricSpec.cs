using Emulator.Core.Units;
using Emulator.Kernel;

namespace Emulator.Core.Specs;

/// <summary>A folded-Clos (fat-tree) fabric between the NICs of all nodes.</summary>
/// <param name="Tiers">2 (leaf-spine) or 3 (leaf-spine-core).</param>
/// <param name="LinkBandwidth">Per-direction bandwidth of every switch-to-switch link.</param>
/// <param name="LinkLatency">One-way latency of a link including the switch it enters (cable + forwarding).</param>
/// <param name="LeafDownPorts">Ports of a leaf switch facing NICs.</param>
/// <param name="LeafUpPorts">Ports of a leaf switch facing spines (down/up = oversubscription at the leaf).</param>
/// <param name="SpineDownPorts">Ports of a spine facing leaves (the leaves of one pod in a 3-tier fabric).</param>
/// <param name="SpineUpPorts">Ports of a spine facing cores (3-tier only).</param>
/// <param name="RailOptimized">NIC r of every node goes to the leaves of rail r, so same-rail traffic stays one hop from the leaf.</param>
public sealed record FabricSpec(
    int Tiers,
    Bandwidth LinkBandwidth,
    SimTime LinkLatency,
    int LeafDownPorts,
    int LeafUpPorts,
    int SpineDownPorts,
    int SpineUpPorts,
    bool RailOptimized);
