namespace Emulator.Scenarios.Published;

/// <summary>Reads published-runs.csv: a header line, then one run per line. A field may be quoted (RFC 4180: commas and line breaks
/// inside, "" for a quote); the free-text last column may also hold unquoted commas.</summary>
public static class PublishedRunsCsv
{
    /// <summary>Rows of <paramref name="path"/> in file order, and the lines that are not rows (by id, or line number when there is no id) with the reason.</summary>
    /// <exception cref="ScenarioException">The file is empty or its header lacks a required column.</exception>
    public static (IReadOnlyList<PublishedRun> Rows, IReadOnlyList<(string Id, string Reason)> Malformed) Read(string path)
    {
        var (rows, malformed) = ReadWithStacks(path);
        return (rows, malformed.Select(m => (m.Id, m.Reason)).ToArray());
    }

    /// <summary><see cref="Read"/>, each line that is not a row also giving its stack column as written (lower case), or null when the
    /// line does not reach that column: a calibration must know whether a broken line is one of its stack's.</summary>
    /// <exception cref="ScenarioException">The file is empty or its header lacks a required column.</exception>
    public static (IReadOnlyList<PublishedRun> Rows, IReadOnlyList<(string Id, string Reason, string? Stack)> Malformed) ReadWithStacks(string path)
    {
        var lines = File.ReadAllLines(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        var first = Array.FindIndex(lines, l => l.Trim().Length > 0);
        if (first < 0) throw new ScenarioException($"{path}: empty file; expected a header line with the columns of data/README.md", path);
        var header = SplitFields(lines[first]).Select(h => h.Trim()).ToArray();
        var firstLine = lines[first].TrimStart();
        if (firstLine.StartsWith('#') || firstLine.StartsWith("//", StringComparison.Ordinal))
            throw new ScenarioException($"{path}: line {first + 1} is a comment; a runs CSV starts with its header line (columns in data/README.md) and has no comment lines (a scenario, HOCON, is emulated with emulator run)", path);
        if (header.Length == 1 && (firstLine.Contains(';') || firstLine.Contains('\t')))
            throw new ScenarioException($"{path}: the header's columns are separated by {(firstLine.Contains(';') ? "semicolons" : "tabs")}; a runs CSV separates them with commas (export as comma-separated)", path);
        if (header.Length == 1 && (firstLine.Contains('=') || firstLine.Contains('{')))
            throw new ScenarioException($"{path}: looks like a scenario (HOCON), not a runs CSV; emulate it with emulator run {path}", path);
        var known = PublishedRun.RequiredColumns.Concat(PublishedRun.OptionalColumns).ToArray();
        var missing = PublishedRun.RequiredColumns.Except(header).ToArray();
        if (missing.Length > 0)
        {
            // A renamed column shows as one missing and one unknown: name both, so the misspelling is found at once.
            var strays = header.Where(h => h.Length > 0 && !known.Contains(h)).Take(3).Select(h => $"'{h}'").ToArray();
            var stray = strays.Length == 0 ? "" : $" (the header has {string.Join(", ", strays)}, not a column: misspelt?)";
            throw new ScenarioException($"{path}: missing column(s) {string.Join(", ", missing)}{stray}; the columns are documented in data/README.md", path);
        }
        // A spreadsheet's export may end the header with a comma (an empty column): "unknown column ''" would not say where.
        if (Array.IndexOf(header, "") is var unnamed and >= 0)
            throw new ScenarioException($"{path}: column {unnamed + 1} of the header has no name{(unnamed == header.Length - 1 ? " (the header ends with a comma)" : "")}; "
                + "remove it, or name it (data/README.md lists the columns)", path);
        if (header.GroupBy(h => h).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ScenarioException($"{path}: column '{twice.Key}' appears {twice.Count()} times in the header; keep one", path);
        // A misspelt column would otherwise be ignored and the row run without what it says.
        if (header.FirstOrDefault(h => !known.Contains(h)) is { } unknown)
            throw new ScenarioException($"{path}: unknown column '{unknown}'; did you mean {known.MinBy(k => EditDistance.Between(unknown, k))}? "
                + "(data/README.md lists the columns; put remarks in notes)", path);
        // Columns may come in any order (the header names them): the id and the notes are found by name, not by place.
        var idColumn = Array.IndexOf(header, "id");
        var notesColumn = Array.IndexOf(header, "notes");
        var stackColumn = Array.IndexOf(header, "stack");
        var publishedColumn = Array.IndexOf(header, "published");
        var rows = new List<PublishedRun>();
        var malformed = new List<(string, string, string?)>();
        // Case-insensitive: ids name files, and two ids differing only in case would share one on macOS and Windows.
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = first + 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            var fields = SplitFields(lines[i], out var unclosed);
            // A quoted field may hold line breaks (RFC 4180; a spreadsheet writes a note of several lines so): the record then runs on
            // to the line that closes the quote. Taken only when that makes a whole row, so that a quote left open by mistake still
            // costs its own line alone, not the rows after it.
            var last = i;
            if (unclosed && JoinedRecord(lines, i, header.Length) is { } record)
                (fields, unclosed, last) = (record.Fields, false, record.Last);
            // The record is named by the line it starts on; the loop goes on after the line it ends on.
            var line = i + 1;
            i = last;
            // A spreadsheet exports its empty rows as commas alone: no row, like a blank line.
            if (!unclosed && fields.All(f => f.Trim().Length == 0)) continue;
            // The free-text notes may contain unquoted commas: every field past the header's count belongs to them, wherever the
            // column stands (the other columns hold no commas unquoted). Without a notes column an extra field is an error below.
            var extra = fields.Count - header.Length;
            // A comma in a field before the published value moved it on: it then stands up to `extra` places later (the notes may hold
            // commas of their own), where the notes took it.
            var moved = extra > 0 && notesColumn > publishedColumn && !IsNumber(fields[publishedColumn])
                && Enumerable.Range(1, extra).Any(k => IsNumber(fields[publishedColumn + k]));
            if (extra > 0 && notesColumn >= 0)
                fields = [.. fields.Take(notesColumn), string.Join(",", fields.Skip(notesColumn).Take(extra + 1)), .. fields.Skip(notesColumn + extra + 1)];
            var id = idColumn < fields.Count && fields[idColumn].Trim().Length > 0 ? fields[idColumn].Trim() : $"line {line}";
            var stack = stackColumn < fields.Count ? fields[stackColumn].Trim().ToLowerInvariant() : null;
            // A line that is not a row: named by its id (or line number), with where it stands and why.
            void Reject(string reason) => malformed.Add((id, $"{path}:{line}: {reason}", stack));
            // A field that opens with a quote and never closes it runs to the end of the line, swallowing the columns after it.
            if (unclosed)
            {
                Reject("a quoted field is not closed on this line; end it with \" (a quote inside a quoted field is written \"\")");
                continue;
            }
            if (fields.Count != header.Length)
            {
                var hint = fields.Count > header.Length ? "; a field holding a comma must be quoted (\"a, b\"), or the file needs a notes column for free text" : "";
                Reject($"{fields.Count} fields, expected {header.Length} ({string.Join(",", header)}){hint}");
                continue;
            }
            // The id names the row's scenario and result files (validate --out), so it must be a plain, unique file name.
            if (fields[idColumn].Trim().Length == 0)
            {
                Reject("the row has no id; give it one (letters, digits, '.', '-' and '_')");
                continue;
            }
            if (!id.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-' or '_'))
            {
                Reject($"id '{id}' may hold only letters, digits, '.', '-' and '_' (it names the row's files)");
                continue;
            }
            // '.' and '..' name no file of their own (their files were hidden, and `emulator run` refuses them as a scenario's name).
            if (!char.IsAsciiLetterOrDigit(id[0]))
            {
                Reject($"id '{id}' must start with a letter or a digit (it names the row's files)");
                continue;
            }
            if (!seen.TryAdd(id, line))
            {
                Reject($"id '{id}' is already used on line {seen[id]} (ids are compared ignoring case); give each row its own id");
                continue;
            }
            rows.Add(new PublishedRun(header.Zip(fields).ToDictionary(p => p.First, p => p.Second.Trim())) { SourceDirectory = directory, ExtraFields = moved ? extra : 0 });
        }
        return (rows, malformed);
    }

    /// <summary>The record that starts on line <paramref name="first"/> with a quoted field left open, joined with the lines after it up to
    /// the one that closes it, when it then has exactly <paramref name="columns"/> fields; null when no line closes it or the joined record
    /// has another count of fields (a stray quote, not a field of several lines).</summary>
    private static (List<string> Fields, int Last)? JoinedRecord(string[] lines, int first, int columns)
    {
        var record = new System.Text.StringBuilder(lines[first]);
        // A cell of a few lines is a note; a stray quote would otherwise be re-read against every line after it.
        for (var j = first + 1; j < Math.Min(lines.Length, first + 1 + MaxLinesInACell); j++)
        {
            record.Append('\n').Append(lines[j]);
            // A line without a quote cannot close the field.
            if (!lines[j].Contains('"')) continue;
            var fields = SplitFields(record.ToString(), out var unclosed);
            if (unclosed) continue;
            return fields.Count == columns ? (fields, j) : null;
        }
        return null;
    }

    /// <summary>The most lines a quoted cell may run over (a note of a few paragraphs); past it an open quote is a stray one.</summary>
    private const int MaxLinesInACell = 64;

    private static bool IsNumber(string field) =>
        double.TryParse(field, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);

    /// <summary>The fields of one CSV line: separated by commas, a field that starts with a quote runs to its closing quote ("" inside
    /// is one quote) and may hold commas; an unclosed quote runs to the end of the line.</summary>
    public static List<string> SplitFields(string line) => SplitFields(line, out _);

    /// <summary><see cref="SplitFields(string)"/>, and whether a quoted field ran to the end of the line unclosed. A quote inside a
    /// field that does not start with one is a plain character (a notes field may say 12" or "a" b" unquoted).</summary>
    internal static List<string> SplitFields(string line, out bool unclosed)
    {
        unclosed = false;
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var i = 0;
        while (true)
        {
            field.Clear();
            while (i < line.Length && line[i] is ' ' or '\t') field.Append(line[i++]);
            if (i < line.Length && line[i] == '"')
            {
                field.Clear();
                unclosed = true;
                for (i++; i < line.Length; i++)
                {
                    if (line[i] != '"') field.Append(line[i]);
                    else if (i + 1 < line.Length && line[i + 1] == '"') field.Append(line[++i]);
                    else { i++; unclosed = false; break; }
                }
            }
            while (i < line.Length && line[i] != ',') field.Append(line[i++]);
            fields.Add(field.ToString());
            if (i >= line.Length) return fields;
            i++;
        }
    }
}
