namespace Emulator.Core.Accounting;

/// <summary>Live HBM bytes of one card by kind, with the peak and the breakdown at that peak.</summary>
public sealed class MemoryLedger
{
    private static readonly int Kinds = Enum.GetValues<MemoryKind>().Length;
    private readonly long[] _live = new long[Kinds];
    private long[] _atPeak = new long[Kinds];

    /// <summary>Bytes live now.</summary>
    public long Live { get; private set; }

    /// <summary>Highest <see cref="Live"/> so far.</summary>
    public long Peak { get; private set; }

    /// <summary>Bytes of <paramref name="kind"/> live at the peak.</summary>
    public long AtPeak(MemoryKind kind) => _atPeak[(int)kind];

    /// <summary>Adds (positive) or releases (negative) bytes of a kind.</summary>
    public void Add(MemoryKind kind, long bytes)
    {
        var now = _live[(int)kind] + bytes;
        if (now < 0) throw new InvalidOperationException($"released more {kind} than was allocated ({-bytes} B of {_live[(int)kind]} B)");
        _live[(int)kind] = now;
        Live += bytes;
        if (Live > Peak)
        {
            Peak = Live;
            _atPeak = (long[])_live.Clone();
        }
    }
}
