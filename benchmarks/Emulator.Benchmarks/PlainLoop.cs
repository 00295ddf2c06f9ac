using System.Diagnostics;

namespace Emulator.Benchmarks;

/// <summary>The reference: PHOLD as a plain single-threaded priority-queue event loop, the handler a direct method call. No Akka, no kernel.</summary>
public static class PlainLoop
{
    public static BenchResult Run(PholdSpec spec)
    {
        var setup = Stopwatch.StartNew();
        var entities = new PholdEntity[spec.Entities];
        var sent = new long[spec.Entities];
        var queue = new PriorityQueue<(int Target, int Hops), (long Time, int Src, long Seq)>((int)Math.Min(spec.Tokens, int.MaxValue));
        for (var i = 0; i < spec.Entities; i++)
        {
            entities[i] = PholdEntity.Create(spec.Seed, i);
            for (var k = 0; k < spec.Initial; k++)
            {
                var hops = spec.HopsOf(i, k);
                if (hops > 0) queue.Enqueue((i, hops), (spec.StartTime(i, k), i, sent[i]++));
            }
        }
        setup.Stop();

        var timing = Timing.Start();
        long events = 0;
        while (queue.TryDequeue(out var e, out var key))
        {
            events++;
            var (target, delay) = entities[e.Target].Handle(key.Time, e.Hops, spec);
            if (e.Hops > 1) queue.Enqueue((target, e.Hops - 1), (key.Time + delay, e.Target, sent[e.Target]++));
        }
        var (wall, cpu) = timing.Elapsed();

        return new BenchResult("plain-loop", events, setup.Elapsed.TotalSeconds, wall, cpu, 0, Checksum(entities));
    }

    /// <summary>Wrapping sum of the entities' checksums.</summary>
    public static ulong Checksum(PholdEntity[] entities)
    {
        ulong sum = 0;
        for (var i = 0; i < entities.Length; i++) sum = unchecked(sum + entities[i].Checksum(i));
        return sum;
    }
}
