using Akka.Actor;
using Akka.TestKit.Xunit2;
using Emulator.Engine.Runtime;
using Emulator.Kernel;

namespace Emulator.Engine.Tests;

/// <summary>Events reach entity actors' receive, on the partition's thread, in the kernel's order.</summary>
public class VirtualTimeDeliveryTests() : TestKit(EngineConfig.Default)
{
    [Fact]
    public async Task Deliver_RunsTheActorInKernelOrder_AndAFailureNamesTheActor()
    {
        var simulation = new Simulation(new int[2], 1, SimTime.Zero);
        var partition = simulation.Partitions[0];
        var log = new List<string>();
        var refs = new IActorRef[2];
        var root = Sys.ActorOf(EmulationRoot.Props());
        await root.Ask<EmulationRoot.Built>(new EmulationRoot.Build(context =>
        {
            // On the inline dispatcher, as every entity actor: on the default one the actor is created later, on the thread
            // pool, and a delivery could reach its cell before it exists (a NullReferenceException under load).
            for (var i = 0; i < 2; i++)
                refs[i] = context.ActorOf(Props.Create(() => new Echo(i, partition, log)).WithDispatcher(InlineDispatcher.ConfigId), $"echo-{i}");
        }), TimeSpan.FromSeconds(10));
        var delivery = new VirtualTimeDelivery(refs);
        partition.Bind(delivery.Deliver);
        simulation.Post(0, 1, SimTime.FromNs(5), "late");
        simulation.Post(0, 0, SimTime.FromNs(1), "ping");
        simulation.Post(0, 1, SimTime.FromNs(9), "boom");

        var failure = Assert.Throws<SimulationFailedException>(simulation.Run);

        // echo-0 got "ping" at 1 ns and answered echo-1 2 ns later, before the 5 ns "late".
        Assert.Equal(["0:ping@1000", "1:pong@3000", "1:late@5000"], log);
        Assert.Contains("echo-1 failed on String at 9000ps: told to", failure.Message);
    }

    /// <summary>Logs what it gets; answers "ping" with "pong" to entity 1; throws on "boom".</summary>
    private sealed class Echo(int id, Partition partition, List<string> log) : EntityActor(id, partition)
    {
        protected override bool Handle(object message)
        {
            if (message is "boom") throw new InvalidOperationException("told to");
            log.Add($"{Id}:{message}@{Now.Ps}");
            if (message is "ping") Send(1, SimTime.FromNs(2), "pong");
            return true;
        }
    }
}
