using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Core.Topology;
using Emulator.Core.Units;
using Emulator.Engine.Plan;
using Emulator.Kernel;
using Emulator.Scenarios;

namespace Emulator.Engine.Tests;

/// <summary>Torus slices joined by the data-centre network (fabric.slices): DCN rings against closed forms, ZeRO shards kept inside a slice.</summary>
public class MultiSliceTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void AllReduceOverSlices_TorusRingsThenOneDcnRing_MatchesClosedFormWithin1Percent(int slices)
    {
        // 2x2 chips per slice, one 2-chip host's NIC share per chip; the last ring runs across the slices over the DCN, its
        // two directions sharing the chip's share of the host NICs.
        const long bytes = 1L << 30;
        int[] dims = [2, 2];
        var s = TestScenarios.With(tp: 1, pp: 1, dp: 4 * slices);
        s = s with
        {
            Node = s.Node with { CardsPerNode = 2, Nics = 1 },
            Fabric = FabricSpec.Torus(s.Fabric.LinkBandwidth, s.Fabric.LinkLatency, dims) with { Slices = slices, DcnLatency = SimTime.FromUs(10) },
        };
        var program = new StagePlan(0, 0, new Instruction[] { new RingSync(RingKind.AllReduce, bytes, 0) }, new StateMemory(0, 0, 0), 0);
        var result = StepEmulation.Run(s, programs: _ => program);

        var ici = CollectiveCost.TorusAllReduce(bytes, dims, s.Fabric.LinkBandwidth, s.Fabric.LinkLatency + s.Node.NicLatency, bidirectional: true);
        var port = new Bandwidth((long)(s.Node.NicBandwidth.BitsPerSecond * s.Node.NicEfficiency / 2 / 2));
        var dcn = CollectiveCost.TorusAllReduce(bytes / 4, [slices], port, s.Fabric.DcnLatency + s.Node.NicLatency, bidirectional: true);
        Assert.InRange(result.Breakdown[TimeKind.DataParallel] / (ici + dcn).Seconds, 0.99, 1.01);
    }

    [Fact]
    public void ZeroThreeOverTwoSlices_ShardsAsOneSlice_AndOnlyGradientShardsCrossTheDcn()
    {
        // Two 4x4x4 slices of the smoke scenario: a chip holds what it holds in one slice (the slices are replicas), and the
        // DCN links carry one all-reduce of the chip's gradient shard per layer and for the rest of the model, nothing else.
        var one = StepEmulation.Run(ScenarioLoader.Load(RepoPaths.Scenario("tpu-v5p-smoke")));
        var s = ScenarioLoader.Load(RepoPaths.Scenario("tpu-v5p-smoke"),
            ["cluster.cards=128", "parallel.dp=128", "parallel.global-batch=512", "fabric.torus-dims=[4, 4, 4]", "fabric.slices=2"]);
        var two = StepEmulation.Run(s);

        foreach (var kind in new[] { MemoryKind.Optimizer, MemoryKind.Weights, MemoryKind.Gradients })
            Assert.Equal(one.PeakHbmBreakdown[kind], two.PeakHbmBreakdown[kind]);
        Assert.True(two.StepTime >= one.StepTime, $"{two.StepTime} < {one.StepTime}");
        // Across two slices a chip sends half its 1/64 shard of every gradient in the reduce-scatter and half in the
        // all-gather: its whole shard, and nothing else crosses (128 chips, one shard each).
        var shard = TransformerMath.StageParams(s.Model, s.Model.Layers, true, true, 1) * StagePlanner.GradientBytesPerParam(s.Training) / 64;
        var crossing = two.Links.Where(l => Chip(l.From) / 64 != Chip(l.To) / 64).Sum(l => l.Bytes);
        Assert.InRange(crossing / (128 * shard), 0.99, 1.01);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(3, 4)]   // PaLM's layout: the model axis inside each slice, FSDP over the other two, the slices replicas
    public void MirroredSlices_GiveTheStepOfEverySliceEmulated(int zeroStage, int tp)
    {
        // Every DCN path is a link of its own, so one slice standing in for the other three loses nothing: the same step,
        // breakdown and peak, from a quarter of the cards.
        string[] plan = ["cluster.cards=256", $"parallel.tp={tp}", $"parallel.dp={256 / tp}", $"parallel.global-batch={1024 / tp}",
            "fabric.torus-dims=[4, 4, 4]", "fabric.slices=4", $"training.zero-stage={zeroStage}"];
        var s = ScenarioLoader.Load(RepoPaths.Scenario("tpu-v5p-smoke"), plan);
        var dims = DataParallelDims.Of(s)!;
        Assert.Equal(tp == 1 ? [4, 4, 4, 4] : new[] { 4, 4, 4 }, dims.Dims);
        Assert.Equal(dims.Dims.Count - 1, dims.ShardDims);
        var all = StepEmulation.Run(s);
        var mirrored = StepEmulation.Run(ScenarioLoader.Load(RepoPaths.Scenario("tpu-v5p-smoke"), [.. plan, "emulation.mirror-replicas=true"]));

        Assert.Equal(256, all.Actors["card"]);
        Assert.Equal(64, mirrored.Actors["card"]);
        Assert.Equal(all.StepTime, mirrored.StepTime);
        Assert.Equal(all.Breakdown, mirrored.Breakdown);
        Assert.Equal(all.PeakHbmBytes, mirrored.PeakHbmBytes);
    }

    private static int Chip(string name) => int.Parse(name["chip-".Length..], System.Globalization.CultureInfo.InvariantCulture);
}
