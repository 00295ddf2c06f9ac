using Akka.Actor;
using BenchmarkDotNet.Attributes;
using Emulator.Core.Topology;
using Emulator.Engine.Actors;
using Emulator.Engine.Messages;
using Emulator.Engine.Runtime;
using Emulator.Kernel;

namespace Emulator.MicroBenchmarks;

/// <summary>One chunk through a real SwitchActor (leaf 0 of gpt-20b-1024's fabric), driven by the kernel as StepEmulation drives it.</summary>
/// <remarks>
/// The smallest public unit that runs SwitchActor.Forward's own code (routing, cut-through port timing, utilisation buckets,
/// the forwarded copy of the chunk) without changing src/. Each operation is two events: the chunk into the switch, and the
/// chunk it sends on, delivered to a no-op because no node or next switch is built. Compare with DispatchBench.DeliverHot,
/// which is one event with no work.
/// </remarks>
[ShortRunJob, MemoryDiagnoser]
public class SwitchForwardBench
{
    private const int Batch = 1024;

    private readonly FatTree _tree = Selene.Tree();
    private Simulation _simulation = null!;
    private EngineBed _bed = null!;
    private RdmaWrite _write = null!;
    private EntityMap _map = null!;
    private long _serialise;
    private long _time;
    private ulong _rng;

    [GlobalSetup]
    public void Setup()
    {
        _map = new EntityMap(cards: 0, banksPerCard: 0, nodes: Selene.Nodes, switches: _tree.SwitchCount);
        _simulation = new Simulation(new int[_map.Count], 1, SimTime.Zero);
        var id = _map.Switch(0);
        var partition = _simulation.Partitions[0];
        IActorRef leaf = ActorRefs.Nobody;
        _bed = new EngineBed();
        _bed.Build(context => leaf = context.ActorOf(SwitchActor.Props(id, partition, 0, _tree, Selene.Fabric, Selene.Node, _map), "leaf-0"));
        // As StepEmulation delivers (VirtualTimeDelivery), for the one entity that exists.
        var delivery = new VirtualTimeDelivery([leaf]);
        partition.Bind((target, message) =>
        {
            if (target == id) delivery.Deliver(0, message);
        });
        _write = new RdmaWrite(1, 0, 1, 64 * Selene.Chunk, TransferKind.Ring, 0);
        _serialise = Selene.Fabric.LinkBandwidth.TransferTime(Selene.Chunk).Ps;
    }

    [GlobalCleanup]
    public void Cleanup() => _bed.Dispose();

    [Benchmark(OperationsPerInvoke = Batch)]
    public long Forward()
    {
        var source = _map.Node(0);
        var leaf = _map.Switch(0);
        for (var i = 0; i < Batch; i++)
        {
            // Heads every 4 us, as in SwitchPortBench.PortTiming: the leaf's up-ports are about half loaded, so some chunks queue.
            _time += 4_000_000;
            var h = Ecmp.Mix(_rng++);
            var chunk = new RdmaChunk(_write, Selene.Chunk, 64, (int)(h % Selene.Nodes), (int)((h >> 16) % Selene.Rails), Ecmp.Mix(h), new SimTime(_time + _serialise));
            _simulation.Post(source, leaf, new SimTime(_time), chunk);
        }
        _simulation.Run();
        // A queued chunk can leave after the next batch's first head would arrive; the kernel refuses time going back.
        _time = Math.Max(_time, _simulation.Now.Ps);
        return _simulation.Events;
    }
}
