using Emulator.Core.Accounting;
using Emulator.Engine.Plan;

namespace Emulator.Engine.Tests;

/// <summary>training.keep-stage-outputs holds a stage's whole output of each in-flight microbatch; with context parallelism a
/// card only ever computes s/cp tokens of each sequence, so what it holds is b·(s/cp)·h, not b·s·h.</summary>
public class KeptStageOutputContextParallelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void HeldOutput_IsTheCardsShareOfTheSequence(int cp)
    {
        // tp 1, pp 2, cp cp: stage 0's forward holds its output until the microbatch's backward.
        var s = TestScenarios.With(tp: 1, pp: 2, dp: 4, microBatch: 2);
        s = s with
        {
            Parallel = s.Parallel with { Dp = 4 / cp, Cp = cp, GlobalBatch = 8 * 2 * (4 / cp) },
            Model = s.Model with { SeqLen = 4096 },
            Training = s.Training with { KeepStageOutputs = true },
        };
        var expected = 2L * 2 * 4096 / cp * s.Model.Hidden;
        var program = StagePlanner.Build(s, 0).Program;
        var held = program.OfType<Alloc>().Where(a => a.Kind == MemoryKind.Buffers && a.Bytes > 0).Select(a => a.Bytes).Distinct().ToArray();
        Assert.Equal([expected], held);
    }
}
