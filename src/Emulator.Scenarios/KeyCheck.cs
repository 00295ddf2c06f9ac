namespace Emulator.Scenarios;

/// <summary>Refuses keys that are not in <see cref="ScenarioKeys"/>, with the closest known key as a suggestion.</summary>
internal static class KeyCheck
{
    /// <summary>Checks every leaf of <paramref name="layer"/>; a preset (<paramref name="hardwareOnly"/>) may only set card, node and fabric keys, a stack (<paramref name="softwareOnly"/>) only software keys.</summary>
    public static void Check(ConfigLayer layer, bool hardwareOnly, bool softwareOnly = false)
    {
        foreach (var (path, raw) in layer.Leaves)
        {
            var key = ScenarioKeys.Find(path);
            if (key is null)
            {
                if (ScenarioKeys.Sections.Contains(path))
                {
                    var inside = ScenarioKeys.All.Where(k => k.Path.StartsWith(path + ".", StringComparison.Ordinal)).Select(k => k.Path[(path.Length + 1)..]);
                    throw new ScenarioException(
                        $"{layer.Label}: {path} = {raw.Display}: {path} is a section, not a value; write {path} {{ ... }} with keys {string.Join(", ", inside)}",
                        layer.Label, path);
                }
                throw new ScenarioException(
                    $"{layer.Label}: {path} = {raw.Display}: unknown key; did you mean {ScenarioKeys.Closest(path).Path}? (docs/scenario-format.md lists every key)",
                    layer.Label, path);
            }
            if (hardwareOnly && !key.IsHardware)
                throw new ScenarioException(
                    $"{layer.Label}: {path} = {raw.Display}: a hardware preset may only set card, node and fabric keys; move {path} to the scenario",
                    layer.Label, path);
            if (softwareOnly && key.Section != "software")
                throw new ScenarioException(
                    // Only card, node and fabric keys may go to a preset: a training key sent there would be refused in turn.
                    $"{layer.Label}: {path} = {raw.Display}: a software stack file may only set software keys; move {path} to the scenario{(key.IsHardware ? " or the hardware preset" : "")}",
                    layer.Label, path);
        }
    }
}
