using Emulator.Core.Accounting;
using Emulator.Engine.Messages;
using Emulator.Engine.Plan;
using Emulator.Kernel;

namespace Emulator.Engine.Actors;

/// <summary>The card's part of data-parallel collectives: rings over each dimension of its dp group, started and awaited separately so they can overlap compute.</summary>
/// <remarks>
/// A collective over a dp group of dims d0 × d1 × … runs as ring stages: a reduce-scatter along d0 over the whole buffer, along
/// d1 over 1/d0 of it, …, then the all-gathers in reverse (Sanders et al.; with one dimension this is the plain ring). In a stage,
/// step k+1 may go to the next rank once step k has arrived from the previous one (its data is what step k+1 carries, reduced);
/// arrivals are counted per stage tag because a fast neighbour's steps can land before this card reaches the stage.
/// On a torus every collective runs as two lanes, half the bytes each, rotating in opposite directions so both links of
/// each axis carry data.
/// </remarks>
public sealed partial class CardActor
{
    /// <summary>Stages a lane may have: a reduce-scatter and an all-gather per dimension.</summary>
    private const int MaxStages = 16;

    /// <summary>Steps received per stage tag ((phase·2 + lane)·MaxStages + stage).</summary>
    private readonly Dictionary<int, int> _ringReceived = new();
    /// <summary>Lanes in flight by phase·2 + lane.</summary>
    private readonly Dictionary<int, ActiveRing> _rings = new();
    private int _awaitedRing = -1;
    /// <summary>The data-parallel collective in flight (its phase, -1 for none) and those started behind it, which NCCL runs in
    /// issue order on the group's communicator: a bucket's reduce-scatter or a layer's all-gather waits for the one before.</summary>
    private int _dpRunning = -1;
    private readonly Queue<(RingKind Kind, long Bytes, int Phase)> _dpQueued = new();
    /// <summary>Ring stages of a reduce-scatter inside the ZeRO shard group: its dimensions of two or more ranks.</summary>
    private int ShardStages => _shardStages ??= _s.DpDims.Take(_s.ShardDims).Count(d => d > 1);
    private int? _shardStages;

    /// <summary>Starts a collective without blocking; a later <see cref="RingWait"/> on the same phase blocks until it is done.</summary>
    private void StartRing(RingKind kind, long bytes, int phase, RingGroup group = RingGroup.Data)
    {
        if (group == RingGroup.Tensor)
        {
            // A plain ring all-reduce: a reduce-scatter, then an all-gather, t-1 steps of bytes/t each; on a torus half the
            // bytes go each way round.
            var ways = _s.TpPrev >= 0 ? 2 : 1;
            var step = (bytes / ways + _s.TpSize - 1) / _s.TpSize;
            ActiveRing TpLane(int lane)
            {
                var ring = new RingStage(lane == 0 ? _s.TpNext : _s.TpPrev, _s.TpSize - 1, step, _s.TpSize - 1, SimTime.Zero);
                return new ActiveRing(phase * 2 + lane, [ring, ring]) { Share = _s.CollectiveShare };
            }
            Launch(TpLane(0), ways == 2 ? TpLane(1) : null);
            return;
        }
        if (group == RingGroup.Embedding)
        {
            if (_s.TiedPeer < 0) return;
            // A ring of two: the reduce-scatter's one step, then the all-gather's, each half the bytes, to the other holder.
            var hop = new RingStage(_s.TiedPeer, 1, (bytes + 1) / 2, 1, SimTime.Zero);
            Launch(new ActiveRing(phase * 2, [hop, hop]) { Share = ShareOver(_s.TiedPeerOnOtherNode) });
            return;
        }
        if (group == RingGroup.Context)
        {
            if (_s.CpSize == 1) return;
            var block = (bytes + _s.CpSize - 1) / _s.CpSize;
            // Ring attention passes each block to the next rank only: one link of a mesh.
            Launch(new ActiveRing(phase * 2, [new RingStage(_s.CpNext, _s.CpSize - 1, block, 1, SimTime.Zero)]) { Share = ShareOver(_s.CpSpansNodes) });
            return;
        }
        if (_s.DpSize == 1) return;
        if (_dpRunning >= 0)
        {
            _dpQueued.Enqueue((kind, bytes, phase));
            return;
        }
        _dpRunning = phase;
        if (kind == RingKind.AllReduce && _s.DpTree is not null)
        {
            StartTreeAllReduce(bytes, phase);
            return;
        }
        if (_s.DpPrev is null)
        {
            Launch(DpLane(phase * 2, Stages(kind, bytes, _s.DpNext)));
            return;
        }
        var half = (bytes + 1) / 2;
        Launch(DpLane(phase * 2, Stages(kind, half, _s.DpNext)), DpLane(phase * 2 + 1, Stages(kind, half, _s.DpPrev)));
    }

    /// <summary>A data-parallel lane: the network share if any of its stages runs over a dimension that spans nodes (NCCL sizes a
    /// communicator's channels by its topology; a hybrid-sharded lane's in-node shard stages, which NCCL runs on an in-node
    /// communicator, take it too: a simplification).</summary>
    private ActiveRing DpLane(int key, List<RingStage> stages) => new(key, stages) { Share = ShareOver(stages.Any(st => st.SpansNodes)) };

    /// <summary>The share of the card's compute a collective over a group that does or does not span nodes holds beside kernels.</summary>
    private double ShareOver(bool spansNodes) => spansNodes ? _s.NetworkCollectiveShare : _s.CollectiveShare;

    /// <summary>Registers a collective's lane (or both lanes), holds their step buffers and sends what each can.</summary>
    /// <remarks>Both lanes are registered before any sends: a lane whose steps have all arrived ends at once, and the collective
    /// must not look done (waking the card, starting the next queued one) while its other lane is still to start.</remarks>
    private void Launch(ActiveRing lane, ActiveRing? other = null)
    {
        Register(lane);
        if (other is not null) Register(other);
        PumpRing(lane);
        if (other is not null) PumpRing(other);
    }

    private void Register(ActiveRing ring)
    {
        _rings[ring.Key] = ring;
        Allocate(MemoryKind.Buffers, ring.BufferBytes);
    }

    private bool RingActive(int phase) =>
        _rings.ContainsKey(phase * 2) || _rings.ContainsKey(phase * 2 + 1) || _trees.ContainsKey(phase) || IsQueued(phase);

    /// <summary>Whether data-parallel collective <paramref name="phase"/> waits behind the one in flight.</summary>
    private bool IsQueued(int phase)
    {
        foreach (var q in _dpQueued)
            if (q.Phase == phase) return true;
        return false;
    }

    /// <summary>Blocks until collective <paramref name="phase"/> is done; returns false when it already is.</summary>
    private bool AwaitRing(int phase, RingKind kind, RingGroup group = RingGroup.Data)
    {
        if (!RingActive(phase)) return false;
        _awaitedRing = phase;
        if (group == RingGroup.Tensor)
        {
            Block(TimeKind.TensorParallel, TpSpanName);
            return true;
        }
        if (group == RingGroup.Embedding)
        {
            Block(TimeKind.DataParallel, "tied embedding all-reduce");
            return true;
        }
        if (group == RingGroup.Context)
        {
            Block(TimeKind.ContextParallel, kind == RingKind.ReduceScatter ? "cp key/value gradients" : "cp key/value ring");
            return true;
        }
        Block(TimeKind.DataParallel, kind switch
        {
            RingKind.AllReduce => "dp all-reduce",
            RingKind.ReduceScatter => "dp reduce-scatter",
            _ => "dp all-gather",
        });
        return true;
    }

    /// <summary>The ring stages of a collective over this card's dp dimensions (size-1 dimensions take no stage).</summary>
    /// <remarks>ZeRO shards over the first <see cref="CardSetup.ShardDims"/> dimensions only: across the others (torus slices)
    /// the cards hold replicas, so a reduce-scatter ends with an all-reduce of its shard across them, and an all-gather
    /// stays inside the shard group.</remarks>
    private List<RingStage> Stages(RingKind kind, long bytes, IReadOnlyList<int> next)
    {
        var delays = kind == RingKind.AllReduce ? _s.DpStepDelay : _s.DpShardedStepDelay ?? _s.DpStepDelay;
        var scatter = Stages(RingKind.ReduceScatter, bytes, next, _s.DpDims.Count, out _, delays);
        if (kind == RingKind.AllReduce) return [.. scatter, .. Enumerable.Reverse(scatter)];
        var shard = scatter.Take(ShardStages).ToList();
        if (kind == RingKind.AllGather) return Enumerable.Reverse(shard).ToList();
        var replicated = scatter.Skip(shard.Count).ToList();
        // Validated (at most 8 ring dimensions), so a lane's stages fit its tags.
        if (shard.Count + 2 * replicated.Count > MaxStages)
            throw new InvalidOperationException($"a reduce-scatter over {scatter.Count} ring dimensions needs {shard.Count + 2 * replicated.Count} stages, more than a lane's {MaxStages}");
        return [.. shard, .. replicated, .. Enumerable.Reverse(replicated)];
    }

    /// <summary>The ring stages over the first <paramref name="dimensions"/> dp dimensions; <paramref name="scattered"/> is what one rank holds after their reduce-scatters.
    /// Their same-node steps wait <paramref name="delays"/> (per dimension) to pay a flat NCCL ring's latency (CardSetup.DpStepDelay);
    /// a tree all-reduce's rings inside the node pass null (NCCL chains a node's ranks under the tree).</summary>
    private List<RingStage> Stages(RingKind kind, long bytes, IReadOnlyList<int> next, int dimensions, out long scattered, IReadOnlyList<SimTime>? delays)
    {
        var dims = _s.DpDims;
        var scatter = new List<RingStage>();
        var buffer = bytes;
        for (var d = 0; d < dimensions; d++)
        {
            if (dims[d] == 1) continue;
            var step = (buffer + dims[d] - 1) / dims[d];
            scatter.Add(new RingStage(next[d], dims[d] - 1, step, _s.DpMeshLinks?[d] ?? dims[d] - 1, delays?[d] ?? SimTime.Zero, _s.DpDimSpansNodes?[d] ?? false));
            buffer = step;
        }
        scattered = buffer;
        var gather = Enumerable.Reverse(scatter).ToList();
        return kind switch
        {
            RingKind.ReduceScatter => scatter,
            RingKind.AllGather => gather,
            _ => [.. scatter, .. gather],
        };
    }

    private int Received(int tag) => _ringReceived.GetValueOrDefault(tag);

    private void RingReceived(int tag)
    {
        _ringReceived[tag] = Received(tag) + 1;
        if (_rings.TryGetValue(tag / MaxStages, out var ring) && ring.Stage == tag % MaxStages) PumpRing(ring);
    }

    private void PumpRing(ActiveRing ring)
    {
        while (ring.Stage < ring.Stages.Count)
        {
            var stage = ring.Stages[ring.Stage];
            var tag = ring.Key * MaxStages + ring.Stage;
            while (ring.Sent < stage.Steps && Received(tag) >= ring.Sent)
            {
                // A mirrored dimension's step loops back through this card's NIC and leaf (ReplicaMirror).
                var write = stage.Next < 0
                    ? NewWrite(_s.Card, stage.StepBytes, TransferKind.Ring, tag, reverse: ring.Key % 2 == 1) with { Loopback = true }
                    : NewWrite(stage.Next, stage.StepBytes, TransferKind.Ring, tag, reverse: ring.Key % 2 == 1, meshLinks: stage.MeshLinks);
                PostAfter(stage.Delay, write);
                ring.Sent++;
            }
            if (ring.Sent < stage.Steps || Received(tag) < stage.Steps) return;
            _ringReceived.Remove(tag);
            ring.Stage++;
            ring.Sent = 0;
        }
        _rings.Remove(ring.Key);
        Ended(ring.Key / 2, ring.BufferBytes, ring.Then);
    }

    /// <summary>A collective's lane (or tree all-reduce) of <paramref name="phase"/> ended: frees its buffer, then runs the
    /// collective's next part if it has one, else wakes the card if it waited for the last of them.</summary>
    private void Ended(int phase, long bufferBytes, Action? then)
    {
        Allocate(MemoryKind.Buffers, -bufferBytes);
        if (then is not null)
        {
            then();
            return;
        }
        if (phase == _dpRunning && !RingActive(phase))
        {
            _dpRunning = -1;
            if (_dpQueued.TryDequeue(out var next)) StartRing(next.Kind, next.Bytes, next.Phase);
        }
        if (_awaitedRing != phase || RingActive(_awaitedRing)) return;
        _awaitedRing = -1;
        Resume();
    }

    /// <summary>One ring of a collective: steps to the next rank of one dp dimension, each of StepBytes; on a full-mesh node its
    /// same-node steps spread over MeshLinks links (a collective's k − 1, a true ring's one), each leaving Delay after it may.</summary>
    private readonly record struct RingStage(int Next, int Steps, long StepBytes, int MeshLinks, SimTime Delay, bool SpansNodes = false);

    /// <summary>One lane of a collective in flight: its stages and how far this card is.</summary>
    private sealed class ActiveRing(int key, List<RingStage> stages)
    {
        /// <summary>phase·2 + lane.</summary>
        public int Key { get; } = key;
        public List<RingStage> Stages { get; } = stages;
        public long BufferBytes { get; } = stages.Count == 0 ? 0 : stages.Max(s => s.StepBytes);
        public int Stage { get; set; }
        public int Sent { get; set; }
        /// <summary>What runs when this ring is done, instead of ending the collective (a hierarchical tree all-reduce's next part).</summary>
        public Action? Then { get; init; }
        /// <summary>The share of the card's compute the collective holds beside kernels (CardSetup.CollectiveShare or its network one).</summary>
        public double Share { get; init; }
    }
}
