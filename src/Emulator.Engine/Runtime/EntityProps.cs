using Akka.Actor;

namespace Emulator.Engine.Runtime;

/// <summary>Props of an entity actor on the inline dispatcher, made by a plain delegate.</summary>
/// <remarks>Props.Create(() => new T(...)) reads the constructor's arguments out of the expression by reflection and builds each
/// actor through ConstructorInfo.Invoke; hundreds of thousands of actors are built per run, so a delegate is used instead.</remarks>
public static class EntityProps
{
    /// <summary>Props that build the actor by calling <paramref name="factory"/>.</summary>
    public static Props Of<T>(Func<T> factory) where T : ActorBase =>
        Props.CreateBy(new Producer<T>(factory)).WithDispatcher(InlineDispatcher.ConfigId);

    private sealed class Producer<T>(Func<T> factory) : IIndirectActorProducer where T : ActorBase
    {
        public Type ActorType => typeof(T);

        public ActorBase Produce() => factory();

        public void Release(ActorBase actor) { }
    }
}
