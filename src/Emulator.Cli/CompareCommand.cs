using System.Globalization;
using Emulator.Cli.Reports;

namespace Emulator.Cli;

/// <summary>`emulator compare &lt;before&gt; &lt;after&gt;`: the rows two validations share, which moved and how the errors changed.</summary>
public static class CompareCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage = """
        usage: emulator compare <before> <after> [--min-change POINTS]
          before, after   two validation.json files that emulator validate wrote (or the --out folders holding them)
          --min-change    list rows whose error moved by at least this many percentage points (default 0.1; 0 lists all)
        prints each listed row's error before and after, then mean and max |error| of the rows in both, by system, overall
        and by software stack, rows emulated in one file and skipped in the other (with the reason), and the ids found in
        one file only. exit codes: 0 compared, 2 unusable input
        """;

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Execute(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var paths = new List<string>();
        var minChange = 0.1;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help": stdout.WriteLine(Usage); return ExitCodes.Ok;
                case "--min-change" when i + 1 < args.Count:
                    if (!double.TryParse(args[++i], NumberStyles.Float, CultureInfo.InvariantCulture, out minChange) || !(minChange >= 0) || double.IsInfinity(minChange))
                    {
                        stderr.WriteLine($"emulator compare: --min-change {args[i]}: give percentage points, a number >= 0, e.g. --min-change 0.5\n{Usage}");
                        return ExitCodes.BadInput;
                    }
                    break;
                case "--min-change":
                    stderr.WriteLine(OptionExamples.MissingValue("compare", args[i], Usage));
                    return ExitCodes.BadInput;
                case var a when a.StartsWith('-') || paths.Count == 2:
                    stderr.WriteLine($"emulator compare: unexpected argument '{a}'\n{Usage}");
                    return ExitCodes.BadInput;
                default: paths.Add(args[i]); break;
            }
        }
        if (paths.Count < 2)
        {
            stderr.WriteLine($"emulator compare: give two validations, e.g. emulator compare out/before/validation.json out/validation/validation.json\n{Usage}");
            return ExitCodes.BadInput;
        }
        ValidationFile before, after;
        try
        {
            before = ValidationComparison.Read(JsonPath(paths[0]));
            after = ValidationComparison.Read(JsonPath(paths[1]));
        }
        catch (FormatException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        var comparison = ValidationComparison.Of(before, after);
        // Two validations with no emulated row in common (say, of two different runs files) leave nothing to set side by side.
        if (comparison.Common.Count == 0 && comparison.SkippedAfter.Count == 0 && comparison.SkippedBefore.Count == 0)
        {
            stderr.WriteLine($"error: {paths[0]} and {paths[1]} have no emulated row id in common, so there is nothing to compare; give two validations of the same runs file (or of overlapping --only selections)");
            return ExitCodes.BadInput;
        }
        Print(comparison, minChange / 100, stdout);
        return ExitCodes.Ok;
    }

    /// <summary>The validation.json a path names: the file itself, or the one in the folder it names.</summary>
    /// <exception cref="FormatException">Neither exists.</exception>
    private static string JsonPath(string path)
    {
        if (File.Exists(path))
        {
            // Another output of the emulator (run's result.json, validate's validation.csv) is named as such, not as JSON without "rows".
            if (EmulatorOutputs.Describe(path) is var (file, what, _) && file != "validation.json")
                throw new FormatException($"{path} is {what}, not a validation; give the validation.json that emulator validate wrote, or its --out folder");
            return path;
        }
        var inside = Path.Combine(path, "validation.json");
        if (Directory.Exists(path))
            return File.Exists(inside) ? inside : throw new FormatException($"{path}: a folder without validation.json; give validate's --out folder or the file");
        throw new FormatException($"{path}: file not found; give a validation.json that emulator validate wrote");
    }

    private static void Print(ValidationComparison c, double minChange, TextWriter stdout)
    {
        // Moved by the emulated value, not by |error|: a row that crosses its published value moves without changing |error|.
        var moved = c.Common.Where(r => Math.Abs(r.Change) >= minChange - 1e-12).ToArray();
        if (moved.Length > 0)
            stdout.WriteLine($"{"id",-24} {"metric",-24} {"before",7}  {"after",7}  |error| change");
        foreach (var r in moved)
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Id,-24} {r.Metric,-24} {SignedPercent.Of(r.Before),7}  {SignedPercent.Of(r.After),7}  {r.AbsChange * 100,6:+0.0;-0.0;0.0} points {Direction(r)}").TrimEnd());
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{c.Common.Count} rows in both; {moved.Length} moved by {minChange * 100:0.####} points or more ({moved.Count(r => Word(r) == "closer")} closer, {moved.Count(r => Word(r) == "further")} further)"));
        // By system as validate groups them (files written before rows recorded their preset have only the "all" lines).
        void Groups(Func<RowChange, string> group)
        {
            foreach (var g in c.Common.GroupBy(r => (Group: group(r), Kind: ValidationSummary.KindOf(r.Metric))))
                stdout.WriteLine($"{ValidationSummary.Label(g.Key.Group, g.Key.Kind, g.Count())}  {Errors(g.ToArray())}");
        }
        if (c.Common.All(r => r.Preset is not null)) Groups(r => r.Preset!);
        Groups(_ => "all");
        // By software stack, where the files record it (validate has since 2026-11-29).
        if (c.Common.Count > 0 && c.Common.All(r => r.Stack is not null))
        {
            stdout.WriteLine("by stack:");
            Groups(r => r.Stack!);
        }
        if (c.MetricChanged.Count > 0) stdout.WriteLine($"warning: preset or metric differs, so these rows may not be the same runs: {string.Join(", ", c.MetricChanged)}");
        if (c.PublishedChanged.Count > 0)
            stdout.WriteLine($"warning: published value differs, so these rows' errors moved with the data, not only the emulation: {string.Join(", ", c.PublishedChanged)}");
        foreach (var s in c.SkippedAfter) stdout.WriteLine($"emulated before, skipped after: {s.Id} ({s.Reason})");
        foreach (var s in c.SkippedBefore) stdout.WriteLine($"skipped before, emulated after: {s.Id} (was: {s.Reason})");
        if (c.OnlyBefore.Count > 0) stdout.WriteLine($"only in before: {Ids(c.OnlyBefore)}");
        if (c.OnlyAfter.Count > 0) stdout.WriteLine($"only in after: {Ids(c.OnlyAfter)}");
    }

    // A validation of a few rows (--only) against a whole file would otherwise print a hundred ids.
    private static string Ids(IReadOnlyList<string> ids) =>
        ids.Count <= 10 ? string.Join(", ", ids) : $"{ids.Count} rows ({string.Join(", ", ids.Take(10))}, ...)";

    // Under 0.05 points the printed change reads 0.0, and an error under 0.05% prints as +0.0%: the words follow the print.
    private const double Printed = 0.0005;

    private static string Word(RowChange r) => r.AbsChange <= -Printed ? "closer" : r.AbsChange >= Printed ? "further" : "";

    private static string Direction(RowChange r)
    {
        var flipped = r.Before * r.After < 0 && Math.Abs(r.Before) >= Printed && Math.Abs(r.After) >= Printed;
        return flipped ? (Word(r) + " (sign flipped)").TrimStart() : Word(r);
    }

    private static string Errors(IReadOnlyCollection<RowChange> rows) => string.Create(CultureInfo.InvariantCulture,
        $"mean |error| {rows.Average(r => Math.Abs(r.Before)),6:0.0%} -> {rows.Average(r => Math.Abs(r.After)),6:0.0%}  max |error| {rows.Max(r => Math.Abs(r.Before)),6:0.0%} -> {rows.Max(r => Math.Abs(r.After)),6:0.0%}");
}
