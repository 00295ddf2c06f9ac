namespace Emulator.Engine.Results;

/// <summary>Receives statistics from actors after the run (out of band, single-threaded).</summary>
public sealed class StatsCollector
{
    /// <summary>Per-card reports as gathered by the job.</summary>
    public List<CardReport> Cards { get; } = new();

    /// <summary>Per-link statistics from switches and NICs.</summary>
    public List<LinkStats> Links { get; } = new();

    /// <summary>Utilisation time series per switch: bucket start (ps) to busy picoseconds summed over its ports.</summary>
    public List<(string Switch, int Ports, long BucketPs, long[] BusyPs)> SwitchSeries { get; } = new();
}

/// <summary>One directed link: bytes sent and time busy.</summary>
public sealed record LinkStats(string From, string To, long Bytes, long BusyPs);
