using Akka.Actor;
using Emulator.Engine.Runtime;
using Emulator.Kernel;

namespace Emulator.MicroBenchmarks;

/// <summary>The cheapest entity actor: counts the pings it gets, so a benchmark of it measures delivery, not work.</summary>
public sealed class SinkActor(int id, Partition partition) : EntityActor(id, partition)
{
    private long _count;

    public static Props Props(int id, Partition partition) =>
        Akka.Actor.Props.Create(() => new SinkActor(id, partition)).WithDispatcher(InlineDispatcher.ConfigId);

    protected override bool Handle(object message)
    {
        switch (message)
        {
            case Ping:
                _count++;
                return true;
            default:
                return false;
        }
    }
}
