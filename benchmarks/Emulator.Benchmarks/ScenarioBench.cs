using Emulator.Engine;
using Emulator.Kernel;
using Emulator.Scenarios;

namespace Emulator.Benchmarks;

/// <summary>The real emulation of a scenario on 1 and 2 threads, next to the plain-loop PHOLD at the same event count.</summary>
public static class ScenarioBench
{
    /// <summary>One step of <paramref name="path"/> with <paramref name="threads"/> threads; also returns the step time, which must not depend on the thread count.</summary>
    public static (BenchResult Result, SimTime StepTime) Run(string path, int threads)
    {
        var scenario = ScenarioLoader.Load(path, [$"emulation.threads={threads}"]);
        var start = Timing.Start();
        var running = start;
        var result = StepEmulation.Run(scenario, monitor: _ => running = Timing.Start());
        // Wall counts from the kernel starting to the result being summarised; building the actors is setup.
        var (wall, cpu) = running.Elapsed();
        var setup = start.Elapsed().Wall - wall;
        return (new BenchResult($"{scenario.Name} threads={threads}", result.Events, setup, wall, cpu, result.Barriers, null), result.StepTime);
    }
}
