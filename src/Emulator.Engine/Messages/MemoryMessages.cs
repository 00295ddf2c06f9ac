using Emulator.Engine.Plan;

namespace Emulator.Engine.Messages;

/// <summary>Card to HBM bank, as the step starts: the program's runs of kernels (their HBM bytes, split evenly over <paramref name="Banks"/> stacks, and compute windows).</summary>
public sealed record TrafficPlan(KernelRuns Runs, IReadOnlyList<Instruction> Program, int Banks);

/// <summary>HBM bank to card, at once: the runs whose traffic the stack would still be serving after their compute, each with how long
/// it takes the stack to serve the run from the run's start (empty when every run's traffic hides under its compute).</summary>
public sealed record TrafficServed(int Bank, IReadOnlyList<(int Head, Kernel.SimTime Serve)> Late);

/// <summary>Card to its node: the banks hold the last kernel of the card's current run until <paramref name="Until"/>, for tensor-parallel chains.</summary>
public sealed record RunHeld(int Card, Kernel.SimTime Until);

/// <summary>Card to HBM bank: hold this many more bytes.</summary>
public sealed record Allocate(long Bytes);

/// <summary>HBM bank to card: an allocation did not fit and was refused.</summary>
public sealed record AllocationRejected(int Bank, long Requested, long Live, long Capacity);

/// <summary>Card to itself, a picosecond after its program ended at <paramref name="End"/> with growth the banks had not yet heard:
/// by then any refusal of it has arrived, so the card's report includes it.</summary>
public sealed record ReportAfterBanks(Kernel.SimTime End);

/// <summary>Card to itself: the current kernel (group) is over.</summary>
public sealed record ComputeDone
{
    /// <summary>The one instance (it carries nothing), so that a kernel's end allocates nothing.</summary>
    public static readonly ComputeDone Instance = new();

    private ComputeDone()
    {
    }
}
