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
}
