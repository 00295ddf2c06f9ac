using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Engine.Messages;
using Emulator.Engine.Plan;
using Emulator.Scenarios.Published;
using Emulator.Kernel;

namespace Emulator.Engine.Tests;

/// <summary>training.tied-embedding-grad-bytes: the first and last pipeline stages, which hold the tied word embedding, all-reduce
/// its gradient between them after the step's last backward, a ring of two cards per tp and dp rank: before the data-parallel
/// reduction (DeepSpeed's pipeline engine, ReduceTiedGrads before ReduceGrads) or, with training.tied-embedding-after-dp, once it
/// has finished (Megatron-LM's embedding group).</summary>
public class TiedEmbeddingAllReduceTests
{
    private static Scenario Plan(int pp, int bytesPerParam, bool afterDp = false)
    {
        var s = TestScenarios.With(tp: 2, pp: pp, dp: 2, microBatch: 1);
        return s with { Training = s.Training with { TiedEmbeddingGradBytes = bytesPerParam, TiedEmbeddingAfterDp = afterDp } };
    }

    private static int IndexOf(IReadOnlyList<Instruction> program, Func<Instruction, bool> match) =>
        program.Select((instruction, i) => (instruction, i)).First(x => match(x.instruction)).i;

    [Fact]
    public void FirstAndLastStages_AllReduceTheEmbeddingGradient_BeforeTheDataParallelReduction()
    {
        var s = Plan(pp: 3, bytesPerParam: 4);
        // V·h/tp parameters at 4 bytes: 32000 · 1024 / 2 · 4.
        const long expected = 32000L * 1024 / 2 * 4;
        foreach (var stage in new[] { 0, 2 })
        {
            var program = StagePlanner.Build(s, stage).Program;
            var start = program.Select((instruction, i) => (instruction, i)).Single(x => x.instruction is RingStart { Group: RingGroup.Embedding });
            Assert.Equal(new RingStart(RingKind.AllReduce, expected, StagePlanner.TiedEmbeddingPhase, RingGroup.Embedding), start.instruction);
            Assert.Equal(new RingWait(RingKind.AllReduce, StagePlanner.TiedEmbeddingPhase, RingGroup.Embedding), program[start.i + 1]);
            // After every backward, before the gradients' data-parallel all-reduce.
            var lastBackward = program.Select((instruction, i) => (instruction, i)).Last(x => x.instruction is Work { Phase: WorkPhase.Backward }).i;
            var dpReduction = program.Select((instruction, i) => (instruction, i)).First(x => x.instruction is RingStart { Group: RingGroup.Data }).i;
            Assert.InRange(start.i, lastBackward + 1, dpReduction - 1);
        }
        Assert.DoesNotContain(StagePlanner.Build(s, 1).Program, i => i is RingStart { Group: RingGroup.Embedding });
    }

    [Fact]
    public void AfterDp_TheReductionFollowsTheLastDataParallelWait_BeforeTheOptimizer()
    {
        var s = Plan(pp: 3, bytesPerParam: 4, afterDp: true);
        foreach (var stage in new[] { 0, 2 })
        {
            var program = StagePlanner.Build(s, stage).Program;
            var start = IndexOf(program, i => i is RingStart { Group: RingGroup.Embedding });
            var lastDpWait = program.Select((instruction, i) => (instruction, i)).Last(x => x.instruction is RingWait { Group: RingGroup.Data }).i;
            var optimizer = IndexOf(program, i => i is Work { Phase: WorkPhase.Optimizer });
            Assert.InRange(start, lastDpWait + 1, optimizer - 2);
            Assert.Equal(new RingWait(RingKind.AllReduce, StagePlanner.TiedEmbeddingPhase, RingGroup.Embedding), program[start + 1]);
        }
    }

    [Theory]
    [InlineData(3, 0, true)]
    [InlineData(1, 4, true)]
    [InlineData(3, 4, false)]
    public void NoReduction_WhenNotAskedWithOneStageOrUntied(int pp, int bytesPerParam, bool tied)
    {
        var s = Plan(pp, bytesPerParam);
        s = s with { Model = s.Model with { TiedEmbeddings = tied } };
        for (var stage = 0; stage < pp; stage++)
            Assert.DoesNotContain(StagePlanner.Build(s, stage).Program, i => i is RingStart { Group: RingGroup.Embedding } or RingWait { Group: RingGroup.Embedding });
    }

    [Fact]
    public void RingOfTwo_TakesTwoHalfSteps_AfterTheLaterCardArrives()
    {
        // Two stages on two nodes with one 100 Gb/s NIC each. Stage 0 computes 100 ms first; stage 1 waits for it, then both
        // send half of the 256 MiB (the reduce-scatter's step), then the other half (the all-gather's): two 128 MiB transfers.
        const long bytes = 256L << 20;
        var s = TestScenarios.With(tp: 1, pp: 2, dp: 1);
        s = s with { Node = s.Node with { CardsPerNode = 1, Nics = 1 } };
        var compute = new WorkCost(0, 0, 1, SimTime.FromUs(100_000));
        StagePlan Program(int stage)
        {
            var ring = new Instruction[]
            {
                new RingStart(RingKind.AllReduce, bytes, StagePlanner.TiedEmbeddingPhase, RingGroup.Embedding),
                new RingWait(RingKind.AllReduce, StagePlanner.TiedEmbeddingPhase, RingGroup.Embedding),
            };
            return new StagePlan(stage, 0, stage == 0 ? [new Work(compute, WorkPhase.Backward, 0), .. ring] : ring, new StateMemory(0, 0, 0), 0);
        }

        var result = StepEmulation.Run(s, programs: Program);

        var steps = 2 * s.Node.NicBandwidth.TransferTime(bytes / 2).Seconds;
        Assert.InRange(result.StepTime.Seconds - 0.100, steps, steps * 1.001);
    }

    [Theory]
    [InlineData("unseen-runs.csv", "bloom-176b-step", 2, false)]
    [InlineData("unseen-runs.csv", "bloom-pq-176b-tp8pp12-mb2-h64", 2, false)]
    [InlineData("unseen-runs.csv", "mtnlg-530b-2240", 2, false)]
    [InlineData("published-runs.csv", "meg-t1-529.6b", 2, true)] // fp16: the 2-byte main_grad
    [InlineData("unseen-runs.csv", "nemo-gpt3-175b-128", 2, true)] // bf16 reduced in bf16 (grad_sync_dtype)
    [InlineData("unseen-runs.csv", "meg22-22b-full", 4, true)] // bf16: the fp32 main_grad
    [InlineData("unseen-runs.csv", "mpt-7b-2k-a100", 0, false)]
    public void PublishedRows_ReduceTheirStacksGradient(string file, string id, int bytes, bool afterDp)
    {
        var run = PublishedRunsCsv.Read(Path.Combine(RepoPaths.Root, "data", file)).Rows.Single(r => r.Id == id);
        Assert.Equal(bytes, run.TiedEmbeddingGradBytes);
        Assert.Equal(afterDp, run.TiedEmbeddingAfterDp);
        var text = run.ToScenarioText();
        Assert.Contains($"tied-embedding-grad-bytes = {bytes}\n", text, StringComparison.Ordinal);
        Assert.Contains($"tied-embedding-after-dp = {(afterDp ? "true" : "false")}\n", text, StringComparison.Ordinal);
    }
}
