using Emulator.Kernel;

namespace Emulator.Core.Units;

/// <summary>A data rate in whole bits per second (what `200Gbps` or `2039GBps` parse to, exactly).</summary>
public readonly record struct Bandwidth(long BitsPerSecond)
{
    public static Bandwidth FromGbps(long gbps) => new(checked(gbps * 1_000_000_000));

    public static Bandwidth FromGBps(long gBps) => new(checked(gBps * 8_000_000_000));

    /// <summary>Bytes per second, for reports and double-precision models.</summary>
    public double BytesPerSecond => BitsPerSecond / 8.0;

    /// <summary>Time to serialise <paramref name="bytes"/> at this rate, rounded up to the next picosecond.</summary>
    public SimTime TransferTime(long bytes)
    {
        if (BitsPerSecond <= 0) throw new InvalidOperationException("bandwidth must be positive");
        var numerator = (Int128)bytes * 8 * SimTime.PsPerSecond;
        var ps = (numerator + BitsPerSecond - 1) / BitsPerSecond;
        return new SimTime((long)ps);
    }

    public override string ToString() => $"{BitsPerSecond / 1e9:0.###}Gbps";
}
