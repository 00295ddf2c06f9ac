using System.Text.Json;

namespace Emulator.Cli;

/// <summary>Creates a command's output directory before any work, so that a path it cannot write is one clear error, not a lost run.</summary>
public static class OutputDirectory
{
    /// <summary>The scenario file (full path) whose results <paramref name="dir"/> holds, from its run-stats.json; null when it holds
    /// none, or results written before run-stats.json named their file, or a file that cannot be read as one.</summary>
    public static string? ResultsOf(string dir)
    {
        var stats = Path.Combine(dir, "run-stats.json");
        try
        {
            if (!File.Exists(stats)) return null;
            using var doc = JsonDocument.Parse(File.ReadAllBytes(stats));
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("scenario_file", out var file)
                && file.ValueKind == JsonValueKind.String ? file.GetString() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Creates <paramref name="path"/> (and its parents); on failure writes why and what to do to <paramref name="stderr"/> and returns false.
    /// <paramref name="given"/>: the user named it with --out (else it is the command's default under out/).</summary>
    public static bool TryCreate(string path, bool given, TextWriter stderr)
    {
        try
        {
            Directory.CreateDirectory(path);
            // A directory that exists but refuses files fails here rather than after the emulation.
            var probe = Path.Combine(path, $".write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            stderr.WriteLine(given
                ? $"error: --out {path}: cannot write there ({e.Message}); give a directory you can write, or leave --out out for the default under out/"
                : $"error: {path} (the default output folder): cannot write there ({e.Message}); run from a folder you can write, or give --out DIR");
            return false;
        }
    }

    /// <summary>Whether one of <paramref name="outputs"/> is the file <paramref name="input"/> (a command must not write its results over
    /// what it reads); if so writes why and what to do to <paramref name="stderr"/>.</summary>
    public static bool WouldOverwrite(string command, string input, IEnumerable<string> outputs, TextWriter stderr)
    {
        if (outputs.FirstOrDefault(o => SameFile(o, input)) is not { } clash) return false;
        stderr.WriteLine($"error: {input}: {command} would write its output over the runs file itself ({clash}); give another --out, or keep the runs under another name");
        return true;
    }

    /// <summary>Whether one of <paramref name="outputs"/> is a folder, which its file cannot replace; if so writes which and what to do to
    /// <paramref name="stderr"/>. Checked before any work: found only when the file is written, it cost the whole run (and left run's
    /// other files without it) under a message about permissions.</summary>
    public static bool FolderInTheWay(IEnumerable<string> outputs, TextWriter stderr)
    {
        if (outputs.FirstOrDefault(Directory.Exists) is not { } folder) return false;
        stderr.WriteLine($"error: {folder} is a folder where a file of that name is written; move or remove it, or give another --out");
        return true;
    }

    /// <summary>Whether two paths name one file: the same full path once symbolic links along either are followed (a scenario run
    /// through a link, or from a folder reached through one, is still the same file), in any case where file systems ignore it
    /// (macOS, Windows).</summary>
    public static bool SameFile(string a, string b) =>
        string.Equals(Resolved(a), Resolved(b), OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);

    /// <summary>The full path of <paramref name="path"/> with each symbolic link along it replaced by its target, as far as the path exists.</summary>
    private static string Resolved(string path, int depth = 0)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? "";
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            FileSystemInfo? target;
            try { target = new FileInfo(current).ResolveLinkTarget(returnFinalTarget: true); }
            catch (IOException) { target = null; } // a loop of links, or a part that cannot be read: compare the path as written
            catch (UnauthorizedAccessException) { target = null; }
            // The target may itself lie under links (a relative one through a linked folder): resolve it in turn.
            if (target is not null) current = depth < 8 ? Resolved(target.FullName, depth + 1) : target.FullName;
        }
        return current;
    }
}
