using Emulator.Core.Units;
using Emulator.Kernel;

namespace Emulator.Core.Specs;

/// <summary>The fabric between nodes: a folded-Clos fat tree between the NICs of all nodes, or a torus of direct chip-to-chip links (TPU ICI).</summary>
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
    bool RailOptimized)
{
    /// <summary>"fat-tree" or "torus".</summary>
    public string Kind { get; init; } = "fat-tree";

    /// <summary>Chips along each torus axis of one slice, x first; their product times <see cref="Slices"/> is the job's cards (torus only).</summary>
    public IReadOnlyList<int> TorusDims { get; init; } = [];

    /// <summary>Torus slices (pods) in the job, joined by the data-centre network through their hosts' NICs (torus only).</summary>
    public int Slices { get; init; } = 1;

    /// <summary>Most chips one torus slice may hold (the largest slice the system schedules), or 0 for no limit (torus only).</summary>
    public int PodChips { get; init; }

    /// <summary>One-way latency of a data-centre-network crossing between slices (NIC to NIC through the DCN switches).</summary>
    public SimTime DcnLatency { get; init; } = SimTime.Zero;

    /// <summary>The chips' axes: a slice's torus axes, then (with several slices) one more axis across the slices, whose links are DCN paths.</summary>
    public IReadOnlyList<int> ChipDims => Slices > 1 ? [.. TorusDims, Slices] : TorusDims;

    /// <summary>Index in <see cref="ChipDims"/> of the axis across slices, or −1 with one slice.</summary>
    public int SliceAxis => Slices > 1 ? TorusDims.Count : -1;

    /// <summary>Chips are linked directly in a torus with wrap-around; there are no switches.</summary>
    public bool IsTorus => Kind == "torus";

    /// <summary>A torus fabric with these link figures and axes (the fat-tree fields are unused).</summary>
    public static FabricSpec Torus(Units.Bandwidth link, SimTime latency, IReadOnlyList<int> dims) =>
        new(0, link, latency, 0, 0, 0, 0, false) { Kind = "torus", TorusDims = dims };

    /// <summary>The most balanced shape of <paramref name="chips"/> chips in <paramref name="axes"/> axes, smallest first
    /// (2 axes: 64 → 8x8, 128 → 8x16; 3 axes: <see cref="CubicDims"/>).</summary>
    public static int[] BalancedDims(int chips, int axes)
    {
        if (axes >= 3) return axes == 3 ? CubicDims(chips) : [.. Enumerable.Repeat(1, axes - 3), .. CubicDims(chips)];
        if (axes <= 1) return [chips];
        var x = Math.Max(1, (int)Math.Sqrt(chips));
        while (chips % x != 0) x--;
        return [x, chips / x];
    }

    /// <summary>The most cube-like shape of <paramref name="chips"/> chips in three axes, smallest first (512 → 8x8x8, 1024 → 8x8x16).</summary>
    public static int[] CubicDims(int chips)
    {
        if (chips < 1) throw new ArgumentOutOfRangeException(nameof(chips), chips, "a torus needs at least one chip");
        int[] best = [1, 1, chips];
        for (var x = 1; (long)x * x * x <= chips; x++)
        {
            if (chips % x != 0) continue;
            for (var y = x; (long)y * y <= chips / x; y++)
            {
                if (chips / x % y != 0) continue;
                int[] shape = [x, y, chips / x / y];
                if (shape[2] - shape[0] < best[2] - best[0]) best = shape;
            }
        }
        return best;
    }
}
