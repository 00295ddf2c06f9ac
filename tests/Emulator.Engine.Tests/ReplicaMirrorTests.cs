using Emulator.Core.Accounting;
using Emulator.Scenarios;

namespace Emulator.Engine.Tests;

/// <summary>The replica-mirroring fidelity knob: one replica's nodes stand in for all.</summary>
public class ReplicaMirrorTests
{
    [Fact]
    public void Mirrored_EmulatesOneReplica_ReportsTheWholeJob()
    {
        // quickstart with tp 8 (a whole node per tensor group): pp 4 x dp 4 = 16 nodes; mirrored, one replica's 4 nodes run.
        string[] plan = ["parallel.tp=8", "parallel.pp=2", "parallel.dp=8", "cluster.cards=128", "parallel.global-batch=128"];
        var full = StepEmulation.Run(ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), plan));
        var mirrored = StepEmulation.Run(ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), [.. plan, "emulation.mirror-replicas=true"]));

        Assert.Equal(128, mirrored.Cards);
        Assert.Equal(16, mirrored.Actors["card"]);
        Assert.Equal(full.TokensPerStep, mirrored.TokensPerStep);
        Assert.Equal(full.Breakdown[TimeKind.Compute], mirrored.Breakdown[TimeKind.Compute], 9);
        Assert.True(mirrored.Events * 4 < full.Events);
        Assert.InRange(mirrored.StepTime.Seconds / full.StepTime.Seconds, 0.9, 1.1);
    }

    [Fact]
    public void Mirroring_ReplicasThatShareOneNode_IsIgnored()
    {
        // The quickstart's 4 replicas of each stage share a node (tp 2): their rings run over the crossbar, so all stay live.
        var full = StepEmulation.Run(ScenarioLoader.Load(RepoPaths.Scenario("quickstart")));
        var mirrored = StepEmulation.Run(ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["emulation.mirror-replicas=true"]));

        Assert.Equal(32, mirrored.Actors["card"]);
        Assert.Equal(full.StepTime, mirrored.StepTime);
    }

    [Fact]
    public void Mirroring_OnATorus_IsIgnored()
    {
        // A torus job's replicas are each other's link neighbours: every chip stays live.
        var s = ScenarioLoader.Load(RepoPaths.Scenario("tpu-v5p-smoke"), ["emulation.mirror-replicas=true"]);
        Assert.Equal(s.Cards, StepEmulation.Run(s).Actors["card"]);
    }
}
