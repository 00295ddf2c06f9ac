using Emulator.Kernel;

namespace Emulator.Engine.Messages;

/// <summary>Why bytes move between cards.</summary>
public enum TransferKind
{
    /// <summary>Forward activations to the next pipeline stage.</summary>
    Activation,
    /// <summary>Activation gradients to the previous pipeline stage.</summary>
    Gradient,
    /// <summary>One step of a data-parallel ring collective.</summary>
    Ring,
    /// <summary>One chunk going up or down a tree of a double-binary-tree all-reduce.</summary>
    Tree,
}

/// <summary>Card to its node: RDMA-write <paramref name="Bytes"/> to another card. <paramref name="Tag"/> is <see cref="Plan.StagePlanner.Tag"/> (microbatch and receiving chunk) for pipeline transfers, the ring's number for ring steps.</summary>
/// <param name="Reverse">On a torus, break routing ties toward − (the counter-rotating lane of a collective).</param>
public sealed record RdmaWrite(long TransferId, int SrcCard, int DstCard, long Bytes, TransferKind Kind, int Tag, bool Reverse = false)
{
    /// <summary>A mirrored replica's ring step (Engine.ReplicaMirror): written to the sender itself through its NIC and leaf, standing in for the write it would send to, and receive from, a mirrored neighbour.</summary>
    public bool Loopback { get; init; }

    /// <summary>Links of a full-mesh node (HCCS) the write may spread over when it stays inside the node: a ring step standing in
    /// for a collective among k cards of the node takes the k − 1 links among them (HCCL's mesh algorithm), a lone send one.</summary>
    public int MeshLinks { get; init; } = 1;

    /// <summary>An activation or gradient between pipeline stages, whose send buffer is freed once its last byte has left the sender.</summary>
    public bool IsPipeline => Kind is TransferKind.Activation or TransferKind.Gradient;
}

/// <summary>One chunk of an RDMA write in the fabric (NIC to switch, switch to switch, switch to NIC), delivered when its first byte arrives; its last byte arrives at <paramref name="TailAt"/>.
/// At a card, the write's last chunk landing: the whole write is in (FabricActor.Land).</summary>
/// <remarks>Ports forward cut-through: a chunk may leave as soon as its head is in and the port is free, but cannot finish leaving before its tail is in.</remarks>
public sealed record RdmaChunk(RdmaWrite Write, long Bytes, int Chunks, int DstNode, int DstRail, ulong FlowHash, Kernel.SimTime TailAt)
{
    /// <summary>When the last byte arrives where the chunk is going next. A switch moves it on and forwards this same message:
    /// nothing else holds a chunk in flight, and a copy per hop was most of a large step's allocations.</summary>
    public Kernel.SimTime TailAt { get; set; } = TailAt;
}

/// <summary>To the destination card: every byte of a write that crossed no switch (crossbar, torus) has landed.</summary>
public sealed record RdmaDelivered(RdmaWrite Write);

/// <summary>To the source card: a tree chunk is acknowledged (from where it landed), or a pipeline write's last byte has left the port its node drives for it (its send buffer can go).</summary>
public sealed record RdmaCompleted(RdmaWrite Write);

/// <summary>Node to itself: a NIC finished serialising a chunk and can take the next.</summary>
public sealed record NicReady(int Rail);

/// <summary>Node to card: the tensor-parallel collective finished at <c>Ends[0]</c>; each further end is of a collective the node chained on
/// (Plan.KernelRuns.ChainsOn: the next kernel, then the next sync), the last being now. One per group, sent again for each of its chains.</summary>
public sealed class TpCollectiveDone(IReadOnlyList<SimTime> ends)
{
    public IReadOnlyList<SimTime> Ends { get; } = ends;
}

/// <summary>To the node, when every rank of a group has arrived at a tensor-parallel collective of <c>Bytes</c> per rank, the TpSync at
/// <c>Pc</c> of the group's program: from the rank that completed the group's TpBarrier, or from the node itself for the next
/// collective of a chain (NodeActor.RunCollective).</summary>
/// <remarks>One per group, reused for each of its chains (TpBarrier.Start): a group's next chain starts only when every rank has
/// posted again, which each does only after it has read this chain's ends, so nothing still reads it then.</remarks>
public sealed class TpChain
{
    private readonly List<SimTime> _ends = new();

    public TpChain(int leader, int size)
    {
        Leader = leader;
        Size = size;
        Done = new TpCollectiveDone(_ends);
    }

    public int Leader { get; }
    public int Size { get; }
    /// <summary>The TpSync of the collective to run.</summary>
    public int Pc { get; set; }
    public long Bytes { get; set; }
    /// <summary>When each collective of the chain so far ended.</summary>
    public IReadOnlyList<SimTime> Ends => _ends;
    /// <summary>What the ranks are told when the chain ends.</summary>
    public TpCollectiveDone Done { get; }

    /// <summary>Whether the node may run the group's kernel after this collective itself: not when a rank's kernels share its card
    /// with a collective of its own (CardActor slows them).</summary>
    public bool MayChain { get; private set; }

    /// <summary>Starts the group's next chain at the TpSync at <paramref name="pc"/>.</summary>
    public TpChain Restart(int pc, long bytes, bool mayChain)
    {
        Pc = pc;
        Bytes = bytes;
        MayChain = mayChain;
        _ends.Clear();
        return this;
    }

    /// <summary>One more collective of the chain ended at <paramref name="end"/>.</summary>
    public void Ended(SimTime end) => _ends.Add(end);
}

/// <summary>An RDMA write crossing a torus link: its head has reached <paramref name="Chip"/>, its tail arrives at <paramref name="TailAt"/>; <paramref name="Hops"/> links so far.</summary>
public sealed record IciHop(RdmaWrite Write, int Chip, Kernel.SimTime TailAt, int Hops);
