namespace Emulator.MicroBenchmarks;

/// <summary>The message the dispatch benchmark delivers; one shared instance, so no event allocates.</summary>
public sealed class Ping
{
    /// <summary>The instance every event carries.</summary>
    public static readonly Ping Instance = new();
}
