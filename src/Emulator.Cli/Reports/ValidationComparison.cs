using System.Text.Json;

namespace Emulator.Cli.Reports;

/// <summary>One emulated row of a validation.json: its id, preset (null in files written before it was recorded), metric and error.</summary>
public sealed record ValidationRow(string Id, string? Preset, string Metric, double Error);

/// <summary>A row in both files, with its error in each.</summary>
public sealed record RowChange(string Id, string? Preset, string Metric, double Before, double After)
{
    /// <summary>|after| − |before|, as a fraction: negative when the row moved closer to its published value.</summary>
    public double AbsChange => Math.Abs(After) - Math.Abs(Before);
}

/// <summary>Two validations of the same rows side by side: which rows moved, and the errors before and after.</summary>
public sealed record ValidationComparison(IReadOnlyList<RowChange> Common, IReadOnlyList<string> OnlyBefore, IReadOnlyList<string> OnlyAfter)
{
    /// <summary>Rows matched by id (as validate compares them: ignoring case), in the after file's order.</summary>
    public static ValidationComparison Of(IReadOnlyList<ValidationRow> before, IReadOnlyList<ValidationRow> after)
    {
        var old = before.ToDictionary(r => r.Id, StringComparer.OrdinalIgnoreCase);
        var now = after.Select(r => r.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new ValidationComparison(
            after.Where(r => old.ContainsKey(r.Id)).Select(r => new RowChange(r.Id, r.Preset ?? old[r.Id].Preset, r.Metric, old[r.Id].Error, r.Error)).ToArray(),
            before.Where(r => !now.Contains(r.Id)).Select(r => r.Id).ToArray(),
            after.Where(r => !old.ContainsKey(r.Id)).Select(r => r.Id).ToArray());
    }

    /// <summary>The emulated rows of a validation.json that `validate` wrote.</summary>
    /// <exception cref="FormatException">The file is not JSON, or not validate's format; the message says which.</exception>
    public static IReadOnlyList<ValidationRow> Read(string path)
    {
        JsonDocument json;
        try { json = JsonDocument.Parse(File.ReadAllBytes(path)); }
        catch (JsonException e) { throw new FormatException($"{path}: not JSON ({e.Message}); give the validation.json that emulator validate wrote"); }
        using (json)
        {
            if (json.RootElement.ValueKind != JsonValueKind.Object || !json.RootElement.TryGetProperty("rows", out var rows) || rows.ValueKind != JsonValueKind.Array)
                throw new FormatException($"{path}: no \"rows\" array; give the validation.json that emulator validate wrote");
            var list = new List<ValidationRow>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var row in rows.EnumerateArray())
            {
                var id = Text(row, "id", path, list.Count);
                if (!seen.Add(id)) throw new FormatException($"{path}: row id '{id}' appears twice");
                var preset = row.TryGetProperty("preset", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
                if (!row.TryGetProperty("error", out var e) || e.ValueKind != JsonValueKind.Number)
                    throw new FormatException($"{path}: row '{id}' has no numeric \"error\"");
                list.Add(new ValidationRow(id, preset, Text(row, "metric", path, list.Count), e.GetDouble()));
            }
            return list;
        }
    }

    private static string Text(JsonElement row, string name, string path, int index) =>
        row.ValueKind == JsonValueKind.Object && row.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new FormatException($"{path}: row {index + 1} has no \"{name}\" text");
}
