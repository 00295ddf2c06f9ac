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
    public void InterleavedBubble_IsPMinus1OverVMPlusPMinus1()
    {
        // (4-1)/(2*8 + 4-1) = 3/19.
        Assert.Equal(3.0 / 19, PipelineSchedule.InterleavedBubbleFraction(4, 8, 2), 12);
    }
}
