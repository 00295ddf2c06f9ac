using Akka.Actor;
using Emulator.Engine.Runtime;
using Emulator.Kernel;

namespace Emulator.Benchmarks;

/// <summary>A PHOLD entity as a real entity actor on the inline dispatcher: the same handler as the plain loop, sending through its partition.</summary>
public sealed class PholdActor(int id, Partition partition, PholdSpec spec) : EntityActor(id, partition)
{
    private PholdEntity _state = PholdEntity.Create(spec.Seed, id);

    public static Props Props(int id, Partition partition, PholdSpec spec) =>
        Akka.Actor.Props.Create(() => new PholdActor(id, partition, spec)).WithDispatcher(InlineDispatcher.ConfigId);

    protected override bool Handle(object message)
    {
        switch (message)
        {
            case Hop hop:
                var (target, delay) = _state.Handle(Now.Ps, hop.Left, spec);
                if (hop.Left > 1) Send(target, new SimTime(delay), new Hop(hop.Left - 1));
                return true;
            case Collect collect:
                collect.States[Id] = _state;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Copies the entity's state into <paramref name="States"/>[id] after the run.</summary>
    public sealed record Collect(PholdEntity[] States);
}
