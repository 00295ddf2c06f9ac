using Emulator.Core.Accounting;
using Emulator.Kernel;

namespace Emulator.Engine.Results;

/// <summary>The outcome of emulating one training step: every figure comes from the actors' run.</summary>
public sealed record StepResult
{
    /// <summary>Scenario name.</summary>
    public required string Scenario { get; init; }

    /// <summary>Cards in the job.</summary>
    public required int Cards { get; init; }

    /// <summary>Step time from launch to the last card's optimizer end.</summary>
    public required SimTime StepTime { get; init; }

    /// <summary>Tokens per step (global batch times sequence length).</summary>
    public required long TokensPerStep { get; init; }

    /// <summary>Model FLOPs of the step (6N per token plus attention, no recompute).</summary>
    public required double ModelFlops { get; init; }

    /// <summary>FLOPs the cards executed (recompute included).</summary>
    public required double ExecutedFlops { get; init; }

    /// <summary>Dense peak FLOP/s of one card.</summary>
    public required double PeakFlopsPerCard { get; init; }

    /// <summary>Mean seconds per card in each part of the step; they sum to the step time.</summary>
    public required IReadOnlyDictionary<TimeKind, double> Breakdown { get; init; }

    /// <summary>The card whose HBM peak comes nearest its capacity (with one card type, the highest peak).</summary>
    public required int PeakHbmCard { get; init; }

    /// <summary>That peak, bytes.</summary>
    public required long PeakHbmBytes { get; init; }

    /// <summary>Live bytes by kind at that peak.</summary>
    public required IReadOnlyDictionary<MemoryKind, long> PeakHbmBreakdown { get; init; }

    /// <summary>HBM capacity of that card (its stage's card kind in a mixed job).</summary>
    public required long HbmCapacityBytes { get; init; }

    /// <summary>The first allocation refused by an HBM bank (earliest, then lowest card), if the plan does not fit.</summary>
    public OomReport? Oom { get; init; }

    /// <summary>Live bytes by kind of the overflowing card at its peak demand.</summary>
    public IReadOnlyDictionary<MemoryKind, long>? OomBreakdown { get; init; }

    /// <summary>Events the kernel delivered.</summary>
    public required long Events { get; init; }

    /// <summary>Events delivered per message type (e.g. RdmaChunk), for finding what an emulation spends its events on.</summary>
    public IReadOnlyDictionary<string, long> EventsByMessage { get; init; } = new Dictionary<string, long>();

    /// <summary>Synchronisation windows run (0 with one partition).</summary>
    public required long Barriers { get; init; }

    /// <summary>Partitions the actors were split over.</summary>
    public required int Partitions { get; init; }

    /// <summary>Live actors per kind: card, hbm_bank, node, switch, job.</summary>
    public required IReadOnlyDictionary<string, int> Actors { get; init; }

    /// <summary>Every link that carried traffic, busiest first.</summary>
    public required IReadOnlyList<LinkStats> Links { get; init; }

    /// <summary>Reports of the sampled cards (for the trace).</summary>
    public required IReadOnlyList<CardReport> SampledCards { get; init; }

    /// <summary>Per-switch utilisation series (for the trace).</summary>
    public required IReadOnlyList<(string Switch, int Ports, long BucketPs, long[] BusyPs)> SwitchSeries { get; init; }

    /// <summary>Tokens per second of the whole job.</summary>
    public double TokensPerSecond => TokensPerStep / StepTime.Seconds;

    /// <summary>Model TFLOP/s per card.</summary>
    public double ModelTflopsPerCard => ModelFlops / StepTime.Seconds / Cards / 1e12;

    /// <summary>Executed (hardware) TFLOP/s per card.</summary>
    public double HardwareTflopsPerCard => ExecutedFlops / StepTime.Seconds / Cards / 1e12;

    /// <summary>Model FLOPs utilisation against dense peak.</summary>
    public double Mfu => ModelFlops / StepTime.Seconds / Cards / PeakFlopsPerCard;
}
