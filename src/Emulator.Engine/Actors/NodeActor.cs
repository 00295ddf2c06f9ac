using Akka.Actor;
using Emulator.Core.Models;
using Emulator.Core.Topology;
using Emulator.Core.Units;
using Emulator.Engine.Messages;
using Emulator.Engine.Plan;
using Emulator.Engine.Runtime;
using Emulator.Kernel;

namespace Emulator.Engine.Actors;

/// <summary>A server: owns its cards and HBM banks, the intra-node crossbar (tensor-parallel collectives, same-node writes) and its NICs.</summary>
public sealed partial class NodeActor : FabricActor
{
    private readonly NodeSetup _s;
    private readonly SimTime[] _crossbarFree;
    /// <summary>Per card, until when its banks hold its current (or an earlier, then long past) run's last kernel.</summary>
    private readonly SimTime[] _heldUntil;
    private readonly NicPort[] _nics;
    private readonly Dictionary<(int Leader, long Seq), (int Arrived, long Bytes, int Size)> _collectives = new();
    private readonly Dictionary<long, int> _chunksArrived = new();
    private readonly Bandwidth _crossbar;
    private readonly Bandwidth _nic;

    public NodeActor(int id, Partition partition, NodeSetup setup, IActorRef[] directory, Func<int, Partition> partitionOf) : base(id, partition)
    {
        _s = setup;
        _crossbar = setup.Spec.AchievedIntraBandwidth;
        _nic = setup.Spec.AchievedNicBandwidth;
        _crossbarFree = new SimTime[setup.Spec.CardsPerNode];
        _heldUntil = new SimTime[setup.Spec.CardsPerNode];
        _nics = Enumerable.Range(0, setup.Spec.Nics).Select(_ => new NicPort()).ToArray();
        if (setup.Torus is not null) InitTorus();
        foreach (var card in setup.Cards)
        {
            var cardId = setup.Map.Card(card.Card);
            directory[cardId] = Context.ActorOf(CardActor.Props(cardId, partitionOf(cardId), card), $"card-{card.Card}");
            for (var b = 0; b < card.Banks; b++)
            {
                var bankId = setup.Map.Bank(card.Card, b);
                directory[bankId] = Context.ActorOf(
                    HbmBankActor.Props(bankId, partitionOf(bankId), cardId, b, setup.Card.StackCapacityBytes, setup.Card.StackBandwidth),
                    $"hbm-{card.Card}-{b}");
            }
        }
    }

    public static Props Props(int id, Partition partition, NodeSetup setup, IActorRef[] directory, Func<int, Partition> partitionOf) =>
        Akka.Actor.Props.Create(() => new NodeActor(id, partition, setup, directory, partitionOf)).WithDispatcher(InlineDispatcher.ConfigId);

    protected override bool Handle(object message)
    {
        switch (message)
        {
            case TpCollective c:
                JoinCollective(c);
                return true;
            case TpChain chain:
                RunCollective(chain);
                return true;
            case RunHeld h:
                _heldUntil[Local(h.Card)] = SimTime.Max(_heldUntil[Local(h.Card)], h.Until);
                return true;
            case RdmaWrite w:
                if (_s.Torus is not null) TorusSend(w);
                else if (NodeOf(w.DstCard) == _s.Node && !w.Loopback) CrossbarWrite(w);
                else EnqueueOnNic(w);
                return true;
            case NicReady r:
                _nics[r.Rail].Woken = false;
                PumpNic(r.Rail);
                return true;
            case RdmaChunk c:
                ChunkArrived(c);
                return true;
            case IciHop h:
                ForwardOnTorus(h);
                return true;
            case CollectStats s:
                if (_s.Torus is not null) ReportTorusLinks(s.Collector);
                for (var r = 0; r < _nics.Length; r++)
                {
                    if (_nics[r].Bytes == 0) continue;
                    var (leaf, _) = _s.Tree!.Attachment(_s.Node, r);
                    s.Collector.Links.Add(new Results.LinkStats($"node-{_s.Node}/nic-{r}", _s.Tree!.NameOf(leaf), _nics[r].Bytes, _nics[r].BusyPs));
                }
                return true;
            default:
                return false;
        }
    }

    private int NodeOf(int card) => card / _s.Spec.CardsPerNode;

    private int Local(int card) => card % _s.Spec.CardsPerNode;

    /// <summary>A tensor-parallel collective starts when the last rank joins and every member's crossbar port is free; ring cost over the crossbar.</summary>
    private void JoinCollective(TpCollective c)
    {
        var key = (c.Leader, c.Seq);
        _collectives.TryGetValue(key, out var state);
        state = (state.Arrived + 1, c.Bytes, c.Size);
        if (state.Arrived < c.Size)
        {
            _collectives[key] = state;
            return;
        }
        _collectives.Remove(key);
        RunCollective(new TpChain(c.Leader, c.Size, c.Pc, c.Bytes));
    }

    /// <summary>Runs a collective every rank has joined. When the group's program goes on with a kernel and another collective
    /// inside the same run, the ranks would all join that one a kernel's time after this one ends: the node runs it then
    /// itself and tells the ranks only when the chain ends (one event per link of the chain instead of two per rank).</summary>
    private void RunCollective(TpChain chain)
    {
        var start = Now;
        for (var r = 0; r < chain.Size; r++) start = SimTime.Max(start, _crossbarFree[Local(chain.Leader + r)]);
        var end = start + CollectiveCost.RingAllReduce(chain.Bytes, chain.Size, _crossbar, _s.Spec.IntraLatency);
        for (var r = 0; r < chain.Size; r++) _crossbarFree[Local(chain.Leader + r)] = end;
        chain.Ends.Add(end);
        var plan = _s.Cards[Local(chain.Leader)].Plan;
        if (plan.Runs.ChainsOn(chain.Pc))
        {
            var kernel = (Work)plan.Program[chain.Pc + 1];
            var joined = end + kernel.KernelTime;
            // A run's last kernel ends when the run's traffic is served, on every rank.
            if (plan.Runs.EndsRun(chain.Pc + 1))
                for (var r = 0; r < chain.Size; r++) joined = SimTime.Max(joined, _heldUntil[Local(chain.Leader + r)]);
            chain.Pc += 2;
            chain.Bytes = ((TpSync)plan.Program[chain.Pc]).Bytes;
            SendAt(Id, joined, chain);
            return;
        }
        var done = new TpCollectiveDone(chain.Ends.ToArray());
        for (var r = 0; r < chain.Size; r++) SendAt(_s.Map.Card(chain.Leader + r), end, done);
    }

    /// <summary>Same-node write through the crossbar: the source port serialises it, then one crossbar latency.</summary>
    private void CrossbarWrite(RdmaWrite w)
    {
        var port = Local(w.SrcCard);
        var done = SimTime.Max(Now, _crossbarFree[port]) + _crossbar.TransferTime(w.Bytes);
        _crossbarFree[port] = done;
        Land(w, done, 0, _s.Map, _s.Spec.IntraLatency, SimTime.Zero);
    }

    private void EnqueueOnNic(RdmaWrite w)
    {
        var rail = Local(w.SrcCard) % _s.Spec.Nics;
        var dstNode = NodeOf(w.DstCard);
        var dstRail = Local(w.DstCard) % _s.Spec.Nics;
        var chunks = (int)((w.Bytes + _s.ChunkBytes - 1) / _s.ChunkBytes);
        var hash = Ecmp.FlowHash(_s.Seed, w.SrcCard, w.DstCard, (int)(w.TransferId & 0x7fffffff));
        var nic = _nics[rail];
        nic.Queue.Enqueue(new Outgoing(w, Math.Max(chunks, 1), dstNode, dstRail, hash));
        if (nic.Woken) return;
        if (nic.FreeAt <= Now) PumpNic(rail);
        else WakeAt(rail, nic.FreeAt);
    }

    /// <summary>The NIC sends one chunk at a time, round-robin over the writes it holds, so concurrent flows share its line rate.</summary>
    /// <remarks>It wakes itself (NicReady) only when something is still queued once the chunk has left; an idle NIC just
    /// remembers when it becomes free, which saves an event per write on uncontended NICs without changing any time.</remarks>
    private void PumpNic(int rail)
    {
        var nic = _nics[rail];
        if (nic.Queue.Count == 0) return;
        var o = nic.Queue.Dequeue();
        var bytes = Math.Min(_s.ChunkBytes, o.Write.Bytes - (long)o.Sent * _s.ChunkBytes);
        o.Sent++;
        if (o.Sent < o.Chunks) nic.Queue.Enqueue(o);
        var serialise = _nic.TransferTime(bytes);
        nic.FreeAt = Now + serialise;
        nic.Bytes += bytes;
        nic.BusyPs += serialise.Ps;
        var (leaf, _) = _s.Tree!.Attachment(_s.Node, rail);
        var tail = Now + serialise + _s.Fabric.LinkLatency;
        Send(_s.Map.Switch(leaf), _s.Fabric.LinkLatency, new RdmaChunk(o.Write, bytes, o.Chunks, o.DstNode, o.DstRail, o.Hash, tail));
        if (nic.Queue.Count > 0) WakeAt(rail, nic.FreeAt);
    }

    private void WakeAt(int rail, SimTime at)
    {
        _nics[rail].Woken = true;
        SendAt(Id, at, new NicReady(rail));
    }

    /// <summary>Reassembles a write cut into chunks; when its last chunk lands the destination card is told, and the source gets an acknowledgement one path later.</summary>
    /// <remarks>A write of one chunk is landed by the leaf that delivers it (SwitchActor.Forward) and never comes here.</remarks>
    private void ChunkArrived(RdmaChunk c)
    {
        var id = c.Write.TransferId;
        _chunksArrived.TryGetValue(id, out var n);
        if (++n < c.Chunks)
        {
            _chunksArrived[id] = n;
            return;
        }
        _chunksArrived.Remove(id);
        var w = c.Write;
        // Chunks of one write share a path of FIFO ports, so the last to arrive carries the write's last byte.
        var hops = _s.Tree!.SwitchHops(NodeOf(w.SrcCard), Local(w.SrcCard) % _s.Spec.Nics, c.DstNode, c.DstRail);
        Land(w, SimTime.Max(Now, c.TailAt), hops + 1, _s.Map, _s.Spec.NicLatency, _s.Fabric.LinkLatency);
    }

    /// <summary>A write waiting on a NIC, with how many of its chunks have left.</summary>
    private sealed class Outgoing(RdmaWrite write, int chunks, int dstNode, int dstRail, ulong hash)
    {
        public RdmaWrite Write { get; } = write;
        public int Chunks { get; } = chunks;
        public int DstNode { get; } = dstNode;
        public int DstRail { get; } = dstRail;
        public ulong Hash { get; } = hash;
        public int Sent { get; set; }
    }

    /// <summary>One NIC's send side.</summary>
    private sealed class NicPort
    {
        public Queue<Outgoing> Queue { get; } = new();
        /// <summary>When the chunk on the wire has left.</summary>
        public SimTime FreeAt { get; set; }
        /// <summary>A NicReady is on its way: the queue will be pumped then.</summary>
        public bool Woken { get; set; }
        public long Bytes { get; set; }
        public long BusyPs { get; set; }
    }
}
