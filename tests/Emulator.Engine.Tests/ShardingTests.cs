using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Engine.Plan;
using Emulator.Engine.Results;
using Emulator.Scenarios;

namespace Emulator.Engine.Tests;

/// <summary>ZeRO stages and overlapped gradient reduction, end to end on a small job.</summary>
public class ShardingTests
{
    private static Scenario Plan(int zero, bool overlap = false, bool overlapParams = false)
    {
        var s = TestScenarios.With(tp: 1, pp: 2, dp: 4, microBatch: 1, globalBatch: 16);
        // One card per node, so every collective crosses the fabric.
        return s with
        {
            Node = s.Node with { CardsPerNode = 1, Nics = 1 },
            Training = s.Training with { ZeroStage = zero, OverlapGradReduce = overlap, OverlapParamGather = overlapParams },
        };
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
    public void WholeMasterWeights_DoubleZero1sOptimizerState_AtDp4_AndLeaveTheStepAlone()
    {
        var sharded = Plan(1);
        var whole = sharded with { Training = sharded.Training with { WholeMasterWeights = true } };
        var (a, b) = (StepEmulation.Run(sharded), StepEmulation.Run(whole));

        // 12 B a parameter over dp 4 = 3 B, against the 4-byte master whole plus m and v over 4 = 6 B.
        Assert.InRange((double)b.PeakHbmBreakdown[MemoryKind.Optimizer] / a.PeakHbmBreakdown[MemoryKind.Optimizer], 1.999, 2.001);
        Assert.Equal(a.StepTime, b.StepTime);
    }

    [Fact]
    public void HalfPrecisionGrads_HalveTheGradientBufferAndTheReduction()
    {
        var fp32 = Plan(0);
        var bf16 = fp32 with { Training = fp32.Training with { HalfPrecisionGrads = true } };
        var (a, b) = (StepEmulation.Run(fp32), StepEmulation.Run(bf16));

        Assert.Equal(4, StagePlanner.GradientBytesPerParam(fp32.Training));
        Assert.Equal(2, StagePlanner.GradientBytesPerParam(bf16.Training));
        Assert.InRange(a.PeakHbmBreakdown[MemoryKind.Gradients] - 2 * b.PeakHbmBreakdown[MemoryKind.Gradients], -1, 1);
        // Pipeline sends are the same; the all-reduces carry half the bytes.
        var p2p = 2L * StagePlanner.PipelineBytes(fp32) * fp32.Parallel.MicroBatches * fp32.Parallel.Dp;
        Assert.InRange((double)(b.Links.Sum(l => l.Bytes) - p2p) / (a.Links.Sum(l => l.Bytes) - p2p), 0.49, 0.51);
        Assert.True(b.Breakdown[TimeKind.DataParallel] < a.Breakdown[TimeKind.DataParallel]);
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
    public void OverlapParamGather_GathersEachBucketBeforeItsFirstForward_OneAhead_AndNoneAfterTheOptimizer()
    {
        var s = Plan(1, overlap: true, overlapParams: true);
        var program = StagePlanner.Build(s, 0).Program.ToList();
        var layers = StagePlanner.StageLayers(s)[0];
        var optimizer = program.FindIndex(i => i is Work { Phase: WorkPhase.Optimizer });
        var gathers = program.Select((i, at) => (i, at)).Where(x => x.i is RingStart { Ring: RingKind.AllGather }).ToList();

        // The first stage gathers its embedding, then each layer: one dispatched at the start, the rest each one bucket ahead.
        Assert.Equal(1 + layers, gathers.Count);
        Assert.Equal(0, program.Take(gathers[0].at).Count(i => i is Work));
        Assert.True(gathers.All(g => g.at < optimizer));
        Assert.DoesNotContain(program.Skip(optimizer), i => i is RingSync or RingStart);
        for (var b = 1; b < gathers.Count; b++)
        {
            // Bucket b is dispatched right before the wait for bucket b - 1, with no kernel between them.
            var wait = program.FindIndex(i => i is RingWait w && w.Phase == ((RingStart)gathers[b - 1].i).Phase);
            Assert.Equal(gathers[b].at + 1, wait);
        }
    }

    [Fact]
    public void OverlapParamGather_Interleaved_DispatchesWholeChunks_AlignedAcrossStages()
    {
        // pp 2 with 4 chunks of one layer and 4 microbatches: forwards run (microbatch, chunk) (0,0) (1,0) (0,1) (1,1) (0,2) ...,
        // so chunk c's first forward is number 2c. Megatron-core's schedule dispatches chunks 0 and 1 at the start and chunk j at
        // forward number 2(j - 1) - stage; stage 0's first chunk adds the embedding's bucket, stage 1's last the output layer's.
        var zero1 = Plan(1, overlap: true, overlapParams: true);
        var s = zero1 with { Parallel = zero1.Parallel with { VirtualStages = 4 } };
        int[][] expected = [[0, 0, 0, 2, 4], [0, 0, 1, 3, 3]];
        for (var stage = 0; stage < 2; stage++)
        {
            var program = StagePlanner.Build(s, stage).Program.ToList();
            var forwardsBeforeEachGather = program
                .Select((instruction, at) => (instruction, at))
                .Where(x => x.instruction is RingStart { Ring: RingKind.AllGather })
                .Select(x => program.Take(x.at).Count(i => i is Alloc { Kind: MemoryKind.Activations, Bytes: > 0 }));
            Assert.Equal(expected[stage], forwardsBeforeEachGather);
        }
    }

    [Fact]
    public void OverlapGradReduce_Interleaved_ReducesWholeChunks_AlignedAcrossStages()
    {
        // pp 2 with 4 chunks of one layer and 4 microbatches in groups of 2: backwards run chunk 3, 2, 1, 0 for microbatches 0-1,
        // then again for 2-3, so chunk c's last backward is number 15 - 2c (from 0). Megatron-core's schedule reduces chunk c after
        // backward number 15 - 2c + stage, or after the stage's last backward when that is past it: one reduction per chunk.
        var zero1 = Plan(1, overlap: true);
        var s = zero1 with { Parallel = zero1.Parallel with { VirtualStages = 4 } };
        int[][] expected = [[10, 12, 14, 16], [11, 13, 15, 16]];
        for (var stage = 0; stage < 2; stage++)
        {
            var program = StagePlanner.Build(s, stage).Program.ToList();
            var backwardsBeforeEachReduction = program
                .Select((instruction, at) => (instruction, at))
                .Where(x => x.instruction is RingStart { Ring: RingKind.ReduceScatter })
                .Select(x => program.Take(x.at).Count(i => i is Alloc { Kind: MemoryKind.Activations, Bytes: < 0 }));
            Assert.Equal(expected[stage], backwardsBeforeEachReduction);
        }
    }

    [Fact]
    public void OverlapParamGather_HidesMostOfTheParameterGather_WhereComputeCanCoverIt()
    {
        // The quickstart (1.3B, pp 4, dp 4 over 4 nodes) with the distributed optimizer: its layers' forwards outlast their gathers.
        StepResult Run(bool overlapParams) => StepEmulation.Run(ScenarioLoader.Load(RepoPaths.Scenario("quickstart"),
            ["training.zero-stage = 1", "training.overlap-grad-reduce = true", $"training.overlap-param-gather = {overlapParams}"]));
        var (plain, overlapped) = (Run(false), Run(true));

        Assert.True(overlapped.Breakdown[TimeKind.DataParallel] < 0.6 * plain.Breakdown[TimeKind.DataParallel]);
        // The step gains nothing here: each layer's gather pays NCCL's step latencies beside compute (and its SMs), about what
        // the one gather after the step took (0.397839 against 0.397797 s, +0.01%, on 2026-11-29; 4 us faster at 0.7 us a step).
        // The bound, +0.02%, allows that and not a real loss.
        Assert.True(overlapped.StepTime.Seconds <= plain.StepTime.Seconds * 1.0002);
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
