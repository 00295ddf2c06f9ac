namespace Emulator.Core.Topology;

/// <summary>One step of a torus route: the next chip, and the dimension, direction (+1 or −1) and port it leaves the current chip by.</summary>
public readonly record struct TorusHop(int Chip, int Dim, int Direction, int Port);
