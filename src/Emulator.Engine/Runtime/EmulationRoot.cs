using Akka.Actor;

namespace Emulator.Engine.Runtime;

/// <summary>Parent of every entity actor. Entities are created as its children so that they are local actors that exist as soon as ActorOf returns (top-level actors start asynchronously).</summary>
public sealed class EmulationRoot : ReceiveActor
{
    public EmulationRoot()
    {
        Receive<Build>(b =>
        {
            b.Create(Context);
            Sender.Tell(Built.Instance);
        });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new EmulationRoot());

    /// <summary>Asks the root to create entity actors with <paramref name="Create"/> in its own context.</summary>
    public sealed record Build(Action<IUntypedActorContext> Create);

    /// <summary>Reply to <see cref="Build"/>.</summary>
    public sealed class Built
    {
        public static readonly Built Instance = new();
    }
}
