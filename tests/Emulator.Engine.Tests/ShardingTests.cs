using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;

namespace Emulator.Engine.Tests;

/// <summary>ZeRO stages and overlapped gradient reduction, end to end on a small job.</summary>
public class ShardingTests
{
    private static Scenario Plan(int zero, bool overlap = false)
    {
        var s = TestScenarios.With(tp: 1, pp: 2, dp: 4, microBatch: 1, globalBatch: 16);
        // One card per node, so every collective crosses the fabric.
        return s with { Node = s.Node with { CardsPerNode = 1, Nics = 1 }, Training = s.Training with { ZeroStage = zero, OverlapGradReduce = overlap } };
    }

    [Fact]
    public void ZeroStages_ShardOptimizerThenGradientsThenWeights()
    {
        var peaks = Enumerable.Range(0, 4).Select(z => StepEmulation.Run(Plan(z)).PeakHbmBreakdown).ToArray();

        // Stage 1 divides the optimizer state by dp = 4 (rounded up per card).
        Assert.InRange((double)peaks[1][MemoryKind.Optimizer] / peaks[0][MemoryKind.Optimizer], 0.249, 0.251);
        // Stage 2 shards the fp32 gradients (4 B -> 1 B a parameter) but keeps a 2-byte accumulation buffer: 3/4 of stage 1.
        Assert.InRange((double)peaks[2][MemoryKind.Gradients] / peaks[1][MemoryKind.Gradients], 0.74, 0.76);
        // Stage 3 keeps a quarter of the weights plus a whole copy of the embedding, gathered for the step: in this tiny model
        // the ~34M embedding parameters are 40% of a stage's 84M, so 1/4 + 0.4 = 0.65 of stage 2.
        Assert.InRange((double)peaks[3][MemoryKind.Weights] / peaks[2][MemoryKind.Weights], 0.55, 0.70);
    }

    [Fact]
    public void Fsdp_GathersEveryLayer_MoreDataParallelTrafficThanZero1()
    {
        var zero1 = StepEmulation.Run(Plan(1));
        var fsdp = StepEmulation.Run(Plan(3));

        Assert.Equal(zero1.Breakdown[TimeKind.Compute], fsdp.Breakdown[TimeKind.Compute]);
        Assert.True(fsdp.Links.Sum(l => l.Bytes) > 2 * zero1.Links.Sum(l => l.Bytes));
    }

    [Fact]
    public void OverlapGradReduce_HidesPartOfTheReduction_SameCompute()
    {
        var plain = StepEmulation.Run(Plan(0));
        var overlapped = StepEmulation.Run(Plan(0, overlap: true));

        Assert.Equal(plain.Breakdown[TimeKind.Compute], overlapped.Breakdown[TimeKind.Compute]);
        Assert.True(overlapped.Breakdown[TimeKind.DataParallel] < plain.Breakdown[TimeKind.DataParallel]);
        Assert.True(overlapped.StepTime < plain.StepTime);
    }
}
