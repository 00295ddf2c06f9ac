using Emulator.Engine.Messages;
using Emulator.Engine.Runtime;
using Emulator.Kernel;

namespace Emulator.Engine.Actors;

/// <summary>A node or a switch: an actor that can hold the last hop of an RDMA write and so land it.</summary>
public abstract class FabricActor(int id, Partition partition) : EntityActor(id, partition)
{
    /// <summary>The write's last byte is in the destination NIC at <paramref name="landed"/>: the card hears one NIC latency later, and
    /// the source is acknowledged after the way back over <paramref name="links"/> links.</summary>
    /// <remarks>Ring steps get no acknowledgement: a ring holds one step buffer for the whole collective (CardActor.Launch), so
    /// theirs would change nothing and would be a fifth of a large job's events. Pipeline writes free their send buffer on it;
    /// tree chunks open the sender's window.</remarks>
    protected void Land(RdmaWrite w, SimTime landed, int links, EntityMap map, SimTime nicLatency, SimTime linkLatency)
    {
        SendAt(map.Card(w.DstCard), landed + nicLatency, new RdmaDelivered(w));
        if (w.Kind != TransferKind.Ring) SendAt(map.Card(w.SrcCard), landed + nicLatency * 2 + linkLatency * links, new RdmaCompleted(w));
    }
}
