using System.Diagnostics;
using Emulator.Kernel;

namespace Emulator.Cli;

/// <summary>Prints progress to stderr once a second after the first two seconds of a long run.</summary>
public sealed class ProgressReporter(TextWriter stderr) : IDisposable
{
    private Timer? _timer;
    private long _lastEvents;
    private readonly Stopwatch _since = new();

    /// <summary>Starts watching <paramref name="sim"/>.</summary>
    public void Watch(Simulation sim)
    {
        _since.Start();
        _timer = new Timer(_ =>
        {
            var events = sim.Events;
            var seconds = _since.Elapsed.TotalSeconds;
            _since.Restart();
            stderr.WriteLine($"  ... virtual {sim.Now.Seconds:0.000} s, {events:N0} events ({(events - _lastEvents) / Math.Max(seconds, 1e-9):N0} events/s)");
            _lastEvents = events;
        }, null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _timer = null;
    }
}
