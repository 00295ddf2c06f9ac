using Emulator.Engine.Messages;
using Emulator.Kernel;

namespace Emulator.Engine.Actors;

/// <summary>Where the ranks of one tensor-parallel group meet before each of their collectives: a flag board in the node's
/// memory, as NCCL and HCCL ranks of a server meet through flags in each other's memory.</summary>
/// <remarks>A rank posts when it knows when it will arrive (when its last kernel before the collective starts), by a direct call
/// from its card: the group's cards and their node live in one partition (StepEmulation.AssignPartitions), so one thread runs
/// them all, and the rank that completes the board tells the node once (NodeActor.RunCollective) instead of every rank sending
/// a join. A rank posts again only after the collective it joined is done, so one board serves all of a group's collectives.</remarks>
public sealed class TpBarrier(int size)
{
    private int _posted;
    private SimTime _latest;
    private bool _busy;
    private TpChain? _chain;

    /// <summary>The group's chain message, set to start at the TpSync at <paramref name="pc"/> (one object per group: TpChain); it
    /// may run on past that collective unless a rank of the last round was <paramref name="busy"/>.</summary>
    public TpChain Start(int leader, int pc, long bytes, bool busy) => (_chain ??= new TpChain(leader, Size)).Restart(pc, bytes, mayChain: !busy);

    /// <summary>Ranks in the group.</summary>
    public int Size { get; } = size;

    /// <summary>Posts that one rank arrives at <paramref name="at"/>, <paramref name="busy"/> when a collective of its own runs beside
    /// its kernels (so the node must not run its next kernel for it); true for the last rank to post, with when the last one arrives
    /// and whether any rank was busy.</summary>
    public bool Post(SimTime at, bool busy, out SimTime allArrived, out bool anyBusy)
    {
        _latest = SimTime.Max(_latest, at);
        _busy |= busy;
        allArrived = _latest;
        anyBusy = _busy;
        if (++_posted < Size) return false;
        _posted = 0;
        _latest = SimTime.Zero;
        _busy = false;
        return true;
    }
}
