namespace Emulator.Scenarios;

/// <summary>The sources of one scenario in priority order; a key's value comes from the highest-ranked source that sets it.</summary>
/// <remarks>Lookup is per leaf rather than through Akka's WithFallback so each value keeps the name of the file that supplied it.</remarks>
internal sealed class LayeredConfig
{
    private readonly List<ConfigLayer> _layers = [];

    /// <summary>Sources from highest to lowest priority.</summary>
    public IReadOnlyList<ConfigLayer> Layers => _layers;

    /// <summary>Adds a source, keeping the list ordered by rank (later additions win ties).</summary>
    public void Add(ConfigLayer layer)
    {
        var at = _layers.FindIndex(l => l.Rank <= layer.Rank);
        _layers.Insert(at < 0 ? _layers.Count : at, layer);
    }

    /// <summary>The winning value of <paramref name="key"/> and its source, or false when no source sets it.</summary>
    public bool TryGet(string key, out RawValue value, out ConfigLayer layer)
    {
        foreach (var l in _layers)
        {
            if (l.Leaves.TryGetValue(key, out var v))
            {
                value = v;
                layer = l;
                return true;
            }
        }
        value = null!;
        layer = null!;
        return false;
    }
}
