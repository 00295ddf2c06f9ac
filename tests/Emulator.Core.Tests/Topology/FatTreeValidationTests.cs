using Emulator.Core.Topology;

namespace Emulator.Core.Tests.Topology;

public class FatTreeValidationTests
{
    [Fact]
    public void TwoTierTooManyLeavesSuggestsThreeTiers()
    {
        var ex = Assert.Throws<ArgumentException>(() => FatTree.Build(Fabrics.Spec(2, 2, 2, 8, 0, true), 4, 8));
        Assert.Contains("16 leaves", ex.Message);
        Assert.Contains("8 down-ports", ex.Message);
        Assert.Contains("tiers = 3", ex.Message);
    }

    [Fact]
    public void NoUpPortsWithSeveralLeavesThrows()
    {
        var ex = Assert.Throws<ArgumentException>(() => FatTree.Build(Fabrics.Spec(2, 2, 0, 16, 0, true), 4, 8));
        Assert.Contains("LeafUpPorts is 0", ex.Message);
        Assert.Equal(1, FatTree.Build(Fabrics.Spec(2, 16, 0, 0, 0, false), 2, 8).SwitchCount);
    }

    [Fact]
    public void ThreeTierSeveralPodsWithoutSpineUpPortsThrows()
    {
        var ex = Assert.Throws<ArgumentException>(() => FatTree.Build(Fabrics.Spec(3, 2, 2, 4, 0, true), 8, 4));
        Assert.Contains("SpineUpPorts is 0", ex.Message);
    }

    [Theory]
    [InlineData(1, 2, 2, 4, 2, 4, 2)]
    [InlineData(4, 2, 2, 4, 2, 4, 2)]
    [InlineData(3, 0, 2, 4, 2, 4, 2)]
    [InlineData(3, 2, -1, 4, 2, 4, 2)]
    [InlineData(3, 2, 2, 4, 2, 0, 2)]
    [InlineData(3, 2, 2, 4, 2, 4, 0)]
    public void BadInputsThrow(int tiers, int down, int up, int spineDown, int spineUp, int nodes, int rails) =>
        Assert.ThrowsAny<ArgumentException>(() => FatTree.Build(Fabrics.Spec(tiers, down, up, spineDown, spineUp, true), nodes, rails));

    [Theory]
    [MemberData(nameof(Fabrics.Names), MemberType = typeof(Fabrics))]
    public void SwitchesNeededCountsWhatBuildMakes(string name)
    {
        var (tree, nodes, rails) = Fabrics.Named(name);
        var spec = name switch
        {
            "two-tier" => Fabrics.Spec(2, 2, 2, 16, 0, true),
            "three-tier" => Fabrics.Spec(3, 2, 2, 4, 2, true),
            "ragged-three-tier" => Fabrics.Spec(3, 2, 2, 2, 3, false),
            "two-tier-plain" => Fabrics.Spec(2, 3, 2, 8, 0, false),
            "four-up" => Fabrics.Spec(3, 4, 4, 2, 3, true),
            "single-pod" => Fabrics.Spec(3, 2, 2, 8, 4, false),
            _ => Fabrics.Spec(2, 8, 4, 8, 0, false),
        };
        Assert.Equal(tree.SwitchCount, FatTree.SwitchesNeeded(spec, nodes, rails));
    }

    [Fact]
    public void SwitchesNeededDoesNotOverflowOnAbsurdPorts() =>
        // 100,000 up-ports per leaf and spine: 10^10 cores, past 32 bits, where Build's checked counts throw.
        Assert.Equal(1e10 + 32 + 32 * 100_000, FatTree.SwitchesNeeded(Fabrics.Spec(3, 1, 100_000, 1, 100_000, true), 4, 8));

    [Fact]
    public void OutOfRangeQueriesThrow()
    {
        var t = Fabrics.TwoTier();
        Assert.Throws<ArgumentOutOfRangeException>(() => t.TierOf(18));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Peer(0, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Attachment(4, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Route(0, 0, 8, 0));
    }
}
