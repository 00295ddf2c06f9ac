namespace Emulator.Engine.Tests;

public class StepEmulationSmokeTests
{
    [Fact]
    public void Run_SmallPlan_FinishesWithPositiveStepTime()
    {
        var result = StepEmulation.Run(TestScenarios.With(tp: 2, pp: 2, dp: 4));
        Assert.True(result.StepTime.Ps > 0);
        Assert.Equal(16, result.Cards);
        Assert.True(result.Events > 0);
        Assert.Equal(result.StepTime.Seconds, result.Breakdown.Values.Sum(), 6);
    }

    [Fact]
    public void Run_NicPerCard_CardsDriveTheirOwnNics_SharedNicsGoThroughTheNode()
    {
        // tp 8 per node, dp 4 across nodes: every data-parallel ring step leaves the node. With 8 NICs each card drives its own;
        // with 4 the node drives them for its cards (two per NIC).
        var own = TestScenarios.With(tp: 8, pp: 1, dp: 4);
        var shared = own with { Node = own.Node with { Nics = 4 } };

        var ownResult = StepEmulation.Run(own);
        var sharedResult = StepEmulation.Run(shared);

        Assert.False(ownResult.EventsByMessage.ContainsKey("RdmaWrite"));
        Assert.True(sharedResult.EventsByMessage["RdmaWrite"] > 0);
        Assert.Contains(ownResult.Links, l => l.From.StartsWith("node-0/nic-7", StringComparison.Ordinal));
        // Two cards share each NIC: their ring steps take turns on it, so the data-parallel time grows.
        Assert.True(sharedResult.Breakdown[Core.Accounting.TimeKind.DataParallel] > ownResult.Breakdown[Core.Accounting.TimeKind.DataParallel]);
    }
}
