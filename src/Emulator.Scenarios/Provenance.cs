namespace Emulator.Scenarios;

/// <summary>Which source supplied each key and how its value was written, so errors can name the right file and quote the input.</summary>
internal sealed class Provenance
{
    private readonly Dictionary<string, (string Label, int Rank, string Text)> _entries = new(StringComparer.Ordinal);

    /// <summary>Creates provenance whose unrecorded keys are attributed to <paramref name="fallbackLabel"/>.</summary>
    public Provenance(string fallbackLabel) => FallbackLabel = fallbackLabel;

    /// <summary>Source named for keys nobody recorded (scenarios built in code).</summary>
    public string FallbackLabel { get; }

    /// <summary>Notes that <paramref name="key"/> came from <paramref name="layer"/>, written as <paramref name="text"/>.</summary>
    public void Record(string key, ConfigLayer layer, string text) => _entries[key] = (layer.Label, layer.Rank, text);

    /// <summary>Notes a derived value: it is blamed on the source of the key it was derived from.</summary>
    public void RecordDerived(string key, string from, string text)
    {
        var (label, rank, _) = _entries.TryGetValue(from, out var e) ? e : (FallbackLabel, 0, "");
        _entries[key] = (label, rank, text);
    }

    /// <summary>Source, priority and written text of <paramref name="key"/>; <paramref name="typedText"/> when it was not recorded.</summary>
    public (string Label, int Rank, string Text) Of(string key, string typedText) =>
        _entries.TryGetValue(key, out var e) ? e : (FallbackLabel, 0, typedText);
}
