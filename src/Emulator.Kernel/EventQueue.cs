namespace Emulator.Kernel;

/// <summary>A partition's pending events: a 4-ary min-heap on <see cref="EventKey"/> whose entries are plain 24-byte structs, the
/// messages held apart in slots.</summary>
/// <remarks>A large job keeps a million events pending; with the key, target and message in each heap node (the 72-byte nodes
/// of PriorityQueue&lt;PendingEvent, EventKey&gt;), every sift moved cache lines and paid a GC write barrier per level. Here a
/// sift moves three words and the message never moves. The key's source and send counter are packed into one word, which
/// bounds them (checked): fewer than 2^23 entities, fewer than 2^40 sends per entity.</remarks>
public sealed class EventQueue
{
    private const int SeqBits = 40;
    private const long MaxSeq = (1L << SeqBits) - 1;

    /// <summary>Most entities a queue can order.</summary>
    public const int MaxEntities = 1 << (63 - SeqBits);

    private Entry[] _heap = new Entry[256];
    private object?[] _messages = new object?[256];
    private int[] _freeSlots = new int[256];
    private int _freeCount;
    private int _slotsUsed;

    /// <summary>Events pending.</summary>
    public int Count { get; private set; }

    /// <summary>Adds an event.</summary>
    public void Enqueue(EventKey key, int target, object message)
    {
        if ((ulong)key.Seq > MaxSeq) throw new InvalidOperationException($"entity {key.Source} sent more than 2^{SeqBits} events");
        if ((uint)key.Source >= MaxEntities) throw new ArgumentOutOfRangeException(nameof(key), key.Source, $"event sources are entity ids below {MaxEntities}");
        var slot = TakeSlot();
        _messages[slot] = message;
        if (Count == _heap.Length) Array.Resize(ref _heap, _heap.Length * 2);
        var entry = new Entry(key.Time, ((long)key.Source << SeqBits) | key.Seq, target, slot);
        var i = Count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 2;
            if (!Less(entry, _heap[parent])) break;
            _heap[i] = _heap[parent];
            i = parent;
        }
        _heap[i] = entry;
    }

    /// <summary>Time of the earliest event, when there is one.</summary>
    public bool TryPeekTime(out long time)
    {
        time = Count > 0 ? _heap[0].Time : 0;
        return Count > 0;
    }

    /// <summary>Removes the earliest event.</summary>
    public (long Time, int Target, object Message) Dequeue()
    {
        if (Count == 0) throw new InvalidOperationException("no pending event");
        var top = _heap[0];
        var message = _messages[top.Slot]!;
        _messages[top.Slot] = null;
        ReturnSlot(top.Slot);
        var last = _heap[--Count];
        if (Count > 0) SiftDown(last);
        return (top.Time, top.Target, message);
    }

    private void SiftDown(Entry entry)
    {
        var i = 0;
        while (true)
        {
            var first = (i << 2) + 1;
            if (first >= Count) break;
            var best = first;
            var end = Math.Min(first + 4, Count);
            for (var c = first + 1; c < end; c++)
                if (Less(_heap[c], _heap[best])) best = c;
            if (!Less(_heap[best], entry)) break;
            _heap[i] = _heap[best];
            i = best;
        }
        _heap[i] = entry;
    }

    private static bool Less(in Entry a, in Entry b) => a.Time < b.Time || (a.Time == b.Time && a.Tie < b.Tie);

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

    /// <summary>A heap node: delivery time, then source and send counter packed, then where it goes and its message's slot.</summary>
    private readonly record struct Entry(long Time, long Tie, int Target, int Slot);
}
