using Emulator.Kernel;

namespace Emulator.Core.Tests.Kernel;

public class SpinBarrierTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void NoParticipantPassesARoundBeforeEveryOneHasReachedIt(int participants)
    {
        const int rounds = 20_000;
        var barrier = new SpinBarrier(participants);
        var reached = new long[participants];
        var early = 0;
        var threads = Enumerable.Range(0, participants).Select(i => new Thread(() =>
        {
            var sense = false;
            for (long round = 1; round <= rounds; round++)
            {
                Volatile.Write(ref reached[i], round);
                barrier.SignalAndWait(ref sense);
                for (var j = 0; j < participants; j++)
                    if (Volatile.Read(ref reached[j]) < round) Interlocked.Increment(ref early);
            }
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        Assert.Equal(0, early);
        Assert.All(reached, r => Assert.Equal(rounds, r));
    }
}
