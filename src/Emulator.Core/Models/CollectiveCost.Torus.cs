using Emulator.Core.Units;
using Emulator.Kernel;

namespace Emulator.Core.Models;

public static partial class CollectiveCost
{
    /// <summary>Torus all-reduce: ring reduce-scatters along dims 0, 1, … (dim k over S/(d₀…d_{k−1})), then the mirror all-gathers in reverse order.</summary>
    /// <remarks>
    /// <para>Cost: Σ_k [2(d_k−1)/d_k · S/(d₀…d_{k−1}) / (c·B) + 2(d_k−1) · latency], c = 2 if <paramref name="bidirectional"/> else 1.
    /// Each ring runs on the wrap-around links of its dimension at <paramref name="linkBandwidth"/> per link; bidirectional
    /// splits the buffer over two counter-rotating rings (both links of the dimension), halving the bandwidth term but not
    /// the steps. In a size-2 dimension the two links go to the same neighbour. Dimensions of size 1 cost nothing.</para>
    /// <para>Each dimension's reduce-scatter and its mirror all-gather cost the same and are rounded up together, so a torus
    /// with one dimension of size n costs exactly <see cref="RingAllReduce"/> (with c·B when bidirectional).</para>
    /// </remarks>
    public static SimTime TorusAllReduce(long bytes, IReadOnlyList<int> dims, Bandwidth linkBandwidth, SimTime latencyPerStep, bool bidirectional) =>
        TorusRings(bytes, dims, 2, linkBandwidth, latencyPerStep, bidirectional);

    /// <summary>Torus reduce-scatter: Σ_k (d_k−1)/d_k · S/(d₀…d_{k−1}) / (c·B) + (d_k−1) · latency; see <see cref="TorusAllReduce"/>.</summary>
    public static SimTime TorusReduceScatter(long bytes, IReadOnlyList<int> dims, Bandwidth linkBandwidth, SimTime latencyPerStep, bool bidirectional) =>
        TorusRings(bytes, dims, 1, linkBandwidth, latencyPerStep, bidirectional);

    /// <summary>Torus all-gather of a full buffer of S bytes (dims in reverse order); costs the same as <see cref="TorusReduceScatter"/>.</summary>
    public static SimTime TorusAllGather(long bytes, IReadOnlyList<int> dims, Bandwidth linkBandwidth, SimTime latencyPerStep, bool bidirectional) =>
        TorusRings(bytes, dims, 1, linkBandwidth, latencyPerStep, bidirectional);

    /// <summary>One ring phase (passes sweeps) per dimension, each over the buffer left by the dimensions before it.</summary>
    private static SimTime TorusRings(long bytes, IReadOnlyList<int> dims, int passes, Bandwidth b, SimTime lat, bool bidirectional)
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (dims.Count == 0) throw new ArgumentException("a torus needs at least one dimension", nameof(dims));
        for (var k = 0; k < dims.Count; k++)
            if (dims[k] < 1) throw new ArgumentException($"torus dimension {k} has size {dims[k]}; every dimension must be at least 1", nameof(dims));
        var total = SimTime.Zero;
        long divisor = bidirectional ? 2 : 1;
        foreach (var d in dims)
        {
            total += RingPhase(bytes, divisor, d, passes, b, lat);
            divisor = checked(divisor * d);
        }
        return total;
    }
}
