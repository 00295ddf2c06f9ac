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
    /// <summary>The NICs this node drives: all of them, or none when each card has its own (CardActor drives it).</summary>
    private readonly NicSender?[] _nics;
    private readonly Dictionary<long, int> _chunksArrived = new();
    private readonly Bandwidth _crossbar;
    /// <summary>What one-event tensor-parallel collectives run at (an all-reduce's own efficiency without sequence parallelism; on a
    /// full mesh, the links among the group's members).</summary>
    private readonly Bandwidth _tpCrossbar;
    private readonly Bandwidth _nic;
    /// <summary>What a same-node write spreading over m links of a full mesh runs at, by m (RdmaWrite.MeshLinks); on a crossbar all
    /// are the crossbar's bandwidth.</summary>
    private readonly Bandwidth[] _meshCrossbar;

    public NodeActor(int id, Partition partition, NodeSetup setup, IActorRef[] directory, Func<int, Partition> partitionOf) : base(id, partition)
    {
        _s = setup;
        _crossbar = setup.Spec.AchievedIntraBandwidth;
        var tpCrossbar = setup.TpAllReduces ? setup.Spec.AchievedIntraAllReduceBandwidth : _crossbar;
        // On a full mesh a tp group's collectives run over the links among its members only (every group of a job has tp members).
        _tpCrossbar = setup.Spec.CollectiveBandwidth(tpCrossbar, setup.Cards.Count > 0 ? setup.Cards[0].TpSize : 1);
        _nic = setup.Spec.AchievedNicBandwidth;
        _meshCrossbar = Enumerable.Range(0, setup.Spec.CardsPerNode).Select(links => setup.Spec.CollectiveBandwidth(_crossbar, links + 1)).ToArray();
        _crossbarFree = new SimTime[setup.Spec.CardsPerNode];
        _heldUntil = new SimTime[setup.Spec.CardsPerNode];
        // With a NIC per card (rail-optimised servers) nothing else shares a card's NIC, so the card drives it itself: its
        // writes to other nodes then go straight to the wire instead of through this node, one event fewer each, same times.
        var nicPerCard = setup.Tree is not null && setup.Spec.Nics >= setup.Spec.CardsPerNode;
        NicLink Link(int rail) => new(setup.Node, rail, setup.Tree!, setup.Map, setup.Fabric, setup.Spec, setup.ChunkBytes, setup.Seed);
        _nics = Enumerable.Range(0, setup.Spec.Nics)
            .Select(rail => setup.Tree is null || nicPerCard ? null : new NicSender(Link(rail), Id, SendAt, SentFromPort)).ToArray();
        if (setup.Torus is not null) InitTorus();
        var barriers = new Dictionary<int, TpBarrier>();
        foreach (var card in setup.Cards)
        {
            var cardId = setup.Map.Card(card.Card);
            var own = nicPerCard ? card with { Nic = Link(Local(card.Card)) } : card;
            if (card.NodeRunsTp)
            {
                // The barrier is shared memory, safe only while one thread runs the group's cards and their node.
                if (partitionOf(cardId) != partition)
                    throw new InvalidOperationException($"card {card.Card} is not in its node's partition: its TP barrier would be shared between threads");
                if (!barriers.TryGetValue(card.TpLeader, out var barrier)) barriers[card.TpLeader] = barrier = new TpBarrier(card.TpSize);
                own = own with { TpBarrier = barrier };
            }
            directory[cardId] = Context.ActorOf(CardActor.Props(cardId, partitionOf(cardId), own), $"card-{card.Card}");
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
        EntityProps.Of(() => new NodeActor(id, partition, setup, directory, partitionOf));

    protected override bool Handle(object message)
    {
        switch (message)
        {
            case TpChain chain:
                RunCollective(chain);
                return true;
            case RunHeld h:
                _heldUntil[Local(h.Card)] = SimTime.Max(_heldUntil[Local(h.Card)], h.Until);
                return true;
            case RdmaWrite w:
                if (_s.Torus is not null) TorusSend(w);
                else if (NodeOf(w.DstCard) == _s.Node && !w.Loopback) CrossbarWrite(w);
                else _nics[Local(w.SrcCard) % _s.Spec.Nics]!.Write(w, Now);
                return true;
            case NicReady r:
                _nics[r.Rail]!.Ready(Now);
                return true;
            case RdmaChunk c:
                ChunkArrived(c);
                return true;
            case IciHop h:
                ForwardOnTorus(h);
                return true;
            case CollectStats s:
                if (_s.Torus is not null) ReportTorusLinks(s.Collector);
                foreach (var nic in _nics)
                    if (nic?.Stats() is { } link) s.Collector.Links.Add(link);
                return true;
            default:
                return false;
        }
    }

    private int NodeOf(int card) => card / _s.Spec.CardsPerNode;

    private int Local(int card) => card % _s.Spec.CardsPerNode;

    /// <summary>Runs a tensor-parallel collective every rank has joined (TpBarrier): it starts when every member's crossbar port
    /// is free, at the ring's cost over the crossbar. When the group's program goes on with a kernel and another collective
    /// inside the same run, or with another collective at once, the ranks would all join that one a kernel's time (or no
    /// time) after this one ends: the node runs it then itself and tells the ranks only when the chain ends (one event per
    /// link of the chain instead of two per rank).</summary>
    private void RunCollective(TpChain chain)
    {
        var start = Now;
        for (var r = 0; r < chain.Size; r++) start = SimTime.Max(start, _crossbarFree[Local(chain.Leader + r)]);
        var end = start + CollectiveCost.RingAllReduce(chain.Bytes, chain.Size, _tpCrossbar, _s.Spec.IntraLatency);
        for (var r = 0; r < chain.Size; r++) _crossbarFree[Local(chain.Leader + r)] = end;
        chain.Ended(end);
        var plan = _s.Cards[Local(chain.Leader)].Plan;
        if (chain.MayChain && plan.Runs.ChainsOn(chain.Pc))
        {
            // Back to back, the ranks, all released at the end, would join the next one at once; else after the kernel between.
            var joined = end;
            if (plan.Program[chain.Pc + 1] is Work kernel)
            {
                joined += kernel.Cost.Duration;
                // A run's last kernel ends when the run's traffic is served, on every rank.
                if (plan.Runs.EndsRun(chain.Pc + 1))
                    for (var r = 0; r < chain.Size; r++) joined = SimTime.Max(joined, _heldUntil[Local(chain.Leader + r)]);
                chain.Pc++;
            }
            chain.Pc++;
            chain.Bytes = ((TpSync)plan.Program[chain.Pc]).Bytes;
            SendAt(Id, joined, chain);
            return;
        }
        for (var r = 0; r < chain.Size; r++) SendAt(_s.Map.Card(chain.Leader + r), end, chain.Done);
    }

    /// <summary>Same-node write through the crossbar: the source port serialises it, then one crossbar latency. On a full mesh the
    /// write gets the links it may spread over (<see cref="RdmaWrite.MeshLinks"/>) of the port's.</summary>
    private void CrossbarWrite(RdmaWrite w)
    {
        var port = Local(w.SrcCard);
        var bandwidth = _meshCrossbar[Math.Clamp(w.MeshLinks, 0, _meshCrossbar.Length - 1)];
        var done = SimTime.Max(Now, _crossbarFree[port]) + bandwidth.TransferTime(w.Bytes);
        _crossbarFree[port] = done;
        SentFromPort(w, done);
        Land(w, done, 0, _s.Map, _s.Spec.IntraLatency, SimTime.Zero);
    }

    /// <summary>A card's pipeline write has left the port this node drives for it (crossbar, NIC, first torus link) at
    /// <paramref name="at"/>: the card may free its send buffer then (CardActor.SendToStage).</summary>
    private void SentFromPort(RdmaWrite w, SimTime at)
    {
        if (w.IsPipeline) SendAt(_s.Map.Card(w.SrcCard), at, new RdmaCompleted(w));
    }

    /// <summary>Reassembles a write cut into chunks; when its last chunk lands the destination card is told (and a tree chunk's source acknowledged).</summary>
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
        Land(c, SimTime.Max(Now, c.TailAt), hops + 1, _s.Map, _s.Spec.NicLatency, _s.Fabric.LinkLatency);
    }
}
