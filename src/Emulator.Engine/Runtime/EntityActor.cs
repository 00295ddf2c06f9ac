using Akka.Actor;
using Emulator.Kernel;

namespace Emulator.Engine.Runtime;

/// <summary>Base of every emulated entity: knows its id and partition, sends only through the virtual-time kernel.</summary>
/// <remarks>A handler that throws fails the whole run (the partition rethrows it) instead of letting supervision restart the actor with lost state.</remarks>
public abstract class EntityActor(int id, Partition partition) : UntypedActor
{
    /// <summary>The actor's name, taken while it starts: events are delivered outside Akka's mailbox (VirtualTimeDelivery), where Self is not available.</summary>
    private readonly string _name = Context.Self.Path.Name;

    /// <summary>This entity's id in the kernel's directory.</summary>
    protected int Id { get; } = id;

    /// <summary>The partition whose loop delivers this entity's events.</summary>
    protected Partition Partition { get; } = partition;

    /// <summary>Current virtual time.</summary>
    protected SimTime Now => Partition.Now;

    /// <summary>Sends an emulated message that arrives <paramref name="delay"/> from now.</summary>
    protected void Send(int target, SimTime delay, object message) => Partition.Send(Id, target, delay, message);

    /// <summary>Sends an emulated message that arrives at <paramref name="at"/>.</summary>
    protected void SendAt(int target, SimTime at, object message) => Partition.SendAt(Id, target, at, message);

    protected sealed override void OnReceive(object message) => Deliver(message);

    /// <summary>Handles <paramref name="message"/> as a receive would; VirtualTimeDelivery calls it for the kernel's events.</summary>
    internal void Deliver(object message)
    {
        try
        {
            // Statistics requests go to every actor; anything else unhandled is a routing bug that would otherwise
            // surface only as a deadlock.
            if (!Handle(message) && message is not Messages.CollectStats)
                throw new InvalidOperationException($"no handler for {message.GetType().Name}");
        }
        catch (Exception ex)
        {
            Partition.Fail(new InvalidOperationException($"{_name} failed on {message.GetType().Name} at {Now}: {ex.Message}", ex));
        }
    }

    /// <summary>A child (a node's card or HBM bank) that fails to start fails its parent too, up to the root.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Escalate);

    /// <summary>Handles one message; returns false when the message is not for this entity.</summary>
    protected abstract bool Handle(object message);
}
