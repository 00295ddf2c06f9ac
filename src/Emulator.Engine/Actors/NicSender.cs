using Emulator.Core.Specs;
using Emulator.Core.Topology;
using Emulator.Core.Units;
using Emulator.Engine.Messages;
using Emulator.Engine.Results;
using Emulator.Engine.Runtime;
using Emulator.Kernel;

namespace Emulator.Engine.Actors;

/// <summary>Where one NIC sits: its node and rail in the fat tree, its rate and the chunking and hashing of the writes it sends.</summary>
public sealed record NicLink(int Node, int Rail, FatTree Tree, EntityMap Map, FabricSpec Fabric, NodeSpec Spec, long ChunkBytes, long Seed);

/// <summary>The send side of one NIC: one chunk on the wire at a time, round-robin over its connections, so concurrent flows share its
/// line rate; a connection (one source card, destination card and kind of transfer: an NCCL channel's queue pair) sends its writes in order.</summary>
/// <remarks>Driven by the actor that owns the NIC (its node, or its card when every card has a NIC of its own), through that
/// actor's sends. It wakes its owner (NicReady) only when something is still queued once a chunk has left; an idle NIC just
/// remembers when it becomes free, which saves an event per write on uncontended NICs without changing any time.
/// In-order connections matter when a ring member that started late finds many steps already arrived: it posts them together,
/// and NCCL sends them one after another on the ring's channel, not side by side against the card's pipeline sends.
/// <paramref name="sent"/> hears, when a write's last chunk goes on the wire, when its last byte will have left.</remarks>
public sealed class NicSender(NicLink link, int owner, Action<int, SimTime, object> sendAt, Action<RdmaWrite, SimTime> sent)
{
    /// <summary>Connections with a write waiting, in round-robin order: a handful at most, so a write finds its own by a scan.</summary>
    private readonly Queue<Connection> _ready = new();
    /// <summary>Idle connection objects for reuse, so an uncontended NIC allocates nothing per write.</summary>
    private readonly Stack<Connection> _idle = new();
    private readonly Bandwidth _rate = link.Spec.AchievedNicBandwidth;
    private readonly int _leaf = link.Tree.Attachment(link.Node, link.Rail).Switch;
    /// <summary>When the chunk on the wire has left.</summary>
    private SimTime _freeAt;
    /// <summary>A NicReady is on its way: the queue will be pumped then.</summary>
    private bool _woken;
    private long _bytes;
    private long _busyPs;

    /// <summary>Queues a write of a card of this NIC to another node (or, mirrored, to itself); sends at once if the NIC is free.</summary>
    public void Write(RdmaWrite w, SimTime now)
    {
        var perNode = link.Spec.CardsPerNode;
        var chunks = (int)((w.Bytes + link.ChunkBytes - 1) / link.ChunkBytes);
        var hash = Ecmp.FlowHash(link.Seed, w.SrcCard, w.DstCard, (int)(w.TransferId & 0x7fffffff));
        var o = new Outgoing(w, Math.Max(chunks, 1), w.DstCard / perNode, w.DstCard % perNode % link.Spec.Nics, hash);
        if (WaitingConnection(w) is { } c) c.Behind.Enqueue(o);
        else
        {
            c = _idle.Count > 0 ? _idle.Pop() : new Connection();
            c.Head = o;
            _ready.Enqueue(c);
        }
        if (_woken) return;
        if (_freeAt <= now) Pump(now);
        else Wake(_freeAt);
    }

    /// <summary>The owner's NicReady arrived: send the next chunk.</summary>
    public void Ready(SimTime now)
    {
        _woken = false;
        Pump(now);
    }

    /// <summary>The NIC's link to its leaf, if it carried anything.</summary>
    public LinkStats? Stats() =>
        _bytes == 0 ? null : new LinkStats($"node-{link.Node}/nic-{link.Rail}", link.Tree.NameOf(_leaf), _bytes, _busyPs);

    private void Pump(SimTime now)
    {
        if (_ready.Count == 0) return;
        var c = _ready.Dequeue();
        var o = c.Head;
        var bytes = Math.Min(link.ChunkBytes, o.Write.Bytes - (long)o.Sent * link.ChunkBytes);
        o.Sent++;
        var serialise = _rate.TransferTime(bytes);
        if (o.Sent < o.Chunks) c.Head = o;
        else
        {
            sent(o.Write, now + serialise);
            if (c.Behind.Count > 0) c.Head = c.Behind.Dequeue();
            else c.Head = default;
        }
        if (c.Head.Write is not null) _ready.Enqueue(c);
        else _idle.Push(c);
        _freeAt = now + serialise;
        _bytes += bytes;
        _busyPs += serialise.Ps;
        var latency = link.Fabric.LinkLatency;
        sendAt(link.Map.Switch(_leaf), now + latency, new RdmaChunk(o.Write, bytes, o.Chunks, o.DstNode, o.DstRail, o.Hash, now + serialise + latency));
        if (_ready.Count > 0) Wake(_freeAt);
    }

    /// <summary>The waiting connection <paramref name="w"/> belongs to (same source, destination and kind), if any.</summary>
    private Connection? WaitingConnection(RdmaWrite w)
    {
        foreach (var c in _ready)
        {
            var head = c.Head.Write;
            if (head.SrcCard == w.SrcCard && head.DstCard == w.DstCard && head.Kind == w.Kind) return c;
        }
        return null;
    }

    private void Wake(SimTime at)
    {
        _woken = true;
        sendAt(owner, at, new NicReady(link.Rail));
    }

    /// <summary>A write waiting on the NIC, with how many of its chunks have left; a struct, so queuing a write allocates nothing.</summary>
    private record struct Outgoing(RdmaWrite Write, int Chunks, int DstNode, int DstRail, ulong Hash)
    {
        public int Sent;
    }

    /// <summary>One connection's writes: the one being sent and those behind it; idle (Head empty) once all have left.</summary>
    private sealed class Connection
    {
        public Outgoing Head;
        public readonly Queue<Outgoing> Behind = new();
    }
}
