using Emulator.Core.Accounting;
using Emulator.Core.Specs;
using Emulator.Engine.Plan;
using Emulator.Scenarios;

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

    [Theory]
    [InlineData("cluster.stage-hardware=[a100-80g-selene, a100-80g-selene, h100-80g-roce, h100-80g-roce]")]
    [InlineData("parallel.virtual-stages=2")]
    [InlineData("parallel.pp=1", "parallel.dp=16", "training.zero-stage=3", "training.sequence-parallel=false")]
    [InlineData("fabric.kind=torus", "fabric.torus-dims=[4, 4]", "fabric.slices=2", "parallel.tp=1", "parallel.pp=1", "parallel.dp=32",
        "parallel.global-batch=64", "training.sequence-parallel=false", "training.zero-stage=3", "emulation.mirror-replicas=true")]
    public void RuntimeMemory_RaisesEveryCardsPeakByItsBytesOnce(params string[] plan)
    {
        // Every card, whatever its stage, card type, chunks or shards: held from the start, never freed, never twice.
        const long runtime = 1573L << 20;
        Scenario Load(long bytes) => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"),
            [.. plan, "emulation.trace-cards=32", $"software.runtime-memory={bytes}B"]);
        var before = StepEmulation.Run(Load(0));
        var after = StepEmulation.Run(Load(runtime));

        Assert.Null(after.Oom);
        Assert.Equal(before.StepTime, after.StepTime);
        Assert.NotEmpty(after.SampledCards);
        Assert.Equal(before.SampledCards.Select(c => c.Card), after.SampledCards.Select(c => c.Card));
        foreach (var (b, a) in before.SampledCards.Zip(after.SampledCards))
        {
            Assert.Equal(b.PeakHbmBytes + runtime, a.PeakHbmBytes);
            Assert.Equal(runtime, a.PeakBreakdown[(int)MemoryKind.Runtime]);
        }
    }
}
