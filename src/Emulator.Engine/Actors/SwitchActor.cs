using Akka.Actor;
using Emulator.Core.Specs;
using Emulator.Core.Topology;
using Emulator.Engine.Messages;
using Emulator.Engine.Results;
using Emulator.Engine.Runtime;
using Emulator.Kernel;

namespace Emulator.Engine.Actors;

/// <summary>A fabric switch: routes each chunk up-down with deterministic ECMP and serialises it, cut-through, on the egress port's queue.</summary>
/// <remarks>Ports are FIFO with unbounded buffers: a chunk starts leaving when its head is in and the port has sent everything queued
/// before it, and finishes no earlier than its tail is in, so contention and oversubscription show up as queueing delay while an
/// uncontended transfer pays each hop's latency, not its serialisation, as InfiniBand and RoCE switches do.</remarks>
public sealed class SwitchActor : FabricActor
{
    /// <summary>Starting width of the utilisation buckets written to the trace.</summary>
    public static readonly SimTime InitialBucketWidth = SimTime.FromUs(100);

    /// <summary>Most buckets a switch keeps; past this the width doubles, so memory stays flat on long steps.</summary>
    public const int MaxBuckets = 1024;

    private readonly int _switch;
    private readonly FatTree _tree;
    private readonly FabricSpec _fabric;
    private readonly EntityMap _map;
    private readonly NodeSpec _node;
    /// <summary>Each egress port's state in one place: a hop then reads one cache line of it, not one from each of three arrays.</summary>
    private readonly Port[] _ports;
    private readonly List<long> _buckets = new();
    private long _bucketPs = InitialBucketWidth.Ps;

    public SwitchActor(int id, Partition partition, int sw, FatTree tree, FabricSpec fabric, NodeSpec node, EntityMap map) : base(id, partition)
    {
        _node = node;
        _switch = sw;
        _tree = tree;
        _fabric = fabric;
        _map = map;
        _ports = new Port[tree.PortCount(sw)];
    }

    public static Props Props(int id, Partition partition, int sw, FatTree tree, FabricSpec fabric, NodeSpec node, EntityMap map) =>
        EntityProps.Of(() => new SwitchActor(id, partition, sw, tree, fabric, node, map));

    protected override bool Handle(object message)
    {
        switch (message)
        {
            case RdmaChunk c:
                Forward(c);
                return true;
            case CollectStats s:
                Report(s.Collector);
                return true;
            default:
                return false;
        }
    }

    private void Forward(RdmaChunk c)
    {
        var port = _tree.Route(_switch, c.DstNode, c.DstRail, c.FlowHash);
        var serialise = _fabric.LinkBandwidth.TransferTime(c.Bytes);
        ref var state = ref _ports[port];
        var start = SimTime.Max(Now, state.Free);
        var tailLeaves = SimTime.Max(start + serialise, c.TailAt);
        state.Free = tailLeaves;
        state.Bytes += c.Bytes;
        state.BusyPs += serialise.Ps;
        AddBusy(start, tailLeaves);
        var peer = _tree.Peer(_switch, port);
        if (!peer.IsSwitch && c.Chunks == 1)
        {
            // A whole write needs no reassembly: its tail is in the destination NIC one link after it leaves this port.
            var src = c.Write.SrcCard;
            var hops = _tree.SwitchHops(src / _node.CardsPerNode, src % _node.CardsPerNode % _node.Nics, c.DstNode, c.DstRail);
            Land(c, tailLeaves + _fabric.LinkLatency, hops + 1, _map, _node.NicLatency, _fabric.LinkLatency);
            return;
        }
        var next = peer.IsSwitch ? _map.Switch(peer.Switch) : _map.Node(peer.Node);
        c.TailAt = tailLeaves + _fabric.LinkLatency;
        SendAt(next, start + _fabric.LinkLatency, c);
    }

    /// <summary>Adds a busy interval to the per-bucket utilisation series.</summary>
    private void AddBusy(SimTime start, SimTime end)
    {
        while (end.Ps > _bucketPs * MaxBuckets) CoarsenBuckets();
        var w = _bucketPs;
        for (var t = start.Ps; t < end.Ps;)
        {
            var bucket = (int)(t / w);
            var bucketEnd = Math.Min(end.Ps, (bucket + 1) * w);
            while (_buckets.Count <= bucket) _buckets.Add(0);
            _buckets[bucket] += bucketEnd - t;
            t = bucketEnd;
        }
    }

    /// <summary>Doubles the bucket width, merging neighbours.</summary>
    private void CoarsenBuckets()
    {
        for (var i = 0; i < _buckets.Count; i++)
        {
            if (i % 2 == 0) _buckets[i / 2] = _buckets[i];
            else _buckets[i / 2] += _buckets[i];
        }
        _buckets.RemoveRange((_buckets.Count + 1) / 2, _buckets.Count / 2);
        _bucketPs *= 2;
    }

    private void Report(StatsCollector collector)
    {
        var name = _tree.NameOf(_switch);
        for (var p = 0; p < _ports.Length; p++)
        {
            if (_ports[p].Bytes == 0) continue;
            var peer = _tree.Peer(_switch, p);
            var to = peer.IsSwitch ? _tree.NameOf(peer.Switch) : $"node-{peer.Node}/nic-{peer.Rail}";
            collector.Links.Add(new LinkStats(name, to, _ports[p].Bytes, _ports[p].BusyPs));
        }
        if (_buckets.Count > 0) collector.SwitchSeries.Add((name, _ports.Length, _bucketPs, _buckets.ToArray()));
    }

    /// <summary>One egress port: when it is free, and what it has carried.</summary>
    private struct Port
    {
        public SimTime Free;
        public long Bytes;
        public long BusyPs;
    }
}
