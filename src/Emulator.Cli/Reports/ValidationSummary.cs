namespace Emulator.Cli.Reports;

/// <summary>One validated row as the summaries see it.</summary>
public readonly record struct ValidatedRow(string Id, string Preset, string Stack, string Metric, double Error);

/// <summary>Errors of one group of rows (a hardware preset, a software stack, or "all") and kind of metric.</summary>
/// <param name="Kind">"time" for step time, throughput, MFU and TFLOP/s rows; "memory" for peak HBM rows.</param>
/// <param name="Bias">Mean signed error read as speed for time rows (a step-time row's error inverted: positive is too fast) and
/// as memory for memory rows (positive is too much).</param>
public sealed record GroupErrors(string Group, string Kind, int Rows, double Bias, double MeanAbsError, double MaxAbsError);

/// <summary>Error summaries of a validation per system and per stack: the issue's targets are set per system and kind of metric,
/// calibration per software stack.</summary>
public static class ValidationSummary
{
    /// <summary>"time" for step time and the rates derived from it, else "memory".</summary>
    public static string KindOf(string metric) => TimeRatio.IsTimeLike(metric) ? "time" : "memory";

    /// <summary>Rows grouped by preset and kind, in the order each group first appears.</summary>
    public static IReadOnlyList<GroupErrors> BySystem(IEnumerable<ValidatedRow> rows) => By(rows, r => r.Preset);

    /// <summary>Rows grouped by software stack and kind, in the order each group first appears.</summary>
    public static IReadOnlyList<GroupErrors> ByStack(IEnumerable<ValidatedRow> rows) => By(rows, r => r.Stack);

    /// <summary>Every row together, one entry per kind of metric (group "all").</summary>
    public static IReadOnlyList<GroupErrors> ByKind(IEnumerable<ValidatedRow> rows) => By(rows, _ => "all");

    /// <summary>The start of a summary line, as validate and compare print it: group, kind and row count in columns.</summary>
    public static string Label(string group, string kind, int rows) => $"  {group,-24} {kind,-6} {rows,3} row{(rows == 1 ? " " : "s")}";

    /// <summary>A row's error as speed (time rows: positive is too fast, whether the metric is a time or a rate) or memory.</summary>
    public static double SpeedOrMemoryError(ValidatedRow r) => r.Metric == "step_time_s" ? 1 / (1 + r.Error) - 1 : r.Error;

    private static GroupErrors[] By(IEnumerable<ValidatedRow> rows, Func<ValidatedRow, string> group) =>
        rows.GroupBy(r => (Group: group(r), Kind: KindOf(r.Metric)))
            .Select(g => new GroupErrors(g.Key.Group, g.Key.Kind, g.Count(), g.Average(SpeedOrMemoryError), g.Average(r => Math.Abs(r.Error)), g.Max(r => Math.Abs(r.Error))))
            .ToArray();
}
