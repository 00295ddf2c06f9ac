using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Akka.Actor;

namespace Emulator.Engine.Runtime;

/// <summary>Delivers a partition's events to entity actors by running each actor's receive on the partition's thread, in the kernel's order.</summary>
/// <remarks>The architecture's "virtual-time dispatcher": the kernel's time-ordered queue is the only mailbox an event passes through,
/// and the dispatcher runs the actor's receive as Akka's own dispatchers do, but without ActorCell.Invoke's bookkeeping
/// (current message and sender, receive timeout, auto-received messages), which an emulated event never uses: it cost a
/// tenth of a 50k-card step. Going through Akka's mailbox as well (Tell on the inline dispatcher) cost a quarter of the
/// time per event. Messages from outside the kernel (statistics requests after the run) still use Tell.</remarks>
public sealed class VirtualTimeDelivery
{
    /// <summary>The actor instance a cell runs (ActorCell.Actor, internal to Akka), read once per actor at setup.</summary>
    private static readonly Func<ActorCell, ActorBase?> ActorOf =
        (typeof(ActorCell).GetProperty("Actor", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)?.GetMethod
            ?? throw new InvalidOperationException("this Akka version's ActorCell has no Actor property"))
        .CreateDelegate<Func<ActorCell, ActorBase?>>();

    private readonly EntityActor[] _entities;

    /// <summary>Looks up the actors of <paramref name="refs"/>, all local entity actors that have started.</summary>
    public VirtualTimeDelivery(IReadOnlyList<IActorRef> refs) =>
        _entities = refs.Select(r => r is LocalActorRef local && ActorOf(local.Cell) is EntityActor entity
            ? entity
            : throw new InvalidOperationException($"{r.Path} is not a started local entity actor: the kernel can only deliver to entity actors of its own process")).ToArray();

    /// <summary>Asks the processor to start loading <paramref name="message"/> and entity <paramref name="target"/>'s actor, whose event
    /// comes next: on a quarter of a million actors both are usually out of cache, and the load then overlaps this event's work.</summary>
    /// <remarks>A prefetch is only a hint: an address the collector has since moved costs nothing but the hint.</remarks>
    public unsafe void Prefetch(int target, object message)
    {
        if (!Sse.IsSupported) return;
        var m = (byte*)Unsafe.As<object, nint>(ref message);
        Sse.Prefetch0(m);
        Sse.Prefetch0(m + 64);
        var entity = _entities[target];
        var e = (byte*)Unsafe.As<EntityActor, nint>(ref entity);
        Sse.Prefetch0(e);
        Sse.Prefetch0(e + 64);
        Sse.Prefetch0(e + 128);
    }

    /// <summary>Runs <paramref name="message"/> through entity <paramref name="target"/>'s actor now.</summary>
    public void Deliver(int target, object message) => _entities[target].Deliver(message);
}
