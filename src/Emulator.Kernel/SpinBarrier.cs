namespace Emulator.Kernel;

/// <summary>A sense-reversing barrier that spins (then yields, never sleeps) instead of blocking in the kernel.</summary>
/// <remarks>Windows of a few events each pass a barrier every few microseconds; waking a blocked thread costs about that much,
/// <see cref="Barrier"/> measured 2.5 µs per window here, so the waiters spin on one flag while the last arrival flips it.</remarks>
public sealed class SpinBarrier(int participants)
{
    private readonly int _participants = participants;
    private readonly bool _oversubscribed = participants > Environment.ProcessorCount;
    private int _remaining = participants;
    private volatile bool _sense;

    /// <summary>Waits until all participants have called this; <paramref name="localSense"/> is the caller's own flag, false at first.</summary>
    public void SignalAndWait(ref bool localSense)
    {
        localSense = !localSense;
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _remaining = _participants;
            _sense = localSense;
            return;
        }
        var spin = new SpinWait();
        while (_sense != localSense)
        {
            // With more threads than cores a spinning waiter holds the core the last arrival needs.
            if (_oversubscribed) Thread.Yield();
            else spin.SpinOnce(sleep1Threshold: -1);
        }
    }
}
