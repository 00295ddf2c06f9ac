using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Core.Units;
using Emulator.Engine.Plan;
using Emulator.Engine.Results;

namespace Emulator.Engine.Tests;

/// <summary>Parallel layers (model.parallel-layers) reduce both branches together: one tensor-parallel collective per layer and
/// pass where serial layers run two.</summary>
public class ParallelLayersPlanTests
{
    // One stage of 8 layers, tp 8, 8 microbatches: 64 forward and 64 backward layer passes.
    private static Scenario Plan(bool parallel, bool overlap = false, bool sequenceParallel = false, Recompute recompute = Recompute.None)
    {
        var s = TestScenarios.With(tp: 8, pp: 1, dp: 1, microBatch: 8, recompute: recompute);
        return s with
        {
            Model = s.Model with { ParallelLayers = parallel },
            Node = s.Node with { IntraBandwidth = Bandwidth.FromGBps(10_000) },
            Training = s.Training with { SequenceParallel = sequenceParallel, OverlapTpBackward = overlap },
        };
    }

    [Theory]
    [InlineData(Recompute.None, 2)]
    [InlineData(Recompute.Full, 3)]
    public void Each_layer_pass_reduces_once(Recompute recompute, int passes)
    {
        var serial = StagePlanner.Build(Plan(false, recompute: recompute), 0).Program.OfType<TpSync>().Count();
        var parallel = StagePlanner.Build(Plan(true, recompute: recompute), 0).Program.OfType<TpSync>().Count();
        // Plus the vocabulary's two a microbatch (the embedding's sum, the logits input's gradient), layers or not.
        Assert.Equal(2 * passes * 8 * 8 + 2 * 8, serial);
        Assert.Equal(passes * 8 * 8 + 2 * 8, parallel);
    }

    [Fact]
    public void Overlapped_backward_runs_both_first_linears_beside_the_one_collective()
    {
        var s = Plan(true, overlap: true);
        var program = StagePlanner.Build(s, 0).Program;
        var gemms = ComputeModel.BackwardFirstLinearGemm(s.Card, s.Model, 8, 8, sequenceParallel: false).Total;
        var starts = Enumerable.Range(0, program.Count).Where(i => program[i] is TpStart).ToArray();
        Assert.Equal(8 * 8, starts.Length);
        Assert.All(starts, i => Assert.Equal(gemms, Assert.IsType<Work>(program[i + 1]).Cost));
        // The kernels are the plain plan's, rearranged.
        var plain = StagePlanner.Build(Plan(true), 0);
        Assert.Equal(plain.Program.OfType<Work>().Sum(w => w.Cost.Duration.Ps), program.OfType<Work>().Sum(w => w.Cost.Duration.Ps));
    }

    [Fact]
    public void Sequence_parallel_overlap_gathers_once_and_hides_the_regather_and_reduce_scatter()
    {
        var s = Plan(true, overlap: true, sequenceParallel: true);
        var plan = StagePlanner.Build(s, 0);
        var half = StagePlanner.TensorParallelBytes(s) / 2;
        // One a layer pass and microbatch, and the vocabulary's four halves a microbatch (embedding and logits, both ways).
        Assert.Equal(8 * 8 + 4 * 8, plan.Program.OfType<TpSync>().Count(t => t.Bytes == half));
        Assert.Equal(2 * 8 * 8, plan.Program.OfType<TpStart>().Count(t => t.Bytes == half));
        Assert.Equal(StagePlanner.Build(Plan(true, sequenceParallel: true), 0).ExecutedFlops, plan.ExecutedFlops);
    }

    [Fact]
    public void A_step_spends_half_the_tensor_parallel_time()
    {
        var serial = StepEmulation.Run(Plan(false));
        var parallel = StepEmulation.Run(Plan(true));
        var tp = (StepResult r) => r.Breakdown[TimeKind.TensorParallel];
        // 2 of the serial layer's 4 all-reduces a layer remain, and the vocabulary's 2 a microbatch in both: (128 + 16) / (256 + 16).
        Assert.InRange(tp(parallel) / tp(serial), 144.0 / 272 - 0.001, 144.0 / 272 + 0.001);
        Assert.True(parallel.StepTime < serial.StepTime);
    }
}
