using System.Numerics;
using Emulator.Core.Topology;
using Emulator.Core.Units;
using Emulator.Kernel;

namespace Emulator.Core.Models;

public static partial class CollectiveCost
{
    /// <summary>Pipelined double-binary-tree all-reduce (NCCL "tree"): 2 · S/B + 2⌈log₂ n⌉ · latency for n ≥ 4.</summary>
    /// <remarks>
    /// <para>Two complementary binary trees (<see cref="DoubleBinaryTree"/>) each reduce up and broadcast down half of the
    /// buffer, pipelined in small chunks. Every rank is an inner node of at most one tree and a leaf of the other, so over
    /// both trees the busiest rank sends and receives the whole buffer once going up and once going down: 2S bytes each
    /// way at B, hence 2 · S/B (<see cref="DoubleBinaryTree.BusiestRankHalves"/> = 4 halves; with 2 ranks S/B, with 3
    /// 1.5 · S/B, where no inner node has both a parent and two children). The pipeline fills in the tree depth going up
    /// and again going down: 2⌈log₂ n⌉ latencies. n = 1 costs nothing.</para>
    /// <para>Sources: P. Sanders, J. Speck, J. L. Träff, "Two-tree algorithms for full bandwidth broadcast, reduction and
    /// scan", Parallel Computing 35(12), 2009; NVIDIA developer blog, "Massively Scale Your Deep Learning Training with
    /// NCCL 2.4", 2019.</para>
    /// </remarks>
    public static SimTime TreeAllReduce(long bytes, int n, Bandwidth perRankBandwidth, SimTime latencyPerStep)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "ranks must be at least 1");
        if (bytes < 0) throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "bytes must be non-negative");
        if (n == 1) return SimTime.Zero;
        if (perRankBandwidth.BitsPerSecond <= 0)
            throw new ArgumentOutOfRangeException(nameof(perRankBandwidth), perRankBandwidth, "bandwidth must be positive");
        var depth = BitOperations.Log2((uint)(n - 1)) + 1; // ⌈log₂ n⌉ for n ≥ 2
        var halves = DoubleBinaryTree.Of(n).BusiestRankHalves;
        var transfer = CeilDiv(checked((Int128)halves * bytes * 8 * SimTime.PsPerSecond), 2 * (Int128)perRankBandwidth.BitsPerSecond);
        return new SimTime(transfer) + latencyPerStep * (2L * depth);
    }
}
