namespace Emulator.Tests;

/// <summary>Paths inside the repository, found by walking up from the test binaries to the folder holding Emulator.sln.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Emulator.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Emulator.sln above {AppContext.BaseDirectory}");
    });

    /// <summary>The repository root.</summary>
    public static string Root => RootPath.Value;

    /// <summary>hocon/scenarios/<paramref name="name"/>.conf.</summary>
    public static string Scenario(string name) => Path.Combine(Root, "hocon", "scenarios", name + ".conf");

    /// <summary>hocon/presets/<paramref name="name"/>.conf.</summary>
    public static string Preset(string name) => Path.Combine(Root, "hocon", "presets", name + ".conf");

    /// <summary>A fresh empty temporary folder.</summary>
    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "emulator-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
