namespace Emulator.Core.Specs;

/// <summary>How the emulation itself runs: seed, fidelity knobs and threads. None of these changes the modelled hardware.</summary>
/// <param name="Seed">Seed of every random stream (ECMP hashing).</param>
/// <param name="RdmaChunkBytes">RDMA writes are cut into chunks of this size; each chunk is serialised by every port on its path.</param>
/// <param name="Threads">Partitions run in parallel (1 = a plain event loop); results do not depend on it.</param>
/// <param name="TraceCards">How many cards get a track in trace.json (evenly spaced over the job).</param>
public sealed record EmulationSpec(
    long Seed,
    long RdmaChunkBytes,
    int Threads,
    int TraceCards)
{
    /// <summary>The chunk size of <c>emulation.rdma-chunk = whole</c>: larger than any write, so each crosses the fabric as one chunk.</summary>
    public const long WholeWrites = 1L << 50;

    /// <summary>The chunk size <c>emulation.rdma-chunk = auto</c> picks when data-parallel collectives run beside pipeline sends.</summary>
    public const long SharedNicChunk = 16L << 20;

    /// <summary>What <c>emulation.rdma-chunk = auto</c> means for a plan: whole writes, unless gradient or parameter collectives of
    /// hundreds of MB run while pipeline sends cross the same NICs (pp > 1 with overlapped or FSDP data-parallel traffic), where a
    /// whole write would hold a send first come, first served; NCCL cuts both into slices that share the NIC.</summary>
    public static long AutoChunkBytes(ParallelSpec p, TrainingSpec t) =>
        p.Pp > 1 && p.WeightReplicas > 1 && (t.OverlapGradReduce || t.OverlapParamGather || t.ZeroStage == 3) ? SharedNicChunk : WholeWrites;

    /// <summary>Fidelity knob: emulate only the data-parallel replicas on the first nodes and mirror them to the others (Engine.ReplicaMirror).</summary>
    public bool MirrorReplicas { get; init; }

    /// <summary>Fidelity knob: tensor-parallel collectives run as ring all-reduces of RDMA writes over the node (emulation.tp-collectives = ring) instead of one event at the node.</summary>
    public bool TpCollectiveRings { get; init; }
}
