using Emulator.Core.Units;
using Emulator.Kernel;

namespace Emulator.Core.Models;

/// <summary>Closed-form ring collectives over n ranks; bytes is always the full (unsharded) buffer, bandwidth the per-rank bus bandwidth.</summary>
/// <remarks>Transfer terms are exact rationals rounded up to the next picosecond, like Bandwidth.TransferTime; n = 1 costs nothing.</remarks>
public static partial class CollectiveCost
{
    /// <summary>Ring all-reduce: 2(n−1)/n · S/B + 2(n−1) · latency.</summary>
    public static SimTime RingAllReduce(long bytes, int n, Bandwidth perRankBandwidth, SimTime latencyPerStep) =>
        Ring(bytes, n, 2, perRankBandwidth, latencyPerStep);

    /// <summary>Ring reduce-scatter: (n−1)/n · S/B + (n−1) · latency.</summary>
    public static SimTime RingReduceScatter(long bytes, int n, Bandwidth b, SimTime lat) => Ring(bytes, n, 1, b, lat);

    /// <summary>Ring all-gather: (n−1)/n · S/B + (n−1) · latency.</summary>
    public static SimTime RingAllGather(long bytes, int n, Bandwidth b, SimTime lat) => Ring(bytes, n, 1, b, lat);

    /// <summary>passes·(n−1) steps, each moving S/n bytes and paying one latency.</summary>
    private static SimTime Ring(long bytes, int n, int passes, Bandwidth b, SimTime lat) => RingPhase(bytes, 1, n, passes, b, lat);

    /// <summary>passes·(n−1) ring steps over a buffer of bytes/divisor, each moving 1/n of it and paying one latency; the transfer is rounded up once.</summary>
    private static SimTime RingPhase(long bytes, long divisor, int n, int passes, Bandwidth b, SimTime lat)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "ranks must be at least 1");
        if (bytes < 0) throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "bytes must be non-negative");
        if (n == 1) return SimTime.Zero;
        if (b.BitsPerSecond <= 0) throw new ArgumentOutOfRangeException(nameof(b), b, "bandwidth must be positive");
        long steps = (long)passes * (n - 1);
        var transfer = CeilDiv(checked((Int128)steps * bytes * 8 * SimTime.PsPerSecond), checked((Int128)divisor * n * b.BitsPerSecond));
        return new SimTime(transfer) + lat * steps;
    }

    /// <summary>⌈numerator / denominator⌉ for a non-negative numerator and positive denominator, as picoseconds.</summary>
    private static long CeilDiv(Int128 numerator, Int128 denominator) => checked((long)((numerator + denominator - 1) / denominator));
}
