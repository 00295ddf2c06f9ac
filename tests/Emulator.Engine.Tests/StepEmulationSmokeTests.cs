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
}
