namespace Emulator.Scenarios.Published;

/// <summary>Reads published-runs.csv: a header line, then one run per line; no field contains a comma except the free-text last column.</summary>
public static class PublishedRunsCsv
{
    /// <summary>Rows of <paramref name="path"/> in file order, and the lines that are not rows (by id, or line number when there is no id) with the reason.</summary>
    /// <exception cref="ScenarioException">The file is empty or its header lacks a required column.</exception>
    public static (IReadOnlyList<PublishedRun> Rows, IReadOnlyList<(string Id, string Reason)> Malformed) Read(string path)
    {
        var lines = File.ReadAllLines(path);
        var first = Array.FindIndex(lines, l => l.Trim().Length > 0);
        if (first < 0) throw new ScenarioException($"{path}: empty file; expected a header line with the columns of data/README.md", path);
        var header = lines[first].Split(',').Select(h => h.Trim()).ToArray();
        var missing = PublishedRun.RequiredColumns.Except(header).ToArray();
        if (missing.Length > 0) throw new ScenarioException($"{path}: missing column(s) {string.Join(", ", missing)}; the columns are documented in data/README.md", path);
        var rows = new List<PublishedRun>();
        var malformed = new List<(string, string)>();
        // Case-insensitive: ids name files, and two ids differing only in case would share one on macOS and Windows.
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = first + 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            // The last column (notes) may contain commas: everything after the second-to-last separator belongs to it.
            var fields = lines[i].Split(',', header.Length);
            var id = fields[0].Trim().Length > 0 ? fields[0].Trim() : $"line {i + 1}";
            if (fields.Length < header.Length)
            {
                malformed.Add((id, $"{path}:{i + 1}: {fields.Length} fields, expected {header.Length} ({string.Join(",", header)})"));
                continue;
            }
            // The id names the row's scenario and result files (validate --out), so it must be a plain, unique file name.
            if (fields[0].Trim().Length == 0)
            {
                malformed.Add((id, $"{path}:{i + 1}: the row has no id; give it one (letters, digits, '.', '-' and '_')"));
                continue;
            }
            if (!id.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-' or '_'))
            {
                malformed.Add((id, $"{path}:{i + 1}: id '{id}' may hold only letters, digits, '.', '-' and '_' (it names the row's files)"));
                continue;
            }
            if (!seen.TryAdd(id, i + 1))
            {
                malformed.Add((id, $"{path}:{i + 1}: id '{id}' is already used on line {seen[id]} (ids are compared ignoring case); give each row its own id"));
                continue;
            }
            rows.Add(new PublishedRun(header.Zip(fields).ToDictionary(p => p.First, p => p.Second.Trim())));
        }
        return (rows, malformed);
    }
}
