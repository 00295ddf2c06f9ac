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

    /// <summary>The first of <paramref name="outputs"/> that is the file <paramref name="input"/> (the same full path), or null: a command
    /// must not write its results over what it reads.</summary>
    public static string? WouldOverwrite(string input, IEnumerable<string> outputs)
    {
        var full = Path.GetFullPath(input);
        // Case-insensitive file systems (macOS, Windows) name one file in any case.
        var comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        return outputs.FirstOrDefault(o => string.Equals(Path.GetFullPath(o), full, comparison));
    }
}
