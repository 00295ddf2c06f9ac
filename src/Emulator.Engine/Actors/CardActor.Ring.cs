using Emulator.Core.Accounting;
using Emulator.Engine.Messages;
using Emulator.Engine.Plan;

namespace Emulator.Engine.Actors;

/// <summary>The card's part of a data-parallel ring collective.</summary>
/// <remarks>Step k+1 may go to the next rank once step k has arrived from the previous one (its data is what step k+1 carries, reduced); arrivals are counted per phase because a fast neighbour's steps can land before this card reaches the ring.</remarks>
public sealed partial class CardActor
{
    /// <summary>Steps received per ring; rings of one program have distinct <see cref="RingSync.Phase"/> numbers.</summary>
    private readonly Dictionary<int, int> _ringReceived = new();
    private RingSync? _ring;
    private int _ringSteps;
    private int _ringSent;
    private long _ringStepBytes;

    private void StartRing(RingSync r)
    {
        var n = _s.DpSize;
        _ring = r;
        _ringSteps = r.Ring == RingKind.AllReduce ? 2 * (n - 1) : n - 1;
        _ringSent = 0;
        _ringStepBytes = (r.Bytes + n - 1) / n;
        Allocate(MemoryKind.Buffers, _ringStepBytes);
        Block(TimeKind.DataParallel, r.Ring switch
        {
            RingKind.AllReduce => "dp all-reduce",
            RingKind.ReduceScatter => "dp reduce-scatter",
            _ => "dp all-gather",
        });
        PumpRing();
    }

    private int Received(int phase) => _ringReceived.GetValueOrDefault(phase);

    private void RingReceived(int phase)
    {
        _ringReceived[phase] = Received(phase) + 1;
        if (_ring is not null && _ring.Phase == phase) PumpRing();
    }

    private void PumpRing()
    {
        var ring = _ring!;
        while (_ringSent < _ringSteps && Received(ring.Phase) >= _ringSent)
        {
            Send(_nodeId, Kernel.SimTime.Zero, NewWrite(_s.DpNext, _ringStepBytes, TransferKind.Ring, ring.Phase));
            _ringSent++;
        }
        if (_ringSent < _ringSteps || Received(ring.Phase) < _ringSteps) return;
        _ring = null;
        Allocate(MemoryKind.Buffers, -_ringStepBytes);
        Resume();
    }
}
