using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Engine.Plan;
using Emulator.Scenarios;

namespace Emulator.Engine.Tests;

/// <summary>Hybrid sharding (training.zero-shard-group): ZeRO inside groups of data-parallel ranks that hold replicas of each other.</summary>
public class HybridShardTests
{
    private static readonly string[] Fsdp32 = ["parallel.tp=1", "parallel.pp=1", "parallel.dp=32", "training.zero-stage=3"];

    [Fact]
    public void ShardsInsideEachNode_HoldOneNodesState_AndOnlyGradientShardsCrossTheNics()
    {
        // 32 A100s on 4 nodes, FSDP inside each node: a card holds what an 8-card job holds, and each NIC (one per card)
        // carries only the all-reduce of its card's 1/8 gradient shard across the 4 nodes, 2·3/4 of it; the parameter
        // gathers stay on the crossbar.
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), [.. Fsdp32, "training.zero-shard-group=8"]);
        var hybrid = StepEmulation.Run(s);
        var node = StepEmulation.Run(ScenarioLoader.Load(RepoPaths.Scenario("quickstart"),
            ["parallel.tp=1", "parallel.pp=1", "parallel.dp=8", "training.zero-stage=3", $"parallel.global-batch={s.Parallel.GlobalBatch / 4}", "cluster.cards=8"]));

        foreach (var kind in new[] { MemoryKind.Weights, MemoryKind.Gradients, MemoryKind.Optimizer })
            Assert.Equal(node.PeakHbmBreakdown[kind], hybrid.PeakHbmBreakdown[kind]);
        var gradients = TransformerMath.StageParams(s.Model, s.Model.Layers, true, true, 1) * StagePlanner.GradientBytesPerParam(s.Training);
        var nic = hybrid.Links.Where(l => l.From.Contains("/nic-", StringComparison.Ordinal)).ToList();
        Assert.Equal(32, nic.Count);
        Assert.All(nic, l => Assert.InRange(l.Bytes / (2.0 * 3 / 4 * gradients / 8), 0.99, 1.01));
    }

    [Fact]
    public void FullGroup_IsTheDefault()
    {
        var all = StepEmulation.Run(ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), [.. Fsdp32, "training.zero-shard-group=32"]));
        var byDefault = StepEmulation.Run(ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), Fsdp32));
        Assert.Equal(byDefault.StepTime, all.StepTime);
        Assert.Equal(byDefault.PeakHbmBytes, all.PeakHbmBytes);
    }
}
