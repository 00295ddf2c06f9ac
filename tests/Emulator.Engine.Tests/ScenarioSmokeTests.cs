namespace Emulator.Engine.Tests;

/// <summary>Every small scenario shipped in hocon/scenarios runs to a step time (the large ones are benchmarks).</summary>
public class ScenarioSmokeTests
{
    [Theory]
    [InlineData("quickstart")]
    [InlineData("selene-tiny")]
    [InlineData("h100-80g-roce-smoke")]
    [InlineData("h200-141g-ib-smoke")]
    [InlineData("ascend-910b-smoke")]
    [InlineData("ascend-910c-cm384-smoke")]
    [InlineData("tpu-v5p-smoke")]
    [InlineData("hetero-a100-h100")]
    public void ShippedScenario_Runs_WithoutOom(string name)
    {
        var (exit, output, err) = CliRunner.Run("run", RepoPaths.Scenario(name), "--out", RepoPaths.TempDir(), "--quiet");
        Assert.True(exit == 0, $"exit {exit}: {err}{output}");
    }

    [Fact]
    public void TrillionScenario_Loads_AsValidInput()
    {
        var s = Scenarios.ScenarioLoader.Load(RepoPaths.Scenario("trillion-50k"));
        Assert.Equal(50_176, s.Cards);
        Assert.Equal(s.Cards, s.Parallel.Cards);
    }
}
