namespace Emulator.Engine.Messages;

/// <summary>Card to HBM bank: move this many bytes through the stack (reads plus writes of a run of kernels, Plan.KernelRuns) while the card computes until <paramref name="ComputeEnd"/>;
/// and hold <paramref name="Growth"/> more bytes, as an <see cref="Allocate"/> of the same instant would.</summary>
public sealed record MemoryTraffic(long Bytes, Kernel.SimTime ComputeEnd, long Growth = 0);

/// <summary>HBM bank to card, at once: the stack will only finish the traffic at <paramref name="DoneAt"/>, after the compute (the stack is the bottleneck).</summary>
/// <remarks>A bank that finishes in the compute's shadow says nothing: its answer could not change the kernel's end.</remarks>
public sealed record MemoryTrafficLate(int Bank, Kernel.SimTime DoneAt);

/// <summary>Card to its node: the banks hold the last kernel of the card's current run until <paramref name="Until"/> (a MemoryTrafficLate passed on, for tensor-parallel chains).</summary>
public sealed record RunHeld(int Card, Kernel.SimTime Until);

/// <summary>Card to HBM bank: hold this many more bytes.</summary>
public sealed record Allocate(long Bytes);

/// <summary>HBM bank to card: an allocation did not fit and was refused.</summary>
public sealed record AllocationRejected(int Bank, long Requested, long Live, long Capacity);

/// <summary>Card to itself: the current kernel (group) is over.</summary>
public sealed record ComputeDone
{
    /// <summary>The one instance (it carries nothing), so that a kernel's end allocates nothing.</summary>
    public static readonly ComputeDone Instance = new();

    private ComputeDone()
    {
    }
}
