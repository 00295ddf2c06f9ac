using Emulator.Core.Specs;

namespace Emulator.Core.Tests.Topology;

public class TorusFabricSpecTests
{
    [Theory]
    [InlineData(512, new[] { 8, 8, 8 })]
    [InlineData(1024, new[] { 8, 8, 16 })]
    [InlineData(64, new[] { 4, 4, 4 })]
    [InlineData(6144, new[] { 16, 16, 24 })]
    [InlineData(7, new[] { 1, 1, 7 })]
    public void CubicDims_PicksTheMostCubeLikeShape(int chips, int[] expected)
    {
        Assert.Equal(expected, FabricSpec.CubicDims(chips));
    }
}
