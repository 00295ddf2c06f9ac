using Emulator.MicroBenchmarks;

namespace Emulator.Core.Tests.Benchmarks;

/// <summary>The micro-benchmarks' exit code (benchmarks/Emulator.MicroBenchmarks/RunExit.cs, compiled in here).</summary>
public class MicroBenchmarksExitTests
{
    [Theory]
    [InlineData("--list", "flat")]
    [InlineData("--list=tree")]
    [InlineData("--help")]
    [InlineData("--version")]
    [InlineData("--info")]
    public void ListingOrHelp_WithTheScriptsFilter_IsNotAFailure(params string[] options)
    {
        // scripts/microbench.sh always passes --filter; `scripts/microbench.sh '*' --list flat` used to exit 1 with
        // "no benchmark matches the filter" after listing every benchmark.
        var stderr = new StringWriter();
        Assert.Equal(0, RunExit.Code(["--filter", "*", .. options], summaries: 0, anyFailed: false, stderr));
        Assert.Equal("", stderr.ToString());
    }

    [Fact]
    public void FilterMatchingNothing_Fails_AndSaysSo()
    {
        var stderr = new StringWriter();
        Assert.Equal(1, RunExit.Code(["--filter", "*Typo*"], summaries: 0, anyFailed: false, stderr));
        Assert.Contains("no benchmark matches the filter", stderr.ToString());
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 1)]
    public void ARun_ExitsByWhetherABenchmarkFailed(bool anyFailed, int code) =>
        Assert.Equal(code, RunExit.Code(["--filter", "*Dispatch*"], summaries: 1, anyFailed, TextWriter.Null));
}
