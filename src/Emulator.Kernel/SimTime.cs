using System.Globalization;

namespace Emulator.Kernel;

/// <summary>A point or span of virtual time in integer picoseconds.</summary>
/// <remarks>A long of picoseconds covers about 106 days, enough for any single step; campaigns count steps, not picoseconds.</remarks>
public readonly record struct SimTime(long Ps) : IComparable<SimTime>
{
    /// <summary>Time zero.</summary>
    public static readonly SimTime Zero = new(0);

    /// <summary>Later than any real event.</summary>
    public static readonly SimTime MaxValue = new(long.MaxValue);

    /// <summary>Picoseconds per second.</summary>
    public const long PsPerSecond = 1_000_000_000_000;

    public static SimTime FromNs(long ns) => new(checked(ns * 1000));

    public static SimTime FromUs(long us) => new(checked(us * 1_000_000));

    /// <summary>Rounds a duration in seconds to the nearest picosecond (models compute in double, the clock stays integral).</summary>
    public static SimTime FromSeconds(double seconds)
    {
        if (double.IsNaN(seconds) || seconds < 0) throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "duration must be a non-negative number");
        return new((long)Math.Round(seconds * PsPerSecond, MidpointRounding.AwayFromZero));
    }

    /// <summary>This time in seconds, for reports only.</summary>
    public double Seconds => Ps / (double)PsPerSecond;

    public int CompareTo(SimTime other) => Ps.CompareTo(other.Ps);

    public static SimTime operator +(SimTime a, SimTime b) => new(checked(a.Ps + b.Ps));
    public static SimTime operator -(SimTime a, SimTime b) => new(checked(a.Ps - b.Ps));
    public static SimTime operator *(SimTime a, long k) => new(checked(a.Ps * k));
    public static bool operator <(SimTime a, SimTime b) => a.Ps < b.Ps;
    public static bool operator >(SimTime a, SimTime b) => a.Ps > b.Ps;
    public static bool operator <=(SimTime a, SimTime b) => a.Ps <= b.Ps;
    public static bool operator >=(SimTime a, SimTime b) => a.Ps >= b.Ps;
    public static SimTime Max(SimTime a, SimTime b) => a.Ps >= b.Ps ? a : b;
    public static SimTime Min(SimTime a, SimTime b) => a.Ps <= b.Ps ? a : b;

    public override string ToString() => Ps.ToString(CultureInfo.InvariantCulture) + "ps";
}
