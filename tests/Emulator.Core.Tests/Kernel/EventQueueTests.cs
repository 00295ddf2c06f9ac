using Emulator.Kernel;

namespace Emulator.Core.Tests.Kernel;

/// <summary>The partition's event queue pops events in exactly <see cref="EventKey"/> order.</summary>
public class EventQueueTests
{
    [Theory]
    [InlineData(50)]
    [InlineData(1L << 40)]
    public void Dequeue_RandomKeysWithManyTies_ComesOutInEventKeyOrder(long spread)
    {
        // Interleave pushes and pops as a partition does: each new event at or after the last one popped, few distinct
        // times (so that source and sequence decide) or times spread over 40 bits (so that events cross many buckets).
        var random = new Random(12345);
        var queue = new EventQueue();
        var pending = new SortedSet<EventKey>();
        var byTarget = new Dictionary<int, EventKey>();
        var now = 0L;
        for (var i = 0; i < 50_000; i++)
        {
            var key = new EventKey(now + random.NextInt64(spread), random.Next(EventQueue.MaxEntities), i);
            byTarget[i] = key;
            pending.Add(key);
            queue.Enqueue(key, i, $"m{i}");
            if (random.Next(3) == 0) now = PopLeast(queue, pending, byTarget).Time;
        }
        while (queue.Count > 0) PopLeast(queue, pending, byTarget);
        Assert.Empty(pending);
    }

    [Fact]
    public void PeekNow_IsTheNextEventOfTheSameInstant_AndNothingOtherwise()
    {
        var queue = new EventQueue();
        queue.Enqueue(new EventKey(100, 2, 0), 7, "second");
        queue.Enqueue(new EventKey(100, 1, 0), 6, "first");
        queue.Enqueue(new EventKey(300, 1, 1), 8, "later");
        Assert.False(queue.TryPeekNow(out _, out _)); // nothing popped yet: the instant is not known without moving events

        Assert.Equal("first", queue.Dequeue().Message);
        Assert.True(queue.TryPeekNow(out var target, out var message));
        Assert.Equal((7, "second"), (target, message));
        Assert.Equal("second", queue.Dequeue().Message);
        Assert.False(queue.TryPeekNow(out _, out _)); // the next event is at another time
        Assert.Equal("later", queue.Dequeue().Message);
    }

    [Fact]
    public void PeekTime_IsTheEarliestPendingTime_WithoutMovingTheClock()
    {
        var queue = new EventQueue();
        Assert.False(queue.TryPeekTime(out _));
        queue.Enqueue(new EventKey(1000, 1, 0), 0, "late");
        queue.Enqueue(new EventKey(700, 2, 0), 1, "early");
        Assert.True(queue.TryPeekTime(out var time));
        Assert.Equal(700, time);
        // Peeking does not pop: an event before the earliest pending one may still come (from another partition).
        queue.Enqueue(new EventKey(500, 3, 0), 2, "earliest");
        var (at, target, message) = queue.Dequeue();
        Assert.Equal((500L, 2, "earliest"), (at, target, message));
        Assert.Throws<ArgumentOutOfRangeException>(() => queue.Enqueue(new EventKey(499, 3, 1), 2, "past"));
    }

    [Fact]
    public void Enqueue_SourceOutOfRange_IsRefused()
    {
        var queue = new EventQueue();
        Assert.Throws<ArgumentOutOfRangeException>(() => queue.Enqueue(new EventKey(0, -1, 0), 0, "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => queue.Enqueue(new EventKey(0, EventQueue.MaxEntities, 0), 0, "x"));
    }

    /// <summary>Pops one event and checks it is the least key pending, with its own message and time.</summary>
    private static EventKey PopLeast(EventQueue queue, SortedSet<EventKey> pending, Dictionary<int, EventKey> byTarget)
    {
        var (time, target, message) = queue.Dequeue();
        Assert.Equal($"m{target}", message);
        var key = byTarget[target];
        Assert.Equal(pending.Min, key);
        Assert.Equal(key.Time, time);
        pending.Remove(key);
        return key;
    }
}
