namespace Emulator.Scenarios.Published;

/// <summary>Reads published-runs.csv: a header line, then one run per line; no field contains a comma except the free-text last column.</summary>
public static class PublishedRunsCsv
{
    /// <summary>Rows of <paramref name="path"/> in file order.</summary>
    public static IReadOnlyList<PublishedRun> Read(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToArray();
        if (lines.Length == 0) throw new ScenarioException($"{path}: empty file; expected a header line with the columns of data/README.md", path);
        var header = lines[0].Split(',');
        var missing = PublishedRun.RequiredColumns.Except(header).ToArray();
        if (missing.Length > 0) throw new ScenarioException($"{path}: missing column(s) {string.Join(", ", missing)}", path);
        var rows = new List<PublishedRun>();
        for (var i = 1; i < lines.Length; i++)
        {
            // The last column (notes) may contain commas: everything after the second-to-last separator belongs to it.
            var fields = lines[i].Split(',', header.Length);
            if (fields.Length < header.Length)
                throw new ScenarioException($"{path}:{i + 1}: {fields.Length} fields, expected {header.Length}", path);
            rows.Add(new PublishedRun(header.Zip(fields).ToDictionary(p => p.First, p => p.Second.Trim())));
        }
        return rows;
    }
}
