namespace Emulator.Engine.Tests;

/// <summary>Every small scenario shipped in hocon/scenarios runs to a step time (the large ones are benchmarks).</summary>
public class ScenarioSmokeTests
{
    [Theory]
    [InlineData("quickstart")]
    [InlineData("selene-tiny")]
    [InlineData("h100-80g-roce-smoke")]
    [InlineData("h200-141g-ib-smoke")]
    [InlineData("gb200-nvl72-smoke")]
    [InlineData("ascend-910b-smoke")]
    [InlineData("ascend-910c-cm384-smoke")]
    [InlineData("tpu-v5p-smoke")]
    [InlineData("tpu-v5e-multislice")]
    [InlineData("hetero-a100-h100")]
    public void ShippedScenario_Runs_WithoutOom(string name)
    {
        var (exit, output, err) = CliRunner.Run("run", RepoPaths.Scenario(name), "--out", RepoPaths.TempDir(), "--quiet");
        Assert.True(exit == 0, $"exit {exit}: {err}{output}");
    }

    [Fact]
    public void TrillionScenario_EveryActorLive_RunsOneStepOfOneMicrobatch()
    {
        // The scale issue's CI smoke: all 261,313 actors built and live at the default fidelity, one microbatch per
        // pipeline; the data-parallel rings over 98 replicas still run in full.
        var dir = RepoPaths.TempDir();
        var (exit, output, err) = CliRunner.Run("run", RepoPaths.Scenario("trillion-50k"), "--out", dir, "--quiet",
            "--set", "parallel.global-batch=98", "--set", "parallel.virtual-stages=1");
        Assert.True(exit == 0, $"exit {exit}: {err}{output}");

        using var result = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "result.json")));
        var actors = result.RootElement.GetProperty("engine").GetProperty("actors");
        Assert.Equal(50_176, actors.GetProperty("card").GetInt32());
        Assert.Equal(200_704, actors.GetProperty("hbm_bank").GetInt32());
        Assert.Equal(4_160, actors.GetProperty("switch").GetInt32());
        Assert.True(result.RootElement.GetProperty("step_time_s").GetDouble() > 0);
    }

    [Fact]
    public void TrillionScenario_Loads_AsValidInput()
    {
        var s = Scenarios.ScenarioLoader.Load(RepoPaths.Scenario("trillion-50k"));
        Assert.Equal(50_176, s.Cards);
        Assert.Equal(s.Cards, s.Parallel.Cards);
    }
}
