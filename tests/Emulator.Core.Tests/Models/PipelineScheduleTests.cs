using Emulator.Core.Models;

namespace Emulator.Core.Tests.Models;

public class PipelineScheduleTests
{
    [Theory]
    [InlineData(0, "F0 F1 F2 F3 B0 F4 B1 F5 B2 F6 B3 F7 B4 B5 B6 B7")]
    [InlineData(1, "F0 F1 F2 B0 F3 B1 F4 B2 F5 B3 F6 B4 F7 B5 B6 B7")]
    [InlineData(2, "F0 F1 B0 F2 B1 F3 B2 F4 B3 F5 B4 F6 B5 F7 B6 B7")]
    [InlineData(3, "F0 B0 F1 B1 F2 B2 F3 B3 F4 B4 F5 B5 F6 B6 F7 B7")]
    public void One_f_one_b_p4_m8(int stage, string expected)
    {
        var ops = PipelineSchedule.OneFOneB(stage, 4, 8);
        Assert.Equal(expected, string.Join(' ', ops));
        // Warm-up: 3 − stage forwards before the steady state's first forward.
        Assert.Equal(3 - stage + 1, ops.TakeWhile(o => o.Kind == PipeOpKind.Forward).Count());
    }

    [Theory]
    [InlineData(4, 8)]
    [InlineData(4, 2)]
    [InlineData(8, 3)]
    [InlineData(1, 5)]
    public void Every_microbatch_runs_forward_then_backward_once_and_in_flight_peaks_at_MaxInFlight(int p, int m)
    {
        for (var stage = 0; stage < p; stage++)
        {
            var ops = PipelineSchedule.OneFOneB(stage, p, m);
            Assert.Equal(2 * m, ops.Count);
            for (var mb = 0; mb < m; mb++)
            {
                var f = ops.ToList().IndexOf(new PipeOp(PipeOpKind.Forward, mb));
                var b = ops.ToList().IndexOf(new PipeOp(PipeOpKind.Backward, mb));
                Assert.True(f >= 0 && b > f, $"stage {stage} microbatch {mb}");
            }
            int live = 0, peak = 0;
            foreach (var op in ops) peak = Math.Max(peak, live += op.Kind == PipeOpKind.Forward ? 1 : -1);
            Assert.Equal(PipelineSchedule.MaxInFlight(stage, p, m), peak);
        }
    }

    [Fact]
    public void Max_in_flight_values()
    {
        Assert.Equal([4, 3, 2, 1], Enumerable.Range(0, 4).Select(s => PipelineSchedule.MaxInFlight(s, 4, 8)));
        Assert.Equal(2, PipelineSchedule.MaxInFlight(0, 4, 2));
        Assert.Equal("F0 F1 B0 B1", string.Join(' ', PipelineSchedule.OneFOneB(0, 4, 2)));
    }

    [Fact]
    public void Bubble_fraction()
    {
        Assert.Equal(3.0 / 11, PipelineSchedule.BubbleFraction(4, 8));
        Assert.Equal(0.0, PipelineSchedule.BubbleFraction(1, 8));
    }
}
