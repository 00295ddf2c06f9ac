using Emulator.Engine.Actors;
using Emulator.Kernel;

namespace Emulator.Engine.Tests;

/// <summary>A tensor-parallel group's meeting point: the last rank to post learns when all have arrived, and the board starts over.</summary>
public class TpBarrierTests
{
    [Fact]
    public void LastOfThreeToPost_GetsTheLatestArrival_ThenTheBoardServesTheNextCollective()
    {
        var barrier = new TpBarrier(3);

        Assert.False(barrier.Post(SimTime.FromUs(5), false, out _, out _));
        Assert.False(barrier.Post(SimTime.FromUs(9), false, out _, out _));
        Assert.True(barrier.Post(SimTime.FromUs(7), false, out var all, out var busy));
        Assert.Equal(SimTime.FromUs(9), all);
        Assert.False(busy);

        // The next collective's arrivals owe nothing to the last one's.
        Assert.False(barrier.Post(SimTime.FromUs(2), false, out _, out _));
        Assert.False(barrier.Post(SimTime.FromUs(1), false, out _, out _));
        Assert.True(barrier.Post(SimTime.FromUs(3), false, out all, out _));
        Assert.Equal(SimTime.FromUs(3), all);
    }

    [Fact]
    public void OneBusyRank_KeepsTheNodeFromChaining_ForThatRoundOnly()
    {
        var barrier = new TpBarrier(2);
        Assert.False(barrier.Post(SimTime.FromUs(1), true, out _, out _));
        Assert.True(barrier.Post(SimTime.FromUs(2), false, out _, out var busy));
        Assert.True(busy);
        Assert.False(barrier.Start(leader: 0, pc: 4, bytes: 8, busy).MayChain);

        Assert.False(barrier.Post(SimTime.FromUs(3), false, out _, out _));
        Assert.True(barrier.Post(SimTime.FromUs(4), false, out _, out busy));
        Assert.False(busy);
        Assert.True(barrier.Start(leader: 0, pc: 6, bytes: 8, busy).MayChain);
    }

    [Fact]
    public void EachChainOfAGroup_ReusesOneMessage_StartingWithNoEnds()
    {
        var barrier = new TpBarrier(8);
        var first = barrier.Start(leader: 16, pc: 4, bytes: 1 << 20, busy: false);
        first.Ended(SimTime.FromUs(10));
        first.Ended(SimTime.FromUs(30));
        Assert.Equal([SimTime.FromUs(10), SimTime.FromUs(30)], first.Done.Ends);

        // The group's next chain starts once every rank has read the last one's ends (they post again only after): same
        // objects, nothing left of the last chain.
        var second = barrier.Start(leader: 16, pc: 9, bytes: 1 << 21, busy: false);
        Assert.Same(first, second);
        Assert.Same(first.Done, second.Done);
        Assert.Empty(second.Done.Ends);
        Assert.Equal((16, 8, 9, 1L << 21), (second.Leader, second.Size, second.Pc, second.Bytes));
    }
}
