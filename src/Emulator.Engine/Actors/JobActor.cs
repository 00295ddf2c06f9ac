using Akka.Actor;
using Emulator.Engine.Messages;
using Emulator.Engine.Results;
using Emulator.Engine.Runtime;
using Emulator.Kernel;

namespace Emulator.Engine.Actors;

/// <summary>Drives one training step: launches every card's program and gathers what each card did.</summary>
/// <remarks>Launch and reports are control-plane messages with the lookahead as latency, so the job may live in any partition.</remarks>
public sealed class JobActor(int id, Partition partition, EntityMap map, int cards, SimTime controlLatency) : EntityActor(id, partition)
{
    private readonly List<CardReport> _reports = new();

    public static Props Props(int id, Partition partition, EntityMap map, int cards, SimTime controlLatency) =>
        EntityProps.Of(() => new JobActor(id, partition, map, cards, controlLatency));

    protected override bool Handle(object message)
    {
        switch (message)
        {
            case StartJob:
                for (var c = 0; c < cards; c++) Send(map.Card(c), controlLatency, new StartStep());
                return true;
            case CardFinished f:
                _reports.Add(f.Report);
                return true;
            case CollectStats s:
                s.Collector.Cards.AddRange(_reports.OrderBy(r => r.Card));
                return true;
            default:
                return false;
        }
    }
}
