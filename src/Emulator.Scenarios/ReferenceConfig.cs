namespace Emulator.Scenarios;

/// <summary>The built-in defaults (embedded reference.conf), the last fallback under every scenario.</summary>
internal static class ReferenceConfig
{
    /// <summary>How messages name the defaults.</summary>
    public const string Label = "reference.conf (built-in defaults)";

    private static readonly Lazy<(string Text, Dictionary<string, RawValue> Leaves)> Loaded = new(() =>
    {
        var text = Text();
        return (text, HoconFile.Parse(text, Label));
    });

    /// <summary>The text of reference.conf.</summary>
    public static string Text()
    {
        using var stream = typeof(ReferenceConfig).Assembly.GetManifestResourceStream("Emulator.Scenarios.reference.conf")
            ?? throw new InvalidOperationException("reference.conf is not embedded in Emulator.Scenarios");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The defaults as a layer of rank 0.</summary>
    public static ConfigLayer Layer() => new(Label, 0, Loaded.Value.Leaves, AppContext.BaseDirectory);

    /// <summary>Each default as written, by key.</summary>
    public static Dictionary<string, string> Defaults() => Loaded.Value.Leaves.ToDictionary(kv => kv.Key, kv => kv.Value.Display);
}
