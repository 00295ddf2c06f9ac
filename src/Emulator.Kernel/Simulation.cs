namespace Emulator.Kernel;

/// <summary>Runs partitions in conservative windows [T, T + lookahead), T the globally earliest pending event.</summary>
/// <remarks>
/// The YAWNS scheme: no message can cross partitions with less delay than the lookahead, so nothing delivered
/// inside a window can be affected by another partition's work in the same window. With one partition the window
/// is unbounded and the kernel is a plain event loop.
/// </remarks>
public sealed class Simulation
{
    private readonly Partition[] _partitions;
    private readonly SimTime _lookahead;

    /// <summary>Creates a simulation whose entity i lives in partition <paramref name="partitionOf"/>[i].</summary>
    public Simulation(int[] partitionOf, int partitions, SimTime lookahead)
    {
        if (partitions < 1) throw new ArgumentOutOfRangeException(nameof(partitions), partitions, "at least one partition");
        if (partitions > 1 && lookahead.Ps <= 0) throw new ArgumentOutOfRangeException(nameof(lookahead), lookahead, "several partitions need a positive lookahead");
        foreach (var p in partitionOf)
            if (p < 0 || p >= partitions) throw new ArgumentOutOfRangeException(nameof(partitionOf), p, "entity assigned to a partition that does not exist");
        Directory = new EntityDirectory(partitionOf);
        _lookahead = lookahead;
        _partitions = new Partition[partitions];
        for (var i = 0; i < partitions; i++) _partitions[i] = new Partition(i, partitions, Directory, lookahead);
    }

    /// <summary>Entity ownership and send counters.</summary>
    public EntityDirectory Directory { get; }

    /// <summary>The partitions, by index.</summary>
    public IReadOnlyList<Partition> Partitions => _partitions;

    /// <summary>The partition that owns <paramref name="entity"/>.</summary>
    public Partition PartitionOf(int entity) => _partitions[Directory.PartitionOf(entity)];

    /// <summary>Events delivered over all partitions.</summary>
    public long Events => _partitions.Sum(p => p.EventsProcessed);

    /// <summary>Synchronisation barriers passed (windows run).</summary>
    public long Barriers { get; private set; }

    /// <summary>Latest time any partition reached.</summary>
    public SimTime Now => _partitions.Max(p => p.Now);

    /// <summary>Queues <paramref name="message"/> for <paramref name="target"/> at <paramref name="at"/>, before <see cref="Run"/>.</summary>
    public void Post(int source, int target, SimTime at, object message) => PartitionOf(target).Inject(source, target, at, message);

    /// <summary>Runs until no event is pending anywhere; rethrows the first failure of any entity.</summary>
    public void Run()
    {
        if (_partitions.Length == 1)
        {
            Guarded(_partitions[0], SimTime.MaxValue);
            Barriers = 0;
            ThrowIfFailed();
            return;
        }

        var firstEnd = NextWindowEnd();
        if (firstEnd == SimTime.MaxValue) return;
        var n = _partitions.Length;
        // Each partition's next event time, a cache line apart so the threads do not write the same line.
        var nextTimes = new long[n * Padding];
        var barrier = new SpinBarrier(n);
        var threads = _partitions.Select(p => new Thread(() =>
        {
            var sense = false;
            var windowEnd = firstEnd;
            while (true)
            {
                Guarded(p, windowEnd);
                barrier.SignalAndWait(ref sense);
                try
                {
                    foreach (var source in _partitions) p.TakeFrom(source);
                }
                catch (Exception ex) { p.Fail(ex); }
                nextTimes[p.Id * Padding] = p.Failure is null ? p.NextTime.Ps : long.MinValue;
                barrier.SignalAndWait(ref sense);
                // Every thread computes the same next window from the same figures.
                var t = long.MaxValue;
                for (var i = 0; i < n; i++) t = Math.Min(t, nextTimes[i * Padding]);
                if (p.Id == 0) Barriers++;
                windowEnd = t == long.MaxValue || t == long.MinValue ? SimTime.MaxValue : new SimTime(t) + _lookahead;
                // No third barrier: a thread writes its next time again only after the next window's first barrier,
                // which every thread reaches after reading these.
                if (windowEnd == SimTime.MaxValue) return;
            }
        }) { IsBackground = true, Name = $"partition-{p.Id}" }).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        ThrowIfFailed();
    }

    /// <summary>Longs per partition in the next-time array: 64 bytes, one cache line.</summary>
    private const int Padding = 8;

    private SimTime NextWindowEnd()
    {
        var t = _partitions.Min(p => p.NextTime);
        return t == SimTime.MaxValue ? t : t + _lookahead;
    }

    /// <summary>Runs a window of <paramref name="p"/>; an exception fails that partition instead of the thread.</summary>
    private static void Guarded(Partition p, SimTime end)
    {
        try { p.RunUntil(end); }
        catch (Exception ex) { p.Fail(ex); }
    }

    /// <summary>Rethrows the failure of the lowest-numbered failed partition (the same whichever thread failed first).</summary>
    public void ThrowIfFailed()
    {
        var failure = _partitions.Select(p => p.Failure).FirstOrDefault(f => f is not null);
        if (failure is not null) throw new SimulationFailedException(failure);
    }
}

/// <summary>An entity threw while handling an event; the emulation cannot go on.</summary>
public sealed class SimulationFailedException(Exception inner) : Exception("an entity failed while handling an event: " + inner.Message, inner);
