using Emulator.Kernel;

namespace Emulator.Core.Tests.Kernel;

/// <summary>The partition's event queue pops events in exactly <see cref="EventKey"/> order.</summary>
public class EventQueueTests
{
    [Fact]
    public void Dequeue_RandomKeysWithManyTies_ComesOutInEventKeyOrder()
    {
        var random = new Random(12345);
        var queue = new EventQueue();
        var keys = new List<EventKey>();
        var popped = new List<EventKey>();
        var byTarget = new Dictionary<int, EventKey>();
        // Interleave pushes and pops, as a partition does, with few distinct times so that source and sequence decide.
        for (var i = 0; i < 20_000; i++)
        {
            var key = new EventKey(random.Next(50), random.Next(EventQueue.MaxEntities), i);
            keys.Add(key);
            byTarget[i] = key;
            queue.Enqueue(key, i, $"m{i}");
            if (random.Next(3) == 0) popped.Add(Pop(queue, byTarget));
        }
        while (queue.Count > 0) popped.Add(Pop(queue, byTarget));

        Assert.Equal(keys.Count, popped.Count);
        // Each pop is the least key still pending; checked by replaying against a sorted set.
        var pending = new SortedSet<EventKey>();
        var next = 0;
        random = new Random(12345);
        for (var i = 0; i < 20_000; i++)
        {
            random.Next(50);
            random.Next(EventQueue.MaxEntities);
            pending.Add(keys[i]);
            if (random.Next(3) == 0)
            {
                Assert.Equal(pending.Min, popped[next++]);
                pending.Remove(pending.Min);
            }
        }
        foreach (var key in pending) Assert.Equal(key, popped[next++]);
    }

    [Fact]
    public void Enqueue_SourceOutOfRange_IsRefused()
    {
        var queue = new EventQueue();
        Assert.Throws<ArgumentOutOfRangeException>(() => queue.Enqueue(new EventKey(0, -1, 0), 0, "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => queue.Enqueue(new EventKey(0, EventQueue.MaxEntities, 0), 0, "x"));
    }

    private static EventKey Pop(EventQueue queue, Dictionary<int, EventKey> byTarget)
    {
        var (time, target, message) = queue.Dequeue();
        Assert.Equal($"m{target}", message);
        Assert.Equal(byTarget[target].Time, time);
        return byTarget[target];
    }
}
