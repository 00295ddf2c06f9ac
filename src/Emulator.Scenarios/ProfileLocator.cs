namespace Emulator.Scenarios;

/// <summary>Finds the profile file a scenario names: a hardware preset (`hardware = NAME`) or a software stack (`software.stack = NAME`).</summary>
/// <remarks>
/// A name is looked up as `../FOLDER/NAME.conf` next to the scenario's folder (the repo layout hocon/scenarios,
/// hocon/presets, hocon/stacks), then as `hocon/FOLDER/NAME.conf` in every folder above the scenario, above the program
/// and above the working directory, so a scenario kept anywhere still finds the repo's profiles. A scenario generated
/// from another file (validate's rows, from a runs CSV) is looked up from that file's folder first, the same way, so
/// where the rows are written does not change which profile they get. A value ending in
/// .conf is a path relative to the file that names it.
/// </remarks>
internal sealed class ProfileLocator
{
    /// <summary>Hardware presets: hocon/presets/NAME.conf.</summary>
    public static readonly ProfileLocator Presets = new("hardware", "presets", "preset", "a100-80g-selene");

    /// <summary>Software stack calibrations: hocon/stacks/NAME.conf.</summary>
    public static readonly ProfileLocator Stacks = new("software.stack", "stacks", "stack", "megatron-lm-2021");

    private readonly string _key, _folder, _what, _example;

    private ProfileLocator(string key, string folder, string what, string example) => (_key, _folder, _what, _example) = (key, folder, what, example);

    /// <summary>Full path of the profile <paramref name="name"/>, set by <paramref name="setBy"/>; throws listing the available ones when absent.
    /// <paramref name="shownKey"/> names where the name was written when that is not the profile's own key (an item of a list).</summary>
    public string Locate(string name, ConfigLayer setBy, string scenarioDirectory, string? madeFrom = null, string? shownKey = null)
    {
        var key = shownKey ?? _key;
        if (name.EndsWith(".conf", StringComparison.Ordinal))
        {
            var path = Path.GetFullPath(Path.Combine(setBy.Directory, name));
            if (File.Exists(path)) return path;
            throw new ScenarioException(
                $"{setBy.Label}: {key} = {name}: {_what} file {path} does not exist; give a path relative to {setBy.Directory}, or a {_what} name: {Available(scenarioDirectory, madeFrom)}",
                setBy.Label, key);
        }
        if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw new ScenarioException(
                $"{setBy.Label}: {key} = {name}: not a {_what} name; write a name such as {_example} (hocon/{_folder}/<name>.conf) or a path ending in .conf",
                setBy.Label, key);

        if (Find(name, scenarioDirectory, madeFrom) is { } found) return found;
        throw new ScenarioException(
            $"{setBy.Label}: {key} = {name}: no {_what} {name}.conf found ({Searched(scenarioDirectory, madeFrom)}); available {_what}s: {Available(scenarioDirectory, madeFrom)}",
            setBy.Label, key);
    }

    /// <summary>Full path of the profile file the name <paramref name="name"/> finds from a scenario in <paramref name="scenarioDirectory"/>
    /// (made from a file in <paramref name="madeFrom"/> if given), as <see cref="Locate"/> finds it; null when none is found.</summary>
    public string? Find(string name, string scenarioDirectory, string? madeFrom = null) =>
        Directories(scenarioDirectory, madeFrom).Select(d => Path.Combine(d, name + ".conf")).FirstOrDefault(File.Exists);

    /// <summary>Names of the profiles that can be found as <see cref="Locate"/> finds them, in order.</summary>
    public IReadOnlyList<string> Names(string scenarioDirectory, string? madeFrom = null) =>
        Directories(scenarioDirectory, madeFrom)
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.conf"))
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary><see cref="Names"/> as text for error messages.</summary>
    private string Available(string scenarioDirectory, string? madeFrom = null) =>
        Names(scenarioDirectory, madeFrom) is { Count: > 0 } names ? string.Join(", ", names) : "none found";

    private string Searched(string scenarioDirectory, string? madeFrom)
    {
        var existing = Directories(scenarioDirectory, madeFrom).Where(Directory.Exists).ToList();
        return existing.Count == 0
            ? $"no {_folder} folder next to the scenario's folder, and no hocon/{_folder} above the scenario{(madeFrom is null ? "" : " or " + madeFrom)}, the working directory or the program"
            : "looked in " + string.Join(", ", existing);
    }

    /// <summary>Profile folders to search, first match wins: from the file the scenario was made from, if any, then from the
    /// scenario (each: the sibling folder, then hocon/FOLDER above it), then above the program and the working directory.</summary>
    private IEnumerable<string> Directories(string scenarioDirectory, string? madeFrom)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var origin in new[] { madeFrom, scenarioDirectory }.OfType<string>())
        {
            var sibling = Path.GetFullPath(Path.Combine(origin, "..", _folder));
            if (seen.Add(sibling)) yield return sibling;
            foreach (var above in Above(origin))
                if (seen.Add(above)) yield return above;
        }
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            foreach (var above in Above(start))
                if (seen.Add(above)) yield return above;
    }

    private IEnumerable<string> Above(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            yield return Path.Combine(dir.FullName, "hocon", _folder);
    }
}
