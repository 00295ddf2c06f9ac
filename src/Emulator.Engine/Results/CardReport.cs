using Emulator.Core.Accounting;
using Emulator.Kernel;

namespace Emulator.Engine.Results;

/// <summary>What one card did in the step.</summary>
/// <param name="Card">Card index.</param>
/// <param name="Finished">When its optimizer step ended.</param>
/// <param name="Time">Time per <see cref="TimeKind"/> up to <paramref name="Finished"/>.</param>
/// <param name="ExecutedFlops">FLOPs run, recompute included.</param>
/// <param name="PeakHbmBytes">Highest live HBM.</param>
/// <param name="PeakBreakdown">Live bytes per <see cref="MemoryKind"/> at that peak.</param>
/// <param name="Oom">The first allocation refused, if any.</param>
/// <param name="Spans">Timeline (sampled cards only).</param>
/// <param name="HbmSamples">Live HBM over time (sampled cards only).</param>
public sealed record CardReport(
    int Card,
    SimTime Finished,
    long[] Time,
    double ExecutedFlops,
    long PeakHbmBytes,
    long[] PeakBreakdown,
    OomReport? Oom,
    IReadOnlyList<TraceSpan> Spans,
    IReadOnlyList<(SimTime At, long Bytes)> HbmSamples);

/// <summary>An allocation an HBM bank refused.</summary>
public sealed record OomReport(int Card, int Bank, SimTime At, long Requested, long BankLive, long BankCapacity);

/// <summary>A span of a card's timeline.</summary>
public readonly record struct TraceSpan(SimTime Start, SimTime End, string Name, string Category);
