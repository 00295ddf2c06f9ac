using Emulator.Core.Topology;

namespace Emulator.Core.Tests.Topology;

/// <summary>The two trees of a double-binary-tree all-reduce.</summary>
public class DoubleBinaryTreeTests
{
    [Fact]
    public void SixRanks_Tree0_IsTheInOrderTreeRootedAtPosition4()
    {
        // Positions 1..6 (rank + 1): 4 is the root with children 2 and 6; 2 has 1 and 3; 6 has 5.
        var t = DoubleBinaryTree.Of(6);
        Assert.Equal(-1, t.Parent(0, 3));
        Assert.Equal([1, 5], t.Children(0, 3));
        Assert.Equal([0, 2], t.Children(0, 1));
        Assert.Equal([4], t.Children(0, 5));
        Assert.Equal(5, t.Parent(0, 4));
    }

    [Fact]
    public void NineRanks_ThePositionBeyondTheEnd_HandsItsChildToTheRoot()
    {
        // Position 9's parent would be 10, beyond n; 10's parent is 12, beyond n; 12's is 8, the root.
        var t = DoubleBinaryTree.Of(9);
        Assert.Equal(7, t.Parent(0, 8));
        Assert.Equal([3, 8], t.Children(0, 7));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(31)]
    [InlineData(98)]
    [InlineData(1000)]
    public void EveryTree_IsASpanningBinaryTreeOfLogDepth_AndNoRankIsInnerInBoth(int n)
    {
        var t = DoubleBinaryTree.Of(n);
        var depthBound = n == 1 ? 0 : (int)Math.Ceiling(Math.Log2(n));
        for (var tree = 0; tree < 2; tree++)
        {
            Assert.Equal(1, Enumerable.Range(0, n).Count(r => t.Parent(tree, r) < 0));
            for (var r = 0; r < n; r++)
            {
                Assert.True(t.Children(tree, r).Count <= 2);
                foreach (var c in t.Children(tree, r)) Assert.Equal(r, t.Parent(tree, c));
                var depth = 0;
                for (var up = r; t.Parent(tree, up) >= 0; up = t.Parent(tree, up)) depth++;
                Assert.InRange(depth, 0, depthBound);
            }
        }
        for (var r = 0; r < n; r++)
            Assert.False(t.Children(0, r).Count > 0 && t.Children(1, r).Count > 0, $"rank {r} is an inner node of both trees");
    }
}
