using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Engine.Messages;

namespace Emulator.Engine.Plan;

/// <summary>One step of a card's program for a training step; the program of a pipeline stage is shared by all its cards.</summary>
public abstract record Instruction;

/// <summary>Block until the activation (or gradient) of a microbatch for one of this card's model chunks has arrived from the neighbouring stage.</summary>
public sealed record WaitInput(TransferKind Kind, int MicroBatch, int Chunk = 0) : Instruction
{
    /// <summary>The tag the matching write carries.</summary>
    public int Tag => StagePlanner.Tag(MicroBatch, Chunk);
}

/// <summary>Run kernels of this cost; HBM banks serve their traffic.</summary>
public sealed record Work(WorkCost Cost, WorkPhase Phase, int MicroBatch) : Instruction;

/// <summary>Tensor-parallel collective of this many bytes per rank, inside the node.</summary>
public sealed record TpSync(long Bytes) : Instruction;

/// <summary>Start a tensor-parallel collective of this many bytes per rank and run on; the next <see cref="TpWait"/> blocks until it
/// is done (Megatron-LM's asynchronous backward collectives, beside a GEMM that does not need them). At most one is open at a time.</summary>
public sealed record TpStart(long Bytes) : Instruction;

/// <summary>Block until the collective of the last <see cref="TpStart"/> is done (no wait if it already is).</summary>
public sealed record TpWait : Instruction
{
    /// <summary>The one instance: a wait carries nothing.</summary>
    public static readonly TpWait Instance = new();
}

/// <summary>RDMA-write a microbatch's activations to the next stage or its gradients to the previous one, for the receiver's model chunk <paramref name="ToChunk"/>; does not block.</summary>
public sealed record SendInput(TransferKind Kind, int MicroBatch, long Bytes, int ToChunk = 0) : Instruction
{
    /// <summary>The tag the write carries.</summary>
    public int Tag => StagePlanner.Tag(MicroBatch, ToChunk);
}

/// <summary>Allocate (positive) or release (negative) HBM.</summary>
public sealed record Alloc(MemoryKind Kind, long Bytes) : Instruction;

/// <summary>A data-parallel ring collective over the card's dp group, blocking until it completes; <paramref name="Phase"/> numbers the rings of a program (distinct, as they tag the ring's writes).</summary>
public sealed record RingSync(RingKind Ring, long Bytes, int Phase) : Instruction;

/// <summary>Start a data-parallel collective and run on; it progresses while the card computes (overlapped gradient reduction, prefetched parameters).</summary>
public sealed record RingStart(RingKind Ring, long Bytes, int Phase, RingGroup Group = RingGroup.Data) : Instruction;

/// <summary>Which ranks a ring collective runs over.</summary>
public enum RingGroup
{
    /// <summary>The cards holding the same weights (dp·cp), for gradients and parameters.</summary>
    Data,
    /// <summary>The context-parallel group of one sequence, for ring attention's keys and values.</summary>
    Context,
    /// <summary>The tensor-parallel group, when its collectives run as ring messages (emulation.tp-collectives = ring).</summary>
    Tensor,
    /// <summary>The first and last pipeline stages' cards of one tp and dp rank, which hold the tied word embedding.</summary>
    Embedding,
}

/// <summary>Block until the collective started with the same <paramref name="Phase"/> is done (no wait if it already is).</summary>
public sealed record RingWait(RingKind Ring, int Phase, RingGroup Group = RingGroup.Data) : Instruction;

/// <summary>What a <see cref="Work"/> is, for the time breakdown and the trace.</summary>
public enum WorkPhase
{
    Forward,
    Backward,
    Recompute,
    Optimizer,
}

/// <summary>Ring collective flavours: an all-reduce takes 2(n-1) steps, the other two n-1.</summary>
public enum RingKind
{
    AllReduce,
    ReduceScatter,
    AllGather,
}
