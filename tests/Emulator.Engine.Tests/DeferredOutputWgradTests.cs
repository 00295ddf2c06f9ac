using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Engine.Plan;

namespace Emulator.Engine.Tests;

/// <summary>training.deferred-output-wgrads: Megatron-core's defer_embedding_wgrad_compute on the last pipeline stage.</summary>
public class DeferredOutputWgradTests
{
    // Two stages, 8 microbatches of 2 sequences.
    private static Scenario Plan(int deferred)
    {
        var s = TestScenarios.With(tp: 1, pp: 2, dp: 1, microBatch: 2);
        return s with { Training = s.Training with { DeferredOutputWgrads = deferred } };
    }

    [Fact]
    public void TheFirstNMicrobatchesOutputWgrads_RunAfterTheLastBackward_AsOneDrain()
    {
        var s = Plan(5);
        var (plain, deferring) = (StagePlanner.Build(Plan(0), 1), StagePlanner.Build(s, 1));
        var wgrad = ComputeModel.LogitsWeightGradient(s.Card, s.Model, 1, 2);
        long Busy(StagePlan p) => p.Program.OfType<Work>().Sum(w => w.Cost.Duration.Ps);
        // The same work, moved: five microbatches' output-layer backward lose their weight-gradient GEMM, one drain runs five.
        Assert.Equal(Busy(plain), Busy(deferring));
        Assert.Equal(plain.ExecutedFlops, deferring.ExecutedFlops);
        var works = deferring.Program.OfType<Work>().ToList();
        var drain = works.Last(w => w.Phase == WorkPhase.Backward);
        Assert.Equal(5 * wgrad.Flops, drain.Cost.Flops);
        Assert.Equal(5 * wgrad.Kernels, drain.Cost.Kernels);
        // It comes before the gradient reduction and the optimizer step; the first stage, without the output layer, is unchanged.
        var program = deferring.Program.ToList();
        Assert.True(program.IndexOf(drain) < program.FindIndex(i => i is Work { Phase: WorkPhase.Optimizer }));
        Assert.Equal(StagePlanner.Build(Plan(0), 0).Program, StagePlanner.Build(s, 0).Program);
        // Each deferred microbatch holds the output layer's input and the logits' gradient (2 B an element) until the drain frees them.
        var held = 2L * 2 * s.Model.SeqLen * (s.Model.Hidden + s.Model.Vocab);
        var buffers = deferring.Program.OfType<Alloc>().Where(a => a.Kind == Core.Accounting.MemoryKind.Buffers).Select(a => a.Bytes).ToList();
        Assert.Equal(5, buffers.Count(b => b == held));
        Assert.Contains(-5 * held, buffers);
        Assert.True(program.IndexOf(drain) < program.FindIndex(i => i is Alloc { Bytes: var b } && b == -5 * held));
    }

    [Fact]
    public void MoreThanTheStepsMicrobatches_DefersThemAll()
    {
        var all = StagePlanner.Build(Plan(100), 1).Program.OfType<Work>().Last(w => w.Phase == WorkPhase.Backward);
        var s = Plan(100);
        Assert.Equal(s.Parallel.MicroBatches * ComputeModel.LogitsWeightGradient(s.Card, s.Model, 1, 2).Flops, all.Cost.Flops);
    }
}
