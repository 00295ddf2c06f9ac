using Akka.Actor;
using BenchmarkDotNet.Attributes;
using Emulator.Core.Topology;
using Emulator.Engine.Runtime;
using Emulator.Kernel;

namespace Emulator.MicroBenchmarks;

/// <summary>One event through the kernel into an entity: a direct call, the engine's VirtualTimeDelivery, and an Akka Tell, to one hot or a random target.</summary>
/// <remarks>
/// Each operation is one Simulation.Post plus its delivery by Simulation.Run on one partition. The queue work is the same in
/// every variant, so the differences are the delivery. Deliver* is how StepEmulation binds partitions since commit 667a629
/// (the actor's cell invoked on the partition's thread); Tell* is how it did before (Tell on the inline dispatcher, through
/// the mailbox). A random target among many actors misses the caches; a random target among as many plain objects shows how
/// much of that is the actors' footprint rather than randomness.
/// </remarks>
[ShortRunJob, MemoryDiagnoser]
public class DispatchBench
{
    private const int Batch = 1024;

    private Simulation _simulation = null!;
    private EngineBed? _bed;
    private ulong _rng;
    private long _time;

    /// <summary>Entities the events can go to.</summary>
    [Params(100, 100_000)]
    public int Actors { get; set; }

    [GlobalSetup(Targets = [nameof(DirectHot), nameof(DirectRandom)])]
    public void SetupDirect()
    {
        _simulation = new Simulation(new int[Actors], 1, SimTime.Zero);
        var states = new SinkState[Actors];
        for (var i = 0; i < states.Length; i++) states[i] = new SinkState();
        _simulation.Partitions[0].Bind((target, message) => states[target].Handle(message));
    }

    [GlobalSetup(Targets = [nameof(DeliverHot), nameof(DeliverRandom)])]
    public void SetupDeliver()
    {
        var delivery = new VirtualTimeDelivery(BuildActors());
        _simulation.Partitions[0].Bind(delivery.Deliver);
    }

    [GlobalSetup(Targets = [nameof(TellHot), nameof(TellRandom)])]
    public void SetupTell()
    {
        var refs = BuildActors();
        _simulation.Partitions[0].Bind((target, message) => refs[target].Tell(message, ActorRefs.NoSender));
    }

    [GlobalCleanup]
    public void Cleanup() => _bed?.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public long DirectHot() => Deliver(random: false);

    [Benchmark(OperationsPerInvoke = Batch)]
    public long DirectRandom() => Deliver(random: true);

    [Benchmark(OperationsPerInvoke = Batch)]
    public long DeliverHot() => Deliver(random: false);

    [Benchmark(OperationsPerInvoke = Batch)]
    public long DeliverRandom() => Deliver(random: true);

    [Benchmark(OperationsPerInvoke = Batch)]
    public long TellHot() => Deliver(random: false);

    [Benchmark(OperationsPerInvoke = Batch)]
    public long TellRandom() => Deliver(random: true);

    private IActorRef[] BuildActors()
    {
        _simulation = new Simulation(new int[Actors], 1, SimTime.Zero);
        var refs = new IActorRef[Actors];
        _bed = new EngineBed();
        _bed.Build(context =>
        {
            for (var i = 0; i < refs.Length; i++) refs[i] = context.ActorOf(SinkActor.Props(i, _simulation.Partitions[0]), $"entity-{i}");
        });
        return refs;
    }

    /// <summary>Posts a batch of events at increasing times (to entity 0, or to uniformly random entities), then runs them all.</summary>
    private long Deliver(bool random)
    {
        for (var i = 0; i < Batch; i++)
        {
            // Targets are drawn fresh for every event, not replayed from a table, so the random variants keep touching all entities.
            // Hot events draw too, so both pay the same for the draw.
            var draw = Ecmp.Mix(_rng++);
            var target = random ? (int)(((draw >> 32) * (ulong)Actors) >> 32) : 0;
            _simulation.Post(0, target, new SimTime(_time++), Ping.Instance);
        }
        _simulation.Run();
        return _simulation.Events;
    }
}
