using System.Diagnostics;

namespace Emulator.Benchmarks;

/// <summary>One PHOLD workload: <paramref name="Entities"/> entities, <paramref name="Initial"/> events each at the start, <paramref name="Events"/> events in all.</summary>
/// <remarks>
/// The start events are tokens that hop from entity to entity. The <paramref name="Events"/> hops are shared out over the tokens in advance
/// (each token carries how many hops it has left), so the total is exact and does not depend on which partition stops first.
/// Every hop is delayed by the lookahead plus a pseudo-random spread, so the same workload runs on any number of partitions.
/// </remarks>
public sealed record PholdSpec(int Entities, int Initial, long Events, ulong Seed, long LookaheadPs, long SpreadPs)
{
    /// <summary>Number of start tokens.</summary>
    public long Tokens => (long)Entities * Initial;

    /// <summary>Hops (events) token <paramref name="k"/> of entity <paramref name="entity"/> makes; 0 means it is never posted.</summary>
    public int HopsOf(int entity, int k)
    {
        var token = (long)entity * Initial + k;
        return checked((int)(Events / Tokens + (token < Events % Tokens ? 1 : 0)));
    }

    /// <summary>Virtual time (ps) of the first event of token <paramref name="k"/> of entity <paramref name="entity"/>.</summary>
    public long StartTime(int entity, int k) => (long)(SplitMix64.Mix(Seed ^ (ulong)((long)entity * Initial + k) * 0xD1B54A32D192ED03UL) % (ulong)(LookaheadPs + SpreadPs));

    /// <summary>The same workload with <paramref name="events"/> events (warm-up runs, comparisons at another size).</summary>
    public PholdSpec WithEvents(long events) => this with { Events = events };
}

/// <summary>State of one PHOLD entity and its event handler, shared by every variant so they all do exactly the same work.</summary>
public struct PholdEntity
{
    /// <summary>Events handled.</summary>
    public long Count;

    /// <summary>The entity's own SplitMix64 stream: picks targets and delays.</summary>
    public ulong Stream;

    /// <summary>Order-sensitive hash of the events handled (time and hops left), so a different delivery order changes the checksum.</summary>
    public ulong Trace;

    public static PholdEntity Create(ulong seed, int id) => new() { Stream = SplitMix64.Mix(seed + (ulong)id * 0x9E3779B97F4A7C15UL), Trace = 0xCBF29CE484222325UL };

    /// <summary>Handles an event at <paramref name="now"/> ps with <paramref name="hops"/> hops left; returns where and how much later the next hop goes.</summary>
    public (int Target, long DelayPs) Handle(long now, int hops, PholdSpec spec)
    {
        Count++;
        Trace = (Trace ^ (ulong)now ^ ((ulong)hops << 48)) * 0x100000001B3UL;
        var r = SplitMix64.Next(ref Stream);
        var target = (int)(((r >> 32) * (ulong)spec.Entities) >> 32);
        var delay = spec.LookaheadPs + (long)((r & 0xFFFFFFFFUL) % (ulong)spec.SpreadPs);
        return (target, delay);
    }

    /// <summary>This entity's share of the run's checksum.</summary>
    public readonly ulong Checksum(int id) => unchecked((ulong)Count * (ulong)(id + 1)) ^ Stream ^ Trace;
}

/// <summary>SplitMix64 (Steele, Lea, Flood 2014): a tiny, seedable, well-mixed stream.</summary>
public static class SplitMix64
{
    public static ulong Next(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>A PHOLD hop as an emulated message: the token and how many hops it has left, this one included.</summary>
public sealed record Hop(int Left);

/// <summary>What one variant measured.</summary>
/// <param name="Variant">Name in the table.</param>
/// <param name="Events">Events delivered.</param>
/// <param name="Setup">Seconds spent building entities and posting the start events (not counted in the rate).</param>
/// <param name="Wall">Seconds spent delivering events.</param>
/// <param name="Cpu">Process CPU seconds over the same span (all threads): Cpu / Wall is how many cores the run kept busy.</param>
/// <param name="Barriers">Window barriers (engine with several partitions), else 0.</param>
/// <param name="Checksum">Sum of the entities' checksums.</param>
public sealed record BenchResult(string Variant, long Events, double Setup, double Wall, double Cpu, long Barriers, ulong? Checksum)
{
    public double EventsPerSecond => Events / Wall;
}

/// <summary>Wall time (Stopwatch) and process CPU time since <see cref="Start"/>.</summary>
public readonly record struct Timing(long StartTicks, TimeSpan StartCpu)
{
    public static Timing Start() => new(Stopwatch.GetTimestamp(), Cpu());

    /// <summary>Seconds of wall and CPU time since the start.</summary>
    public (double Wall, double Cpu) Elapsed() => (Stopwatch.GetElapsedTime(StartTicks).TotalSeconds, (Cpu() - StartCpu).TotalSeconds);

    private static TimeSpan Cpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
