using System.Globalization;
using Emulator.Engine;
using Emulator.Engine.Results;
using Emulator.Kernel;
using Emulator.Scenarios;
using Emulator.Scenarios.Published;

namespace Emulator.Cli;

/// <summary>Emulates one published run (a CSV row) and reads off the metric it publishes.</summary>
public static class RowEmulation
{
    /// <summary>The keys the `--set key=value`s write, as HOCON paths (one --set may write several, or one inside braces).</summary>
    /// <remarks>The sets must have passed <see cref="ScenarioLoader.CheckOverrides"/>.</remarks>
    public static HashSet<string> OverriddenKeys(IEnumerable<string> sets) =>
        sets.SelectMany(ScenarioLoader.OverrideKeys).ToHashSet(StringComparer.Ordinal);

    /// <summary>How a note says the row's stack has no calibration of its own and ran another's.</summary>
    public const string BorrowedStackNote = "no calibration for stack ";

    /// <summary>Emulates <paramref name="run"/> with <paramref name="sets"/> (`key=value`) on top; returns the metric, a note on what was approximated and the step's result.</summary>
    /// <remarks>The row's scenario is written to <paramref name="dir"/> as ID.conf; any failure throws with a message naming the row.
    /// <paramref name="monitor"/> gets each simulation before it runs (for progress) and null once it has run, so that it is not kept alive.
    /// Presets and stacks are looked for from the runs file's folder (<see cref="PublishedRun.SourceDirectory"/>) first.</remarks>
    public static (double Value, string Note, StepResult Result) Emulate(PublishedRun run, string dir, IReadOnlyList<string> sets, Action<Simulation?>? monitor = null)
    {
        if (PublishedProblem(run) is { } problem) throw new FormatException(problem);
        var published = run.Published;
        run.CheckRequired();
        // A misspelt metric is known before the emulation, which for a large row takes minutes.
        if (!Metrics.Contains(run.Metric)) throw new NotSupportedException(UnknownMetric(run.Metric));
        var overridden = OverriddenKeys(sets);
        // A run that does not publish its recomputation fitted in memory: the least recomputation with which it fits.
        if (run.Columns["recompute"].Trim().Length == 0 && !overridden.Contains("training.recompute"))
        {
            // On JAX stacks MaxText's minimal sits between none and selective (save_dot_except_mlpwi) in what it keeps.
            foreach (var policy in run.IsJax ? new[] { "none", "minimal", "selective", "full" } : new[] { "none", "selective", "full" })
            {
                var attempt = run with { Columns = new Dictionary<string, string>(run.Columns) { ["recompute"] = policy } };
                var (value, said, emulated) = Emulate(attempt, dir, sets, monitor);
                if (emulated.Oom is null || policy == "full")
                    return (value, $"recompute not published: ran {attempt.Recompute}, " + (emulated.Oom is null ? "the least with which it fits" : "the most there is")
                        + (said.Length > 0 ? "; " + said : ""), emulated);
            }
        }
        var notes = new List<string>(run.UnpublishedDefaults(overridden));
        var setsInterleaving = overridden.Contains("parallel.virtual-stages");
        if (!run.PublishesVirtualStages && !setsInterleaving)
            notes.Add(run.VirtualStages > 1 ? $"interleaving factor not published: ran {run.VirtualStages} virtual stages" : "interleaving factor not published: ran plain 1F1B");
        // The row's stack facts are read off its CSV preset; a --set card changes the hardware beneath them, not them.
        if (overridden.Contains("hardware"))
            notes.Add($"hardware replaced by --set: the stack's facts that depend on the card (such as its attention figure) are still those for {run.Preset}, under which the row is also grouped");
        // A stack without its own calibration runs with the nearest documented one (data/README.md).
        var stack = SoftwareStacks.Nearest(run.Stack, Path.GetFullPath(dir), run.SourceDirectory);
        if (stack != run.Stack) notes.Add($"{BorrowedStackNote}{run.Stack}: used {stack}");
        var note = string.Join("; ", notes);
        var path = Path.Combine(dir, run.Id + ".conf");
        // The overrides go in as a comment, so that the file says how to rerun the row exactly.
        var overrides = sets.Count == 0 ? "" : "# emulated with" + string.Concat(sets.Select(s => " --set " + s)) + "\n";
        // A preset or stack found from the runs file's folder, and not the one `emulator run` would find from the row's own folder,
        // is written as its path: the file then reruns the row as it ran here (a study's own presets, wherever --out puts the rows).
        var rowsDir = Path.GetFullPath(dir);
        var hardware = Pinned(HardwarePresets.Find, run.Preset, rowsDir, run.SourceDirectory);
        File.WriteAllText(path, overrides + run.ToScenarioText(Pinned(SoftwareStacks.Find, stack, rowsDir, run.SourceDirectory) ?? stack, hardware));
        Emulator.Core.Specs.Scenario scenario;
        try { scenario = ScenarioLoader.Load(path, sets, run.SourceDirectory); }
        catch (ScenarioException e)
        {
            // "row X: the row: key = ..." says the row twice; the generated file's path means nothing to the reader.
            var message = e.Message.StartsWith(path + ": ", StringComparison.Ordinal) ? e.Message[(path.Length + 2)..] : e.Message;
            throw new ScenarioException($"row {run.Id}: {message.Replace(path, "the row", StringComparison.Ordinal)}", e.Origin, e.Key, e);
        }
        StepResult result;
        try { result = StepEmulation.Run(scenario, monitor); }
        finally { monitor?.Invoke(null); }
        // The published run fitted, so an emulated overflow is a memory-model error: say so, and still compare its time. The card named
        // is the one whose peak and capacity are given, the one furthest past its HBM (the first refused may hold less).
        if (result.Oom is not null && run.Metric != "peak_hbm_gib")
            note = string.Join("; ", notes.Append(string.Create(CultureInfo.InvariantCulture,
                $"emulated memory exceeds HBM (card {result.PeakHbmCard}, {result.PeakHbmBytes / (double)(1L << 30):0.#} GiB of {result.HbmCapacityBytes / (double)(1L << 30):0.#}): time as if it fitted")));
        var metric = Metric(run.Metric, result);
        // The error divides by the published value: one near zero (1e-320) makes it infinite, which no report can hold.
        if (!double.IsFinite(metric) || !double.IsFinite((metric - published) / published))
            throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                $"published = '{run.Columns["published"].Trim()}' and emulated {metric:G6} give an error beyond the range of numbers; check the published value and its unit"));
        return (metric, note, result);
    }

    /// <summary>The path, relative to <paramref name="rowsDir"/>, of the profile file <paramref name="name"/> finds from the runs file's
    /// folder <paramref name="madeFrom"/>, when a scenario in <paramref name="rowsDir"/> made from nothing would find another file or none;
    /// else null (the name finds the same file either way, or is not a plain name).</summary>
    private static string? Pinned(Func<string, string, string?, string?> find, string name, string rowsDir, string? madeFrom)
    {
        if (madeFrom is null || name.EndsWith(".conf", StringComparison.Ordinal)
            || name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) return null;
        var found = find(name, rowsDir, madeFrom);
        return found is null || found == find(name, rowsDir, null) ? null : Path.GetRelativePath(rowsDir, found);
    }

    /// <summary>Why the row's published value cannot be compared, or null: not a positive number, or an MFU above 1 (a percentage
    /// written where data/README.md's fraction goes: 50 for 50% would be read as fifty times the card's peak).</summary>
    public static string? PublishedProblem(PublishedRun run)
    {
        var text = run.Columns["published"].Trim();
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var published) || !double.IsFinite(published) || published <= 0)
            return $"published = '{text}' is not a positive number" + (text.EndsWith('%') ? " (a percentage is written as a fraction: 0.5 for 50%)" : "");
        if (run.Metric == "mfu" && published > 1)
            return string.Create(CultureInfo.InvariantCulture,
                $"published = '{text}' is above 1, and mfu is a fraction of the card's peak: write {published / 100:0.####} for {text}%");
        return null;
    }

    /// <summary>Each metric a row may publish (data/README.md), in the order messages list them, with its value in a result under
    /// the conventions of data/README.md.</summary>
    private static readonly (string Name, Func<StepResult, double> Of)[] MetricTable =
    [
        ("step_time_s", r => r.StepTime.Seconds),
        ("tokens_per_s", r => r.TokensPerSecond),
        ("tokens_per_s_per_card", r => r.TokensPerSecond / r.Cards),
        ("mfu", r => r.Mfu),
        ("model_tflops_per_card", r => r.ModelTflopsPerCard),
        ("hardware_tflops_per_card", r => r.HardwareTflopsPerCard),
        ("peak_hbm_gib", r => r.PeakHbmBytes / (double)(1L << 30)),
    ];

    /// <summary>The metrics a row may publish (data/README.md).</summary>
    public static readonly IReadOnlyList<string> Metrics = [.. MetricTable.Select(m => m.Name)];

    /// <summary>Why <paramref name="metric"/> is refused: not one of <see cref="Metrics"/>, which it lists.</summary>
    public static string UnknownMetric(string metric) => $"unknown metric '{metric}'; one of {string.Join(", ", Metrics)}";

    /// <summary>The value of <paramref name="metric"/> in <paramref name="r"/>, with the conventions of data/README.md.</summary>
    public static double Metric(string metric, StepResult r) =>
        MetricTable.FirstOrDefault(m => m.Name == metric).Of is { } of ? of(r) : throw new NotSupportedException(UnknownMetric(metric));

}
