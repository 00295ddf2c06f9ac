using Akka.Actor;

namespace Emulator.Engine.Runtime;

/// <summary>Parent of every entity actor. Entities are created as its children so that they are local actors that exist as soon as ActorOf returns (top-level actors start asynchronously).</summary>
/// <remarks>It runs on the inline dispatcher, so a child that throws while starting reaches <see cref="SupervisorStrategy"/> during the build, which then fails.</remarks>
public sealed class EmulationRoot : ReceiveActor
{
    private readonly List<Exception> _failures = new();

    public EmulationRoot()
    {
        Receive<Build>(b =>
        {
            try { b.Create(Context); }
            catch (Exception e) { _failures.Add(e); }
            Sender.Tell(new Built(_failures.Select(f => f.InnerException?.Message ?? f.Message).ToArray()));
        });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new EmulationRoot()).WithDispatcher(InlineDispatcher.ConfigId);

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
    {
        _failures.Add(e);
        return Directive.Stop;
    });

    /// <summary>Asks the root to create entity actors with <paramref name="Create"/> in its own context.</summary>
    public sealed record Build(Action<IUntypedActorContext> Create);

    /// <summary>Reply to <see cref="Build"/>: why actors failed to start, if any did.</summary>
    public sealed record Built(IReadOnlyList<string> Failures);
}
