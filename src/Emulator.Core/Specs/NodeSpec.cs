using Emulator.Core.Units;
using Emulator.Kernel;

namespace Emulator.Core.Specs;

/// <summary>One server: its cards, the intra-node crossbar (NVSwitch/HCCS-like) and its NICs.</summary>
/// <param name="CardsPerNode">Accelerators in the server.</param>
/// <param name="IntraBandwidth">Per-card, per-direction bandwidth into the crossbar.</param>
/// <param name="IntraLatency">One-way latency card to card through the crossbar.</param>
/// <param name="Nics">Fabric NICs in the server (rails); card i uses NIC i mod Nics.</param>
/// <param name="NicBandwidth">Per-NIC, per-direction line rate.</param>
/// <param name="NicLatency">One-way latency from a card through its NIC onto the wire.</param>
public sealed record NodeSpec(
    int CardsPerNode,
    Bandwidth IntraBandwidth,
    SimTime IntraLatency,
    int Nics,
    Bandwidth NicBandwidth,
    SimTime NicLatency);
