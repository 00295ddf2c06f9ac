namespace Emulator.Scenarios;

/// <summary>One key a scenario may set: its path, how its value is written, what it means and an example.</summary>
/// <param name="Path">Full HOCON path, e.g. `parallel.tp`.</param>
/// <param name="Type">How the value is written and parsed.</param>
/// <param name="Doc">One line on what it means (shown in docs and in "missing key" errors).</param>
/// <param name="Example">A valid value, used in hints.</param>
/// <param name="Choices">Valid words of a <see cref="KeyType.Choice"/> key.</param>
/// <param name="DefaultNote">How the default is derived when reference.conf cannot say it (e.g. "= model.heads").</param>
public sealed record ScenarioKey(
    string Path,
    KeyType Type,
    string Doc,
    string Example,
    IReadOnlyList<string>? Choices = null,
    string? DefaultNote = null)
{
    /// <summary>The section the key lives in (`parallel` for `parallel.tp`), or "" for top-level keys.</summary>
    public string Section => Path.Contains('.') ? Path[..Path.IndexOf('.')] : "";

    /// <summary>True for hardware keys, which a preset may supply.</summary>
    public bool IsHardware => Section is "card" or "node" or "fabric";
}
