using System.Globalization;

namespace Emulator.Plots;

/// <summary>Reads the scaling CSV of scripts/scaling.sh, checking its header and every field.</summary>
public static class ScalingCsv
{
    /// <summary>The header scripts/scaling.sh writes, in order.</summary>
    public static readonly string[] Columns =
    [
        "cards", "actors", "build_s", "build_peak_rss_mb", "mirrored_wall_s", "mirrored_events", "mirrored_step_s",
        "full_wall_s", "full_events", "full_barriers", "full_peak_rss_mb", "full_step_s", "full_gc_pause_s",
    ];

    /// <summary>Index of the first optional column: the full_* columns may be empty (scaling.sh without --full).</summary>
    private const int FirstOptional = 7;

    /// <summary>Columns drawn on a log axis, which must be above zero.</summary>
    private static readonly HashSet<string> Positive =
        ["cards", "actors", "build_peak_rss_mb", "mirrored_wall_s", "mirrored_events", "full_wall_s", "full_events", "full_peak_rss_mb"];

    /// <summary>Parses <paramref name="path"/>; throws <see cref="CsvFormatException"/> on any malformed line.</summary>
    public static IReadOnlyList<ScalingRow> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) throw new CsvFormatException($"{path}: empty file (expected the header: {string.Join(',', Columns)})");
        var header = lines[0].TrimEnd('\r').Split(',');
        for (var c = 0; c < Columns.Length; c++)
        {
            var found = c < header.Length ? header[c].Trim() : "";
            if (found != Columns[c])
                throw new CsvFormatException($"{path}:1: column {c + 1}: expected '{Columns[c]}', found '{found}' (header must be: {string.Join(',', Columns)})");
        }
        if (header.Length != Columns.Length)
            throw new CsvFormatException($"{path}:1: {header.Length} columns, expected {Columns.Length}");

        var rows = new List<ScalingRow>();
        for (var i = 1; i < lines.Length; i++)
        {
            var text = lines[i].TrimEnd('\r');
            if (text.Trim().Length == 0) continue;
            var line = i + 1;
            var fields = text.Split(',');
            if (fields.Length != Columns.Length)
                throw new CsvFormatException($"{path}:{line}: {fields.Length} fields, expected {Columns.Length}");
            var v = new double?[Columns.Length];
            for (var c = 0; c < Columns.Length; c++) v[c] = Field(path, line, c, fields[c].Trim());
            rows.Add(new ScalingRow(line, v[0]!.Value, v[1]!.Value, v[2]!.Value, v[3]!.Value, v[4]!.Value, v[5]!.Value, v[6]!.Value,
                v[7], v[8], v[9], v[10], v[11], v[12]));
        }
        if (rows.Count == 0) throw new CsvFormatException($"{path}: no data rows after the header");
        return rows;
    }

    /// <summary>One field: a finite non-negative number (positive where plotted), or null where an optional column is empty.</summary>
    private static double? Field(string path, int line, int column, string text)
    {
        var where = $"{path}:{line}: column {column + 1} ({Columns[column]})";
        if (text.Length == 0)
        {
            if (column >= FirstOptional) return null;
            throw new CsvFormatException($"{where}: empty, but only the full_* columns may be");
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw new CsvFormatException($"{where}: '{text}' is not a number");
        if (value < 0) throw new CsvFormatException($"{where}: {text} is negative");
        if (value == 0 && Positive.Contains(Columns[column])) throw new CsvFormatException($"{where}: 0, but it is drawn on a log axis");
        return value;
    }
}
