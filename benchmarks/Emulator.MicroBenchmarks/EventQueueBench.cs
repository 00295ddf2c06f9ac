using BenchmarkDotNet.Attributes;
using Emulator.Core.Topology;
using Emulator.Kernel;

namespace Emulator.MicroBenchmarks;

/// <summary>A partition's event queue (the kernel's EventQueue) against a PriorityQueue of plain longs and the PriorityQueue the kernel used before.</summary>
/// <remarks>
/// The "hold" model, the classic event-list benchmark: each operation pops the earliest event and pushes one a random delay
/// later, so the queue stays at <see cref="Depth"/> events, as a partition's queue does mid-run. The middle variant is the
/// kernel's queue until commit c31d348 (PriorityQueue of PendingEvent by EventKey with EventKeyComparer), kept to show what
/// that change bought.
/// </remarks>
[ShortRunJob, MemoryDiagnoser]
public class EventQueueBench
{
    private const int Ops = 4096;
    private const int DelayMask = (1 << 16) - 1;
    private const int TargetMask = 1023;

    private readonly object _message = new();
    private readonly PriorityQueue<long, long> _plain = new();
    private readonly PriorityQueue<PendingEvent, EventKey> _previous = new(EventKeyComparer.Instance);
    private readonly EventQueue _kernel = new();
    private long[] _delays = [];
    private int _cursor;
    private long _seq;

    /// <summary>Events held in the queue.</summary>
    [Params(1_000, 100_000)]
    public int Depth { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // Delays uniform in [0, 2 * Depth ns): a new event lands anywhere in the queue, not always at its end.
        _delays = new long[DelayMask + 1];
        for (var i = 0; i < _delays.Length; i++) _delays[i] = (long)(Ecmp.Mix((ulong)i) % (ulong)(2L * Depth * 1000));
        for (var i = 0; i < Depth; i++)
        {
            var time = _delays[i & DelayMask];
            var key = new EventKey(time, i & TargetMask, _seq++);
            _plain.Enqueue(i & TargetMask, time);
            _previous.Enqueue(new PendingEvent(key, i & TargetMask, _message), key);
            _kernel.Enqueue(key, i & TargetMask, _message);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    public long PlainLongs()
    {
        long sum = 0;
        for (var i = 0; i < Ops; i++)
        {
            _plain.TryDequeue(out var target, out var time);
            sum += time;
            _plain.Enqueue((target + 1) & TargetMask, time + _delays[_cursor++ & DelayMask]);
        }
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public long PreviousPriorityQueue()
    {
        long sum = 0;
        for (var i = 0; i < Ops; i++)
        {
            var e = _previous.Dequeue();
            sum += e.Key.Time;
            var next = new EventKey(e.Key.Time + _delays[_cursor++ & DelayMask], e.Target, _seq++);
            _previous.Enqueue(new PendingEvent(next, (e.Target + 1) & TargetMask, e.Message), next);
        }
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public long KernelEventQueue()
    {
        long sum = 0;
        for (var i = 0; i < Ops; i++)
        {
            // As Partition.RunUntil then Partition.Send: the delivered event's target sends the next one.
            var (time, target, message) = _kernel.Dequeue();
            sum += time;
            var next = new EventKey(time + _delays[_cursor++ & DelayMask], target, _seq++);
            _kernel.Enqueue(next, (target + 1) & TargetMask, message);
        }
        return sum;
    }
}
