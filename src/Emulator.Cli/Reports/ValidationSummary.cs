namespace Emulator.Cli.Reports;

/// <summary>One validated row as the summaries see it.</summary>
public readonly record struct ValidatedRow(string Id, string Preset, string Metric, double Error);

/// <summary>Errors of one system (hardware preset) and kind of metric.</summary>
/// <param name="Kind">"time" for step time, throughput, MFU and TFLOP/s rows; "memory" for peak HBM rows.</param>
public sealed record SystemErrors(string Preset, string Kind, int Rows, double MeanAbsError, double MaxAbsError);

/// <summary>Per-system error summaries of a validation: the targets are set per system and per kind of metric.</summary>
public static class ValidationSummary
{
    /// <summary>"time" for step time and the rates derived from it, else "memory".</summary>
    public static string KindOf(string metric) => TimeRatio.IsTimeLike(metric) ? "time" : "memory";

    /// <summary>Rows grouped by preset and kind, in the order each group first appears.</summary>
    public static IReadOnlyList<SystemErrors> BySystem(IEnumerable<ValidatedRow> rows) =>
        rows.GroupBy(r => (r.Preset, Kind: KindOf(r.Metric)))
            .Select(g => new SystemErrors(g.Key.Preset, g.Key.Kind, g.Count(), g.Average(r => Math.Abs(r.Error)), g.Max(r => Math.Abs(r.Error))))
            .ToArray();

    /// <summary>Every system together, one entry per kind of metric (preset "all").</summary>
    public static IReadOnlyList<SystemErrors> ByKind(IEnumerable<ValidatedRow> rows) => BySystem(rows.Select(r => r with { Preset = "all" }));
}
