using Emulator.Core.Specs;
using Emulator.Core.Units;
using Emulator.Kernel;

namespace Emulator.Engine.Tests;

/// <summary>Scenarios built in code with round numbers, so expected times can be derived by hand.</summary>
public static class TestScenarios
{
    /// <summary>A card of 100 TFLOP/s with 2 stacks of 8 GiB at 1000 GB/s each; perfect efficiency, no launch cost.</summary>
    public static CardSpec Card => new("test-card", 100e12, 2, 8L << 30, Bandwidth.FromGBps(1000), 300, 1.0, 0, 1.0, SimTime.Zero);

    /// <summary>Nodes of 8 cards, 100 GB/s crossbar, one 100 Gb/s NIC per card.</summary>
    public static NodeSpec Node => new(8, Bandwidth.FromGBps(100), SimTime.FromNs(500), 8, Bandwidth.FromGbps(100), SimTime.FromNs(1000));

    /// <summary>A 2-tier non-blocking fat tree of 100 Gb/s links.</summary>
    public static FabricSpec Fabric => new(2, Bandwidth.FromGbps(100), SimTime.FromNs(500), 16, 16, 64, 0, true);

    /// <summary>A small GPT.</summary>
    public static ModelSpec Model => new("tiny", 8, 1024, 16, 16, 4096, false, 32000, 1024);

    /// <summary>A scenario with the given plan on tp·pp·dp cards.</summary>
    public static Scenario With(int tp, int pp, int dp, int microBatch = 1, int globalBatch = 0, ModelSpec? model = null,
        Recompute recompute = Recompute.None, bool distributedOptimizer = false, int threads = 1, long chunk = 1 << 20)
    {
        var cards = tp * pp * dp;
        var node = cards < 8 ? Node with { CardsPerNode = cards, Nics = cards } : Node;
        if (globalBatch == 0) globalBatch = 8 * microBatch * dp;
        return new Scenario("test", "built in code", "test", cards, Card, node, Fabric, model ?? Model,
            new ParallelSpec(tp, pp, dp, microBatch, globalBatch, "1f1b", Array.Empty<int>()),
            new TrainingSpec("bf16", recompute, false, distributedOptimizer ? 1 : 0),
            new EmulationSpec(1, chunk, threads, 4));
    }
}
