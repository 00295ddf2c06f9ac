using Emulator.Core.Topology;

namespace Emulator.Core.Tests.Topology;

public class EcmpTests
{
    [Fact]
    public void MixMatchesSplitMix64() => Assert.Equal(0xE220A8397B1DCDAFUL, Ecmp.Mix(0));

    [Fact]
    public void FlowHashIsPinned()
    {
        Assert.Equal(0x3E8F57C35F0293F6UL, Ecmp.FlowHash(42, 3, 17, 5));
        Assert.Equal(0xDCD14BD43D62842AUL, Ecmp.FlowHash(-1, 0, -1, 0));
    }

    [Fact]
    public void FlowHashDependsOnEveryInput()
    {
        var h = Ecmp.FlowHash(1, 2, 3, 4);
        Assert.Equal(h, Ecmp.FlowHash(1, 2, 3, 4));
        Assert.NotEqual(h, Ecmp.FlowHash(2, 2, 3, 4));
        Assert.NotEqual(h, Ecmp.FlowHash(1, 3, 2, 4));
        Assert.NotEqual(h, Ecmp.FlowHash(1, 2, 3, 5));
    }

    [Fact]
    public void PickStaysInRange()
    {
        for (var f = 0; f < 200; f++)
            Assert.InRange(Ecmp.Pick(Ecmp.FlowHash(0, 0, 1, f), f, 3), 0, 2);
    }
}
