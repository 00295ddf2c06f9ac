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

        Assert.False(barrier.Post(SimTime.FromUs(5), out _));
        Assert.False(barrier.Post(SimTime.FromUs(9), out _));
        Assert.True(barrier.Post(SimTime.FromUs(7), out var all));
        Assert.Equal(SimTime.FromUs(9), all);

        // The next collective's arrivals owe nothing to the last one's.
        Assert.False(barrier.Post(SimTime.FromUs(2), out _));
        Assert.False(barrier.Post(SimTime.FromUs(1), out _));
        Assert.True(barrier.Post(SimTime.FromUs(3), out all));
        Assert.Equal(SimTime.FromUs(3), all);
    }

    [Fact]
    public void EachChainOfAGroup_ReusesOneMessage_StartingWithNoEnds()
    {
        var barrier = new TpBarrier(8);
        var first = barrier.Start(leader: 16, pc: 4, bytes: 1 << 20);
        first.Ended(SimTime.FromUs(10));
        first.Ended(SimTime.FromUs(30));
        Assert.Equal([SimTime.FromUs(10), SimTime.FromUs(30)], first.Done.Ends);

        // The group's next chain starts once every rank has read the last one's ends (they post again only after): same
        // objects, nothing left of the last chain.
        var second = barrier.Start(leader: 16, pc: 9, bytes: 1 << 21);
        Assert.Same(first, second);
        Assert.Same(first.Done, second.Done);
        Assert.Empty(second.Done.Ends);
        Assert.Equal((16, 8, 9, 1L << 21), (second.Leader, second.Size, second.Pc, second.Bytes));
    }
}
