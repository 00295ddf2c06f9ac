using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Engine.Plan;
using Emulator.Kernel;

namespace Emulator.Engine.Tests;

/// <summary>Kernels beside a collective run on what the collective leaves of the card (card.efficiency.collective-share):
/// slowed while it runs, at the full rate once it has ended.</summary>
public class CollectiveShareTests
{
    private const long GatherBytes = 1L << 30;

    /// <summary>8 data-parallel cards whose collectives take a quarter of the card (kernels beside one run at 3/4).</summary>
    private static Scenario Cards(double share = 0.25)
    {
        var s = TestScenarios.With(tp: 1, pp: 1, dp: 8);
        return s with { Card = s.Card with { CollectiveShare = share } };
    }

    private static StagePlan Program(params Instruction[] program) => new(0, 0, program, new StateMemory(0, 0, 0), 0);

    private static Work Kernel(long ps) => new(new WorkCost(1, 0, 1, new SimTime(ps)), WorkPhase.Forward, 0);

    /// <summary>How long one all-gather of 1 GiB takes on its own.</summary>
    private static long GatherPs() =>
        StepEmulation.Run(Cards(), programs: _ => Program(new RingSync(RingKind.AllGather, GatherBytes, 0))).StepTime.Ps;

    private static Results.StepResult Beside(long kernelPs, double share = 0.25) => StepEmulation.Run(Cards(share), programs: _ => Program(
        new RingStart(RingKind.AllGather, GatherBytes, 0), Kernel(kernelPs), new RingWait(RingKind.AllGather, 0)));

    [Fact]
    public void A_kernel_outlasting_the_collective_loses_a_quarter_of_the_overlap()
    {
        var gather = GatherPs();
        var kernel = 3 * gather;
        // During the gather the kernel does 3/4 of its rate, then runs at full rate: it ends gather/4 late.
        var step = Beside(kernel).StepTime.Ps;
        Assert.InRange(step - (kernel + gather / 4), -2, 2);
    }

    [Fact]
    public void A_kernel_inside_the_collective_runs_at_three_quarters_throughout()
    {
        var gather = GatherPs();
        var kernel = gather / 2;
        var result = Beside(kernel);
        // Slowed to 4/3 of its time, it still ends before the gather, which the card then waits for.
        Assert.InRange(result.StepTime.Ps - gather, -2, 2);
        Assert.InRange((long)Math.Round(result.Breakdown[TimeKind.Compute] * 1e12) - kernel * 4 / 3, -2, 2);
    }

    [Theory]
    [InlineData(8, 0.25)]   // one node: NVLink's channels
    [InlineData(16, 0.125)] // two nodes: the NICs' fewer channels (card.efficiency.collective-share-network)
    public void A_group_spanning_nodes_holds_the_network_share(int dp, double share)
    {
        // A kernel half as long as the gather beside it runs at 1 - share throughout and still ends first.
        var s = TestScenarios.With(tp: 1, pp: 1, dp: dp);
        s = s with { Card = s.Card with { CollectiveShare = 0.25, CollectiveShareNetwork = 0.125 } };
        Results.StepResult Run(params Instruction[] program) => StepEmulation.Run(s, programs: _ => Program(program));
        var gather = Run(new RingSync(RingKind.AllGather, GatherBytes, 0)).StepTime.Ps;
        var kernel = gather / 2;

        var result = Run(new RingStart(RingKind.AllGather, GatherBytes, 0), Kernel(kernel), new RingWait(RingKind.AllGather, 0));

        Assert.InRange((long)Math.Round(result.Breakdown[TimeKind.Compute] * 1e12) - (long)Math.Ceiling(kernel / (1 - share)), -2, 2);
        Assert.InRange(result.StepTime.Ps - gather, -2, 2);
    }

    [Fact]
    public void A_kernel_is_re_rated_as_the_collectives_beside_it_end()
    {
        // tp 2 over 16 cards on two nodes: the dp group spans them (network share 1/8), the tp pair does not (1/4). A long kernel
        // starts beside both; when the tensor-parallel collective ends it runs at 7/8, when the gather ends at full rate.
        var s = TestScenarios.With(tp: 2, pp: 1, dp: 8);
        s = s with { Card = s.Card with { CollectiveShare = 0.25, CollectiveShareNetwork = 0.125 } };
        Results.StepResult Run(params Instruction[] program) => StepEmulation.Run(s, programs: _ => Program(program));
        const long tpBytes = 64L << 20;
        var tp = Run(new TpStart(tpBytes), TpWait.Instance).StepTime.Ps;
        var gather = Run(new RingSync(RingKind.AllGather, GatherBytes, 0)).StepTime.Ps;
        Assert.True(tp < gather, "the tensor-parallel collective must end first for this test to mean anything");
        var kernel = 2 * gather;

        var result = Run(new RingStart(RingKind.AllGather, GatherBytes, 0), new TpStart(tpBytes), Kernel(kernel), TpWait.Instance,
            new RingWait(RingKind.AllGather, 0));

        var doneAtGatherEnd = 0.75 * tp + 0.875 * (gather - tp);
        Assert.InRange(result.StepTime.Ps - (gather + (kernel - doneAtGatherEnd)), -4, 4);
    }

    [Fact]
    public void No_share_overlaps_for_free()
    {
        var gather = GatherPs();
        Assert.Equal(Math.Max(gather, 3 * gather), Beside(3 * gather, share: 0).StepTime.Ps);
    }

    [Fact]
    public void A_kernel_after_the_collective_ended_runs_at_full_rate()
    {
        var gather = GatherPs();
        var step = StepEmulation.Run(Cards(), programs: _ => Program(
            new RingSync(RingKind.AllGather, GatherBytes, 0), Kernel(gather))).StepTime.Ps;
        Assert.Equal(2 * gather, step);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Kernels_between_tensor_parallel_collectives_are_slowed_too(bool rings)
    {
        // The node runs a kernel between two one-event TP collectives itself (a chain) unless a rank has a collective of its own
        // in flight: both 1 us kernels here run beside a 1 GiB gather, at 3/4, whichever way TP collectives are emulated.
        var s = TestScenarios.With(tp: 2, pp: 1, dp: 4);
        s = s with { Card = s.Card with { CollectiveShare = 0.25 }, Emulation = s.Emulation with { TpCollectiveRings = rings } };
        var result = StepEmulation.Run(s, programs: _ => Program(
            new RingStart(RingKind.AllGather, GatherBytes, 0),
            Kernel(1_000_000), new TpSync(1 << 20), Kernel(1_000_000), new TpSync(1 << 20),
            new RingWait(RingKind.AllGather, 0)));
        Assert.InRange((long)Math.Round(result.Breakdown[TimeKind.Compute] * 1e12) - 2_000_000 * 4 / 3, -2, 2);
    }
}
