using Akka.Configuration;

namespace Emulator.Engine.Runtime;

/// <summary>Actor-system configuration of an emulation: entity actors on the inline dispatcher, quiet logging.</summary>
public static class EngineConfig
{
    /// <summary>The HOCON the emulation's actor system starts with.</summary>
    public static Config Default { get; } = ConfigurationFactory.ParseString($$"""
        akka {
          loglevel = WARNING
          stdout-loglevel = WARNING
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
        }
        {{InlineDispatcher.ConfigId}} {
          type = "{{typeof(InlineDispatcherConfigurator).AssemblyQualifiedName}}"
          throughput = 1000000
        }
        """);
}
