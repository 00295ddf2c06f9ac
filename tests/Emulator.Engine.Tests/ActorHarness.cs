using Akka.Actor;
using Akka.TestKit;
using Emulator.Engine.Runtime;
using Emulator.Kernel;

namespace Emulator.Engine.Tests;

/// <summary>A message as a probe entity received it, with the virtual time of delivery.</summary>
public sealed record Stamped(SimTime At, object Message);

/// <summary>A one-partition simulation whose entities are real entity actors or TestKit probes (which get <see cref="Stamped"/> messages).</summary>
public sealed class ActorHarness
{
    private readonly ActorSystem _system;
    private readonly HashSet<int> _probes = new();

    public ActorHarness(ActorSystem system, int entities)
    {
        _system = system;
        Simulation = new Simulation(new int[entities], 1, SimTime.Zero);
        Refs = new IActorRef[entities];
        var partition = Simulation.Partitions[0];
        partition.Bind((target, message) =>
            Refs[target].Tell(_probes.Contains(target) ? new Stamped(partition.Now, message) : message, ActorRefs.NoSender));
    }

    /// <summary>The kernel.</summary>
    public Simulation Simulation { get; }

    /// <summary>The only partition.</summary>
    public Partition Partition => Simulation.Partitions[0];

    /// <summary>Actor of each entity.</summary>
    public IActorRef[] Refs { get; }

    /// <summary>Makes entity <paramref name="id"/> a probe.</summary>
    public void Probe(int id, TestProbe probe)
    {
        _probes.Add(id);
        Refs[id] = probe.Ref;
    }

    /// <summary>Creates entity actors as children of an emulation root (so they start synchronously).</summary>
    public void Spawn(params (int Id, Props Props, string Name)[] actors)
    {
        var root = _system.ActorOf(EmulationRoot.Props());
        var built = root.Ask<EmulationRoot.Built>(new EmulationRoot.Build(context =>
        {
            foreach (var (id, props, name) in actors) Refs[id] = context.ActorOf(props, name);
        }), TimeSpan.FromSeconds(10)).Result;
        Assert.Empty(built.Failures);
    }
}
