namespace Emulator.Core.Topology;

/// <summary>Level of a switch in the folded Clos, bottom (next to the NICs) to top.</summary>
public enum SwitchTier
{
    /// <summary>Top-of-rack / rail switch; its down-ports face NICs.</summary>
    Leaf,
    /// <summary>Aggregation switch; its down-ports face the leaves of one pod.</summary>
    Spine,
    /// <summary>Top switch of a 3-tier fabric; its down-ports face one spine per pod.</summary>
    Core,
}
