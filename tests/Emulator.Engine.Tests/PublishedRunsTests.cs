using Emulator.Engine.Results;
using Emulator.Scenarios;
using Emulator.Scenarios.Published;

namespace Emulator.Engine.Tests;

/// <summary>Coarse sanity check against the a100-80g-selene rows of data/published-runs.csv (accurate calibration is a later issue).</summary>
public class PublishedRunsTests
{
    private static PublishedRun Row(string id) =>
        PublishedRunsCsv.Read(Path.Combine(RepoPaths.Root, "data", "published-runs.csv")).Rows.Single(r => r.Id == id);

    private static StepResult Emulate(PublishedRun row)
    {
        var path = Path.Combine(RepoPaths.TempDir(), row.Id + ".conf");
        File.WriteAllText(path, row.ToScenarioText(SoftwareStacks.Nearest(row.Stack, RepoPaths.Root)));
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

    [Fact]
    public void BloomPeakMemory_WithinQuarterOfPublished()
    {
        // Modelled: bf16 weights, fp32 and bf16 gradients and the whole fp32 master weights (DeepSpeed's bf16 optimizer then),
        // ZeRO-1 optimizer state, full-recompute activations of the in-flight microbatches, held stage outputs and the CUDA
        // context BigScience measured (software.runtime-memory). Not: allocator caching, NCCL's buffers.
        var row = Row("bloom-176b-mem");
        Assert.Equal("peak_hbm_gib", row.Metric);
        var result = Emulate(row);
        Assert.InRange(result.PeakHbmBytes / (double)(1L << 30) / row.Published, 0.75, 1.25);
    }

    [Fact]
    public void UnseenRuns_AllWellFormed_AndDeepSpeedAndLaterMegatronRunsAtTheMegatronScaleTheyFollow()
    {
        var (rows, malformed) = PublishedRunsCsv.Read(Path.Combine(RepoPaths.Root, "data", "unseen-runs.csv"));
        Assert.Empty(malformed);
        Assert.Equal(323, rows.Count);
        Assert.Equal(18, rows.Count(r => r.Preset == "gb200-nvl72"));
        Assert.Equal(34, rows.Count(r => r.Precision == "fp8"));
        Assert.All(rows.Where(r => r.Stack.StartsWith("megatron-deepspeed", StringComparison.Ordinal) || r.Stack is "megatron-lm-2022" or "megatron-lm-2023" or "nemo-2024" or "nemo-2025"),
            r => Assert.Equal("megatron-lm-2021", SoftwareStacks.Nearest(r.Stack, RepoPaths.Root)));
    }
}
