using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Engine.Plan;

namespace Emulator.Engine.Tests;

/// <summary>training.precision = fp8: the layers' linear GEMMs on the FP8 units, TE's casts around them, its weight copies.</summary>
public class Fp8PlanTests
{
    // One stage of the test model, tp 2, 8 microbatches of 2 sequences, on the test card given FP8 units as ideal as its BF16 ones.
    private static Scenario Plan(string precision)
    {
        var s = TestScenarios.With(tp: 2, pp: 1, dp: 1, microBatch: 2);
        return s with
        {
            Card = s.Card with { Fp8PeakFlops = 2 * s.Card.PeakFlops, Fp8GemmEfficiency = 1.0, Fp8GemmHalfDim = 1 },
            Training = s.Training with { Precision = precision },
        };
    }

    [Fact]
    public void EachLayerAndMicrobatch_RunsFp8GemmsAndCasts_AndTheStepCastsTheWeightsOnce()
    {
        var (bf16, fp8) = (StagePlanner.Build(Plan("bf16"), 0), StagePlanner.Build(Plan("fp8"), 0));
        var s = Plan("fp8");
        var (layers, microBatches) = (s.Model.Layers, s.Parallel.MicroBatches);
        LayerWork Forward(bool on) => ComputeModel.LayerForward(s.Card, s.Model, 2, 2, false, fp8: on);
        LayerWork Backward(bool on) => ComputeModel.LayerBackward(s.Card, s.Model, 2, 2, false, fp8: on);
        var perLayer = Forward(true).Total.Duration - Forward(false).Total.Duration + Backward(true).Total.Duration - Backward(false).Total.Duration
            + ComputeModel.Fp8CastsForward(s.Card, s.Model, 2, 2, false).Total.Duration + ComputeModel.Fp8CastsBackward(s.Card, s.Model, 2, 2, false).Total.Duration;
        var weightCasts = ComputeModel.Fp8WeightCasts(s.Card, s.Model, 2, layers).Duration;

        long Busy(StagePlan p) => p.Program.OfType<Work>().Sum(w => w.Cost.Duration.Ps);
        Assert.Equal(Busy(bf16) + (perLayer * (layers * microBatches)).Ps + weightCasts.Ps, Busy(fp8));
        Assert.True(Busy(fp8) < Busy(bf16), "FP8 GEMMs at twice the peak outrun their casts");
        Assert.Equal(bf16.ExecutedFlops, fp8.ExecutedFlops);
        // TE's FP8 copy and transpose of every linear weight: 2 B a weight, held from the start.
        var fp8Weights = (long)Math.Ceiling(2 * layers * TransformerMath.LinearWeights(s.Model, 2));
        Assert.Equal(bf16.Program.OfType<Alloc>().Where(a => a.Kind == MemoryKind.Weights).Sum(a => a.Bytes) + fp8Weights,
            fp8.Program.OfType<Alloc>().Where(a => a.Kind == MemoryKind.Weights).Sum(a => a.Bytes));
    }

    [Fact]
    public void Fp8PrimaryWeights_HoldOnlyTheFp8CopyAndTranspose_AndRunTheSameProgram()
    {
        var fp8 = Plan("fp8");
        var primary = fp8 with { Training = fp8.Training with { Fp8Weights = true } };
        var (copies, only) = (StagePlanner.Build(fp8, 0), StagePlanner.Build(primary, 0));
        long WeightBytes(StagePlan p) => p.Program.OfType<Alloc>().Where(a => a.Kind == MemoryKind.Weights).Sum(a => a.Bytes);
        // The linear weights' 2-byte copy is gone: 2 B a weight element of the stage's layers.
        var linear = (long)Math.Ceiling(2 * fp8.Model.Layers * TransformerMath.LinearWeights(fp8.Model, 2));
        Assert.Equal(WeightBytes(copies) - linear, WeightBytes(only));
        long Busy(StagePlan p) => p.Program.OfType<Work>().Sum(w => w.Cost.Duration.Ps);
        Assert.Equal(Busy(copies), Busy(only));
    }

    [Fact]
    public void Fp8PrimaryWeights_AreGatheredAfterTheStepAsFp8()
    {
        // ZeRO-1 over dp 2: the optimizer's all-gather of the updated weights moves 1 B a linear weight, not 2.
        var s = TestScenarios.With(tp: 2, pp: 1, dp: 2, microBatch: 2, distributedOptimizer: true);
        s = s with
        {
            Card = s.Card with { Fp8PeakFlops = 2 * s.Card.PeakFlops, Fp8GemmEfficiency = 1.0, Fp8GemmHalfDim = 1 },
            Training = s.Training with { Precision = "fp8" },
        };
        long Gathered(Scenario x) => StagePlanner.Build(x, 0).Program.OfType<RingSync>().Where(r => r.Ring == RingKind.AllGather).Sum(r => r.Bytes);
        var primary = s with { Training = s.Training with { Fp8Weights = true } };
        var linear = (long)Math.Ceiling(s.Model.Layers * TransformerMath.LinearWeights(s.Model, 2));
        Assert.True(Gathered(s) > 0);
        Assert.Equal(Gathered(s) - linear, Gathered(primary));
    }

    [Fact]
    public void WhereFp8GemmsTakeEitherLayout_TheCachedWeightIsOneByte()
    {
        var hopper = Plan("fp8");
        var blackwell = hopper with { Card = hopper.Card with { Fp8Transposes = false } };
        long WeightBytes(Scenario s) => StagePlanner.Build(s, 0).Program.OfType<Alloc>().Where(a => a.Kind == MemoryKind.Weights).Sum(a => a.Bytes);
        var linear = hopper.Model.Layers * TransformerMath.LinearWeights(hopper.Model, 2);
        Assert.Equal(WeightBytes(hopper) - (long)Math.Ceiling(linear), WeightBytes(blackwell));
        // FP8 primary weights on such a card: the 1-byte copy alone, 1 B a weight where the 2-byte weights held 2.
        var primary = blackwell with { Training = blackwell.Training with { Fp8Weights = true } };
        Assert.Equal(WeightBytes(blackwell) - (long)Math.Ceiling(2 * linear), WeightBytes(primary));
    }

    [Fact]
    public void WithSequenceParallelism_TheGathersMoveFp8_TheScattersStayTwoByte()
    {
        Scenario Sp(string precision, bool overlapForward = false)
        {
            var s = Plan(precision);
            return s with { Training = s.Training with { SequenceParallel = true, OverlapTpForward = overlapForward } };
        }
        var s = Sp("fp8");
        var (tpBytes, gather) = (StagePlanner.TensorParallelBytes(s), StagePlanner.TensorParallelBytes(s) / 2);
        long TpBytes(StagePlan p) => p.Program.OfType<TpSync>().Sum(t => t.Bytes) + p.Program.OfType<TpStart>().Sum(t => t.Bytes);

        // Blocking: each collective standing for a scatter and a gather moves 3/4 of its bf16 bytes; the vocabulary's gather before
        // the logits stays 2-byte (Megatron's output layer is not a TE module).
        var (bf16, fp8) = (StagePlanner.Build(Sp("bf16"), 0), StagePlanner.Build(Sp("fp8"), 0));
        var pairs = bf16.Program.OfType<TpSync>().Count(t => t.Bytes == tpBytes);
        Assert.True(pairs > 0);
        Assert.Equal(pairs, fp8.Program.OfType<TpSync>().Count(t => t.Bytes == tpBytes - gather / 2));
        Assert.True(TpBytes(fp8) < TpBytes(bf16));

        // Userbuffers: the gathers beside QKV and fc1 carry half the bytes, the scatters beside the projection and fc2 all of theirs.
        var forward = StagePlanner.Build(Sp("fp8", overlapForward: true), 0).Program;
        var starts = Enumerable.Range(0, forward.Count)
            .Where(i => forward[i] is TpStart && ((Work)forward[i + 1]).Phase == WorkPhase.Forward).Select(i => ((TpStart)forward[i]).Bytes).ToArray();
        Assert.Equal(Enumerable.Repeat(new[] { gather / 2, gather, gather / 2, gather }, starts.Length / 4).SelectMany(b => b), starts);

        // Without sequence parallelism the tensor-parallel all-reduces carry the layers' 2-byte outputs either way.
        Assert.Equal(TpBytes(StagePlanner.Build(Plan("bf16"), 0)), TpBytes(StagePlanner.Build(Plan("fp8"), 0)));
    }
}
