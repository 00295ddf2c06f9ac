using Akka.Configuration;
using Akka.Dispatch;

namespace Emulator.Engine.Runtime;

/// <summary>Runs an actor's mailbox on the thread that sent to it, so a partition's event loop delivers each event synchronously and in order.</summary>
/// <remarks>Entity actors never tell each other directly; only their partition's loop tells them, so there is no re-entrancy.</remarks>
public sealed class InlineDispatcher(MessageDispatcherConfigurator configurator) : MessageDispatcher(configurator)
{
    /// <summary>Dispatcher id in the actor system's configuration.</summary>
    public const string ConfigId = "emulator.inline-dispatcher";

    protected override void ExecuteTask(IRunnable run) => run.Run();

    protected override void Shutdown()
    {
    }
}

/// <summary>Creates the single <see cref="InlineDispatcher"/> instance for its configuration entry.</summary>
public sealed class InlineDispatcherConfigurator : MessageDispatcherConfigurator
{
    private readonly InlineDispatcher _instance;

    public InlineDispatcherConfigurator(Config config, IDispatcherPrerequisites prerequisites) : base(config, prerequisites)
        => _instance = new InlineDispatcher(this);

    public override MessageDispatcher Dispatcher() => _instance;
}
