using Akka.TestKit.Xunit2;
using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Core.Topology;
using Emulator.Core.Units;
using Emulator.Engine.Actors;
using Emulator.Engine.Messages;
using Emulator.Engine.Plan;
using Emulator.Engine.Results;
using Emulator.Engine.Runtime;
using Emulator.Kernel;

namespace Emulator.Engine.Tests;

/// <summary>Each entity actor on its own, driven through the kernel, observed by TestKit probes.</summary>
public class ActorTests() : TestKit(EngineConfig.Default)
{
    [Fact]
    public void SwitchPort_TwoChunksAtOnce_SerialisesThemBackToBackCutThrough()
    {
        // Two nodes on one leaf (no spines). Both 1 MiB chunks have their heads in at time 0 and their tails in one
        // serialisation later (from two upstream links), for the same egress port.
        var fabric = TestScenarios.Fabric;
        var tree = FatTree.Build(fabric, nodes: 2, railsPerNode: 1);
        var map = new EntityMap(cards: 0, banksPerCard: 0, nodes: 2, switches: tree.SwitchCount);
        var h = new ActorHarness(Sys, map.Count);
        var node1 = CreateTestProbe("node-1");
        h.Probe(map.Node(0), CreateTestProbe("node-0"));
        h.Probe(map.Node(1), node1);
        h.Spawn((map.Switch(0), SwitchActor.Props(map.Switch(0), h.Partition, 0, tree, fabric, TestScenarios.Node, map), "leaf-0"));
        var write = new RdmaWrite(1, 0, 1, 2 << 20, TransferKind.Ring, 0);
        // 1 MiB at 100 Gb/s = 8,388,608 bits / 1e11 bit/s = 83.88608 us = 83,886,080 ps; the link adds 500 ns.
        var serialise = 83_886_080L;
        h.Simulation.Post(map.Node(0), map.Switch(0), SimTime.Zero, new RdmaChunk(write, 1 << 20, 2, 1, 0, 7, new SimTime(serialise)));
        h.Simulation.Post(map.Node(0), map.Switch(0), SimTime.Zero, new RdmaChunk(write, 1 << 20, 2, 1, 0, 7, new SimTime(serialise)));

        h.Simulation.Run();

        // The first leaves at once: head at the node after one link latency, tail one serialisation later. The second
        // waits for the port.
        var first = node1.ExpectMsg<Stamped>();
        var second = node1.ExpectMsg<Stamped>();
        Assert.Equal(500_000, first.At.Ps);
        Assert.Equal(serialise + 500_000, ((RdmaChunk)first.Message).TailAt.Ps);
        Assert.Equal(serialise + 500_000, second.At.Ps);
        Assert.Equal(2 * serialise + 500_000, ((RdmaChunk)second.Message).TailAt.Ps);
    }

    [Fact]
    public void SwitchPort_WholeWriteOnItsLastHop_IsLandedAtTheCardsWithoutTheNode()
    {
        // One node per leaf port, 8 cards each on 8 rails; card 0 (node 0) writes 1 MiB to card 8 (node 1) in one chunk.
        var fabric = TestScenarios.Fabric;
        var node = TestScenarios.Node;
        var tree = FatTree.Build(fabric, nodes: 2, railsPerNode: node.Nics);
        var map = new EntityMap(cards: 16, banksPerCard: 0, nodes: 2, switches: tree.SwitchCount);
        var h = new ActorHarness(Sys, map.Count);
        var src = CreateTestProbe("card-0");
        var dst = CreateTestProbe("card-8");
        h.Probe(map.Card(0), src);
        h.Probe(map.Card(8), dst);
        h.Probe(map.Node(1), CreateTestProbe("node-1"));
        var leaf = tree.Attachment(0, 0).Switch;
        h.Spawn((map.Switch(leaf), SwitchActor.Props(map.Switch(leaf), h.Partition, leaf, tree, fabric, node, map), "leaf"));
        // A tree chunk, the one kind of write whose source is acknowledged (it opens the sender's window).
        var write = new RdmaWrite(1, 0, 8, 1 << 20, TransferKind.Tree, 0);
        var serialise = 83_886_080L; // 1 MiB at 100 Gb/s
        // Head in at 0, tail in one serialisation plus the NIC's link later.
        h.Simulation.Post(map.Node(0), map.Switch(leaf), SimTime.Zero, new RdmaChunk(write, 1 << 20, 1, 1, 0, 7, new SimTime(serialise + 500_000)));

        h.Simulation.Run();

        // The tail leaves the leaf at serialise + 500 ns and is in the NIC one link (500 ns) later; the card hears after
        // the NIC's 1 us, the source after a second NIC latency and the two links back.
        var landed = serialise + 1_000_000;
        var delivered = dst.ExpectMsg<Stamped>();
        Assert.Equal(landed + 1_000_000, delivered.At.Ps);
        // The landing is the write's last chunk itself (FabricActor.Land).
        Assert.Same(write, Assert.IsType<RdmaChunk>(delivered.Message).Write);
        var completed = src.ExpectMsg<Stamped>();
        Assert.Equal(landed + 2_000_000 + 2 * 500_000, completed.At.Ps);
        Assert.Equal(new RdmaCompleted(write), completed.Message);
    }

    [Fact]
    public void HbmBank_OverAllocation_IsRejected_AndRunsLongerToServeThanToComputeAreNamed()
    {
        var h = new ActorHarness(Sys, 2);
        var card = CreateTestProbe("card");
        h.Probe(0, card);
        h.Spawn((1, HbmBankActor.Props(1, h.Partition, card: 0, index: 1, capacity: 1000, Bandwidth.FromGBps(1)), "hbm"));
        // Three runs of one kernel each, split by pipeline sends: 2 us of compute moving 4,000 B (1,000 B per stack of 4 at
        // 1 GB/s: 1 us, hidden); 0.5 us moving 4,000 B (1 us: late); 0.5 us moving 2,002 B (stack 1's share 501 B: 501 ns, late).
        Work Kernel(long ns, long bytes) => new(new WorkCost(0, bytes, 1, SimTime.FromNs(ns)), WorkPhase.Forward, 0);
        var send = new SendInput(TransferKind.Activation, 0, 1);
        var program = new Instruction[] { Kernel(2000, 4000), send, Kernel(500, 4000), send, Kernel(500, 2002) };
        h.Simulation.Post(0, 1, SimTime.Zero, new Allocate(600));
        h.Simulation.Post(0, 1, SimTime.Zero, new Allocate(600));
        h.Simulation.Post(0, 1, SimTime.FromNs(10), new TrafficPlan(KernelRuns.Of(program), program, 4));

        h.Simulation.Run();

        Assert.Equal(new AllocationRejected(1, 600, 600, 1000), card.ExpectMsg<Stamped>().Message);
        var served = (TrafficServed)card.ExpectMsg<Stamped>().Message;
        Assert.Equal(1, served.Bank);
        Assert.Equal([(2, SimTime.FromNs(1000)), (4, SimTime.FromNs(501))], served.Late);
    }

    [Fact]
    public void Card_LayerForward_TakesTheCostModelsTime()
    {
        var s = TestScenarios.With(tp: 1, pp: 1, dp: 1);
        var fwd = ComputeModel.LayerForward(s.Card, s.Model, tp: 1, microBatch: 1, sequenceParallel: false);
        var plan = new StagePlan(0, 1, new Instruction[] { new Work(fwd.Attention, WorkPhase.Forward, 0), new Work(fwd.Mlp, WorkPhase.Forward, 0) },
            new StateMemory(0, 0, 0), fwd.Total.Flops);
        var map = new EntityMap(cards: 1, banksPerCard: 2, nodes: 1, switches: 0);
        var h = new ActorHarness(Sys, map.Count);
        var job = CreateTestProbe("job");
        h.Probe(map.Job, job);
        h.Probe(map.Node(0), CreateTestProbe("node"));
        var setup = new CardSetup(0, map, 0, 2, plan, 0, 1, -1, -1, 1, [1], [0], null, 1, 0, SimTime.FromNs(100), Sampled: false);
        h.Spawn(
            (map.Card(0), CardActor.Props(map.Card(0), h.Partition, setup), "card-0"),
            (map.Bank(0, 0), HbmBankActor.Props(map.Bank(0, 0), h.Partition, map.Card(0), 0, s.Card.StackCapacityBytes, s.Card.StackBandwidth), "hbm-0-0"),
            (map.Bank(0, 1), HbmBankActor.Props(map.Bank(0, 1), h.Partition, map.Card(0), 1, s.Card.StackCapacityBytes, s.Card.StackBandwidth), "hbm-0-1"));
        h.Simulation.Post(map.Job, map.Card(0), SimTime.Zero, new StartStep());

        h.Simulation.Run();

        var report = Assert.IsType<CardFinished>(job.ExpectMsg<Stamped>().Message).Report;
        Assert.Equal(fwd.Attention.Duration + fwd.Mlp.Duration, report.Finished);
        Assert.Equal((fwd.Attention.Duration + fwd.Mlp.Duration).Ps, report.Time[(int)TimeKind.Compute]);
    }
}
