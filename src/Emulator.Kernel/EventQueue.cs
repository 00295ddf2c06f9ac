using System.Numerics;

namespace Emulator.Kernel;

/// <summary>A partition's pending events, popped in <see cref="EventKey"/> order: a radix heap on the delivery time (virtual time
/// never runs backwards), with the events of the current instant in a small binary heap on source and send counter.</summary>
/// <remarks>A 50k-card step has up to 200,000 events pending. In the 4-ary heap this replaced, every pop sifted through up to nine
/// levels, picking the least of four children at each with branches the processor could not predict (the top item of a
/// 50k-card step's profile). Here an event is appended to the bucket of the highest bit in which its time differs from the last
/// popped time, and moves only when that bucket becomes the earliest: sequential writes, each event moved a few times at most.
/// Entries are plain 24-byte structs with the messages held apart in slots; the key's source and send counter are packed into
/// one word, which bounds them (checked): fewer than 2^23 entities, fewer than 2^40 sends per entity.</remarks>
public sealed class EventQueue
{
    private const int SeqBits = 40;
    private const long MaxSeq = (1L << SeqBits) - 1;

    /// <summary>Most entities a queue can order.</summary>
    public const int MaxEntities = 1 << (63 - SeqBits);

    /// <summary>Bucket 0: the events at exactly <see cref="_last"/>, a binary heap on Tie. Bucket b > 0: events whose time first
    /// differs from <see cref="_last"/> in bit b − 1 (counting from bit 0), unordered.</summary>
    private readonly Entry[][] _buckets = new Entry[65][];
    private readonly int[] _sizes = new int[65];
    /// <summary>The earliest time in each bucket b > 0 (valid while it is not empty).</summary>
    private readonly long[] _minTimes = new long[65];
    /// <summary>Bit b − 1 set when bucket b > 0 holds events.</summary>
    private ulong _occupied;
    /// <summary>The time of the last popped event: no event may be queued before it.</summary>
    private long _last;

    private object?[] _messages = new object?[256];
    private int[] _freeSlots = new int[256];
    private int _freeCount;
    private int _slotsUsed;

    public EventQueue()
    {
        for (var b = 0; b < _buckets.Length; b++) _buckets[b] = new Entry[b == 0 ? 64 : 16];
    }

    /// <summary>Events pending.</summary>
    public int Count { get; private set; }

    /// <summary>Adds an event; its time may not be before the last event popped.</summary>
    public void Enqueue(EventKey key, int target, object message)
    {
        if ((ulong)key.Seq > MaxSeq) throw new InvalidOperationException($"entity {key.Source} sent more than 2^{SeqBits} events");
        if ((uint)key.Source >= MaxEntities) throw new ArgumentOutOfRangeException(nameof(key), key.Source, $"event sources are entity ids below {MaxEntities}");
        if (key.Time < _last) throw new ArgumentOutOfRangeException(nameof(key), key.Time, $"an event at {key.Time} ps is before the last one popped ({_last} ps)");
        var slot = TakeSlot();
        _messages[slot] = message;
        Place(new Entry(key.Time, ((long)key.Source << SeqBits) | key.Seq, target, slot));
        Count++;
    }

    /// <summary>Time of the earliest event, when there is one.</summary>
    public bool TryPeekTime(out long time)
    {
        if (_sizes[0] > 0) time = _last;
        else if (_occupied != 0) time = _minTimes[BitOperations.TrailingZeroCount(_occupied) + 1];
        else time = 0;
        return Count > 0;
    }

    /// <summary>The next event, when it is of the same instant as the last one popped (it is then known without moving anything).</summary>
    public bool TryPeekNow(out int target, out object? message)
    {
        if (_sizes[0] == 0)
        {
            (target, message) = (0, null);
            return false;
        }
        var top = _buckets[0][0];
        (target, message) = (top.Target, _messages[top.Slot]);
        return true;
    }

    /// <summary>Removes the earliest event.</summary>
    public (long Time, int Target, object Message) Dequeue()
    {
        if (Count == 0) throw new InvalidOperationException("no pending event");
        if (_sizes[0] == 0) Advance();
        var top = PopNow();
        Count--;
        var message = _messages[top.Slot]!;
        _messages[top.Slot] = null;
        ReturnSlot(top.Slot);
        return (top.Time, top.Target, message);
    }

    /// <summary>Moves the clock to the earliest bucket's earliest time and spreads that bucket over the lower ones.</summary>
    /// <remarks>Buckets above keep their meaning: the new time agrees with the old one in every bit above the bucket's.</remarks>
    private void Advance()
    {
        var b = BitOperations.TrailingZeroCount(_occupied) + 1;
        var entries = _buckets[b];
        var size = _sizes[b];
        _last = _minTimes[b];
        _sizes[b] = 0;
        _occupied &= ~(1UL << (b - 1));
        for (var i = 0; i < size; i++) Place(entries[i]);
    }

    private void Place(Entry entry)
    {
        if (entry.Time == _last)
        {
            PushNow(entry);
            return;
        }
        var b = 64 - BitOperations.LeadingZeroCount((ulong)(entry.Time ^ _last));
        var size = _sizes[b];
        if (size == 0 || entry.Time < _minTimes[b]) _minTimes[b] = entry.Time;
        if (size == _buckets[b].Length) Array.Resize(ref _buckets[b], size * 2);
        _buckets[b][size] = entry;
        _sizes[b] = size + 1;
        _occupied |= 1UL << (b - 1);
    }

    /// <summary>Adds an event of the current instant to bucket 0's heap.</summary>
    private void PushNow(Entry entry)
    {
        if (_sizes[0] == _buckets[0].Length) Array.Resize(ref _buckets[0], _sizes[0] * 2);
        var heap = _buckets[0];
        var i = _sizes[0]++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (heap[parent].Tie <= entry.Tie) break;
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = entry;
    }

    /// <summary>Removes the current instant's event with the least source and send counter.</summary>
    private Entry PopNow()
    {
        var heap = _buckets[0];
        var top = heap[0];
        var count = --_sizes[0];
        if (count == 0) return top;
        var entry = heap[count];
        var i = 0;
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= count) break;
            if (child + 1 < count && heap[child + 1].Tie < heap[child].Tie) child++;
            if (heap[child].Tie >= entry.Tie) break;
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = entry;
        return top;
    }

    private int TakeSlot()
    {
        if (_freeCount > 0) return _freeSlots[--_freeCount];
        if (_slotsUsed == _messages.Length) Array.Resize(ref _messages, _messages.Length * 2);
        return _slotsUsed++;
    }

    private void ReturnSlot(int slot)
    {
        if (_freeCount == _freeSlots.Length) Array.Resize(ref _freeSlots, _freeSlots.Length * 2);
        _freeSlots[_freeCount++] = slot;
    }

    /// <summary>A queued event: delivery time, then source and send counter packed, then where it goes and its message's slot.</summary>
    private readonly record struct Entry(long Time, long Tie, int Target, int Slot);
}
