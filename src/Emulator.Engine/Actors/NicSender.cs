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

/// <summary>The send side of one NIC: one chunk on the wire at a time, round-robin over the writes it holds, so concurrent writes share its line rate.</summary>
/// <remarks>Driven by the actor that owns the NIC (its node, or its card when every card has a NIC of its own), through that
/// actor's sends. It wakes its owner (NicReady) only when something is still queued once a chunk has left; an idle NIC just
/// remembers when it becomes free, which saves an event per write on uncontended NICs without changing any time.
/// <paramref name="sent"/> hears, when a write's last chunk goes on the wire, when its last byte will have left.</remarks>
public sealed class NicSender(NicLink link, int owner, Action<int, SimTime, object> sendAt, Action<RdmaWrite, SimTime> sent)
{
    private readonly Queue<Outgoing> _queue = new();
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
        _queue.Enqueue(new Outgoing(w, Math.Max(chunks, 1), w.DstCard / perNode, w.DstCard % perNode % link.Spec.Nics, hash));
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
        if (_queue.Count == 0) return;
        var o = _queue.Dequeue();
        var bytes = Math.Min(link.ChunkBytes, o.Write.Bytes - (long)o.Sent * link.ChunkBytes);
        o.Sent++;
        var serialise = _rate.TransferTime(bytes);
        if (o.Sent < o.Chunks) _queue.Enqueue(o);
        else sent(o.Write, now + serialise);
        _freeAt = now + serialise;
        _bytes += bytes;
        _busyPs += serialise.Ps;
        var latency = link.Fabric.LinkLatency;
        sendAt(link.Map.Switch(_leaf), now + latency, new RdmaChunk(o.Write, bytes, o.Chunks, o.DstNode, o.DstRail, o.Hash, now + serialise + latency));
        if (_queue.Count > 0) Wake(_freeAt);
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
}
