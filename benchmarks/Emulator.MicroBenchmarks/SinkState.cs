namespace Emulator.MicroBenchmarks;

/// <summary>The direct-call counterpart of <see cref="SinkActor"/>: the same work, no Akka.</summary>
public sealed class SinkState
{
    /// <summary>Pings received.</summary>
    public long Count { get; private set; }

    /// <summary>Counts a ping, type-tested as an actor's handler does.</summary>
    public void Handle(object message)
    {
        if (message is Ping) Count++;
    }
}
