using Emulator.Core.Topology;

namespace Emulator.Core.Tests.Topology;

public class RankMapTests
{
    private readonly RankMap _map = new(tp: 2, pp: 4, dp: 4, cardsPerNode: 8);

    [Fact]
    public void RoundTripsEveryCard()
    {
        Assert.Equal(32, _map.Cards);
        for (var c = 0; c < _map.Cards; c++)
            Assert.Equal(c, _map.CardOf(_map.TpRank(c), _map.PpRank(c), _map.DpRank(c)));
    }

    [Fact]
    public void MegatronOrder()
    {
        Assert.Equal((1, 1, 2), (_map.TpRank(13), _map.PpRank(13), _map.DpRank(13)));
        Assert.Equal(13, _map.CardOf(tpRank: 1, ppRank: 1, dpRank: 2));
        Assert.Equal(31, _map.CardOf(1, 3, 3));
        Assert.Equal((1, 5), (_map.NodeOf(13), _map.LocalIndex(13)));
    }

    [Fact]
    public void Groups()
    {
        Assert.Equal(new[] { 12, 13 }, _map.TpGroup(13));
        Assert.Equal(new[] { 9, 11, 13, 15 }, _map.DpGroup(13));
        Assert.Equal(new[] { 0, 2, 4, 6 }, _map.DpGroup(4));
        Assert.All(_map.TpGroup(13), c => Assert.Equal(_map.NodeOf(13), _map.NodeOf(c)));
    }

    [Fact]
    public void GroupsPartitionTheCards()
    {
        for (var c = 0; c < _map.Cards; c++)
        {
            Assert.Contains(c, _map.TpGroup(c));
            Assert.Contains(c, _map.DpGroup(c));
            Assert.All(_map.DpGroup(c), d => Assert.Equal((_map.TpRank(c), _map.PpRank(c)), (_map.TpRank(d), _map.PpRank(d))));
        }
        var tpGroups = Enumerable.Range(0, 32).Select(c => string.Join(",", _map.TpGroup(c))).Distinct().Count();
        Assert.Equal(16, tpGroups);
    }

    [Fact]
    public void BadInputsThrow()
    {
        Assert.Throws<ArgumentException>(() => new RankMap(0, 1, 1, 8));
        Assert.Throws<ArgumentException>(() => new RankMap(1, 1, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _map.TpRank(32));
        Assert.Throws<ArgumentOutOfRangeException>(() => _map.CardOf(2, 0, 0));
    }

    [Fact]
    public void DpDimWithinNode_OnlyWhenAllTheDimensionsCardsShareTheNode()
    {
        // tp 1, pp 2, dp 12 on 8-card nodes: 12 is no multiple of 8, so one flat ring; stage 0 is cards 0-11 over two nodes.
        var flat = new RankMap(tp: 1, pp: 2, dp: 12, cardsPerNode: 8);
        Assert.Equal(new[] { 12 }, flat.DpDims);
        Assert.False(flat.DpDimWithinNode(3, flat.DpDims, 0));
        // tp 2, dp 8: [4, 2], the first inside a node, the second across nodes.
        Assert.Equal(new[] { 4, 2 }, new RankMap(2, 1, 8, 8).DpDims);
        Assert.True(new RankMap(2, 1, 8, 8).DpDimWithinNode(13, [4, 2], 0));
        Assert.False(new RankMap(2, 1, 8, 8).DpDimWithinNode(13, [4, 2], 1));
        // A ZeRO shard group of 2 splitting the node's 4: [2, 2, 2], the first two inside the node.
        Assert.True(new RankMap(2, 1, 8, 8).DpDimWithinNode(13, [2, 2, 2], 1));
        Assert.False(new RankMap(2, 1, 8, 8).DpDimWithinNode(13, [2, 2, 2], 2));
    }

    [Fact]
    public void DpDims_RanksSharingANode_FormTheFirstDimension()
    {
        // tp 2 on 8-card nodes: 4 dp ranks per node; dp 8 spans two nodes per stage.
        var map = new RankMap(tp: 2, pp: 1, dp: 8, cardsPerNode: 8);
        Assert.Equal(new[] { 4, 2 }, map.DpDims);
        // Card 3 is tp 1, dp 1 on node 0: its ring inside the node goes to dp 2 (card 5), across nodes to dp 5 (card 11).
        Assert.Equal(5, map.DpNeighbour(3, map.DpDims, 0));
        Assert.Equal(11, map.DpNeighbour(3, map.DpDims, 1));
        Assert.Equal(map.NodeOf(3), map.NodeOf(map.DpNeighbour(3, map.DpDims, 0)));
        // dp 3 wraps to dp 0 inside the node; dp 7 wraps to dp 3 across.
        Assert.Equal(1, map.DpNeighbour(7, map.DpDims, 0));
        Assert.Equal(7, map.DpNeighbour(15, map.DpDims, 1));
    }

    [Theory]
    [InlineData(8, 4, 8)]   // tp fills the node: one rank per node
    [InlineData(1, 8, 8)]   // the whole group in one node
    [InlineData(2, 6, 8)]   // 4 per node does not divide 6
    public void DpDims_NoSplit_IsOneRing(int tp, int dp, int cardsPerNode)
    {
        var map = new RankMap(tp, 1, dp, cardsPerNode);
        Assert.Equal(new[] { dp }, map.DpDims);
        Assert.Equal(map.CardOf(0, 0, 1), map.DpNeighbour(map.CardOf(0, 0, 0), map.DpDims, 0));
    }
}
