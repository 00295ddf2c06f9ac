using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Core.Units;
using Emulator.Engine.Plan;
using Emulator.Engine.Results;
using Emulator.Kernel;

namespace Emulator.Engine.Tests;

/// <summary>Backward's tensor-parallel collectives beside the first linear's GEMMs (training.overlap-tp-backward, Megatron-LM's
/// asynchronous input-gradient all-reduce): the same kernels, less exposed tensor-parallel time.</summary>
public class TpBackwardOverlapTests
{
    // One stage of 8 layers, tp 8, 8 microbatches of 8 sequences: each first-linear GEMM is far longer than a collective on a
    // crossbar of 10 TB/s, so every backward collective hides.
    private static Scenario Plan(bool overlap, bool sequenceParallel = false, bool rings = false, int crossbarGBps = 10_000)
    {
        var s = TestScenarios.With(tp: 8, pp: 1, dp: 1, microBatch: 8);
        return s with
        {
            Node = s.Node with { IntraBandwidth = Bandwidth.FromGBps(crossbarGBps) },
            Training = s.Training with { SequenceParallel = sequenceParallel, OverlapTpBackward = overlap },
            Emulation = s.Emulation with { TpCollectiveRings = rings },
        };
    }

    /// <summary>Mean tensor-parallel time per card, in picoseconds (every rank of this plan lives the same step).</summary>
    private static long Tp(StepResult r) => (long)Math.Round(r.Breakdown[TimeKind.TensorParallel] * 1e12);

    [Fact]
    public void BackwardCollectives_RunBesideTheFirstLinearsWeightGradient_TheSameKernels()
    {
        var (plain, overlapped) = (StagePlanner.Build(Plan(false), 0), StagePlanner.Build(Plan(true), 0));
        var s = Plan(true);
        var gemm = ComputeModel.BackwardFirstLinearGemm(s.Card, s.Model, 8, 8, sequenceParallel: false);
        var program = overlapped.Program;
        var starts = Enumerable.Range(0, program.Count).Where(i => program[i] is TpStart).ToArray();
        // Two per layer (after the MLP's and the attention's backward), each around one GEMM of its block's first linear.
        Assert.Equal(2 * 8 * 8, starts.Length);
        Assert.All(starts, i =>
        {
            Assert.Equal(WorkPhase.Backward, Assert.IsType<Work>(program[i + 1]).Phase);
            Assert.Contains(((Work)program[i + 1]).Cost, new[] { gemm.Mlp, gemm.Attention });
            Assert.IsType<TpWait>(program[i + 2]);
        });
        // The vocabulary's two a microbatch (the embedding's sum, the logits input's gradient) block in both.
        const int vocab = 2 * 8;
        Assert.Equal((plain.Program.OfType<TpSync>().Count() - vocab) / 2 + vocab, overlapped.Program.OfType<TpSync>().Count());
        Assert.Equal(plain.ExecutedFlops, overlapped.ExecutedFlops);
        Assert.Equal(plain.Program.OfType<Work>().Sum(w => w.Cost.Duration.Ps), overlapped.Program.OfType<Work>().Sum(w => w.Cost.Duration.Ps));
    }

    [Fact]
    public void SequenceParallel_GathersTheOutputGradient_ThenHidesTheInputsRegatherAndTheReduceScatter()
    {
        var (plain, overlapped) = (StagePlanner.Build(Plan(false, true), 0), StagePlanner.Build(Plan(true, true), 0));
        var tpBytes = StagePlanner.TensorParallelBytes(Plan(true, true));
        // Per block: a blocking all-gather of the output gradient (half an all-reduce's bytes), then two halves beside GEMMs; and the
        // vocabulary's four blocking halves a microbatch.
        Assert.Equal(4 * 8 * 8, overlapped.Program.OfType<TpStart>().Count(t => t.Bytes == tpBytes / 2));
        Assert.Equal(2 * 8 * 8 + 4 * 8, overlapped.Program.OfType<TpSync>().Count(t => t.Bytes == tpBytes / 2));
        Assert.Equal(plain.ExecutedFlops, overlapped.ExecutedFlops);
    }

    [Fact]
    public void SequenceParallel_WithoutOverlap_StillGathersTheSavedInputAgain_Blocking()
    {
        var plain = StagePlanner.Build(Plan(false, true), 0);
        var tpBytes = StagePlanner.TensorParallelBytes(Plan(false, true));
        // Per block of 8 layers x 8 microbatches the re-gather of its 1/t input before its backward; the vocabulary's four halves a
        // microbatch; the blocks' own collectives at an all-reduce's bytes (forward's two, backward's two).
        Assert.Equal(2 * 8 * 8 + 4 * 8, plain.Program.OfType<TpSync>().Count(t => t.Bytes == tpBytes / 2));
        Assert.Equal(4 * 8 * 8, plain.Program.OfType<TpSync>().Count(t => t.Bytes == tpBytes));
        Assert.Empty(plain.Program.OfType<TpStart>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WithoutTheRegather_BackwardUsesTheGatheredInputAtHand(bool overlap)
    {
        var s = Plan(overlap, true);
        var kept = s with { Training = s.Training with { RegatherTpInputs = false } };
        var (regathers, keeps) = (StagePlanner.Build(s, 0).Program, StagePlanner.Build(kept, 0).Program);
        var half = StagePlanner.TensorParallelBytes(s) / 2;
        long Halves(IReadOnlyList<Instruction> p) => p.OfType<TpSync>().Sum(t => t.Bytes / half) + p.OfType<TpStart>().Sum(t => t.Bytes / half);

        // One half fewer per block of 8 layers x 8 microbatches, the same kernels.
        Assert.Equal(Halves(regathers) - 2 * 8 * 8, Halves(keeps));
        Assert.Equal(regathers.OfType<Work>().Sum(w => w.Cost.Duration.Ps), keeps.OfType<Work>().Sum(w => w.Cost.Duration.Ps));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LongGemms_HideEveryBackwardCollective_HalfTheTensorParallelTime(bool rings)
    {
        var plain = StepEmulation.Run(Plan(false, rings: rings));
        var overlapped = StepEmulation.Run(Plan(true, rings: rings));

        Assert.Equal(plain.Breakdown[TimeKind.Compute], overlapped.Breakdown[TimeKind.Compute]);
        // Forward's two collectives a layer still block; backward's two are hidden whole; the vocabulary's two all-reduces a
        // microbatch (16 in all) block in both, so twice the overlapped time exceeds the plain by their time.
        var s = Plan(true, rings: rings);
        var vocab = 2 * 8 * CollectiveCost.RingAllReduce(StagePlanner.TensorParallelBytes(s), 8, s.Node.AchievedIntraBandwidth, s.Node.IntraLatency).Ps;
        // (The closed form against the emulated rings' hop-by-hop steps: within a few picoseconds a collective.)
        Assert.InRange(2 * Tp(overlapped) - Tp(plain) - vocab, -16 * 20, 16 * 20);
        Assert.InRange((plain.StepTime - overlapped.StepTime).Ps - (Tp(plain) - Tp(overlapped)), -2, 2);
    }

    [Fact]
    public void SequenceParallel_LongGemms_LeaveOnlyTheOutputGradientGathersExposed()
    {
        var plain = StepEmulation.Run(Plan(false, sequenceParallel: true));
        var overlapped = StepEmulation.Run(Plan(true, sequenceParallel: true));
        var s = Plan(true, sequenceParallel: true);

        Assert.Equal(plain.Breakdown[TimeKind.Compute], overlapped.Breakdown[TimeKind.Compute]);
        var allReduce = CollectiveCost.RingAllReduce(StagePlanner.TensorParallelBytes(s), 8, s.Node.AchievedIntraBandwidth, s.Node.IntraLatency);
        // Forward's collectives and the vocabulary's as before; backward keeps one blocking gather per block of 8 layers x 8
        // microbatches, where the plain plan blocks on the re-gather too and on the two at an all-reduce's bytes.
        Assert.InRange(Tp(plain) - Tp(overlapped) - 8L * 8 * 2 * allReduce.Ps, -20, 20);
    }

    [Fact]
    public void Programs_HoldOneAsynchronousCollectiveAtATime()
    {
        var work = new Work(new WorkCost(1, 1, 1, new SimTime(1)), WorkPhase.Backward, 0);
        KernelRuns.Of([work, new TpStart(8), work, TpWait.Instance, new TpSync(8)]);
        Assert.Throws<InvalidOperationException>(() => KernelRuns.Of([new TpStart(8), new TpSync(8), TpWait.Instance]));
        Assert.Throws<InvalidOperationException>(() => KernelRuns.Of([new TpStart(8), new TpStart(8), TpWait.Instance]));
        Assert.Throws<InvalidOperationException>(() => KernelRuns.Of([work, TpWait.Instance]));
        Assert.Throws<InvalidOperationException>(() => KernelRuns.Of([new TpStart(8), work]));
    }

    [Fact]
    public void SlowCrossbar_HidesOnlyAGemmsWorthOfEachCollective()
    {
        // At 100 GB/s a collective outlasts the GEMM beside it: each hides exactly the GEMM's time.
        var plain = StepEmulation.Run(Plan(false, crossbarGBps: 100));
        var overlapped = StepEmulation.Run(Plan(true, crossbarGBps: 100));
        var s = Plan(true);
        var gemm = ComputeModel.BackwardFirstLinearGemm(s.Card, s.Model, 8, 8, sequenceParallel: false);

        Assert.Equal(plain.Breakdown[TimeKind.Compute], overlapped.Breakdown[TimeKind.Compute]);
        Assert.InRange(Tp(plain) - Tp(overlapped) - 8L * 8 * (gemm.Mlp.Duration + gemm.Attention.Duration).Ps, -2, 2);
    }
}
