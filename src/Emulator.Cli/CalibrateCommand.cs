using System.Globalization;
using System.Text.Json;
using Emulator.Scenarios;
using Emulator.Scenarios.Published;

namespace Emulator.Cli;

/// <summary>`emulator calibrate &lt;runs.csv&gt; --stack NAME`: sets a stack's GEMM scale from its published rows and measures each row left out.</summary>
/// <remarks>
/// One constant per stack, software.gemm-scale: the fraction of the card's microbenchmark GEMM efficiency the stack's
/// kernels reach. Each row is emulated at two scales; its time ratio (emulated over published step time) is modelled as
/// a + b/g between them, and the scale is the g at which the rows' ratios have geometric mean 1, capped at 1 (kernels do not
/// beat the microbenchmarks). Leave-one-out: for every row the scale is set from the other rows only, and the row is then
/// emulated at that scale; that measured error is what the stack's calibration is worth on a run it has not seen.
/// </remarks>
public static class CalibrateCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage = """
        usage: emulator calibrate <runs.csv> --stack NAME [--out DIR] [--set key=value ...]
          runs.csv    rows in the format of data/published-runs.csv
          --stack     calibrate this software stack (the stack column) from its time or throughput rows
          --out DIR   where calibration.json goes (default: out/calibration)
          --set       override a scenario key in every emulation, e.g. --set emulation.rdma-chunk=16MiB
        prints the stack's gemm-scale (put it in hocon/stacks/NAME.conf) and each row's leave-one-out error.
        exit codes: 0 ran, 2 unusable input or fewer than two usable rows
        """;

    /// <summary>The second scale each row is emulated at, besides 1, to see how its time depends on GEMM speed.</summary>
    public const double ProbeScale = 0.8;

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Execute(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        string? csv = null, outDir = null, stack = null;
        var sets = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--out" when i + 1 < args.Count: outDir = args[++i]; break;
                case "--stack" when i + 1 < args.Count: stack = args[++i]; break;
                case "--set" when i + 1 < args.Count: sets.Add(args[++i]); break;
                case "-h" or "--help": stdout.WriteLine(Usage); return ExitCodes.Ok;
                case "--out" or "--stack" or "--set":
                    stderr.WriteLine(OptionExamples.MissingValue("calibrate", args[i], Usage));
                    return ExitCodes.BadInput;
                case var a when a.StartsWith('-') || csv is not null:
                    stderr.WriteLine($"emulator calibrate: unexpected argument '{a}'\n{Usage}");
                    return ExitCodes.BadInput;
                default: csv = args[i]; break;
            }
        }
        if (csv is null || stack is null)
        {
            stderr.WriteLine($"emulator calibrate: give the runs and a stack, e.g. emulator calibrate data/published-runs.csv --stack megatron-lm-2021\n{Usage}");
            return ExitCodes.BadInput;
        }
        // An empty name matched every empty column of every row as a shifted stack column.
        if (stack.Trim().Length == 0)
        {
            stderr.WriteLine($"emulator calibrate: --stack needs a stack name (the stack column's), e.g. --stack megatron-lm-2021, not '{stack}'\n{Usage}");
            return ExitCodes.BadInput;
        }
        // Calibrate sets the scale itself (1, the probe, then each fitted one), after the --sets: one of them would do nothing, without a word.
        // A --set is HOCON text: it may write the key inside braces, or beside another key.
        try
        {
            ScenarioLoader.CheckOverrides(sets);
            if (sets.FirstOrDefault(s => ScenarioLoader.OverrideKeys(s).Contains("software.gemm-scale")) is { } scaleSet)
            {
                stderr.WriteLine($"emulator calibrate: --set {scaleSet}: software.gemm-scale is what calibrate sets (at 1 and {ProbeScale}, then at the scale it fits); "
                    + "leave it out (to emulate at a scale of your own, use emulator validate --set software.gemm-scale=...)");
                return ExitCodes.BadInput;
            }
        }
        catch (ScenarioException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        if (InputFile.Problem(csv, "runs CSV", "data/published-runs.csv") is { } problem)
        {
            stderr.WriteLine($"error: {problem}");
            return ExitCodes.BadInput;
        }
        if (EmulatorOutputs.Misplaced(csv, "a runs CSV", "give published runs in the format of data/published-runs.csv, e.g. emulator calibrate data/published-runs.csv --stack megatron-lm-2021") is { } output)
        {
            stderr.WriteLine($"error: {output}");
            return ExitCodes.BadInput;
        }
        // Stack names are read whatever their case, and the scale goes in hocon/stacks/NAME.conf with NAME as the rows spell it.
        stack = stack.Trim().ToLowerInvariant();
        IReadOnlyList<PublishedRun> runs;
        IReadOnlyList<(string Id, string Reason, string? Stack)> malformed;
        try { (runs, malformed) = PublishedRunsCsv.ReadWithStacks(csv); }
        catch (ScenarioException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        // Every row of the stack sets the scale: one left out unseen (a broken line that is, or may be, the stack's; a metric misspelt)
        // would change it without a word.
        var broken = malformed.Where(m => m.Stack is null || m.Stack == stack).Select(m => $"row {m.Id}: {m.Reason}")
            .Concat(runs.Where(r => r.Stack == stack && !RowEmulation.Metrics.Contains(r.Metric))
                .Select(r => r.Explain($"row {r.Id}: {RowEmulation.UnknownMetric(r.Metric)}")))
            // A published value that cannot be compared (not a number, an MFU written as a percentage) is known before any row runs.
            .Concat(runs.Where(r => r.Stack == stack && TimeRatio.IsTimeLike(r.Metric)).Select(r => RowEmulation.PublishedProblem(r) is { } p ? r.Explain($"row {r.Id}: {p}") : null).OfType<string>())
            .Concat(runs.Where(r => r.Stack != stack).Select(r => Shifted(r, stack)).OfType<string>())
            .FirstOrDefault();
        if (broken is not null)
        {
            stderr.WriteLine($"error: {broken}; calibration needs every row of the stack, so fix or remove that row");
            return ExitCodes.BadInput;
        }
        var rows = runs.Where(r => r.Stack == stack && TimeRatio.IsTimeLike(r.Metric)).ToList();
        if (rows.Count < 2)
        {
            var stacks = string.Join(", ", runs.Select(r => r.Stack).Distinct().Order(StringComparer.Ordinal));
            stderr.WriteLine($"error: stack {stack} has {rows.Count} time or throughput row{(rows.Count == 1 ? "" : "s")} in {csv}; calibration and leave-one-out need at least 2 (stacks in the file: {stacks})");
            return ExitCodes.BadInput;
        }

        var outGiven = outDir is not null;
        outDir ??= Path.Combine("out", "calibration");
        string[] outputs = [Path.Combine(outDir, "calibration.json")];
        if (OutputDirectory.WouldOverwrite("calibrate", csv, outputs, stderr) || OutputDirectory.FolderInTheWay(outputs, stderr)
            || !OutputDirectory.TryCreate(outDir, outGiven, stderr)) return ExitCodes.BadInput;
        // The rows' scenarios are written inside --out, as validate's are, so that their presets and stacks are looked for from
        // there after the runs file's folder (README); a folder under the system's temp folder looked in /tmp/presets instead.
        var scratch = Path.Combine(outDir, ".calibrate-rows-" + Environment.ProcessId);
        Directory.CreateDirectory(scratch);
        try
        {
            var ratios = new List<TimeRatio>();
            foreach (var run in rows)
            {
                stderr.WriteLine($"{run.Id}: emulating {run.Columns["cards"]} cards at two GEMM scales ...");
                var (full, note) = EmulateWithNote(run, 1.0, scratch, sets);
                var probe = Emulate(run, ProbeScale, scratch, sets);
                ratios.Add(TimeRatio.FromTwoPoints(run.Id, 1.0, TimeRatio.Of(run.Metric, run.Published, full), ProbeScale, TimeRatio.Of(run.Metric, run.Published, probe)));
                // What the row assumed (unpublished values, memory past HBM) goes into the scale, so it is said as validate says it.
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run.Id,-24} time ratio {ratios[^1].At(1.0):0.000} at gemm-scale 1, {ratios[^1].At(ProbeScale):0.000} at {ProbeScale}{(note.Length > 0 ? "  (" + note + ")" : "")}"));
                // No scale can fit a row whose time slower GEMMs do not lengthen (a --set that leaves GEMMs no time): say so now, not as a crash after every row.
                if (!(ratios[^1].B > 0))
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                        $"row {run.Id}: its emulated step time does not grow when GEMMs slow down (time ratio {ratios[^1].At(1.0):0.000} at gemm-scale 1 and {ratios[^1].At(ProbeScale):0.000} at {ProbeScale}), so no GEMM scale fits it; check the --set values (one that leaves GEMMs no time, such as a huge card.peak-flops)"));
            }
            var scale = TimeRatio.FitScale(ratios);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{stack}: gemm-scale = {scale:0.000} from {rows.Count} rows"));

            var loo = new List<(PublishedRun Run, double Scale, double Emulated, double Error)>();
            for (var i = 0; i < rows.Count; i++)
            {
                var others = ratios.Where((_, j) => j != i).ToList();
                var s = TimeRatio.FitScale(others);
                var emulated = Emulate(rows[i], s, scratch, sets);
                var error = (emulated - rows[i].Published) / rows[i].Published;
                loo.Add((rows[i], s, emulated, error));
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{rows[i].Id,-24} left out: gemm-scale {s:0.000} from the others; published {rows[i].Published,10:G6}  emulated {emulated,10:G6}  error {SignedPercent.Of(error),7}"));
            }
            var abs = loo.Select(l => Math.Abs(l.Error)).ToArray();
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"leave-one-out: mean |error| {abs.Average():0.0%}, max |error| {abs.Max():0.0%}"));
            File.WriteAllBytes(Path.Combine(outDir, "calibration.json"), Json(stack, scale, loo, abs));
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is ScenarioException or InvalidDataException)
        {
            // Every row sets the scale, so one that cannot run stops the calibration (validate would skip it instead).
            stderr.WriteLine($"error: {e.Message}; calibration needs every row of the stack, so fix or remove that row");
            return ExitCodes.BadInput;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static double Emulate(PublishedRun run, double scale, string scratch, IReadOnlyList<string> sets) =>
        EmulateWithNote(run, scale, scratch, sets).Value;

    /// <summary>The row's metric at <paramref name="scale"/> and validate's note on it, less the stack it borrowed a scale from
    /// (calibrate sets the scale itself).</summary>
    private static (double Value, string Note) EmulateWithNote(PublishedRun run, double scale, string scratch, IReadOnlyList<string> sets)
    {
        try
        {
            var (value, note, _) = RowEmulation.Emulate(run, scratch, [.. sets, string.Create(CultureInfo.InvariantCulture, $"software.gemm-scale={scale:R}")]);
            var kept = note.Split("; ", StringSplitOptions.RemoveEmptyEntries).Where(n => !n.StartsWith(RowEmulation.BorrowedStackNote, StringComparison.Ordinal));
            return (value, string.Join("; ", kept));
        }
        catch (ScenarioException e) when (run.ExtraFields > 0)
        {
            throw new ScenarioException(run.Explain(e.Message), e.Origin, e.Key, e);
        }
        catch (Exception e) when (e is not ScenarioException)
        {
            // Bad values and engine failures of one row, named by the row as scenario errors already are.
            throw new InvalidDataException(run.Explain($"row {run.Id}: {e.Message}"), e);
        }
    }

    private static byte[] Json(string stack, double scale, List<(PublishedRun Run, double Scale, double Emulated, double Error)> loo, double[] abs)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("stack", stack);
            w.WriteNumber("gemm_scale", scale);
            w.WriteStartArray("leave_one_out");
            foreach (var l in loo)
            {
                w.WriteStartObject();
                w.WriteString("id", l.Run.Id);
                w.WriteString("metric", l.Run.Metric);
                w.WriteNumber("published", l.Run.Published);
                w.WriteNumber("gemm_scale", l.Scale);
                w.WriteNumber("emulated", l.Emulated);
                w.WriteNumber("error", l.Error);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("mean_abs_error", abs.Average());
            w.WriteNumber("max_abs_error", abs.Max());
            w.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>Why <paramref name="run"/>, read as another stack's, may be <paramref name="stack"/>'s: the name stands in another
    /// column, as when an unquoted comma in a field before the stack column (a source "Narayanan et al., SC21") moved every column
    /// after it one place on, into the notes; else null.</summary>
    /// <remarks>A comma moves columns on, never back, so only a column after the stack column can hold the moved name (a name in the
    /// preset column is a preset given as --stack, not a shifted row). The row's columns were added in the header's order, which a
    /// dictionary nothing is removed from enumerates in.</remarks>
    private static string? Shifted(PublishedRun run, string stack) =>
        run.Columns.SkipWhile(c => c.Key != "stack").Skip(1)
            .FirstOrDefault(c => c.Key is not ("id" or "source" or "notes") && c.Value.Trim().Equals(stack, StringComparison.OrdinalIgnoreCase)) is { Key: { } column }
            ? $"row {run.Id}: its stack column reads '{run.Stack}' but its {column} column reads '{stack}': a field before them holds an unquoted comma "
                + "(quote it, \"a, b\"), which moved the columns after it"
            : null;
}
