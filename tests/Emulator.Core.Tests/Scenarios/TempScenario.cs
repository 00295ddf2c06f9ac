namespace Emulator.Core.Tests.Scenarios;

/// <summary>A scenario file in a private temp folder (ROOT/scenarios/NAME.conf), deleted on dispose.</summary>
/// <remarks>The folder has no presets of its own, so named presets resolve to the repo's hocon/presets (found from the test binaries).</remarks>
internal sealed class TempScenario : IDisposable
{
    /// <summary>A valid one-node scenario (selene-tiny's shape) as flat `key = value` lines.</summary>
    public static IReadOnlyList<(string Key, string Value)> Valid { get; } =
    [
        ("name", "tiny"),
        ("hardware", "a100-80g-selene"),
        ("cluster.cards", "8"),
        ("model.layers", "4"),
        ("model.hidden", "512"),
        ("model.heads", "8"),
        ("model.ffn-hidden", "2048"),
        ("model.vocab", "1024"),
        ("model.seq-len", "256"),
        ("parallel.tp", "2"),
        ("parallel.pp", "2"),
        ("parallel.dp", "2"),
        ("parallel.micro-batch", "1"),
        ("parallel.global-batch", "16"),
    ];

    private TempScenario(string text, string fileName)
    {
        Root = Path.Combine(Path.GetTempPath(), "emulator-scenario-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(Root, "scenarios"));
        FilePath = Path.Combine(Root, "scenarios", fileName);
        File.WriteAllText(FilePath, text);
    }

    /// <summary>The private temp folder.</summary>
    public string Root { get; }

    /// <summary>The scenario file.</summary>
    public string FilePath { get; }

    /// <summary>A scenario with exactly <paramref name="text"/>.</summary>
    public static TempScenario FromText(string text, string fileName = "x.conf") => new(text, fileName);

    /// <summary>The valid scenario with some keys changed (value null = removed) or added.</summary>
    public static TempScenario With(params (string Key, string? Value)[] changes)
    {
        var lines = new List<(string Key, string? Value)>(Valid.Select(kv => (kv.Key, (string?)kv.Value)));
        foreach (var (key, value) in changes)
        {
            var at = lines.FindIndex(l => l.Key == key);
            if (at >= 0) lines[at] = (key, value);
            else lines.Add((key, value));
        }
        return new(string.Join("\n", lines.Where(l => l.Value is not null).Select(l => $"{l.Key} = {l.Value}")) + "\n", "x.conf");
    }

    /// <summary>Writes ROOT/presets/<paramref name="name"/>.conf (the `../presets` folder next to the scenario's).</summary>
    public string WritePreset(string name, string text)
    {
        var dir = Path.Combine(Root, "presets");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name + ".conf");
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { /* a leftover temp folder is harmless */ }
    }
}
