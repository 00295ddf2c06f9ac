using Emulator.Core.Accounting;
using Emulator.Scenarios;

namespace Emulator.Engine.Tests;

/// <summary>A job whose pipeline stages run on different cards (cluster.stage-hardware).</summary>
public class HeterogeneousTests
{
    private const string Mixed = "cluster.stage-hardware=[a100-80g-selene, a100-80g-selene, h100-80g-roce, h100-80g-roce]";

    [Fact]
    public void LaterStagesOnH100_ComputeLessAndStepShorter_SlowStagesBound()
    {
        var a100 = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), []);
        var mixed = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), [Mixed]);
        Assert.Equal(new[] { "A100-SXM4-80GB", "A100-SXM4-80GB", "H100-SXM5-80GB", "H100-SXM5-80GB" }, mixed.StageCards.Select(c => c.Name));

        var slow = StepEmulation.Run(a100);
        var fast = StepEmulation.Run(mixed);

        Assert.True(fast.Breakdown[TimeKind.Compute] < slow.Breakdown[TimeKind.Compute]);
        Assert.True(fast.StepTime < slow.StepTime);
        // The A100 stages still do all of their own compute, so the step cannot beat it: compute per A100 card is the
        // mean of the homogeneous run.
        Assert.True(fast.StepTime.Seconds > slow.Breakdown[TimeKind.Compute]);
    }

    [Fact]
    public void PeakHbm_IsTheCardNearestItsCapacity_NotTheOneHoldingMost()
    {
        // The first stage holds the most (1F1B keeps p microbatches in flight there); halve the later stages' HBM and one of
        // them is the card that would run out first.
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), [Mixed]);
        var uniform = StepEmulation.Run(s);
        Assert.Equal(0, uniform.PeakHbmCard);

        var half = s.StageCards.Select((c, stage) => stage == 0 ? c : c with { StackCapacityBytes = c.StackCapacityBytes / 2 }).ToArray();
        var r = StepEmulation.Run(s with { StageCards = half });

        var stage = r.PeakHbmCard / (s.Parallel.Tp * s.Parallel.Dp);
        Assert.NotEqual(0, stage);
        Assert.Equal(half[stage].HbmCapacityBytes, r.HbmCapacityBytes);
        Assert.True(r.PeakHbmBytes < uniform.PeakHbmBytes, "a later stage holds less than the first");
        Assert.True((double)r.PeakHbmBytes / r.HbmCapacityBytes > (double)uniform.PeakHbmBytes / half[0].HbmCapacityBytes);
    }

    [Fact]
    public void Oom_InAMixedJob_TheSummaryGivesTheOverflowingCardItsOwnCapacity()
    {
        // The first stage runs out first; the later, half-size cards come nearest their capacity, so the peak card (and
        // hbm_capacity_bytes) is one of theirs. The summary's "card 0 would need X of Y" took Y from the peak card: 40 GiB for an 80 GiB card.
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"),
            [Mixed, "model.seq-len=8192", "training.recompute=none", "parallel.micro-batch=4", "parallel.global-batch=128"]);
        var half = s.StageCards.Select((c, stage) => stage == 0 ? c : c with { StackCapacityBytes = c.StackCapacityBytes / 2 }).ToArray();
        var r = StepEmulation.Run(s with { StageCards = half });

        Assert.NotNull(r.Oom);
        Assert.Equal(0, r.Oom!.Card);
        Assert.NotEqual(0, r.PeakHbmCard / (s.Parallel.Tp * s.Parallel.Dp));
        var summary = Emulator.Cli.Reports.Summary.Format(s with { StageCards = half }, r);
        Assert.Contains("  card 0 would need ", summary);
        Assert.Contains(" of 80.00 GiB:", summary);
        Assert.DoesNotContain(" of 40.00 GiB:", summary);
    }

    [Fact]
    public void SetEfficiency_ReachesEveryStageCard_OtherCardKeysOnlyTheMainOne()
    {
        var mixed = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), [Mixed, "card.efficiency.attention=0.3", "card.peak-flops=100TFLOPS", "card.name=Mine"]);
        Assert.All(mixed.StageCards, c => Assert.Equal(0.3, c.AttentionEfficiency));
        Assert.Equal("Mine", mixed.Card.Name);
        // The stages keep their presets' own cards: names, peaks and GEMM efficiencies.
        Assert.Equal(new[] { "A100-SXM4-80GB", "A100-SXM4-80GB", "H100-SXM5-80GB", "H100-SXM5-80GB" }, mixed.StageCards.Select(c => c.Name));
        Assert.True(mixed.StageCards[3].PeakFlops > mixed.StageCards[0].PeakFlops);
        Assert.NotEqual(mixed.StageCards[0].GemmEfficiency, mixed.StageCards[3].GemmEfficiency);
    }

    [Theory]
    [InlineData("cluster.stage-hardware=[a100-80g-selene, h100-80g-roce]", "names 2 presets for 4 pipeline stages")]
    [InlineData("cluster.stage-hardware=a100-80g-selene", "not a list")]
    [InlineData("cluster.stage-hardware=[a100-80g-selene, a100-80g-selene, ascend-910b, ascend-910b]", "HBM stacks")]
    [InlineData("cluster.stage-hardware=[a100-80g-selene, a100-80g-selene, tpu-v9, tpu-v9]", "no preset tpu-v9.conf")]
    public void BadStageHardware_OneClearMessage(string set, string expected)
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), [set]));
        Assert.Contains(expected, ex.Message);
    }
}
