using Akka.Actor;
using Emulator.Engine.Runtime;

namespace Emulator.MicroBenchmarks;

/// <summary>An actor system wired as StepEmulation wires it: entity actors built under the EmulationRoot, on the inline dispatcher.</summary>
public sealed class EngineBed : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("microbench", EngineConfig.Default);

    /// <summary>Creates actors with <paramref name="create"/> in the root's context; throws if any failed to start.</summary>
    public void Build(Action<IUntypedActorContext> create)
    {
        var root = _system.ActorOf(EmulationRoot.Props(), "emulation");
        var built = root.Ask<EmulationRoot.Built>(new EmulationRoot.Build(create), TimeSpan.FromMinutes(5)).Result;
        if (built.Failures.Count > 0) throw new InvalidOperationException("actors failed to start: " + string.Join("; ", built.Failures));
    }

    public void Dispose()
    {
        _system.Terminate().Wait(TimeSpan.FromSeconds(10));
        _system.Dispose();
    }
}
