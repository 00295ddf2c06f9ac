using Emulator.Core.Specs;
using Emulator.Core.Topology;
using Emulator.Core.Units;
using Emulator.Kernel;

namespace Emulator.MicroBenchmarks;

/// <summary>The fabric of gpt-20b-1024 (a100-80g-selene: 3-tier rail-optimized fat tree of 40-port switches, 200 Gb/s, 0.6 us) for 128 nodes of 8 NICs.</summary>
public static class Selene
{
    /// <summary>Nodes of the job.</summary>
    public const int Nodes = 128;

    /// <summary>NICs (rails) per node.</summary>
    public const int Rails = 8;

    /// <summary>Chunk size of the default emulation.rdma-chunk (1 MiB).</summary>
    public const long Chunk = 1 << 20;

    /// <summary>The fabric preset, as ScenarioLoaderTests expects it to load.</summary>
    public static FabricSpec Fabric { get; } = new(3, Bandwidth.FromGbps(200), SimTime.FromNs(600), 20, 20, 20, 20, RailOptimized: true);

    /// <summary>A DGX A100 server as the preset describes it (NVSwitch 300 GB/s per card, 8 HDR NICs); switches only read its NIC latency and rails.</summary>
    public static NodeSpec Node { get; } = new(8, Bandwidth.FromGBps(300), SimTime.FromNs(700), Rails, Bandwidth.FromGbps(200), SimTime.FromNs(1000));

    /// <summary>A new fat tree for the job.</summary>
    public static FatTree Tree() => FatTree.Build(Fabric, Nodes, Rails);
}
