using Emulator.Core.Specs;
using Emulator.Engine.Plan;

namespace Emulator.Engine.Tests;

/// <summary>Megatron's scatter/gather: a stage receives 1/t of each activation and gradient (StagePlanner.PipelineBytes) and
/// all-gathers it over tp before use, unless sequence parallelism already splits the tensor along the sequence.</summary>
public class PipelineReceiveGatherTests
{
    private static Scenario Plan(bool sequenceParallel)
    {
        var s = TestScenarios.With(tp: 2, pp: 2, dp: 1, microBatch: 2);
        return s with { Training = s.Training with { SequenceParallel = sequenceParallel } };
    }

    [Fact]
    public void EveryReceivedPiece_IsGatheredOverTp_AtAnAllGathersTraffic()
    {
        var s = Plan(sequenceParallel: false);
        foreach (var stage in new[] { 0, 1 })
        {
            var program = StagePlanner.Build(s, stage).Program;
            var waits = Enumerable.Range(0, program.Count).Where(i => program[i] is WaitInput).ToArray();
            // 8 microbatches: the last stage waits for their activations, the first for their gradients.
            Assert.Equal(8, waits.Length);
            Assert.All(waits, i => Assert.Equal(new TpSync(StagePlanner.TensorParallelBytes(s) / 2), program[i + 1]));
        }
    }

    [Fact]
    public void SequenceParallelPieces_AreUsedAsTheyArrive()
    {
        var program = StagePlanner.Build(Plan(sequenceParallel: true), 1).Program;
        var waits = Enumerable.Range(0, program.Count).Where(i => program[i] is WaitInput).ToArray();
        Assert.Equal(8, waits.Length);
        Assert.All(waits, i => Assert.IsNotType<TpSync>(program[i + 1]));
    }

    [Fact]
    public void WithoutScatterGather_EveryRankSendsTheWholeTensor_AndNothingIsGathered()
    {
        var split = Plan(sequenceParallel: false);
        var whole = split with { Training = split.Training with { ScatterGatherSends = false } };
        Assert.Equal(2 * StagePlanner.PipelineBytes(split), StagePlanner.PipelineBytes(whole));
        Assert.Equal(StagePlanner.TensorParallelBytes(whole), StagePlanner.PipelineBytes(whole));
        foreach (var stage in new[] { 0, 1 })
        {
            var program = StagePlanner.Build(whole, stage).Program;
            var waits = Enumerable.Range(0, program.Count).Where(i => program[i] is WaitInput).ToArray();
            Assert.Equal(8, waits.Length);
            Assert.All(waits, i => Assert.IsNotType<TpSync>(program[i + 1]));
            Assert.All(program.OfType<SendInput>(), send => Assert.Equal(StagePlanner.PipelineBytes(whole), send.Bytes));
        }
        // Sequence parallelism splits the tensor along the sequence either way.
        var sp = Plan(sequenceParallel: true);
        Assert.Equal(StagePlanner.PipelineBytes(sp), StagePlanner.PipelineBytes(sp with { Training = sp.Training with { ScatterGatherSends = false } }));
    }

    [Fact]
    public void WithoutTensorParallelism_NothingIsGathered()
    {
        var s = TestScenarios.With(tp: 1, pp: 2, dp: 1, microBatch: 2);
        Assert.Empty(StagePlanner.Build(s, 1).Program.OfType<TpSync>());
    }
}
