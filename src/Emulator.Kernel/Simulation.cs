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

        var windowEnd = NextWindowEnd();
        if (windowEnd == SimTime.MaxValue) return;
        var done = false;
        using var barrier = new Barrier(_partitions.Length, _ =>
        {
            foreach (var p in _partitions) p.FlushOutboxes(_partitions);
            Barriers++;
            windowEnd = _partitions.Any(p => p.Failure is not null) ? SimTime.MaxValue : NextWindowEnd();
            done = windowEnd == SimTime.MaxValue;
        });
        var threads = _partitions.Select(p => new Thread(() =>
        {
            while (true)
            {
                Guarded(p, windowEnd);
                barrier.SignalAndWait();
                if (done) return;
            }
        }) { IsBackground = true, Name = $"partition-{p.Id}" }).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        ThrowIfFailed();
    }

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
