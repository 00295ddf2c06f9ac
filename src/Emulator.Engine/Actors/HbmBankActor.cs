using Akka.Actor;
using Emulator.Core.Units;
using Emulator.Engine.Messages;
using Emulator.Engine.Runtime;
using Emulator.Kernel;

namespace Emulator.Engine.Actors;

/// <summary>One HBM stack of a card: accounts the bytes it holds and serialises memory traffic at the stack's bandwidth.</summary>
/// <remarks>Its card sends only growth past the card's high-water mark (Allocate, or with a run's MemoryTraffic), once per instant, so the stack holds its share of the peak:
/// the first growth that does not fit is the card's out-of-memory point.</remarks>
public sealed class HbmBankActor(int id, Partition partition, int card, int index, long capacity, Bandwidth bandwidth) : EntityActor(id, partition)
{
    private SimTime _busyUntil;

    /// <summary>This stack's share of the card's live-byte high-water mark.</summary>
    private long _live;

    /// <summary>Set by the first refusal: the card stops mirroring its demand here, and growth already on its way is ignored.</summary>
    private bool _overflowed;

    public static Props Props(int id, Partition partition, int card, int index, long capacity, Bandwidth bandwidth) =>
        Akka.Actor.Props.Create(() => new HbmBankActor(id, partition, card, index, capacity, bandwidth)).WithDispatcher(InlineDispatcher.ConfigId);

    protected override bool Handle(object message)
    {
        switch (message)
        {
            case MemoryTraffic t:
                Hold(t.Growth);
                // FIFO: traffic queues behind whatever this stack is still serving.
                _busyUntil = SimTime.Max(Now, _busyUntil) + bandwidth.TransferTime(t.Bytes);
                if (_busyUntil > t.ComputeEnd) Send(card, SimTime.Zero, new MemoryTrafficLate(index, _busyUntil));
                return true;
            case Allocate a:
                Hold(a.Bytes);
                return true;
            default:
                return false;
        }
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
