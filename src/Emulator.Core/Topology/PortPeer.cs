namespace Emulator.Core.Topology;

/// <summary>What is at the far end of a switch port: another switch's port, or a NIC (node, rail).</summary>
/// <param name="IsSwitch">True for a switch-to-switch link; false for a NIC or an unconnected port.</param>
/// <param name="Switch">Peer switch (-1 unless <paramref name="IsSwitch"/>).</param>
/// <param name="Port">Port on the peer switch (-1 unless <paramref name="IsSwitch"/>).</param>
/// <param name="Node">Node of the peer NIC (-1 for a switch or an unconnected port).</param>
/// <param name="Rail">Rail of the peer NIC (-1 for a switch or an unconnected port).</param>
public readonly record struct PortPeer(bool IsSwitch, int Switch, int Port, int Node, int Rail)
{
    /// <summary>A port with nothing plugged in (spare down-ports of the last leaf or pod).</summary>
    public static readonly PortPeer None = new(false, -1, -1, -1, -1);

    /// <summary>False for a spare port with nothing plugged in.</summary>
    public bool IsConnected => IsSwitch || Node >= 0;

    /// <summary>A link to port <paramref name="port"/> of switch <paramref name="sw"/>.</summary>
    public static PortPeer ToSwitch(int sw, int port) => new(true, sw, port, -1, -1);

    /// <summary>A link to the NIC of rail <paramref name="rail"/> on node <paramref name="node"/>.</summary>
    public static PortPeer ToNic(int node, int rail) => new(false, -1, -1, node, rail);
}
