using Emulator.Engine.Results;
using Emulator.Scenarios;
using Emulator.Scenarios.Published;

namespace Emulator.Engine.Tests;

/// <summary>Coarse sanity check against the a100-80g-selene rows of data/published-runs.csv (accurate calibration is a later issue).</summary>
public class PublishedRunsTests
{
    private static PublishedRun Row(string id) =>
        PublishedRunsCsv.Read(Path.Combine(RepoPaths.Root, "data", "published-runs.csv")).Single(r => r.Id == id);

    private static StepResult Emulate(PublishedRun row)
    {
        var path = Path.Combine(RepoPaths.TempDir(), row.Id + ".conf");
        File.WriteAllText(path, row.ToScenarioText());
        return StepEmulation.Run(ScenarioLoader.Load(path));
    }

    [Theory]
    [InlineData("meg-t1-1.7b")]
    [InlineData("meg-t1-7.5b")]
    [InlineData("meg-t1-39.1b")]
    [InlineData("meg-t1-145.6b")]
    [InlineData("meg-t1-529.6b")]
    public void MegatronStepTime_WithinQuarterOfPublished(string id)
    {
        var row = Row(id);
        Assert.Equal("step_time_s", row.Metric);
        var result = Emulate(row);
        Assert.Null(result.Oom);
        Assert.InRange(result.StepTime.Seconds / row.Published, 0.75, 1.25);
    }
}
