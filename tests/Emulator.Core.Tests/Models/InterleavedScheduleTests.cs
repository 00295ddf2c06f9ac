using Emulator.Core.Models;

namespace Emulator.Core.Tests.Models;

public class InterleavedScheduleTests
{
    [Fact]
    public void Interleaved_P2M4V2_Stage0_MatchesMegatronOrder()
    {
        // p=2, v=2, m=4: total 8 chunk-microbatches; stage 0 warms up (2-0-1)*2 + (2-1)*2 = 4 forwards.
        // Forward k: chunk (k mod 4)/2, microbatch (k/4)*2 + k mod 2; backward chunks reversed.
        var ops = string.Join(" ", PipelineSchedule.Interleaved(0, 2, 4, 2));
        Assert.Equal("F0 F1 F0.1 F1.1 F2 B0.1 F3 B1.1 F2.1 B0 F3.1 B1 B2.1 B3.1 B2 B3", ops);
    }

    [Theory]
    [InlineData(4, 8, 2)]
    [InlineData(2, 4, 3)]
    [InlineData(8, 16, 2)]
    public void Interleaved_EveryChunkMicrobatch_ForwardOnceThenBackwardOnce(int p, int m, int v)
    {
        for (var stage = 0; stage < p; stage++)
        {
            var ops = PipelineSchedule.Interleaved(stage, p, m, v);
            Assert.Equal(2 * m * v, ops.Count);
            foreach (var group in ops.GroupBy(o => (o.MicroBatch, o.Chunk)))
            {
                var list = group.ToList();
                Assert.Equal(2, list.Count);
                Assert.Equal(PipeOpKind.Forward, list[0].Kind);
                Assert.Equal(PipeOpKind.Backward, list[1].Kind);
            }
        }
    }

    [Theory]
    [InlineData(false, "F0 F1 F0.1 B0.1 F1.1 B1.1 B0 B1")] // Megatron-core: the last stage's warm-up is (v − 1)·group = 2 forwards
    [InlineData(true, "F0 F1 F0.1 F1.1 B0.1 B1.1 B0 B1")]  // Megatron-LM before groups: m = p runs every forward first
    public void Interleaved_AsManyMicrobatchesAsStages_LastStage(bool megatron2021, string expected) =>
        Assert.Equal(expected, string.Join(" ", PipelineSchedule.Interleaved(1, 2, 2, 2, allForwardsFirstWhenMEqualsP: megatron2021)));

    [Fact]
    public void Interleaved_Megatron2021Rule_ChangesNothingWhenMicrobatchesExceedStages()
    {
        for (var stage = 0; stage < 4; stage++)
            Assert.Equal(PipelineSchedule.Interleaved(stage, 4, 8, 2), PipelineSchedule.Interleaved(stage, 4, 8, 2, allForwardsFirstWhenMEqualsP: true));
    }

    [Fact]
    public void Interleaved_OneChunk_IsPlainOneFOneB()
    {
        Assert.Equal(PipelineSchedule.OneFOneB(1, 4, 8), PipelineSchedule.Interleaved(1, 4, 8, 1));
    }

    [Fact]
    public void Interleaved_MicrobatchesNotMultipleOfStages_Throws()
    {
        Assert.Throws<ArgumentException>(() => PipelineSchedule.Interleaved(0, 4, 6, 2));
    }

    [Fact]
    public void Interleaved_GroupsOfThree_FollowMegatronCoresTable()
    {
        // Megatron-core's own example, PP2 N3 M5 VP2: forwards run microbatches 0 1 2 0 1 2 3 4 3 4 on chunks 0 0 0 1 1 1 0 0 1 1;
        // the last stage warms up (v - 1)·N = 3 forwards, and backwards walk the same table with the chunks reversed.
        var ops = string.Join(" ", PipelineSchedule.Interleaved(1, 2, 5, 2, group: 3));
        Assert.Equal("F0 F1 F2 F0.1 B0.1 F1.1 B1.1 F2.1 B2.1 F3 B0 F4 B1 F3.1 B2 F4.1 B3.1 B4.1 B3 B4", ops);
    }

    [Fact]
    public void Interleaved_LastGroupShorterThanStages_Throws()
    {
        // 10 microbatches in groups of 4 leave 2 for the last group, fewer than the 4 stages: Megatron-core refuses it.
        var e = Assert.Throws<ArgumentException>(() => PipelineSchedule.Interleaved(0, 4, 10, 2, group: 4));
        Assert.Contains("last group of 2", e.Message);
        Assert.Null(PipelineSchedule.InterleavingProblem(4, 10, 5));
        Assert.Null(PipelineSchedule.InterleavingProblem(4, 10, 6));
        Assert.NotNull(PipelineSchedule.InterleavingProblem(4, 10, 3));
        Assert.NotNull(PipelineSchedule.InterleavingProblem(4, 10, 11));
    }

    [Fact]
    public void Interleaved_EveryAllowedGrouping_CompletesWithoutDeadlock()
    {
        for (var p = 2; p <= 5; p++)
            for (var v = 2; v <= 3; v++)
                for (var m = p; m <= 13; m++)
                    for (var group = p; group <= m; group++)
                        if (PipelineSchedule.InterleavingProblem(p, m, group) is null)
                            Assert.True(Completes(p, m, v, group), $"p {p} m {m} v {v} group {group} deadlocks");
    }

    /// <summary>Runs every stage's ops in order, each once what it consumes has been produced; false when no stage can move.</summary>
    private static bool Completes(int p, int m, int v, int group)
    {
        var ops = Enumerable.Range(0, p).Select(stage => PipelineSchedule.Interleaved(stage, p, m, v, group)).ToArray();
        var next = new int[p];
        var done = new HashSet<(PipeOpKind, int Virtual, int MicroBatch)>();
        while (true)
        {
            var moved = false;
            for (var stage = 0; stage < p; stage++)
            {
                if (next[stage] == ops[stage].Count) continue;
                var op = ops[stage][next[stage]];
                var virtualStage = op.Chunk * p + stage;
                var ready = op.Kind == PipeOpKind.Forward
                    ? virtualStage == 0 || done.Contains((PipeOpKind.Forward, virtualStage - 1, op.MicroBatch))
                    : virtualStage == p * v - 1
                        ? done.Contains((PipeOpKind.Forward, virtualStage, op.MicroBatch))
                        : done.Contains((PipeOpKind.Backward, virtualStage + 1, op.MicroBatch));
                if (!ready) continue;
                done.Add((op.Kind, virtualStage, op.MicroBatch));
                next[stage]++;
                moved = true;
            }
            if (next.Select((n, stage) => n == ops[stage].Count).All(x => x)) return true;
            if (!moved) return false;
        }
    }

    [Fact]
    public void InterleavedBubble_IsPMinus1OverVMPlusPMinus1()
    {
        // (4-1)/(2*8 + 4-1) = 3/19.
        Assert.Equal(3.0 / 19, PipelineSchedule.InterleavedBubbleFraction(4, 8, 2), 12);
    }
}
