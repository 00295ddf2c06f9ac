using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Engine.Plan;

namespace Emulator.Engine.Tests;

/// <summary>The vocab-parallel embedding and output layer's tensor-parallel collectives (Megatron's VocabParallelEmbedding and
/// parallel_lm_logits): the first stage sums its partial lookups before its layers, the last reduces the logits input's gradient
/// after the logits' backward; with sequence parallelism each is a half (a reduce-scatter), and the logits input is gathered
/// before the logits and the embedding's output gradient after the first stage's backward.</summary>
public class VocabCollectivesTests
{
    private static Scenario Plan(bool sequenceParallel)
    {
        var s = TestScenarios.With(tp: 2, pp: 2, dp: 1, microBatch: 2);
        return s with { Training = s.Training with { SequenceParallel = sequenceParallel } };
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheLastStage_ReducesTheLogitsInputsGradient_AndGathersTheInputWithSp(bool sequenceParallel)
    {
        var s = Plan(sequenceParallel);
        var tpBytes = StagePlanner.TensorParallelBytes(s);
        var program = StagePlanner.Build(s, 1).Program;
        var (logitsF, logitsB) = (ComputeModel.LogitsForward(s.Card, s.Model, 2, 2), ComputeModel.LogitsBackward(s.Card, s.Model, 2, 2));
        var forwards = Enumerable.Range(0, program.Count).Where(i => program[i] is Work w && w.Cost == logitsF && w.Phase == WorkPhase.Forward).ToArray();
        var backwards = Enumerable.Range(0, program.Count).Where(i => program[i] is Work w && w.Cost == logitsB && w.Phase == WorkPhase.Backward).ToArray();
        Assert.Equal(8, forwards.Length);
        Assert.Equal(8, backwards.Length);
        Assert.All(backwards, i => Assert.Equal(new TpSync(sequenceParallel ? tpBytes / 2 : tpBytes), program[i + 1]));
        // With SP the last layer's output, scattered along the sequence, is gathered for the logits (without it the layer's own
        // all-reduce comes last).
        if (sequenceParallel) Assert.All(forwards, i => Assert.Equal(new TpSync(tpBytes / 2), program[i - 1]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheFirstStage_SumsItsLookups_AndGathersTheirGradientWithSp(bool sequenceParallel)
    {
        var s = Plan(sequenceParallel);
        var tpBytes = StagePlanner.TensorParallelBytes(s);
        var program = StagePlanner.Build(s, 0).Program;
        // Each forward starts at its activations' allocation, then the embedding's reduction before the first layer.
        var starts = Enumerable.Range(0, program.Count).Where(i => program[i] is Alloc { Kind: MemoryKind.Activations, Bytes: > 0 }).ToArray();
        Assert.Equal(8, starts.Length);
        Assert.All(starts, i => Assert.Equal(new TpSync(sequenceParallel ? tpBytes / 2 : tpBytes), program[i + 1]));
    }

    [Fact]
    public void WithoutTensorParallelism_TheVocabularyNeedsNoCollective()
    {
        var s = TestScenarios.With(tp: 1, pp: 2, dp: 1, microBatch: 2);
        Assert.Empty(StagePlanner.Build(s, 0).Program.OfType<TpSync>());
        Assert.Empty(StagePlanner.Build(s, 1).Program.OfType<TpSync>());
    }
}
