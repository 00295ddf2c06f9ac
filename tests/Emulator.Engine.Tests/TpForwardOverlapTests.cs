using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Core.Units;
using Emulator.Engine.Plan;
using Emulator.Engine.Results;

namespace Emulator.Engine.Tests;

/// <summary>Forward's tensor-parallel collectives beside the GEMMs they feed or drain (training.overlap-tp-forward, Transformer
/// Engine's userbuffers): the same kernels and bytes, less exposed tensor-parallel time.</summary>
public class TpForwardOverlapTests
{
    // One stage of 8 layers, tp 8 with sequence parallelism, 8 microbatches of 8 sequences; each GEMM far outlasts a collective
    // on a crossbar of 10 TB/s.
    private static Scenario Plan(bool overlap, bool recomputeFull = false)
    {
        var s = TestScenarios.With(tp: 8, pp: 1, dp: 1, microBatch: 8, recompute: recomputeFull ? Recompute.Full : Recompute.None);
        return s with
        {
            Node = s.Node with { IntraBandwidth = Bandwidth.FromGBps(10_000) },
            Training = s.Training with { SequenceParallel = true, OverlapTpForward = overlap },
        };
    }

    [Fact]
    public void EachForwardCollective_RunsBesideItsGemm_TheSameKernelsAndBytes()
    {
        var (plain, overlapped) = (StagePlanner.Build(Plan(false), 0), StagePlanner.Build(Plan(true), 0));
        var s = Plan(true);
        var (qkv, proj, fc1, fc2) = ComputeModel.ForwardTpGemms(s.Card, s.Model, 8, 8, sequenceParallel: true);
        var program = overlapped.Program;
        var forwardStarts = Enumerable.Range(0, program.Count)
            .Where(i => program[i] is TpStart && ((Work)program[i + 1]).Phase == WorkPhase.Forward).ToArray();

        // Four a layer, each around one of its GEMMs, in the layer's order, with half an all-reduce's bytes (a gather or a scatter).
        Assert.Equal(4 * 8 * 8, forwardStarts.Length);
        var gemms = forwardStarts.Select(i => ((Work)program[i + 1]).Cost).ToArray();
        Assert.Equal(Enumerable.Repeat(new[] { qkv, proj, fc1, fc2 }, 8 * 8).SelectMany(g => g), gemms);
        Assert.All(forwardStarts, i => Assert.IsType<TpWait>(program[i + 2]));
        var tpBytes = StagePlanner.TensorParallelBytes(s);
        Assert.Equal(plain.Program.OfType<TpSync>().Sum(t => t.Bytes) + plain.Program.OfType<TpStart>().Sum(t => t.Bytes),
            overlapped.Program.OfType<TpSync>().Sum(t => t.Bytes) + overlapped.Program.OfType<TpStart>().Sum(t => t.Bytes));
        Assert.All(overlapped.Program.OfType<TpStart>(), t => Assert.Equal(tpBytes / 2, t.Bytes));
        Assert.Equal(plain.ExecutedFlops, overlapped.ExecutedFlops);
        Assert.Equal(plain.Program.OfType<Work>().Sum(w => w.Cost.Duration.Ps), overlapped.Program.OfType<Work>().Sum(w => w.Cost.Duration.Ps));
    }

    [Fact]
    public void FullRecompute_RedoesTheLayerTheSameWay()
    {
        var program = StagePlanner.Build(Plan(true, recomputeFull: true), 0).Program;
        var recomputeStarts = Enumerable.Range(0, program.Count)
            .Count(i => program[i] is TpStart && ((Work)program[i + 1]).Phase == WorkPhase.Recompute);
        Assert.Equal(4 * 8 * 8, recomputeStarts);
    }

    [Fact]
    public void LongGemms_HideEveryForwardCollective()
    {
        var plain = StepEmulation.Run(Plan(false));
        var overlapped = StepEmulation.Run(Plan(true));

        Assert.Equal(plain.Breakdown[TimeKind.Compute], overlapped.Breakdown[TimeKind.Compute]);
        // Forward's two collectives a layer (of 8 layers x 8 microbatches) are hidden; backward's block (its two and, without
        // backward overlap, the re-gathers of each block's 1/t input, at half the bytes), as do the vocabulary's four halves a
        // microbatch.
        var s = Plan(true);
        var bytes = StagePlanner.TensorParallelBytes(s);
        var whole = CollectiveCost.RingAllReduce(bytes, 8, s.Node.AchievedIntraBandwidth, s.Node.IntraLatency).Seconds;
        var half = CollectiveCost.RingAllReduce(bytes / 2, 8, s.Node.AchievedIntraBandwidth, s.Node.IntraLatency).Seconds;
        var hidden = 64 * 2 * whole;
        var blocking = 64 * (2 * whole + 2 * half) + 32 * half;
        var (tpPlain, tpOverlapped) = (plain.Breakdown[TimeKind.TensorParallel], overlapped.Breakdown[TimeKind.TensorParallel]);
        Assert.InRange(tpOverlapped / tpPlain, blocking / (blocking + hidden) - 0.001, blocking / (blocking + hidden) + 0.001);
        Assert.True(overlapped.StepTime < plain.StepTime);
    }
}
