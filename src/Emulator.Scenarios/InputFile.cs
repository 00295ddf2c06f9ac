namespace Emulator.Scenarios;

/// <summary>Why a path given on the command line cannot be read as an input file, in one line that says what to give instead.</summary>
public static class InputFile
{
    /// <summary>Null when <paramref name="path"/> is a readable file; otherwise "PATH: ..." naming the problem and an example of a
    /// <paramref name="kind"/> file (<paramref name="example"/>).</summary>
    public static string? Problem(string path, string kind, string example)
    {
        if (File.Exists(path)) return null;
        if (Directory.Exists(path))
            return $"{path}: is a directory, not a {kind} file; name the file, e.g. {example}";
        return $"{path}: {kind} file not found (looked for {Path.GetFullPath(path)})";
    }
}
