namespace Emulator.Cli;

/// <summary>Creates a command's output directory before any work, so that a path it cannot write is one clear error, not a lost run.</summary>
public static class OutputDirectory
{
    /// <summary>Creates <paramref name="path"/> (and its parents); on failure writes why and what to do to <paramref name="stderr"/> and returns false.</summary>
    public static bool TryCreate(string path, TextWriter stderr)
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
            stderr.WriteLine($"error: --out {path}: cannot write there ({e.Message}); give a directory you can write, or leave --out out for the default under out/");
            return false;
        }
    }
}
