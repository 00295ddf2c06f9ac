using System.Globalization;
using System.Text.Json;
using Emulator.Cli.Reports;
using Emulator.Kernel;
using Emulator.Scenarios;
using Emulator.Scenarios.Published;

namespace Emulator.Cli;

/// <summary>`emulator validate &lt;runs.csv&gt; [--out DIR]`: emulates each published run and compares the metric it publishes.</summary>
public static class ValidateCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage = """
        usage: emulator validate <runs.csv> [--out DIR] [--only ID[,ID...]] [--jobs N] [--set key=value ...]
          runs.csv   rows in the format of data/published-runs.csv (columns in data/README.md)
          --out DIR  where validation.json goes (default: out/validation), with each row's scenario and result
                     in DIR/rows/ID.conf and DIR/rows/ID.json (rerun one: emulator run DIR/rows/ID.conf, with
                     the --sets noted on its first line)
          --only     emulate only these row ids (any case; * and ? as wildcards, e.g. 'mpt-*-8h100'; may be repeated)
          --jobs N   emulate up to N rows at once (default: the machine's cores, at most 4); the output is the same, in the file's order
          --set      override a scenario key in every row, e.g. --set emulation.rdma-chunk=16MiB
        prints each row's error, then mean and max |error| and bias (mean signed error, positive too fast) per system
        and per software stack; rows that cannot be emulated (unknown preset, malformed values, features not emulated
        yet) are reported with the reason and the other rows still run. exit codes: 0 ran, 2 unusable input
        """;

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Execute(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        string? csv = null, outDir = null;
        HashSet<string>? only = null;
        var sets = new List<string>();
        // The output does not depend on the number of jobs, so use the cores; at most 4, as the largest rows hold a GB or more each.
        var jobs = Math.Clamp(Environment.ProcessorCount, 1, 4);
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--out" when i + 1 < args.Count: outDir = args[++i]; break;
                case "--only" when i + 1 < args.Count:
                    // Ids compare ignoring case, as the file's duplicates do; a second --only adds to the first.
                    var given = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    (only ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase)).UnionWith(given);
                    if (given.Length == 0)
                    {
                        stderr.WriteLine($"emulator validate: --only takes row ids, e.g. --only meg-t1-1.7b,llama3-405b-8k, not '{args[i]}'\n{Usage}");
                        return ExitCodes.BadInput;
                    }
                    break;
                case "--set" when i + 1 < args.Count: sets.Add(args[++i]); break;
                case "--jobs" when i + 1 < args.Count:
                    if (!int.TryParse(args[++i], out jobs) || jobs < 1)
                    {
                        stderr.WriteLine($"emulator validate: --jobs takes a whole number of at least 1, not '{args[i]}'\n{Usage}");
                        return ExitCodes.BadInput;
                    }
                    break;
                case "-h" or "--help": stdout.WriteLine(Usage); return ExitCodes.Ok;
                case "--out" or "--only" or "--set" or "--jobs":
                    stderr.WriteLine(OptionExamples.MissingValue("validate", args[i], Usage));
                    return ExitCodes.BadInput;
                case var a when a.StartsWith('-') || csv is not null:
                    stderr.WriteLine($"emulator validate: unexpected argument '{a}'\n{Usage}");
                    return ExitCodes.BadInput;
                default: csv = args[i]; break;
            }
        }
        if (csv is null)
        {
            stderr.WriteLine($"emulator validate: which runs? e.g. emulator validate data/published-runs.csv\n{Usage}");
            return ExitCodes.BadInput;
        }
        if (InputFile.Problem(csv, "runs CSV", "data/published-runs.csv") is { } problem)
        {
            stderr.WriteLine($"error: {problem}");
            return ExitCodes.BadInput;
        }
        if (EmulatorOutputs.Misplaced(csv, "a runs CSV", "give published runs in the format of data/published-runs.csv, e.g. emulator validate data/published-runs.csv") is { } output)
        {
            stderr.WriteLine($"error: {output}");
            return ExitCodes.BadInput;
        }
        IReadOnlyList<PublishedRun> runs;
        IReadOnlyList<(string Id, string Reason)> malformed;
        // A bad --set would otherwise skip every row, one message each, and exit 0.
        try { ScenarioLoader.CheckOverrides(sets); (runs, malformed) = PublishedRunsCsv.Read(csv); }
        catch (ScenarioException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }

        // A mistyped id would otherwise run nothing and exit 0, as if the row had passed.
        if (only is not null)
        {
            var ids = runs.Select(r => r.Id).Concat(malformed.Select(m => m.Id)).ToHashSet(StringComparer.OrdinalIgnoreCase);
            (only, var unknown) = RowSelection.Select(only, ids);
            if (unknown.Length > 0)
            {
                stderr.WriteLine($"error: --only {string.Join(", ", unknown)}: no row of {csv} has {(unknown.Length == 1 ? "this id" : "these ids")} (ids are in the id column; * matches any run of characters, ? one character)");
                return ExitCodes.BadInput;
            }
        }

        var outGiven = outDir is not null;
        outDir ??= Path.Combine("out", "validation");
        var rowsDir = Path.Combine(outDir, "rows");
        var csvDir = Path.GetDirectoryName(Path.GetFullPath(csv))!;
        // Without any preset every row would be skipped, one message each, and the run would exit 0 as if it had validated.
        if (HardwarePresets.Available(Path.GetFullPath(rowsDir), csvDir).Count == 0)
        {
            stderr.WriteLine($"error: no hardware presets found (no presets folder beside {csvDir}, and no hocon/presets above it, above --out, the working directory or the program); run from the repository, or keep the runs file inside it");
            return ExitCodes.BadInput;
        }

        var rows = new List<(string Id, string Preset, string Stack, string Metric, double Published, double Emulated, double Error, string Note)>();
        var skipped = new List<(string Id, string Reason)>(malformed.Where(m => only is null || only.Contains(m.Id)));
        foreach (var (id, reason) in skipped) stdout.WriteLine($"{id,-24} skipped: {reason}");
        var malformedSkipped = skipped.Count;
        var selected = runs.Where(r => only is null || only.Contains(r.Id)).ToArray();
        // The runs file itself must not be among what this run writes (e.g. runs kept as DIR/validation.csv, validated with --out DIR).
        string[] outputs = [Path.Combine(outDir, "validation.json"), Path.Combine(outDir, "validation.csv"),
            .. selected.SelectMany(r => new[] { Path.Combine(rowsDir, r.Id + ".conf"), Path.Combine(rowsDir, r.Id + ".json") })];
        // rows/ is created as the folder is: a file named rows there is one clear error, not a crash after the checks.
        if (OutputDirectory.WouldOverwrite("validate", csv, outputs, stderr) || OutputDirectory.FolderInTheWay(outputs, stderr)
            || !OutputDirectory.TryCreate(outDir, outGiven, stderr) || !OutputDirectory.TryCreate(rowsDir, outGiven, stderr)) return ExitCodes.BadInput;
        var outcomes = new (double Emulated, string Note, string? Failure)[selected.Length];
        var finished = new bool[selected.Length];
        var printed = 0;
        var next = -1;
        var gate = new object();
        // Rows are taken in the file's order by up to `jobs` workers; each is printed (and kept) once every row before it is, so
        // the table and validation.json do not depend on the number of jobs.
        void Worker()
        {
            for (var i = Interlocked.Increment(ref next); i < selected.Length; i = Interlocked.Increment(ref next))
            {
                var run = selected[i];
                // Large rows run for minutes: say which one is under way (stderr, so the table stays clean).
                lock (gate) stderr.WriteLine($"{run.Id}: emulating {run.Columns["cards"]} cards ...");
                try
                {
                    // A result left from an earlier run must not sit beside this run's scenario if this row fails.
                    File.Delete(Path.Combine(rowsDir, run.Id + ".json"));
                    // A row that takes long says how far it is every ten seconds, as `run` does every second. The simulation is read
                    // and cleared under the lock, so no line about it follows the row's result.
                    Simulation? running = null;
                    using var ticker = new Timer(_ =>
                    {
                        lock (gate)
                            if (running is { } sim) stderr.WriteLine($"{run.Id}: ... virtual {sim.Now.Seconds:0.000} s, {sim.Events:N0} events");
                    }, null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
                    var (emulated, note, result) = RowEmulation.Emulate(run, rowsDir, sets, sim => { lock (gate) running = sim; });
                    File.WriteAllBytes(Path.Combine(rowsDir, run.Id + ".json"), ResultJson.Write(result));
                    outcomes[i] = (emulated, note, null);
                }
                catch (Exception e)
                {
                    // One row that cannot be emulated (bad values, a feature not emulated yet, an engine failure) must not stop the others.
                    outcomes[i] = (0, "", run.Explain(ClockOverflow.Describe(e) ?? e.Message));
                }
                lock (gate)
                {
                    finished[i] = true;
                    for (; printed < selected.Length && finished[printed]; printed++) Report(selected[printed], outcomes[printed]);
                }
            }
        }
        void Report(PublishedRun run, (double Emulated, string Note, string? Failure) outcome)
        {
            if (outcome.Failure is not null)
            {
                skipped.Add((run.Id, outcome.Failure));
                stdout.WriteLine($"{run.Id,-24} skipped: {outcome.Failure}");
                return;
            }
            var (emulated, note, _) = outcome;
            var error = (emulated - run.Published) / run.Published;
            rows.Add((run.Id, run.Preset, run.Stack, run.Metric, run.Published, emulated, error, note));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run.Id,-24} {run.Metric,-24} published {run.Published,10:G6}  emulated {emulated,10:G6}  error {SignedPercent.Of(error),7}{(note.Length > 0 ? "  (" + note + ")" : "")}"));
        }
        if (jobs == 1) Worker();
        else
        {
            // Workers get the main thread's stack size (8 MiB on Linux), not the 1.5 MiB a new thread has by default.
            var workers = Enumerable.Range(0, Math.Min(jobs, Math.Max(selected.Length, 1))).Select(_ => new Thread(Worker, 8 << 20)).ToArray();
            foreach (var w in workers) w.Start();
            foreach (var w in workers) w.Join();
        }

        var abs = rows.Select(r => Math.Abs(r.Error)).ToArray();
        // Time and memory errors measure different things: when both are present, the overall figures say they mix them.
        var mixed = rows.Select(r => ValidationSummary.KindOf(r.Metric)).Distinct().Count() > 1 ? " (time and memory rows together; each kind below)" : "";
        // With no row emulated there is no error to average: say so rather than print a 0.0% that reads like a pass.
        stdout.WriteLine(abs.Length == 0
            ? $"{rows.Count} rows emulated, {skipped.Count} skipped; no error to report"
            : string.Create(CultureInfo.InvariantCulture, $"{rows.Count} rows emulated, {skipped.Count} skipped; mean |error| {abs.Average():0.0%}, max |error| {abs.Max():0.0%}{mixed}"));
        var validated = rows.Select(r => new ValidatedRow(r.Id, r.Preset, r.Stack, r.Metric, r.Error)).ToArray();
        var bySystem = ValidationSummary.BySystem(validated).Concat(ValidationSummary.ByKind(validated)).ToArray();
        var byStack = ValidationSummary.ByStack(validated);
        WriteGroups(stdout, "by system (time: step time, throughput, MFU and TFLOP/s rows; memory: peak HBM rows; bias: mean signed error, time rows as speed, positive too fast):", bySystem);
        WriteGroups(stdout, "by stack:", byStack);
        File.WriteAllBytes(Path.Combine(outDir, "validation.json"), Json(rows, skipped, abs, bySystem, byStack));
        // Rows that failed to emulate are whole rows (preset, stack, metric); malformed lines, skipped first, may not be.
        var byId = selected.ToDictionary(r => r.Id);
        File.WriteAllBytes(Path.Combine(outDir, "validation.csv"), ValidationCsv.Write(
            rows.Select(r => new ValidationCsvRow(r.Id, r.Preset, r.Stack, r.Metric, r.Published, r.Emulated, r.Error, r.Note))
                .Concat(skipped.Select((s, i) => i >= malformedSkipped && byId.TryGetValue(s.Id, out var run)
                    ? new ValidationCsvRow(s.Id, run.Preset, run.Stack, run.Metric, PublishedOrNull(run), null, null, "skipped: " + s.Reason)
                    : new ValidationCsvRow(s.Id, "", "", "", null, null, null, "skipped: " + s.Reason)))));
        // Row files an earlier validation left in the same folder are kept (they may be wanted), but said apart from this run's.
        var thisRun = selected.Select(r => r.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var earlier = Directory.EnumerateFiles(rowsDir, "*.conf").Select(Path.GetFileNameWithoutExtension)
            .Where(id => id is not null && !thisRun.Contains(id)).Order(StringComparer.Ordinal).ToArray();
        if (earlier.Length > 0)
            stderr.WriteLine($"note: {rowsDir} also holds {earlier.Length} row{(earlier.Length == 1 ? "" : "s")} from an earlier validation ({string.Join(", ", earlier.Take(3))}{(earlier.Length > 3 ? ", ..." : "")}), not in this one's validation.json");
        // Nothing emulated is not a validation that ran: a script must not read it as one (every row malformed, or a --set
        // value that breaks every plan).
        if (rows.Count == 0)
        {
            stderr.WriteLine(skipped.Count == 0
                ? $"error: {csv} has no rows to emulate (only a header)"
                : $"error: none of the {skipped.Count} rows could be emulated; the reasons are above and in {Path.Combine(outDir, "validation.csv")}");
            return ExitCodes.BadInput;
        }
        return ExitCodes.Ok;
    }

    /// <summary>Prints a summary's groups under <paramref name="title"/>, one line each (nothing when there are none).</summary>
    private static void WriteGroups(TextWriter stdout, string title, IReadOnlyList<GroupErrors> groups)
    {
        if (groups.Count == 0) return;
        stdout.WriteLine(title);
        foreach (var g in groups)
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{ValidationSummary.Label(g.Group, g.Kind, g.Rows)}  bias {SignedPercent.Of(g.Bias),7}  mean |error| {g.MeanAbsError,6:0.0%}  max |error| {g.MaxAbsError,6:0.0%}"));
    }

    /// <summary>A skipped row's published value, when it is a finite number (it may be why the row was skipped).</summary>
    private static double? PublishedOrNull(PublishedRun run) =>
        double.TryParse(run.Columns["published"], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : null;

    private static byte[] Json(List<(string Id, string Preset, string Stack, string Metric, double Published, double Emulated, double Error, string Note)> rows,
        List<(string Id, string Reason)> skipped, double[] abs, IReadOnlyList<GroupErrors> bySystem, IReadOnlyList<GroupErrors> byStack)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            Objects(w, "rows", rows, r =>
            {
                w.WriteString("id", r.Id);
                w.WriteString("preset", r.Preset);
                w.WriteString("stack", r.Stack);
                w.WriteString("metric", r.Metric);
                w.WriteNumber("published", r.Published);
                w.WriteNumber("emulated", r.Emulated);
                w.WriteNumber("error", r.Error);
                if (r.Note.Length > 0) w.WriteString("note", r.Note);
            });
            Objects(w, "skipped", skipped, r =>
            {
                w.WriteString("id", r.Id);
                w.WriteString("reason", r.Reason);
            });
            // Null when no row was emulated: there is no error to average.
            void NumberOrNull(string name, Func<double> value)
            {
                if (abs.Length > 0) w.WriteNumber(name, value());
                else w.WriteNull(name);
            }
            NumberOrNull("mean_abs_error", abs.Average);
            NumberOrNull("max_abs_error", abs.Max);
            void Groups(string name, string groupKey, IReadOnlyList<GroupErrors> groups) => Objects(w, name, groups, g =>
            {
                w.WriteString(groupKey, g.Group);
                w.WriteString("kind", g.Kind);
                w.WriteNumber("rows", g.Rows);
                w.WriteNumber("bias", g.Bias);
                w.WriteNumber("mean_abs_error", g.MeanAbsError);
                w.WriteNumber("max_abs_error", g.MaxAbsError);
            });
            Groups("by_system", "preset", bySystem);
            Groups("by_stack", "stack", byStack);
            w.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>Writes <paramref name="items"/> as an array <paramref name="name"/> of objects whose members <paramref name="members"/> writes.</summary>
    private static void Objects<T>(Utf8JsonWriter w, string name, IEnumerable<T> items, Action<T> members)
    {
        w.WriteStartArray(name);
        foreach (var item in items)
        {
            w.WriteStartObject();
            members(item);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
