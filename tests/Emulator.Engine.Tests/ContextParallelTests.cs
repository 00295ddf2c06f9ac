using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Engine.Plan;
using Emulator.Scenarios;

namespace Emulator.Engine.Tests;

/// <summary>Context parallelism: ring attention's key/value ring, and a sequence split over cp cards.</summary>
public class ContextParallelTests
{
    [Fact]
    public void KeyValueRing_InsideANode_IsARingAllGather()
    {
        // cp 4 on one 8-card node (tp 1, dp 2): the ring passes 3 blocks of 64 MiB over the crossbar.
        const long bytes = 4L * (64 << 20);
        var s = TestScenarios.With(tp: 1, pp: 1, dp: 8);
        s = s with { Parallel = s.Parallel with { Dp = 2, Cp = 4 }, Model = s.Model with { SeqLen = 4096 } };
        Assert.Equal(8, s.Cards);
        var program = new StagePlan(0, 0, new Instruction[]
        {
            new RingStart(RingKind.AllGather, bytes, 0, RingGroup.Context), new RingWait(RingKind.AllGather, 0, RingGroup.Context),
        }, new StateMemory(0, 0, 0), 0);

        var result = StepEmulation.Run(s, programs: _ => program);

        var expected = CollectiveCost.RingAllGather(bytes, 4, s.Node.IntraBandwidth, s.Node.IntraLatency);
        Assert.InRange(result.Breakdown[TimeKind.ContextParallel] / expected.Seconds, 0.99, 1.01);
        Assert.Equal(0.0, result.Breakdown[TimeKind.DataParallel]);
    }

    [Fact]
    public void SplittingEachSequenceInTwo_HalvesActivationsPerCard()
    {
        // Same cards and microbatches per pipeline: dp 4 versus cp 2 x dp 2 (global batch halved). Each card holds half of
        // each sequence, so a microbatch's activations on it halve.
        var plain = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["training.recompute=full"]);
        var split = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["training.recompute=full", "parallel.cp=2", "parallel.dp=2", "parallel.global-batch=32"]);
        Assert.Equal(plain.Cards, split.Cards);

        var a = StagePlanner.Build(plain, 0).Program.OfType<Alloc>().First(x => x.Kind == MemoryKind.Activations).Bytes;
        var b = StagePlanner.Build(split, 0).Program.OfType<Alloc>().First(x => x.Kind == MemoryKind.Activations).Bytes;
        Assert.Equal((a + 1) / 2, b, 1.0);

        var run = StepEmulation.Run(split);
        Assert.Null(run.Oom);
        Assert.True(run.StepTime.Seconds > 0);
    }

    [Theory]
    [InlineData("full", false, 3)]
    [InlineData("selective", false, 3)]
    [InlineData("selective", true, 3)]
    [InlineData("dots", true, 3)]
    [InlineData("minimal", true, 3)]
    [InlineData("none", false, 2)]
    [InlineData("none", true, 2)]
    public void RecomputingAttention_RunsTheKeyValueRingAgain(string recompute, bool flash, int ringsPerLayer)
    {
        // Forward, backward, and the recompute of the attention core (full: whole layer; selective: the core, fused or not;
        // dots: the core, whose output MaxText does not save)
        // each need every rank's keys and values; without recompute only forward and backward do.
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"),
            [$"training.recompute={recompute}", $"training.flash-attention={(flash ? "true" : "false")}", "parallel.cp=2", "parallel.dp=2", "parallel.global-batch=32"]);
        var plan = StagePlanner.Build(s, 0);
        var rings = plan.Program.OfType<RingStart>().Count(r => r.Group == RingGroup.Context);
        var microbatches = s.Parallel.GlobalBatch / (s.Parallel.MicroBatch * s.Parallel.Dp);
        Assert.Equal(ringsPerLayer * plan.Layers * microbatches, rings);
    }

    [Fact]
    public void AllGatherAttention_ExposesEveryKeyValueCollective()
    {
        // cp 4 inside one node, no recompute: per layer and microbatch the forward gathers keys and values, the backward
        // gathers them again and reduce-scatters their gradients, each a ring over the crossbar that nothing hides.
        var s = TestScenarios.With(tp: 1, pp: 1, dp: 8);
        s = s with
        {
            Parallel = s.Parallel with { Dp = 2, Cp = 4 },
            Model = s.Model with { SeqLen = 4096 },
            Training = s.Training with { CpAlgorithm = CpAlgorithm.AllGather },
        };
        var gathered = StagePlanner.KeyValueBytes(s) * 4;
        var collectives = 3 * s.Model.Layers * s.Parallel.MicroBatches;

        var result = StepEmulation.Run(s);

        var each = CollectiveCost.RingAllGather(gathered, 4, s.Node.IntraBandwidth, s.Node.IntraLatency);
        Assert.InRange(result.Breakdown[TimeKind.ContextParallel] / (collectives * each.Seconds), 0.999, 1.001);
        var ring = StepEmulation.Run(s with { Training = s.Training with { CpAlgorithm = CpAlgorithm.Ring } });
        Assert.True(ring.StepTime < result.StepTime, "ring attention hides the key/value ring behind the attention");
    }

    [Theory]
    [InlineData(CpAlgorithm.AllGather, 2 * 4)] // every rank's keys and values and their gradients, held through the backward attention
    [InlineData(CpAlgorithm.Ring, 2)]          // one block of keys and values and one of gradients in flight
    public void ContextParallelBuffers_PeakAtWhatTheAlgorithmHolds(CpAlgorithm algorithm, int blocks)
    {
        // cp 4 on four cards, dp 1: no other buffer is held, so the peak's buffers are the attention's alone.
        var s = TestScenarios.With(tp: 1, pp: 1, dp: 4);
        s = s with
        {
            Parallel = s.Parallel with { Dp = 1, Cp = 4 },
            Model = s.Model with { SeqLen = 4096 },
            Training = s.Training with { CpAlgorithm = algorithm },
        };

        var result = StepEmulation.Run(s);

        Assert.Equal(blocks * StagePlanner.KeyValueBytes(s), result.PeakHbmBreakdown[MemoryKind.Buffers]);
        var allocs = StagePlanner.Build(s, 0).Program.OfType<Alloc>().Where(a => a.Kind == MemoryKind.Buffers).Sum(a => a.Bytes);
        Assert.Equal(0, allocs);
    }

    [Fact]
    public void AllGatherAttention_WaitsForEachCollectiveBeforeGoingOn()
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["training.recompute=full", "training.cp-algorithm=all-gather", "parallel.cp=2", "parallel.dp=2", "parallel.global-batch=32"]);
        var program = StagePlanner.Build(s, 0).Program;
        var starts = program.Select((x, i) => (x, i)).Where(p => p.x is RingStart { Group: RingGroup.Context }).ToList();
        Assert.NotEmpty(starts);
        Assert.All(starts, p => Assert.IsType<RingWait>(program[p.i + 1]));
        // Forward, recompute and backward each gather; only backward reduce-scatters the gradients.
        Assert.Equal(3 * starts.Count(p => ((RingStart)p.x).Ring == RingKind.ReduceScatter), starts.Count(p => ((RingStart)p.x).Ring == RingKind.AllGather));
    }

    [Theory]
    [InlineData("fused", WorkPhase.Forward)]
    [InlineData("eager", WorkPhase.Forward)]
    [InlineData("eager", WorkPhase.Backward)]
    public void KeyValueRing_RunsBesideTheCoreAndItsMerges_NotTheWholeBlock(string merge, WorkPhase phase)
    {
        // The first block leaves once QKV has made it and the projection waits for the merged output (Transformer Engine's
        // AttnFuncWithCPAndKVP2P, MindSpeed's ring_context_parallel.py): the ring starts after the block's other kernels and
        // the work it runs beside is the core and ring attention's passes.
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"),
            ["training.flash-attention=true", $"training.cp-merge={merge}", "parallel.cp=2", "parallel.dp=2", "parallel.global-batch=32"]);
        var t = s.Training;
        var program = StagePlanner.Build(s, 0).Program;
        var start = program.Select((x, i) => (x, i)).First(p => p.x is RingStart { Group: RingGroup.Context } && program[p.i + 1] is Work w && w.Phase == phase).i;
        var core = ComputeModel.AttentionCoreWork(s.Card, s.Model, s.Parallel.Tp, s.Parallel.MicroBatch, t.SequenceParallel, true, 2);
        var passes = ComputeModel.RingAttentionPasses(s.Card, s.Model, s.Parallel.Tp, s.Parallel.MicroBatch, 2, t.CpMerge);
        var expected = phase == WorkPhase.Backward ? core.Backward + passes.Backward : core.Forward + passes.Forward;
        Assert.Equal(expected, ((Work)program[start + 1]).Cost);
        Assert.IsType<Work>(program[start - 1]);
        Assert.IsType<RingWait>(program[start + 2]);
    }

    [Fact]
    public void CpThatDoesNotDivideTheSequence_IsRefused()
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["parallel.cp=3", "parallel.dp=1", "cluster.cards=24", "parallel.global-batch=16"]));
        Assert.Contains("cp must divide", ex.Message);
    }
}
