namespace Emulator.Core.Topology;

/// <summary>Deterministic flow hashing for equal-cost multi-path choices (SplitMix64 mixing).</summary>
public static class Ecmp
{
    private const ulong Golden = 0x9E3779B97F4A7C15;

    /// <summary>Hash of one flow (source card, destination card, flow index) under <paramref name="seed"/>; same inputs, same hash.</summary>
    public static ulong FlowHash(long seed, int srcCard, int dstCard, int flow)
    {
        var h = Mix((ulong)seed);
        h = Mix(h ^ (uint)srcCard);
        h = Mix(h ^ ((ulong)(uint)dstCard << 32));
        return Mix(h ^ (uint)flow);
    }

    /// <summary>The SplitMix64 output function: adds the golden gamma, then avalanches all 64 bits.</summary>
    public static ulong Mix(ulong z)
    {
        unchecked
        {
            z += Golden;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return z ^ (z >> 31);
        }
    }

    /// <summary>Index in [0, <paramref name="choices"/>) that switch <paramref name="sw"/> picks for a flow; re-mixed per switch so tiers choose independently.</summary>
    public static int Pick(ulong flowHash, int sw, int choices)
    {
        unchecked
        {
            return (int)(Mix(flowHash ^ (ulong)sw * Golden) % (ulong)choices);
        }
    }
}
