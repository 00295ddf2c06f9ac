using Emulator.Core.Accounting;
using Emulator.Core.Specs;
using Emulator.Engine.Plan;

namespace Emulator.Engine.Tests;

/// <summary>software.runtime-memory: what the runtime holds outside the framework's tensors is held all step long on every card.</summary>
public class RuntimeMemoryTests
{
    [Fact]
    public void RuntimeMemory_AddsExactlyItsBytesToEveryCardsPeak()
    {
        var s = TestScenarios.With(tp: 2, pp: 2, dp: 2, microBatch: 2);
        const long runtime = 1573L << 20;
        var with = s with { Software = s.Software with { RuntimeMemoryBytes = runtime } };

        var before = StepEmulation.Run(s);
        var after = StepEmulation.Run(with);

        Assert.Equal(before.PeakHbmBytes + runtime, after.PeakHbmBytes);
        Assert.Equal(runtime, after.PeakHbmBreakdown[MemoryKind.Runtime]);
        Assert.Equal(0, before.PeakHbmBreakdown[MemoryKind.Runtime]);
        Assert.Equal(before.StepTime, after.StepTime);
    }

    [Fact]
    public void NoRuntimeMemory_AddsNoInstruction()
    {
        // Zero by default: no allocation, so scenarios without it keep their events and bytes.
        var s = TestScenarios.With(tp: 1, pp: 2, dp: 1);
        Assert.DoesNotContain(StagePlanner.Build(s, 0).Program, i => i is Alloc { Kind: MemoryKind.Runtime });
        var with = s with { Software = s.Software with { RuntimeMemoryBytes = 1L << 30 } };
        Assert.Equal(new Alloc(MemoryKind.Runtime, 1L << 30), StagePlanner.Build(with, 0).Program[0]);
    }

    [Fact]
    public void RuntimeMemory_CountsAgainstCapacity()
    {
        // The test card has 16 GiB: a runtime that leaves too little for the step's tensors is an out-of-memory, as on the card.
        var s = TestScenarios.With(tp: 1, pp: 1, dp: 2);
        Assert.Null(StepEmulation.Run(s).Oom);
        var full = s with { Software = s.Software with { RuntimeMemoryBytes = 16L << 30 } };
        Assert.NotNull(StepEmulation.Run(full).Oom);
    }
}
