using Emulator.Engine.Plan;
using Emulator.Engine.Runtime;
using Emulator.Kernel;

namespace Emulator.Engine.Actors;

/// <summary>Everything a card actor needs to know about its place in the job.</summary>
/// <param name="Card">Card index in the job.</param>
/// <param name="Map">Entity ids.</param>
/// <param name="Node">Node index.</param>
/// <param name="Banks">HBM stacks of the card.</param>
/// <param name="Plan">Program of the card's pipeline stage.</param>
/// <param name="TpLeader">Lowest card index of its tensor-parallel group.</param>
/// <param name="TpSize">Tensor-parallel group size.</param>
/// <param name="PrevStage">Card of the previous stage with the same tp and dp rank, or -1.</param>
/// <param name="NextStage">Card of the next stage with the same tp and dp rank, or -1.</param>
/// <param name="DpSize">Data-parallel group size.</param>
/// <param name="DpDims">Dimensions of the data-parallel group, first fastest (one per fabric level: cards of the group sharing a node, then nodes; or torus axes); their product is DpSize.</param>
/// <param name="DpNext">Next card of the card's ring along each of <paramref name="DpDims"/>.</param>
/// <param name="DpPrev">Previous card along each dimension when collectives run both directions at once (torus), else null.</param>
/// <param name="CpSize">Context-parallel group size (1 = none).</param>
/// <param name="CpNext">Next card of its context-parallel ring (itself when CpSize is 1).</param>
/// <param name="ControlLatency">Delay of job-to-card control messages (the lookahead).</param>
/// <param name="Sampled">Whether the card records a trace timeline.</param>
public sealed record CardSetup(
    int Card,
    EntityMap Map,
    int Node,
    int Banks,
    StagePlan Plan,
    int TpLeader,
    int TpSize,
    int PrevStage,
    int NextStage,
    int DpSize,
    IReadOnlyList<int> DpDims,
    IReadOnlyList<int> DpNext,
    IReadOnlyList<int>? DpPrev,
    int CpSize,
    int CpNext,
    SimTime ControlLatency,
    bool Sampled)
{
    /// <summary>Fraction of the card's compute a collective beside its kernels takes (CardSpec.CollectiveShare).</summary>
    public double CollectiveShare { get; init; }

    /// <summary>The same for a collective whose group spans nodes (CardSpec.NetworkCollectiveShare).</summary>
    public double NetworkCollectiveShare { get; init; }

    /// <summary>Per dp dimension, whether its ranks sit on different nodes (its ring's collectives then take the network share).</summary>
    public IReadOnlyList<bool>? DpDimSpansNodes { get; init; }

    /// <summary>Whether the card's context-parallel group spans nodes.</summary>
    public bool CpSpansNodes { get; init; }

    /// <summary>Whether <see cref="TiedPeer"/> sits on another node.</summary>
    public bool TiedPeerOnOtherNode { get; init; }

    /// <summary>Set when gradient all-reduces run as double binary trees: the card's place in its dp group.</summary>
    public DpTreeSetup? DpTree { get; init; }

    /// <summary>Leading <see cref="DpDims"/> that ZeRO shards over; across the rest (torus slices) the cards hold replicas.</summary>
    public int ShardDims { get; init; } = int.MaxValue;

    /// <summary>Per <see cref="DpDims"/> dimension, the full-mesh links its same-node ring steps spread over (RdmaWrite.MeshLinks): its
    /// size − 1 when all its cards share this card's node (the step stands in for HCCL's in-server mesh algorithm), else 1 (a ring
    /// hop of a group that spans nodes); null: size − 1.</summary>
    public IReadOnlyList<int>? DpMeshLinks { get; init; }

    /// <summary>Per <see cref="DpDims"/> dimension, how long each of its ring steps waits before it leaves: the latency of the same-node
    /// steps a flat NCCL ring takes beyond the per-dimension rings' (StepEmulation.FlatRingStepDelays); null: none.</summary>
    public IReadOnlyList<SimTime>? DpStepDelay { get; init; }

    /// <summary>As <see cref="DpStepDelay"/> for reduce-scatters and all-gathers when ZeRO's shard group is smaller than the ring (hybrid
    /// sharding): each ring's flat ring spans only its own communicator's nodes (the shard group's, or the one across groups); null:
    /// <see cref="DpStepDelay"/>.</summary>
    public IReadOnlyList<SimTime>? DpShardedStepDelay { get; init; }

    /// <summary>The card's HBM, all stacks (0: unknown, then its banks are told every growth of its high-water mark).</summary>
    public long HbmCapacity { get; init; }

    /// <summary>Next card of its tensor-parallel ring when TP collectives run as ring messages over the node
    /// (emulation.tp-collectives = ring); -1 when the node runs each as one event.</summary>
    public int TpNext { get; init; } = -1;

    /// <summary>Previous card of the tensor-parallel ring when its collectives run both directions at once (torus), else -1.</summary>
    public int TpPrev { get; init; } = -1;

    /// <summary>Where its tensor-parallel group meets before each collective the node runs (set by the node; null with tp 1 or TP rings).</summary>
    public TpBarrier? TpBarrier { get; init; }

    /// <summary>The node runs this card's tensor-parallel collectives (barrier, chains) as one event each: tp above 1, not as rings.</summary>
    public bool NodeRunsTp => TpSize > 1 && TpNext < 0;

    /// <summary>On the first and last pipeline stages (two or more), the card of the other one with the same tp and dp rank: the
    /// other holder of the tied word embedding, with which it all-reduces its gradient (RingGroup.Embedding); else -1.</summary>
    public int TiedPeer { get; init; } = -1;

    /// <summary>Set when the card has a NIC of its own (one per card in the node), which it then drives itself.</summary>
    public NicLink? Nic { get; init; }
}

/// <summary>A card's place in the double binary trees over the last dimension of its dp group (the nodes, when dp ranks share a node).</summary>
/// <param name="Rank">Its coordinate along that dimension.</param>
/// <param name="Group">The cards along that dimension (same coordinates in the others), by coordinate.</param>
public sealed record DpTreeSetup(int Rank, IReadOnlyList<int> Group);
