namespace Emulator.Scenarios;

/// <summary>The hardware presets (hocon/presets/NAME.conf) a scenario or runs file in a folder would find.</summary>
public static class HardwarePresets
{
    /// <summary>Preset names a scenario in <paramref name="scenarioDirectory"/>, made from a file in <paramref name="madeFrom"/> if given, would find.</summary>
    public static IReadOnlyList<string> Available(string scenarioDirectory, string? madeFrom = null) =>
        ProfileLocator.Presets.Names(scenarioDirectory, madeFrom);
}
