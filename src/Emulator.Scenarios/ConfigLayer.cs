namespace Emulator.Scenarios;

/// <summary>One source of keys (an override, the scenario, the preset or the defaults) with its leaves flattened to full paths.</summary>
/// <param name="Label">How messages name the source: a file path as the user would write it, or `--set key=value`.</param>
/// <param name="Rank">Priority; a higher rank wins (overrides > scenario > preset > defaults).</param>
/// <param name="Leaves">Every leaf value by full path (`parallel.tp`).</param>
/// <param name="Directory">Directory that relative paths in this source are resolved against.</param>
internal sealed record ConfigLayer(string Label, int Rank, IReadOnlyDictionary<string, RawValue> Leaves, string Directory);
