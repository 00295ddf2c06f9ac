using Emulator.Core.Specs;
using Emulator.Core.Topology;
using Emulator.Core.Units;
using Emulator.Kernel;

namespace Emulator.Core.Tests.Topology;

/// <summary>Small fabrics shared by the topology tests.</summary>
internal static class Fabrics
{
    public static FabricSpec Spec(int tiers, int leafDown, int leafUp, int spineDown, int spineUp, bool railOptimized) =>
        new(tiers, Bandwidth.FromGbps(400), SimTime.FromNs(500), leafDown, leafUp, spineDown, spineUp, railOptimized);

    /// <summary>4 nodes x 8 rails, rail-optimized, leaves 2 down / 2 up: 16 leaves, 2 spines.</summary>
    public static FatTree TwoTier() => FatTree.Build(Spec(2, 2, 2, 16, 0, true), 4, 8);

    /// <summary>8 nodes x 4 rails, rail-optimized, leaves 2/2, pods of 4 leaves, 2 spine up-ports: 16 leaves, 8 spines, 4 cores.</summary>
    public static FatTree ThreeTier() => FatTree.Build(Spec(3, 2, 2, 4, 2, true), 8, 4);

    /// <summary>5 nodes x 2 rails, not rail-optimized, leaves 2/2, pods of 2 leaves, 3 spine up-ports: 5 leaves, 3 pods (last partial), 6 spines, 6 cores.</summary>
    public static FatTree RaggedThreeTier() => FatTree.Build(Spec(3, 2, 2, 2, 3, false), 5, 2);

    public static TheoryData<string> Names() => new() { "two-tier", "three-tier", "ragged-three-tier", "two-tier-plain", "four-up", "single-pod", "single-leaf" };

    public static (FatTree Tree, int Nodes, int Rails) Named(string name) => name switch
    {
        "two-tier" => (TwoTier(), 4, 8),
        "three-tier" => (ThreeTier(), 8, 4),
        "ragged-three-tier" => (RaggedThreeTier(), 5, 2),
        "two-tier-plain" => (FatTree.Build(Spec(2, 3, 2, 8, 0, false), 5, 4), 5, 4),
        "four-up" => (FatTree.Build(Spec(3, 4, 4, 2, 3, true), 6, 2), 6, 2),
        "single-pod" => (FatTree.Build(Spec(3, 2, 2, 8, 4, false), 2, 2), 2, 2),
        "single-leaf" => (FatTree.Build(Spec(2, 8, 4, 8, 0, false), 2, 2), 2, 2),
        _ => throw new ArgumentException(name),
    };
}
