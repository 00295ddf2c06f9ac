using Emulator.Engine.Messages;
using Emulator.Engine.Runtime;
using Emulator.Kernel;

namespace Emulator.Engine.Actors;

/// <summary>A node or a switch: an actor that can hold the last hop of an RDMA write and so land it.</summary>
public abstract class FabricActor(int id, Partition partition) : EntityActor(id, partition)
{
    /// <summary>The write's last byte is in the destination NIC at <paramref name="landed"/>: the card hears one NIC latency later; a
    /// tree chunk's source is acknowledged after the way back over <paramref name="links"/> links.</summary>
    /// <remarks>Only tree chunks are acknowledged: the acknowledgement opens the sender's window. A ring holds one step buffer for
    /// the whole collective (CardActor.Launch), and a pipeline write's send buffer is free once its last byte has left the
    /// sender's port (NicSender, NodeActor.SentFromPort), so acknowledging either would change nothing and cost an event per write.</remarks>
    protected void Land(RdmaWrite w, SimTime landed, int links, EntityMap map, SimTime nicLatency, SimTime linkLatency) =>
        Land(w, new RdmaDelivered(w), landed, links, map, nicLatency, linkLatency);

    /// <summary>As <see cref="Land(RdmaWrite, SimTime, int, EntityMap, SimTime, SimTime)"/> for a write whose last chunk <paramref name="c"/>
    /// is here: the chunk itself goes on to the card as the landing (nothing else holds it, and a new message per write was a
    /// tenth of a large step's allocations).</summary>
    protected void Land(RdmaChunk c, SimTime landed, int links, EntityMap map, SimTime nicLatency, SimTime linkLatency) =>
        Land(c.Write, c, landed, links, map, nicLatency, linkLatency);

    private void Land(RdmaWrite w, object landing, SimTime landed, int links, EntityMap map, SimTime nicLatency, SimTime linkLatency)
    {
        SendAt(map.Card(w.DstCard), landed + nicLatency, landing);
        if (w.Kind == TransferKind.Tree) SendAt(map.Card(w.SrcCard), landed + nicLatency * 2 + linkLatency * links, new RdmaCompleted(w));
    }
}
