namespace Emulator.Engine.Tests;

/// <summary>Same scenario and seed, same bytes out, whatever the thread count.</summary>
public class DeterminismTests
{
    private static byte[] ResultOf(params string[] sets)
    {
        var dir = RepoPaths.TempDir();
        var args = new List<string> { "run", RepoPaths.Scenario("quickstart"), "--out", dir, "--quiet" };
        foreach (var s in sets) args.AddRange(new[] { "--set", s });
        var (exit, _, err) = CliRunner.Run(args.ToArray());
        Assert.True(exit == 0, err);
        return File.ReadAllBytes(Path.Combine(dir, "result.json"));
    }

    [Fact]
    public void Quickstart_RunTwice_IdenticalResultJson()
    {
        Assert.Equal(ResultOf(), ResultOf());
    }

    [Fact]
    public void Quickstart_OneThreadVersusTwo_IdenticalResultJson()
    {
        Assert.Equal(ResultOf("emulation.threads=1"), ResultOf("emulation.threads=2"));
    }

    [Fact]
    public void MultiNodeStep_OneVersusTwoPartitions_SameStepTimeAndEvents()
    {
        var one = StepEmulation.Run(TestScenarios.With(tp: 2, pp: 2, dp: 8, threads: 1));
        var two = StepEmulation.Run(TestScenarios.With(tp: 2, pp: 2, dp: 8, threads: 2));
        Assert.Equal(1, one.Partitions);
        Assert.Equal(2, two.Partitions);
        Assert.True(two.Barriers > 0);
        Assert.Equal(one.StepTime, two.StepTime);
        Assert.Equal(one.Events, two.Events);
        Assert.Equal(one.PeakHbmBytes, two.PeakHbmBytes);
    }
}
