using Emulator.Core.Specs;
using Emulator.Core.Topology;
using Emulator.Engine.Actors;
using Emulator.Engine.Messages;
using Emulator.Engine.Runtime;
using Emulator.Kernel;

namespace Emulator.Engine.Tests;

/// <summary>The send side of a NIC on its own: when writes go on the wire and when their last byte has left.</summary>
public class NicSenderTests
{
    private static readonly NodeSpec Node = TestScenarios.Node;
    private static readonly FabricSpec Fabric = TestScenarios.Fabric;

    /// <summary>Node 0's first NIC on a fabric of <paramref name="nodes"/> nodes, recording what it posts and reports sent.</summary>
    private static (NicSender Nic, EntityMap Map) NicOfNode0(int nodes, long chunkBytes,
        List<(int Target, SimTime At, object Message)> posted, List<(RdmaWrite Write, SimTime At)> sent)
    {
        var tree = FatTree.Build(Fabric, nodes, railsPerNode: Node.Nics);
        var map = new EntityMap(cards: nodes * Node.CardsPerNode, banksPerCard: 0, nodes, switches: tree.SwitchCount);
        var link = new NicLink(0, 0, tree, map, Fabric, Node, chunkBytes, Seed: 1);
        return (new NicSender(link, owner: map.Card(0), (target, at, m) => posted.Add((target, at, m)), (w, at) => sent.Add((w, at))), map);
    }

    [Fact]
    public void TwoWholeWrites_GoBackToBack_AndEachIsReportedSentWhenItsLastByteLeaves()
    {
        var (node, fabric) = (Node, Fabric);
        var posted = new List<(int Target, SimTime At, object Message)>();
        var sent = new List<(RdmaWrite Write, SimTime At)>();
        var (nic, map) = NicOfNode0(2, EmulationSpec.WholeWrites, posted, sent);
        var first = new RdmaWrite(1, 0, 8, 1 << 20, TransferKind.Activation, 0);
        var second = new RdmaWrite(2, 0, 8, 1 << 20, TransferKind.Gradient, 1);
        var serialise = node.AchievedNicBandwidth.TransferTime(1 << 20);

        nic.Write(first, SimTime.Zero);
        nic.Write(second, SimTime.Zero);

        // The first goes at once; the second waits for the NIC, which wakes its owner when the first has left.
        Assert.Equal([(first, serialise)], sent);
        Assert.Equal(2, posted.Count);
        Assert.IsType<RdmaChunk>(posted[0].Message);
        Assert.Equal((map.Card(0), serialise), (posted[1].Target, posted[1].At));
        Assert.IsType<NicReady>(posted[1].Message);

        nic.Ready(serialise);

        Assert.Equal([(first, serialise), (second, serialise * 2)], sent);
        var chunk = (RdmaChunk)posted[2].Message;
        Assert.Equal(serialise + fabric.LinkLatency, posted[2].At);
        Assert.Equal(serialise * 2 + fabric.LinkLatency, chunk.TailAt);
    }

    [Fact]
    public void WritesOfOneConnection_LeaveInOrder_WhileConnectionsTakeTurnsChunkByChunk()
    {
        var chunk = 1L << 20;
        var posted = new List<(int Target, SimTime At, object Message)>();
        var sent = new List<(RdmaWrite Write, SimTime At)>();
        var (nic, _) = NicOfNode0(3, chunk, posted, sent);
        // Two ring steps to card 8 (one connection), posted together as a late ring member does, then a pipeline send to card 16.
        var step1 = new RdmaWrite(1, 0, 8, 2 * chunk, TransferKind.Ring, 0);
        var step2 = new RdmaWrite(2, 0, 8, 2 * chunk, TransferKind.Ring, 0);
        var send = new RdmaWrite(3, 0, 16, 2 * chunk, TransferKind.Activation, 0);
        nic.Write(step1, SimTime.Zero);
        nic.Write(step2, SimTime.Zero);
        nic.Write(send, SimTime.Zero);

        var ready = Node.AchievedNicBandwidth.TransferTime(chunk);
        for (var k = 1; k < 6; k++) nic.Ready(ready * k);

        // The first step was on the wire before the send came, so its connection is back in line first; after that the two
        // connections take turns, and the second step follows the first instead of going beside it.
        var order = posted.Select(p => p.Message).OfType<RdmaChunk>().Select(c => c.Write.TransferId).ToArray();
        Assert.Equal([1L, 1, 3, 2, 3, 2], order);
        Assert.Equal([step1, send, step2], sent.Select(s => s.Write));
    }
}
