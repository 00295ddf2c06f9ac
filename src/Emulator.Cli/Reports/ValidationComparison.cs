using System.Text.Json;

namespace Emulator.Cli.Reports;

/// <summary>One emulated row of a validation.json: its id, preset and stack (null in files written before they were recorded),
/// metric and error.</summary>
public sealed record ValidationRow(string Id, string? Preset, string Metric, double Error)
{
    /// <summary>The row's software stack, null in files written before it was recorded.</summary>
    public string? Stack { get; init; }

    /// <summary>The published value the error was taken against, null when the file does not give it.</summary>
    public double? Published { get; init; }
}

/// <summary>What a validation.json holds for comparison: its emulated rows, and the ids of skipped rows with their reasons.</summary>
public sealed record ValidationFile(IReadOnlyList<ValidationRow> Rows, IReadOnlyDictionary<string, string> Skipped);

/// <summary>A row in both files, with its error in each.</summary>
public sealed record RowChange(string Id, string? Preset, string Metric, double Before, double After)
{
    /// <summary>The row's software stack, null when neither file recorded it.</summary>
    public string? Stack { get; init; }

    /// <summary>|after| − |before|, as a fraction: negative when the row moved closer to its published value.</summary>
    public double AbsChange => Math.Abs(After) - Math.Abs(Before);

    /// <summary>after − before, as a fraction: how far the emulated value moved, which |error| hides when the sign flips.</summary>
    public double Change => After - Before;
}

/// <summary>A row emulated in one file and skipped in the other, with the reason it was skipped.</summary>
public sealed record SkippedRow(string Id, string Reason);

/// <summary>Two validations of the same rows side by side: which rows moved, and the errors before and after.</summary>
public sealed record ValidationComparison(
    IReadOnlyList<RowChange> Common, IReadOnlyList<string> OnlyBefore, IReadOnlyList<string> OnlyAfter,
    IReadOnlyList<SkippedRow> SkippedAfter, IReadOnlyList<SkippedRow> SkippedBefore, IReadOnlyList<string> MetricChanged)
{
    /// <summary>Rows matched by id (as validate compares them: ignoring case), in the after file's order.</summary>
    public static ValidationComparison Of(ValidationFile before, ValidationFile after)
    {
        var old = before.Rows.ToDictionary(r => r.Id, StringComparer.OrdinalIgnoreCase);
        var now = after.Rows.ToDictionary(r => r.Id, StringComparer.OrdinalIgnoreCase);
        var common = after.Rows.Where(r => old.ContainsKey(r.Id)).ToArray();
        return new ValidationComparison(
            common.Select(r => new RowChange(r.Id, r.Preset ?? old[r.Id].Preset, r.Metric, old[r.Id].Error, r.Error) { Stack = r.Stack ?? old[r.Id].Stack }).ToArray(),
            OnlyIn(before, now, after.Skipped),
            OnlyIn(after, old, before.Skipped),
            before.Rows.Where(r => after.Skipped.ContainsKey(r.Id)).Select(r => new SkippedRow(r.Id, after.Skipped[r.Id])).ToArray(),
            after.Rows.Where(r => before.Skipped.ContainsKey(r.Id)).Select(r => new SkippedRow(r.Id, before.Skipped[r.Id])).ToArray(),
            common.Where(r => !string.Equals(r.Metric, old[r.Id].Metric, StringComparison.Ordinal) || r.Preset is not null && old[r.Id].Preset is not null && r.Preset != old[r.Id].Preset)
                .Select(r => $"{r.Id} ({Describe(old[r.Id])} -> {Describe(r)})").ToArray())
        {
            // The error is taken against the published value: where that differs (two runs files, or a value corrected between the
            // validations), the error moved with the data, not only with the emulation.
            PublishedChanged = common.Where(r => r.Published is { } a && old[r.Id].Published is { } b && a != b)
                .Select(r => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{r.Id} ({old[r.Id].Published:G6} -> {r.Published:G6})")).ToArray(),
        };
    }

    /// <summary>Rows in both files whose published value differs, with the two values.</summary>
    public IReadOnlyList<string> PublishedChanged { get; init; } = [];

    /// <summary>The ids of <paramref name="file"/> the other file neither emulated (<paramref name="rows"/>) nor skipped: its emulated rows, then
    /// its skipped ones marked so (a row added to the runs file that could not be emulated is news too).</summary>
    private static string[] OnlyIn(ValidationFile file, Dictionary<string, ValidationRow> rows, IReadOnlyDictionary<string, string> skipped) =>
        [.. file.Rows.Where(r => !rows.ContainsKey(r.Id) && !skipped.ContainsKey(r.Id)).Select(r => r.Id),
            .. file.Skipped.Keys.Where(id => !rows.ContainsKey(id) && !skipped.ContainsKey(id)).Select(id => $"{id} (skipped)")];

    private static string Describe(ValidationRow r) => r.Preset is null ? r.Metric : $"{r.Preset} {r.Metric}";

    /// <summary>The emulated and skipped rows of a validation.json that `validate` wrote.</summary>
    /// <exception cref="FormatException">The file is not JSON, or not validate's format; the message says which.</exception>
    public static ValidationFile Read(string path)
    {
        JsonDocument json;
        // Read as text so that a byte-order mark, which editors on some systems add, is not taken for bad JSON.
        try { json = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new FormatException($"{path}: not JSON ({e.Message}); give the validation.json that emulator validate wrote"); }
        using (json)
        {
            if (json.RootElement.ValueKind != JsonValueKind.Object || !json.RootElement.TryGetProperty("rows", out var rows) || rows.ValueKind != JsonValueKind.Array)
                throw new FormatException($"{path}: no \"rows\" array; give the validation.json that emulator validate wrote");
            var list = new List<ValidationRow>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var row in rows.EnumerateArray())
            {
                var id = Text(row, "id", path, "row", list.Count);
                if (!seen.Add(id)) throw new FormatException($"{path}: row id '{id}' appears twice");
                var preset = row.TryGetProperty("preset", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
                var stack = row.TryGetProperty("stack", out var st) && st.ValueKind == JsonValueKind.String ? st.GetString() : null;
                if (!row.TryGetProperty("error", out var e) || e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out var error) || !double.IsFinite(error))
                    throw new FormatException($"{path}: row '{id}' has no finite numeric \"error\"");
                double? published = row.TryGetProperty("published", out var pv) && pv.ValueKind == JsonValueKind.Number && pv.TryGetDouble(out var pd) ? pd : null;
                list.Add(new ValidationRow(id, preset, Text(row, "metric", path, "row", list.Count), error) { Stack = stack, Published = published });
            }
            var skipped = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            // Files written before skipped rows were recorded have no "skipped": nothing was skipped as far as they say.
            if (json.RootElement.TryGetProperty("skipped", out var skips) && skips.ValueKind != JsonValueKind.Array)
                throw new FormatException($"{path}: \"skipped\" is not a list; give the validation.json that emulator validate wrote");
            if (skips.ValueKind == JsonValueKind.Array)
                foreach (var skip in skips.EnumerateArray())
                {
                    var id = Text(skip, "id", path, "skipped row", skipped.Count);
                    // One line per row in compare's output, whatever the reason holds.
                    var reason = Text(skip, "reason", path, "skipped row", skipped.Count).ReplaceLineEndings(" ");
                    // validate emulates the first row of an id and skips a later one under the same id: the emulated one counts.
                    if (!seen.Contains(id)) skipped.TryAdd(id, reason);
                }
            return new ValidationFile(list, skipped);
        }
    }

    private static string Text(JsonElement row, string name, string path, string what, int index) =>
        row.ValueKind == JsonValueKind.Object && row.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new FormatException($"{path}: {what} {index + 1} has no \"{name}\" text");
}
