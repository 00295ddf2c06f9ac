using Emulator.Kernel;

namespace Emulator.Core.Units;

/// <summary>Parses quantities written with their unit (`80GiB`, `1.5us`, `200Gbps`, `312TFLOPS`, `400W`) exactly, in decimal arithmetic.</summary>
/// <remarks>
/// Bytes, times and bandwidths are integers downstream (bytes, picoseconds, bits/s), so a value that does not land on a
/// whole unit is refused rather than rounded: a silent round-off in a preset would shift every result a little. Every
/// error is a <see cref="FormatException"/> whose message quotes the text and lists the accepted units.
/// </remarks>
public static class UnitParser
{
    /// <summary>Units accepted for sizes in bytes.</summary>
    public const string ByteUnits = "B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024)";

    /// <summary>Units accepted for times.</summary>
    public const string TimeUnits = "ps, ns, us, ms, s";

    /// <summary>Units accepted for bandwidths.</summary>
    public const string BandwidthUnits = "bps, Kbps, Mbps, Gbps, Tbps, Bps, KBps, MBps, GBps, TBps (or Gb/s, GB/s)";

    /// <summary>Units accepted for compute rates.</summary>
    public const string FlopRateUnits = "FLOPS, GFLOPS, TFLOPS, PFLOPS, EFLOPS";

    /// <summary>Units accepted for power.</summary>
    public const string PowerUnits = "W, kW, MW";

    private const decimal K = 1_000m, Ki = 1_024m;

    private static readonly UnitTable Bytes = new("a size in bytes", ByteUnits,
        ("B", 1m), ("KB", K), ("kB", K), ("MB", K * K), ("GB", K * K * K), ("TB", K * K * K * K),
        ("KiB", Ki), ("MiB", Ki * Ki), ("GiB", Ki * Ki * Ki), ("TiB", Ki * Ki * Ki * Ki));

    private static readonly UnitTable Times = new("a time", TimeUnits,
        ("ps", 1m), ("ns", K), ("us", K * K), ("µs", K * K), ("μs", K * K), ("ms", K * K * K), ("s", K * K * K * K));

    private static readonly UnitTable Bandwidths = new("a bandwidth", BandwidthUnits,
        ("bps", 1m), ("Kbps", K), ("kbps", K), ("Mbps", K * K), ("Gbps", K * K * K), ("Tbps", K * K * K * K),
        ("b/s", 1m), ("Kb/s", K), ("kb/s", K), ("Mb/s", K * K), ("Gb/s", K * K * K), ("Tb/s", K * K * K * K),
        ("Bps", 8m), ("KBps", 8 * K), ("kBps", 8 * K), ("MBps", 8 * K * K), ("GBps", 8 * K * K * K), ("TBps", 8 * K * K * K * K),
        ("B/s", 8m), ("KB/s", 8 * K), ("kB/s", 8 * K), ("MB/s", 8 * K * K), ("GB/s", 8 * K * K * K), ("TB/s", 8 * K * K * K * K));

    private static readonly UnitTable FlopRates = new("a compute rate", FlopRateUnits,
        ("FLOPS", 1m), ("GFLOPS", K * K * K), ("TFLOPS", K * K * K * K), ("PFLOPS", K * K * K * K * K), ("EFLOPS", K * K * K * K * K * K),
        ("FLOP/s", 1m), ("GFLOP/s", K * K * K), ("TFLOP/s", K * K * K * K), ("PFLOP/s", K * K * K * K * K), ("EFLOP/s", K * K * K * K * K * K));

    private static readonly UnitTable Powers = new("a power", PowerUnits,
        ("W", 1m), ("kW", K), ("MW", K * K));

    /// <summary>A size such as `80GiB` or `16GB`, in whole bytes.</summary>
    public static long ParseBytes(string text) => Whole(text, Bytes.Parse(text), "bytes");

    /// <summary>A duration such as `1.5us` or `936ps`, in whole picoseconds.</summary>
    public static SimTime ParseTime(string text) => new(Whole(text, Times.Parse(text), "picoseconds"));

    /// <summary>A data rate such as `200Gbps`, `407.8GBps` or `600GB/s`, in whole bits per second.</summary>
    public static Bandwidth ParseBandwidth(string text) => new(Whole(text, Bandwidths.Parse(text), "bits per second"));

    /// <summary>A compute rate such as `312TFLOPS`, in FLOP/s.</summary>
    public static double ParseFlopRate(string text) => (double)FlopRates.Parse(text);

    /// <summary>A power such as `400W` or `1.2kW`, in watts.</summary>
    public static double ParsePower(string text) => (double)Powers.Parse(text);

    private static long Whole(string text, decimal value, string unit)
    {
        if (decimal.Truncate(value) != value)
            throw UnitTable.Bad(text, $"is not a whole number of {unit} ({value} {unit}); these quantities are kept as exact integers");
        if (value > long.MaxValue)
            throw UnitTable.Bad(text, $"is too large: {value} {unit} does not fit in 64 bits");
        return (long)value;
    }
}
