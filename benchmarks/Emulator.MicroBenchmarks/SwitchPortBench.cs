using BenchmarkDotNet.Attributes;
using Emulator.Core.Specs;
using Emulator.Core.Topology;
using Emulator.Kernel;

namespace Emulator.MicroBenchmarks;

/// <summary>The pure code a switch runs per chunk: Bandwidth.TransferTime, FatTree.Route, and their use in SwitchActor.Forward's port timing.</summary>
/// <remarks>
/// SwitchActor.Forward is private, so <see cref="PortTiming"/> repeats its arithmetic over the same public units (route, serialise,
/// cut-through start and tail, peer lookup) without the utilisation buckets or the message; SwitchForwardBench runs the real one.
/// Inputs are chunks to random NICs of gpt-20b-1024's fabric: at a leaf most go up by ECMP, at a spine most go down.
/// </remarks>
[ShortRunJob]
public class SwitchPortBench
{
    private const int Ops = 1024;

    private readonly FabricSpec _fabric = Selene.Fabric;
    private readonly FatTree _tree = Selene.Tree();
    private readonly int[] _dstNode = new int[Ops];
    private readonly int[] _dstRail = new int[Ops];
    private readonly ulong[] _flowHash = new ulong[Ops];
    private readonly long[] _bytes = new long[Ops];
    private SimTime[] _free = [];
    private long _now;

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < Ops; i++)
        {
            var h = Ecmp.Mix((ulong)i);
            _dstNode[i] = (int)(h % Selene.Nodes);
            _dstRail[i] = (int)((h >> 16) % Selene.Rails);
            _flowHash[i] = Ecmp.Mix(h);
            // Mostly whole chunks, one in eight a write's shorter last chunk.
            _bytes[i] = i % 8 == 7 ? 1 + (long)(h >> 40) % Selene.Chunk : Selene.Chunk;
        }
        _free = new SimTime[_tree.PortCount(0)];
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public long TransferTime()
    {
        long sum = 0;
        var bandwidth = _fabric.LinkBandwidth;
        for (var i = 0; i < Ops; i++) sum += bandwidth.TransferTime(_bytes[i]).Ps;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public long RouteAtLeaf()
    {
        long sum = 0;
        for (var i = 0; i < Ops; i++) sum += _tree.Route(0, _dstNode[i], _dstRail[i], _flowHash[i]);
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public long RouteAtSpine()
    {
        long sum = 0;
        var spine = _tree.LeafCount;
        for (var i = 0; i < Ops; i++) sum += _tree.Route(spine, _dstNode[i], _dstRail[i], _flowHash[i]);
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public long PortTiming()
    {
        long sum = 0;
        for (var i = 0; i < Ops; i++)
        {
            // A chunk's head arrives every 4 us at leaf 0 (its up-ports half loaded), its tail one serialisation later as from a 200 Gb/s link.
            var now = new SimTime(_now += 4_000_000);
            var serialise = _fabric.LinkBandwidth.TransferTime(_bytes[i]);
            var port = _tree.Route(0, _dstNode[i], _dstRail[i], _flowHash[i]);
            var start = SimTime.Max(now, _free[port]);
            var tailLeaves = SimTime.Max(start + serialise, now + serialise);
            _free[port] = tailLeaves;
            var peer = _tree.Peer(0, port);
            sum += (start + _fabric.LinkLatency).Ps + (peer.IsSwitch ? peer.Switch : peer.Node);
        }
        return sum;
    }
}
