namespace Emulator.Kernel;

/// <summary>A set of entities that share one time-ordered event queue, run by one thread at a time.</summary>
/// <remarks>Entities send to entities of their own partition with any delay (zero included); messages to another partition must be delayed by at least the lookahead, which is what lets partitions run a window in parallel.</remarks>
public sealed class Partition
{
    private readonly EventQueue _queue = new();
    private readonly List<PendingEvent>[] _outbox;
    private readonly EntityDirectory _directory;
    private readonly SimTime _lookahead;
    private Action<int, object> _deliver = (_, _) => throw new InvalidOperationException("no delivery bound to this partition");
    private Action<int, object>? _prefetch;

    internal Partition(int id, int partitions, EntityDirectory directory, SimTime lookahead)
    {
        Id = id;
        _directory = directory;
        _lookahead = lookahead;
        _outbox = new List<PendingEvent>[partitions];
        for (var i = 0; i < partitions; i++) _outbox[i] = new List<PendingEvent>();
    }

    /// <summary>Index of this partition.</summary>
    public int Id { get; }

    /// <summary>The virtual time of the event being delivered (or of the last one delivered).</summary>
    public SimTime Now { get; private set; }

    /// <summary>Events delivered by this partition so far.</summary>
    public long EventsProcessed { get; private set; }

    /// <summary>The first exception an entity of this partition reported; stops the partition.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Records that an entity failed; the run stops and rethrows it.</summary>
    public void Fail(Exception error) => Failure ??= error;

    /// <summary>Binds how an event reaches its target entity (the engine tells the target's actor).</summary>
    public void Bind(Action<int, object> deliver) => _deliver = deliver;

    /// <summary>Binds a hint run, before each event is delivered, with the next event when it is already known (same instant): the
    /// engine asks the processor to start loading that event's message and target, so they are in cache when their turn comes.</summary>
    public void BindPrefetch(Action<int, object> prefetch) => _prefetch = prefetch;

    /// <summary>Sends <paramref name="message"/> from <paramref name="source"/> to <paramref name="target"/>, delivered <paramref name="delay"/> after now.</summary>
    public void Send(int source, int target, SimTime delay, object message)
    {
        if (delay.Ps < 0) throw new ArgumentOutOfRangeException(nameof(delay), delay, "events cannot be sent into the past");
        var key = new EventKey(Now.Ps + delay.Ps, source, _directory.NextSeq(source));
        var owner = _directory.PartitionOf(target);
        if (owner == Id)
        {
            _queue.Enqueue(key, target, message);
            return;
        }
        if (delay < _lookahead)
            throw new InvalidOperationException($"entity {source} sent to entity {target} in partition {owner} with delay {delay}, below the lookahead {_lookahead}: cross-partition messages must model a link at least that long");
        _outbox[owner].Add(new PendingEvent(key, target, message));
    }

    /// <summary>Queues an event from outside the emulation (the launcher), before the run starts.</summary>
    internal void Inject(int source, int target, SimTime at, object message)
    {
        var key = new EventKey(at.Ps, source, _directory.NextSeq(source));
        _queue.Enqueue(key, target, message);
    }

    /// <summary>Sends <paramref name="message"/> to arrive at absolute time <paramref name="at"/> (not before now).</summary>
    public void SendAt(int source, int target, SimTime at, object message) => Send(source, target, at - Now, message);

    /// <summary>Earliest pending event time, or <see cref="SimTime.MaxValue"/> when idle.</summary>
    internal SimTime NextTime => _queue.TryPeekTime(out var time) ? new SimTime(time) : SimTime.MaxValue;

    /// <summary>Delivers, in key order, every event strictly before <paramref name="end"/>.</summary>
    internal void RunUntil(SimTime end)
    {
        while (Failure is null && _queue.TryPeekTime(out var time) && time < end.Ps)
        {
            var (_, target, message) = _queue.Dequeue();
            if (_prefetch is not null && _queue.TryPeekNow(out var nextTarget, out var nextMessage)) _prefetch(nextTarget, nextMessage!);
            Now = new SimTime(time);
            EventsProcessed++;
            _deliver(target, message);
        }
    }

    /// <summary>Moves the messages <paramref name="source"/> sent to this partition in the last window into this partition's queue.</summary>
    /// <remarks>Run by this partition's thread between windows, while no partition runs events: each partition then writes only its
    /// own queue and empties only the outboxes addressed to it, so all partitions can take their messages at once.</remarks>
    internal void TakeFrom(Partition source)
    {
        var box = source._outbox[Id];
        if (box.Count == 0) return;
        foreach (var e in box) _queue.Enqueue(e.Key, e.Target, e.Message);
        box.Clear();
    }
}
