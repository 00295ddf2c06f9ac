namespace Emulator.Scenarios;

/// <summary>A scenario was refused before anything ran; the message names the file, the key, the bad value and what would be valid.</summary>
public sealed class ScenarioException : Exception
{
    /// <summary>Creates the error; <paramref name="message"/> is complete and already names the source and key.</summary>
    public ScenarioException(string message, string? origin = null, string? key = null, Exception? inner = null)
        : base(message, inner)
    {
        Origin = origin;
        Key = key;
    }

    /// <summary>The file (or `--set` override) that supplied the bad input, when one is known.</summary>
    public string? Origin { get; }

    /// <summary>The scenario key at fault, when one is known (e.g. `parallel.tp`).</summary>
    public string? Key { get; }
}
