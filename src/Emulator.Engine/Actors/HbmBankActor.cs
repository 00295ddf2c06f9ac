using Akka.Actor;
using Emulator.Core.Units;
using Emulator.Engine.Messages;
using Emulator.Engine.Plan;
using Emulator.Engine.Runtime;
using Emulator.Kernel;

namespace Emulator.Engine.Actors;

/// <summary>One HBM stack of a card: accounts the bytes it holds and serves the card's memory traffic at the stack's bandwidth.</summary>
/// <remarks>Its card sends only growth past the card's high-water mark (Allocate), once per instant, so the stack holds its share
/// of the peak: the first growth that does not fit is the card's out-of-memory point.
/// Traffic: the card is the stack's only client and never starts a run of kernels before its stacks have served the previous
/// run, so the stack is idle whenever a run starts and serves that run's share of bytes in share/bandwidth from then on. When
/// it finishes each run, relative to the run's start, is therefore a matter of the program alone: the card hands the stack its
/// program as the step starts, and the stack answers with the runs it would still be serving after their compute. Telling it
/// each run as it starts (one message per stack and run, 30% of a 50,000-card step's events) gave the same times.</remarks>
public sealed class HbmBankActor(int id, Partition partition, int card, int index, long capacity, Bandwidth bandwidth) : EntityActor(id, partition)
{
    /// <summary>This stack's share of the card's live-byte high-water mark.</summary>
    private long _live;

    /// <summary>Set by the first refusal: the card stops mirroring its demand here, and growth already on its way is ignored.</summary>
    private bool _overflowed;

    public static Props Props(int id, Partition partition, int card, int index, long capacity, Bandwidth bandwidth) =>
        EntityProps.Of(() => new HbmBankActor(id, partition, card, index, capacity, bandwidth));

    /// <summary>Stack <paramref name="bank"/>'s part of <paramref name="bytes"/> spread evenly over <paramref name="banks"/> stacks.</summary>
    public static long Share(long bytes, int bank, int banks) => bytes / banks + (bank < bytes % banks ? 1 : 0);

    protected override bool Handle(object message)
    {
        switch (message)
        {
            case TrafficPlan p:
                Send(card, SimTime.Zero, new TrafficServed(index, LateRuns(p)));
                return true;
            case Allocate a:
                Hold(a.Bytes);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The runs whose share of bytes takes this stack longer than their compute window (their first kernel at least).</summary>
    private List<(int Head, SimTime Serve)> LateRuns(TrafficPlan p)
    {
        var late = new List<(int, SimTime)>();
        foreach (var head in p.Runs.Heads)
        {
            var serve = bandwidth.TransferTime(Share(p.Runs.Bytes(head), index, p.Banks));
            var window = SimTime.Max(p.Runs.Compute(head), ((Work)p.Program[head]).Cost.Duration);
            if (serve > window) late.Add((head, serve));
        }
        return late;
    }

    private void Hold(long bytes)
    {
        if (_overflowed || bytes == 0) return;
        if (_live + bytes > capacity)
        {
            _overflowed = true;
            Send(card, SimTime.Zero, new AllocationRejected(index, bytes, _live, capacity));
        }
        else _live += bytes;
    }
}
