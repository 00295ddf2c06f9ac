namespace Emulator.Scenarios;

/// <summary>The hardware presets (hocon/presets/NAME.conf) a scenario or runs file in a folder would find.</summary>
public static class HardwarePresets
{
    /// <summary>Preset names found from <paramref name="directory"/>, as a scenario there would find them; empty when there are none.</summary>
    public static IReadOnlyList<string> Available(string directory)
    {
        var list = ProfileLocator.Presets.Available(directory);
        return list == "none found" ? [] : list.Split(", ");
    }
}
