using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Engine.Plan;
using Emulator.Kernel;

namespace Emulator.Engine.Tests;

public class StepEmulationSmokeTests
{
    [Fact]
    public void Run_SmallPlan_FinishesWithPositiveStepTime()
    {
        var result = StepEmulation.Run(TestScenarios.With(tp: 2, pp: 2, dp: 4));
        Assert.True(result.StepTime.Ps > 0);
        Assert.Equal(16, result.Cards);
        Assert.True(result.Events > 0);
        Assert.Equal(result.StepTime.Seconds, result.Breakdown.Values.Sum(), 6);
    }

    [Fact]
    public void Run_APlanThatPartlyFillsItsLastNode_IsRefusedNamingTheCounts()
    {
        // 12 cards on 8-card nodes: the loader refuses it; built in code, Run says why instead of failing in the rank map.
        var e = Assert.Throws<ArgumentException>(() => StepEmulation.Run(TestScenarios.With(tp: 2, pp: 3, dp: 2)));
        Assert.Contains("12 cards do not fill whole nodes of 8", e.Message);
    }

    [Theory]
    [InlineData(-1, false)]
    [InlineData(0, false)]
    [InlineData(1, true)]
    public void Run_AllocationAroundTheHbmCapacity_IsRefusedExactlyPastIt(long beyond, bool oom)
    {
        // The banks are told growth in grains of 1/64 of the HBM, but never past the capacity unless the card needs more.
        var s = TestScenarios.With(tp: 1, pp: 1, dp: 1);
        var capacity = s.Card.HbmCapacityBytes;
        var program = new StagePlan(0, 1, new Instruction[]
        {
            new Alloc(MemoryKind.Activations, capacity / 3), new Work(new WorkCost(0, 0, 1, SimTime.FromUs(1)), WorkPhase.Forward, 0),
            new Alloc(MemoryKind.Activations, capacity - capacity / 3 + beyond), new Work(new WorkCost(0, 0, 1, SimTime.FromUs(1)), WorkPhase.Optimizer, -1),
        }, new StateMemory(0, 0, 0), 0);

        var result = StepEmulation.Run(s, programs: _ => program);

        Assert.Equal(oom, result.Oom is not null);
        // Refused when the second allocation is made: after the 1 us kernel, which started when the job's start reached the card.
        if (oom) Assert.Equal(s.Fabric.LinkLatency + SimTime.FromUs(1), result.Oom!.At);
    }

    [Fact]
    public void Run_AllocationOnTheProgramsLastInstruction_IsStillRefused()
    {
        // The banks hear the growth at the instant the program ends; the card reports only once they have answered.
        var s = TestScenarios.With(tp: 1, pp: 1, dp: 1);
        var program = new StagePlan(0, 1, new Instruction[]
        {
            new Work(new WorkCost(0, 0, 1, SimTime.FromUs(1)), WorkPhase.Forward, 0), new Alloc(MemoryKind.Activations, s.Card.HbmCapacityBytes + 1),
        }, new StateMemory(0, 0, 0), 0);

        var result = StepEmulation.Run(s, programs: _ => program);

        Assert.NotNull(result.Oom);
        Assert.Equal(s.Fabric.LinkLatency + SimTime.FromUs(1), result.Oom!.At);
        Assert.Equal(SimTime.FromUs(1), result.StepTime);
    }

    [Fact]
    public void Run_GrowthOnTheLastInstruction_OnTwoThreads_ReportsAsOnOne()
    {
        // The deferred report of a card in the second partition must still respect the lookahead to the job in the first.
        var s = TestScenarios.With(tp: 1, pp: 1, dp: 16);
        var program = new StagePlan(0, 1, new Instruction[]
        {
            new Work(new WorkCost(0, 0, 1, SimTime.FromUs(1)), WorkPhase.Forward, 0), new Alloc(MemoryKind.Activations, 1L << 20),
        }, new StateMemory(0, 0, 0), 0);

        var one = StepEmulation.Run(s, programs: _ => program);
        var two = StepEmulation.Run(s with { Emulation = s.Emulation with { Threads = 2 } }, programs: _ => program);

        Assert.Null(two.Oom);
        Assert.Equal(one.StepTime, two.StepTime);
        Assert.Equal(one.PeakHbmBytes, two.PeakHbmBytes);
    }

    [Fact]
    public void Run_NicPerCard_CardsDriveTheirOwnNics_SharedNicsGoThroughTheNode()
    {
        // tp 8 per node, dp 4 across nodes: every data-parallel ring step leaves the node. With 8 NICs each card drives its own;
        // with 4 the node drives them for its cards (two per NIC).
        var own = TestScenarios.With(tp: 8, pp: 1, dp: 4);
        var shared = own with { Node = own.Node with { Nics = 4 } };

        var ownResult = StepEmulation.Run(own);
        var sharedResult = StepEmulation.Run(shared);

        Assert.False(ownResult.EventsByMessage.ContainsKey("RdmaWrite"));
        Assert.True(sharedResult.EventsByMessage["RdmaWrite"] > 0);
        Assert.Contains(ownResult.Links, l => l.From.StartsWith("node-0/nic-7", StringComparison.Ordinal));
        // Two cards share each NIC: their ring steps take turns on it, so the data-parallel time grows.
        Assert.True(sharedResult.Breakdown[TimeKind.DataParallel] > ownResult.Breakdown[TimeKind.DataParallel]);
    }
}
