namespace Emulator.Scenarios;

/// <summary>Finds the hardware preset file a scenario names.</summary>
/// <remarks>
/// A name is looked up as `../presets/NAME.conf` next to the scenario's folder (the repo layout hocon/scenarios,
/// hocon/presets), then as `hocon/presets/NAME.conf` in every folder above the scenario, above the program and
/// above the working directory, so a scenario kept anywhere still finds the repo's presets. A value ending in
/// .conf is a path relative to the file that names it.
/// </remarks>
internal static class PresetLocator
{
    /// <summary>Full path of the preset <paramref name="hardware"/>, set by <paramref name="setBy"/>; throws listing the available presets when absent.</summary>
    public static string Locate(string hardware, ConfigLayer setBy, string scenarioDirectory)
    {
        if (hardware.EndsWith(".conf", StringComparison.Ordinal))
        {
            var path = Path.GetFullPath(Path.Combine(setBy.Directory, hardware));
            if (File.Exists(path)) return path;
            throw new ScenarioException(
                $"{setBy.Label}: hardware = {hardware}: preset file {path} does not exist; give a path relative to {setBy.Directory}, or a preset name: {Available(scenarioDirectory)}",
                setBy.Label, "hardware");
        }
        if (hardware.Length == 0 || hardware.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw new ScenarioException(
                $"{setBy.Label}: hardware = {hardware}: not a preset name; write a name such as a100-80g-selene (hocon/presets/<name>.conf) or a path ending in .conf",
                setBy.Label, "hardware");

        var candidates = Directories(scenarioDirectory).Select(d => Path.Combine(d, hardware + ".conf")).ToList();
        var found = candidates.FirstOrDefault(File.Exists);
        if (found is not null) return found;
        throw new ScenarioException(
            $"{setBy.Label}: hardware = {hardware}: no preset {hardware}.conf found ({Searched(scenarioDirectory)}); available presets: {Available(scenarioDirectory)}",
            setBy.Label, "hardware");
    }

    /// <summary>Names of the presets that can be found from <paramref name="scenarioDirectory"/>, for error messages.</summary>
    public static string Available(string scenarioDirectory)
    {
        var names = Directories(scenarioDirectory)
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.conf"))
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        return names.Count == 0 ? "none found" : string.Join(", ", names);
    }

    private static string Searched(string scenarioDirectory)
    {
        var existing = Directories(scenarioDirectory).Where(Directory.Exists).ToList();
        return existing.Count == 0
            ? "no presets folder next to the scenario's folder, and no hocon/presets above the scenario, the working directory or the program"
            : "looked in " + string.Join(", ", existing);
    }

    /// <summary>Preset folders to search, first match wins.</summary>
    private static IEnumerable<string> Directories(string scenarioDirectory)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var sibling = Path.GetFullPath(Path.Combine(scenarioDirectory, "..", "presets"));
        if (seen.Add(sibling)) yield return sibling;
        foreach (var start in new[] { scenarioDirectory, AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "hocon", "presets");
                if (seen.Add(candidate)) yield return candidate;
            }
        }
    }
}
