using Emulator.Core.Accounting;
using Emulator.Core.Topology;
using Emulator.Engine.Messages;
using Emulator.Engine.Plan;

namespace Emulator.Engine.Actors;

/// <summary>The card's part of a double-binary-tree all-reduce (training.dp-algorithm = tree).</summary>
/// <remarks>
/// <para>When dp ranks share a node the all-reduce is hierarchical, as NCCL's trees with one channel per NIC: a ring
/// reduce-scatter inside the node, a tree all-reduce of the card's 1/k across nodes on its own NIC, then a ring
/// all-gather inside the node. One tree through all ranks would send everything through one NIC per node.</para>
/// <para>Each of the two trees (Core.Topology.DoubleBinaryTree) carries half of the buffer, cut into 64 chunks (fewer when
/// they would be under 4 KiB), whatever emulation.rdma-chunk is. Going up, a
/// rank sends chunk c to its parent once every child's chunk c has arrived (a leaf sends all its chunks at once, its NIC
/// serialising them); the root's reduced chunk c is final and goes down, each rank passing it on to its children as it
/// arrives. The card is done when every chunk of both trees is final here. Chunks that arrive before the card reaches the
/// collective are counted and used when it does. Like NCCL's slots, at most two chunks per tree and neighbour are
/// unacknowledged at a time: without that window a leaf would post all its chunks at once, its NIC would share its rate
/// among all of them, and no chunk would reach the parent before the last.</para>
/// </remarks>
public sealed partial class CardActor
{
    private const int TreeChunksMax = 64;
    private const int TreeWindow = 2;
    /// <summary>Smallest chunk a tree pipelines (one RDMA MTU): small buffers take fewer than 64 chunks.</summary>
    private const long TreeChunkMinBytes = 4096;

    /// <summary>Chunks arrived per tag (((phase·2 + tree)·2 + down)·64 + chunk).</summary>
    private readonly Dictionary<int, int> _treeArrived = new();
    /// <summary>Tree all-reduces in flight by phase.</summary>
    private readonly Dictionary<int, ActiveTree> _trees = new();

    private static int TreeTag(int phase, int tree, bool down, int chunk) => checked(((phase * 2 + tree) * 2 + (down ? 1 : 0)) * TreeChunksMax + chunk);

    /// <summary>Ring reduce-scatters over the inner dp dimensions, the tree over the last, ring all-gathers back.</summary>
    private void StartTreeAllReduce(long bytes, int phase)
    {
        var inner = _s.DpDims.Count - 1;
        var scatter = Stages(RingKind.ReduceScatter, bytes, _s.DpNext, inner, out var scattered, delays: null);
        if (scatter.Count == 0)
        {
            StartTree(bytes, phase, then: null);
            return;
        }
        var gather = Stages(RingKind.AllGather, bytes, _s.DpNext, inner, out _, delays: null);
        // The all-gather takes the second lane's key (free off a torus), so its steps are never counted as the scatter's.
        // One NCCL collective across nodes: the network share for its in-node rings too.
        Launch(new ActiveRing(phase * 2, scatter)
        {
            Share = _s.NetworkCollectiveShare,
            Then = () => StartTree(scattered, phase, then: () => Launch(new ActiveRing(phase * 2 + 1, gather) { Share = _s.NetworkCollectiveShare })),
        });
    }

    private void StartTree(long bytes, int phase, Action? then)
    {
        var setup = _s.DpTree!;
        var half = (bytes + 1) / 2;
        // The pipeline depth is the algorithm's, not the RDMA chunk size's: whole-write fidelity must not unpipeline the tree.
        var chunks = (int)Math.Clamp(half / TreeChunkMinBytes, 1, TreeChunksMax);
        var tree = new ActiveTree(phase, chunks, (half + chunks - 1) / chunks, DoubleBinaryTree.Of(setup.Group.Count)) { Then = then };
        _trees[phase] = tree;
        Allocate(MemoryKind.Buffers, tree.BufferBytes);
        PumpTree(tree, 0);
        PumpTree(tree, 1);
    }

    private void TreeReceived(int tag)
    {
        _treeArrived[tag] = _treeArrived.GetValueOrDefault(tag) + 1;
        if (_trees.TryGetValue(tag / (4 * TreeChunksMax), out var tree)) PumpTree(tree, tag / (2 * TreeChunksMax) % 2);
    }

    /// <summary>Takes the arrivals of chunk <paramref name="tag"/> if at least <paramref name="needed"/> are in.</summary>
    private bool TakeArrived(int tag, int needed)
    {
        if (needed == 0) return true;
        if (_treeArrived.GetValueOrDefault(tag) < needed) return false;
        _treeArrived.Remove(tag);
        return true;
    }

    /// <summary>Moves tree <paramref name="t"/> of <paramref name="a"/> as far as what has arrived allows.</summary>
    private void PumpTree(ActiveTree a, int t)
    {
        var rank = _s.DpTree!.Rank;
        var parent = a.Trees.Parent(t, rank);
        var children = a.Trees.Children(t, rank);
        while (a.Reduced[t] < a.Chunks && TakeArrived(TreeTag(a.Phase, t, down: false, a.Reduced[t]), children.Count))
        {
            var chunk = a.Reduced[t]++;
            if (parent >= 0) SendTreeChunk(parent, a, TreeTag(a.Phase, t, down: false, chunk));
            else Broadcast(a, t, chunk, children);
        }
        while (parent >= 0 && a.Final[t] < a.Chunks && TakeArrived(TreeTag(a.Phase, t, down: true, a.Final[t]), 1))
            Broadcast(a, t, a.Final[t], children);
        TryFinishTree(a);
    }

    /// <summary>The card is done with the all-reduce once every chunk is final here and has left for its children.</summary>
    private void TryFinishTree(ActiveTree a)
    {
        if (a.Final[0] < a.Chunks || a.Final[1] < a.Chunks || a.Links.Values.Any(l => l.Waiting.Count > 0)) return;
        _trees.Remove(a.Phase);
        Ended(a.Phase, a.BufferBytes, a.Then);
    }

    /// <summary>Chunk <paramref name="chunk"/> of tree <paramref name="t"/> is final here: it goes down to the children.</summary>
    private void Broadcast(ActiveTree a, int t, int chunk, IReadOnlyList<int> children)
    {
        a.Final[t]++;
        foreach (var child in children) SendTreeChunk(child, a, TreeTag(a.Phase, t, down: true, chunk));
    }

    /// <summary>Sends a chunk to a neighbour in the tree, or queues it while two are unacknowledged on that link.</summary>
    private void SendTreeChunk(int dpRank, ActiveTree a, int tag)
    {
        var card = _s.DpTree!.Group[dpRank];
        if (!a.Links.TryGetValue((tag / TreeChunksMax, card), out var link)) a.Links[(tag / TreeChunksMax, card)] = link = new TreeLink();
        if (link.InFlight == TreeWindow)
        {
            link.Waiting.Enqueue(tag);
            return;
        }
        link.InFlight++;
        Post(NewWrite(card, a.ChunkBytes, TransferKind.Tree, tag));
    }

    /// <summary>A tree chunk was acknowledged: the next one queued for that neighbour may go.</summary>
    private void TreeAcknowledged(RdmaWrite w)
    {
        if (!_trees.TryGetValue(w.Tag / (4 * TreeChunksMax), out var a)) return;
        var link = a.Links[(w.Tag / TreeChunksMax, w.DstCard)];
        link.InFlight--;
        if (link.Waiting.Count == 0) return;
        link.InFlight++;
        Post(NewWrite(w.DstCard, a.ChunkBytes, TransferKind.Tree, link.Waiting.Dequeue()));
        TryFinishTree(a);
    }

    /// <summary>Chunks on their way to one neighbour in one direction of one tree.</summary>
    private sealed class TreeLink
    {
        public int InFlight { get; set; }
        public Queue<int> Waiting { get; } = new();
    }

    /// <summary>A tree all-reduce in flight: per tree, chunks reduced up to here and chunks final here.</summary>
    private sealed class ActiveTree(int phase, int chunks, long chunkBytes, DoubleBinaryTree trees)
    {
        public int Phase { get; } = phase;
        public int Chunks { get; } = chunks;
        public long ChunkBytes { get; } = chunkBytes;
        public DoubleBinaryTree Trees { get; } = trees;
        /// <summary>One chunk per tree being reduced or passed on.</summary>
        public long BufferBytes => 2 * ChunkBytes;
        public int[] Reduced { get; } = new int[2];
        public int[] Final { get; } = new int[2];
        /// <summary>What runs when the tree is done (the all-gather of a hierarchical all-reduce), instead of ending the collective.</summary>
        public Action? Then { get; init; }
        /// <summary>Send windows by (tree and direction of the tag, neighbour card).</summary>
        public Dictionary<(int, int), TreeLink> Links { get; } = new();
    }
}
