using Emulator.Core.Topology;
using Emulator.Core.Units;
using Emulator.Engine.Messages;
using Emulator.Kernel;

namespace Emulator.Engine.Actors;

/// <summary>The node's chips as torus routers: each chip's links to its neighbours, dimension-order routing, cut-through forwarding.</summary>
/// <remarks>A write crosses each link as one flow: it starts when its head is in and the link has sent everything queued before
/// it, and finishes no earlier than its tail is in (the same rule as a switch port). Links are FIFO, so there is no chunking.</remarks>
public sealed partial class NodeActor
{
    private SimTime[]? _linkFree;
    private long[]? _linkBytes;
    private long[]? _linkBusy;
    private Bandwidth _ici;
    private Bandwidth _dcn;
    private int _sliceAxis;
    /// <summary>Per chip, its two data-centre-network ports as a mirrored slice uses them (ReplicaMirror): free time, bytes, busy ps.</summary>
    private SimTime[]? _dcnFree;
    private long[]? _dcnBytes;
    private long[]? _dcnBusy;

    private Torus TorusFabric => _s.Torus!;

    /// <summary>Sets up the links of this node's chips.</summary>
    private void InitTorus()
    {
        var links = _s.Spec.CardsPerNode * TorusFabric.PortCount;
        _linkFree = new SimTime[links];
        _linkBytes = new long[links];
        _linkBusy = new long[links];
        // Links reach the same fraction of their line rate as a NIC does (the DMA engines drive both).
        _ici = new Bandwidth((long)(_s.Fabric.LinkBandwidth.BitsPerSecond * _s.Spec.NicEfficiency));
        // A chip's share of its host's NICs, split between its two ports across the slices (both ring directions use it).
        _dcn = new Bandwidth((long)(_s.Spec.NicBandwidth.BitsPerSecond * _s.Spec.NicEfficiency * _s.Spec.Nics / _s.Spec.CardsPerNode / 2));
        _sliceAxis = _s.Fabric.SliceAxis;
        _dcnFree = new SimTime[_s.Spec.CardsPerNode * 2];
        _dcnBytes = new long[_dcnFree.Length];
        _dcnBusy = new long[_dcnFree.Length];
    }

    /// <summary>Puts a write on the first link of its route, or hands it over at once if it is for this chip; a mirrored slice's
    /// step goes out on the chip's DCN port and lands when the symmetric step from the previous slice would.</summary>
    private void TorusSend(RdmaWrite w)
    {
        if (!w.Loopback)
        {
            ForwardOnTorus(new IciHop(w, w.SrcCard, Now, 0));
            return;
        }
        var port = Local(w.SrcCard) * 2 + (w.Reverse ? 1 : 0);
        var start = SimTime.Max(Now, _dcnFree![port]);
        var serialise = _dcn.TransferTime(w.Bytes);
        var tailLeaves = start + serialise;
        _dcnFree[port] = tailLeaves;
        _dcnBytes![port] += w.Bytes;
        _dcnBusy![port] += serialise.Ps;
        SentFromPort(w, tailLeaves);
        SendAt(_s.Map.Node(_s.Node), start + _s.Fabric.DcnLatency, new IciHop(w, w.DstCard, tailLeaves + _s.Fabric.DcnLatency, 1));
    }

    private void ForwardOnTorus(IciHop h)
    {
        var w = h.Write;
        if (h.Chip == w.DstCard)
        {
            // A write to the chip itself (an interleaved pipeline of one stage) leaves no port: its buffer is free at once.
            if (h.Hops == 0) SentFromPort(w, Now);
            Land(w, SimTime.Max(Now, h.TailAt), h.Hops, _s.Map, _s.Spec.NicLatency, _s.Fabric.LinkLatency);
            return;
        }
        var hop = TorusFabric.Route(h.Chip, w.DstCard, w.Reverse);
        var link = Local(h.Chip) * TorusFabric.PortCount + hop.Port;
        var start = SimTime.Max(Now, _linkFree![link]);
        var dcn = hop.Dim == _sliceAxis;
        var serialise = (dcn ? _dcn : _ici).TransferTime(w.Bytes);
        var tailLeaves = SimTime.Max(start + serialise, h.TailAt);
        _linkFree[link] = tailLeaves;
        _linkBytes![link] += w.Bytes;
        _linkBusy![link] += serialise.Ps;
        if (h.Hops == 0) SentFromPort(w, tailLeaves);
        var latency = dcn ? _s.Fabric.DcnLatency : _s.Fabric.LinkLatency;
        SendAt(_s.Map.Node(NodeOf(hop.Chip)), start + latency, new IciHop(w, hop.Chip, tailLeaves + latency, h.Hops + 1));
    }

    private void ReportTorusLinks(Results.StatsCollector collector)
    {
        for (var link = 0; link < _linkBytes!.Length; link++)
        {
            if (_linkBytes[link] == 0) continue;
            var chip = _s.Node * _s.Spec.CardsPerNode + link / TorusFabric.PortCount;
            var (peer, _) = TorusFabric.Peer(chip, link % TorusFabric.PortCount);
            collector.Links.Add(new Results.LinkStats($"chip-{chip}", $"chip-{peer}", _linkBytes[link], _linkBusy![link]));
        }
        for (var port = 0; port < _dcnBytes!.Length; port++)
            if (_dcnBytes[port] > 0)
                collector.Links.Add(new Results.LinkStats($"chip-{_s.Node * _s.Spec.CardsPerNode + port / 2}", "dcn (mirrored slices)", _dcnBytes[port], _dcnBusy![port]));
    }
}
