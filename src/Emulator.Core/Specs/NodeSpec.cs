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
/// <param name="IntraEfficiency">Fraction of the crossbar line rate collectives and copies reach (NCCL bus bandwidth over line rate).</param>
/// <param name="NicEfficiency">Fraction of the NIC line rate RDMA transfers reach.</param>
public sealed record NodeSpec(
    int CardsPerNode,
    Bandwidth IntraBandwidth,
    SimTime IntraLatency,
    int Nics,
    Bandwidth NicBandwidth,
    SimTime NicLatency,
    double IntraEfficiency = 1.0,
    double NicEfficiency = 1.0)
{
    private readonly double? _intraAllReduceEfficiency;

    /// <summary>Fraction of the crossbar line rate a tensor-parallel all-reduce inside the node reaches, where it is not a ring (NVLink
    /// SHARP reduces in the switch); <see cref="IntraEfficiency"/> unless set.</summary>
    public double IntraAllReduceEfficiency { get => _intraAllReduceEfficiency ?? IntraEfficiency; init => _intraAllReduceEfficiency = value; }

    /// <summary>0 for a crossbar (NVSwitch: a card reaches any peer at its whole bandwidth); else the peers each card has a link of
    /// its own to in a full mesh (Ascend's HCCS: 7 in an 8-card server), its bandwidth split evenly over them, so a collective among
    /// k cards of the node runs over k − 1 of those links (<see cref="CollectiveBandwidthShare"/>).</summary>
    public int IntraMeshPeers { get; init; }

    /// <summary>Share of a card's intra-node bandwidth a collective among <paramref name="ranks"/> cards of the node can use: all of it on
    /// a crossbar; on a full mesh the k − 1 links to the other members, of <see cref="IntraMeshPeers"/>.</summary>
    public double CollectiveBandwidthShare(int ranks) =>
        IntraMeshPeers <= 0 ? 1 : Math.Min(1.0, (double)Math.Max(1, ranks - 1) / IntraMeshPeers);

    /// <summary>What a collective among <paramref name="ranks"/> cards of the node reaches of <paramref name="full"/>, a card's achieved
    /// intra-node bandwidth (<see cref="CollectiveBandwidthShare"/>).</summary>
    public Bandwidth CollectiveBandwidth(Bandwidth full, int ranks)
    {
        var share = CollectiveBandwidthShare(ranks);
        return share < 1 ? new Bandwidth((long)(full.BitsPerSecond * share)) : full;
    }

    /// <summary>Crossbar bandwidth per card that transfers achieve.</summary>
    public Bandwidth AchievedIntraBandwidth => new((long)(IntraBandwidth.BitsPerSecond * IntraEfficiency));

    /// <summary>Crossbar bandwidth per card a tensor-parallel all-reduce achieves, in the ring formula.</summary>
    public Bandwidth AchievedIntraAllReduceBandwidth => new((long)(IntraBandwidth.BitsPerSecond * IntraAllReduceEfficiency));

    /// <summary>NIC bandwidth that transfers achieve.</summary>
    public Bandwidth AchievedNicBandwidth => new((long)(NicBandwidth.BitsPerSecond * NicEfficiency));
}
