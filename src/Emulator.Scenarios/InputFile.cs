namespace Emulator.Scenarios;

/// <summary>Why a path given on the command line cannot be read as an input file, in one line that says what to give instead.</summary>
public static class InputFile
{
    /// <summary>Null when <paramref name="path"/> is a readable file; otherwise "PATH: ..." naming the problem and an example of a
    /// <paramref name="kind"/> file (<paramref name="example"/>).</summary>
    public static string? Problem(string path, string kind, string example)
    {
        if (File.Exists(path)) return Unreadable(path);
        if (Directory.Exists(path))
            return $"{path}: is a directory, not a {kind} file; name the file, e.g. {example}";
        return $"{path}: {kind} file not found (looked for {Path.GetFullPath(path)})";
    }

    /// <summary>Null when the existing file at <paramref name="path"/> opens for reading; otherwise why not.</summary>
    private static string? Unreadable(string path)
    {
        try
        {
            using var _ = File.OpenRead(path);
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return $"{path}: cannot read it (permission denied); make it readable (chmod a+r {path}) or copy it somewhere you can read";
        }
        catch (IOException e)
        {
            return $"{path}: cannot read it ({e.Message})";
        }
    }
}
