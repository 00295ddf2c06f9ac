using Emulator.Kernel;

namespace Emulator.Core.Tests.Kernel;

public class SimulationTests
{
    [Fact]
    public void Run_OnePartition_DeliversByTimeThenSourceThenSendOrder()
    {
        var sim = new Simulation(new int[3], 1, SimTime.Zero);
        var seen = new List<string>();
        sim.Partitions[0].Bind((target, message) => seen.Add($"{target}:{message}"));
        sim.Post(2, 0, new SimTime(5), "c");
        sim.Post(1, 0, new SimTime(5), "b");
        sim.Post(1, 0, new SimTime(5), "b2");
        sim.Post(2, 0, new SimTime(1), "a");

        sim.Run();

        // Time 1 first; at time 5 source 1 before source 2, and source 1's sends in the order it made them.
        Assert.Equal(new[] { "0:a", "0:b", "0:b2", "0:c" }, seen);
    }

    [Fact]
    public void Send_AcrossPartitionsBelowLookahead_FailsTheRun()
    {
        var sim = new Simulation(new[] { 0, 1 }, 2, new SimTime(100));
        var p0 = sim.Partitions[0];
        p0.Bind((_, _) => p0.Send(0, 1, new SimTime(99), "too soon"));
        sim.Partitions[1].Bind((_, _) => { });
        sim.Post(0, 0, SimTime.Zero, "go");

        var e = Assert.Throws<SimulationFailedException>(() => sim.Run());
        Assert.Contains("lookahead", e.Message);
    }

    [Fact]
    public void Run_HandlerThrows_FailsWithThatError()
    {
        var sim = new Simulation(new int[1], 1, SimTime.Zero);
        sim.Partitions[0].Bind((_, _) => throw new InvalidOperationException("boom"));
        sim.Post(0, 0, SimTime.Zero, "x");
        var e = Assert.Throws<SimulationFailedException>(() => sim.Run());
        Assert.Equal("boom", e.InnerException!.Message);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Run_ManyPartitions_EveryEntitySeesTheSameSequenceAsOne(int partitions)
    {
        Assert.Equal(Trace(1), Trace(partitions));
    }

    /// <summary>A small hold model: 12 entities, each event forwards to a pseudo-random entity after at least the lookahead; returns what each entity saw.</summary>
    private static string Trace(int partitions)
    {
        const int entities = 12;
        var owner = Enumerable.Range(0, entities).Select(e => e * partitions / entities).ToArray();
        var sim = new Simulation(owner, partitions, new SimTime(10));
        var logs = Enumerable.Range(0, entities).Select(_ => new List<string>()).ToArray();
        var state = new ulong[entities];
        foreach (var p in sim.Partitions)
        {
            var partition = p;
            partition.Bind((target, message) =>
            {
                var hops = (int)message;
                logs[target].Add($"{partition.Now.Ps}:{hops}");
                state[target] = state[target] * 6364136223846793005UL + 1442695040888963407UL + (ulong)target;
                if (hops == 0) return;
                var next = (int)(state[target] >> 33) % entities;
                partition.Send(target, next, new SimTime(10 + (long)(state[target] >> 60)), hops - 1);
            });
        }
        for (var e = 0; e < entities; e++) sim.Post(e, e, new SimTime(e % 3), 40);
        sim.Run();
        Assert.Equal(entities * 41, sim.Events);
        return string.Join("\n", logs.Select((l, i) => $"{i}: {string.Join(" ", l)}"));
    }
}
