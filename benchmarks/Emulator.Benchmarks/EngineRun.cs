using System.Diagnostics;
using Akka.Actor;
using Emulator.Engine.Runtime;
using Emulator.Kernel;

namespace Emulator.Benchmarks;

/// <summary>PHOLD on the real kernel, wired like StepEmulation: entity actors built under the EmulationRoot, each partition delivering to them through VirtualTimeDelivery.</summary>
public static class EngineRun
{
    /// <summary>Kernel plus Akka entity actors on <paramref name="partitions"/> partitions (contiguous blocks of entities).</summary>
    public static BenchResult Run(PholdSpec spec, int partitions)
    {
        var setup = Stopwatch.StartNew();
        var simulation = NewSimulation(spec, partitions);
        var refs = new IActorRef[spec.Entities];
        using var system = ActorSystem.Create("phold", EngineConfig.Default);
        try
        {
            var root = system.ActorOf(EmulationRoot.Props(), "emulation");
            root.Ask<EmulationRoot.Built>(new EmulationRoot.Build(context =>
            {
                for (var i = 0; i < spec.Entities; i++)
                    refs[i] = context.ActorOf(PholdActor.Props(i, simulation.PartitionOf(i), spec), $"entity-{i}");
            }), TimeSpan.FromMinutes(10)).Wait();
            var delivery = new VirtualTimeDelivery(refs);
            foreach (var p in simulation.Partitions) p.Bind(delivery.Deliver);
            PostStart(spec, simulation);
            setup.Stop();

            var timing = Timing.Start();
            simulation.Run();
            var (wall, cpu) = timing.Elapsed();

            var states = new PholdEntity[spec.Entities];
            var collect = new PholdActor.Collect(states);
            foreach (var r in refs) r.Tell(collect, ActorRefs.NoSender);
            return new BenchResult($"engine-{partitions}", simulation.Events, setup.Elapsed.TotalSeconds, wall, cpu, simulation.Barriers, PlainLoop.Checksum(states));
        }
        finally
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Diagnostic: the kernel alone, its delivery bound to the handler as a direct call (no Akka), to split the engine's cost.</summary>
    public static BenchResult RunKernelOnly(PholdSpec spec, int partitions)
    {
        var setup = Stopwatch.StartNew();
        var simulation = NewSimulation(spec, partitions);
        var entities = new PholdEntity[spec.Entities];
        for (var i = 0; i < spec.Entities; i++) entities[i] = PholdEntity.Create(spec.Seed, i);
        foreach (var p in simulation.Partitions)
        {
            var partition = p;
            partition.Bind((target, message) =>
            {
                var hop = (Hop)message;
                var (next, delay) = entities[target].Handle(partition.Now.Ps, hop.Left, spec);
                if (hop.Left > 1) partition.Send(target, next, new SimTime(delay), new Hop(hop.Left - 1));
            });
        }
        PostStart(spec, simulation);
        setup.Stop();

        var timing = Timing.Start();
        simulation.Run();
        var (wall, cpu) = timing.Elapsed();
        return new BenchResult($"kernel-{partitions}", simulation.Events, setup.Elapsed.TotalSeconds, wall, cpu, simulation.Barriers, PlainLoop.Checksum(entities));
    }

    private static Simulation NewSimulation(PholdSpec spec, int partitions)
    {
        var owner = new int[spec.Entities];
        for (var i = 0; i < owner.Length; i++) owner[i] = (int)((long)i * partitions / spec.Entities);
        return new Simulation(owner, partitions, new SimTime(spec.LookaheadPs));
    }

    /// <summary>Each entity posts its start tokens to itself, in the same order (so with the same send counters) as the plain loop.</summary>
    private static void PostStart(PholdSpec spec, Simulation simulation)
    {
        for (var i = 0; i < spec.Entities; i++)
            for (var k = 0; k < spec.Initial; k++)
            {
                var hops = spec.HopsOf(i, k);
                if (hops > 0) simulation.Post(i, i, new SimTime(spec.StartTime(i, k)), new Hop(hops));
            }
    }
}
