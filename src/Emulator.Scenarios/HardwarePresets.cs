namespace Emulator.Scenarios;

/// <summary>The hardware presets (hocon/presets/NAME.conf) a scenario or runs file in a folder would find.</summary>
public static class HardwarePresets
{
    /// <summary>Preset names a scenario in <paramref name="scenarioDirectory"/>, made from a file in <paramref name="madeFrom"/> if given, would find.</summary>
    public static IReadOnlyList<string> Available(string scenarioDirectory, string? madeFrom = null) =>
        ProfileLocator.Presets.Names(scenarioDirectory, madeFrom);

    /// <summary>Full path of the preset file <paramref name="name"/> names for a scenario in <paramref name="scenarioDirectory"/>, made from a
    /// file in <paramref name="madeFrom"/> if given; null when there is none.</summary>
    public static string? Find(string name, string scenarioDirectory, string? madeFrom = null) =>
        ProfileLocator.Presets.Find(name, scenarioDirectory, madeFrom);
}
