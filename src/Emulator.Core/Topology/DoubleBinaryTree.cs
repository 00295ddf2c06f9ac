using System.Collections.Concurrent;
using System.Numerics;

namespace Emulator.Core.Topology;

/// <summary>Two binary trees over ranks 0..n−1 such that a rank that is an inner node of one is a leaf of the other (NCCL's
/// double binary tree): each tree reduces up and broadcasts down half of an all-reduce's buffer.</summary>
/// <remarks>
/// <para>Tree 0 places rank r at position p = r + 1 of an in-order tree whose level is the number of trailing zero bits of p:
/// odd positions are leaves, the root is the largest power of two ≤ n, and the parent of p at level l is p ± 2^l, whichever
/// has level l + 1 (a parent beyond n hands p to its own parent). Tree 1 is the same tree over ranks shifted by one, so its
/// inner nodes are tree 0's leaves. Depth ⌈log₂ n⌉ at most.</para>
/// <para>Source: P. Sanders, J. Speck, J. L. Träff, "Two-tree algorithms for full bandwidth broadcast, reduction and scan",
/// Parallel Computing 35(12), 2009; NCCL 2.4 (NVIDIA developer blog, 2019).</para>
/// </remarks>
public sealed class DoubleBinaryTree
{
    private static readonly ConcurrentDictionary<int, DoubleBinaryTree> Cache = new();

    private readonly int[][] _parent;
    private readonly int[][][] _children;

    private DoubleBinaryTree(int n)
    {
        Ranks = n;
        _parent = new int[2][];
        _children = new int[2][][];
        for (var tree = 0; tree < 2; tree++)
        {
            var parent = new int[n];
            var children = new List<int>[n];
            for (var r = 0; r < n; r++) children[r] = new List<int>(2);
            for (var r = 0; r < n; r++)
            {
                var up = ParentPosition(Position(r, tree, n), n);
                parent[r] = up < 0 ? -1 : RankAt(up, tree, n);
                if (parent[r] >= 0) children[parent[r]].Add(r);
            }
            _parent[tree] = parent;
            _children[tree] = children.Select(c => c.ToArray()).ToArray();
        }
    }

    /// <summary>The trees over <paramref name="n"/> ranks (shared: built once per size).</summary>
    public static DoubleBinaryTree Of(int n) =>
        n >= 1 ? Cache.GetOrAdd(n, size => new DoubleBinaryTree(size)) : throw new ArgumentOutOfRangeException(nameof(n), n, "ranks must be at least 1");

    /// <summary>Number of ranks.</summary>
    public int Ranks { get; }

    /// <summary>Most half-buffers any rank sends, or receives, over both trees in an all-reduce (up to its parent, down to each
    /// child): 4 (the whole buffer twice) once some inner node has a parent and two children (n ≥ 4); 2 for n = 2, 3 for n = 3.</summary>
    public int BusiestRankHalves => Enumerable.Range(0, Ranks).Max(r => Enumerable.Range(0, 2)
        .Sum(t => (_parent[t][r] >= 0 ? 1 : 0) + _children[t][r].Length));

    /// <summary>Parent of <paramref name="rank"/> in tree <paramref name="tree"/> (0 or 1), −1 for the root.</summary>
    public int Parent(int tree, int rank) => _parent[tree][rank];

    /// <summary>Children of <paramref name="rank"/> in tree <paramref name="tree"/> (none, one or two).</summary>
    public IReadOnlyList<int> Children(int tree, int rank) => _children[tree][rank];

    private static int Position(int rank, int tree, int n) => (rank + tree) % n + 1;

    private static int RankAt(int position, int tree, int n) => (position - 1 - tree + n) % n;

    /// <summary>Parent position of <paramref name="p"/> in the in-order tree over 1..n, or −1 for the root.</summary>
    private static int ParentPosition(int p, int n)
    {
        var root = 1 << BitOperations.Log2((uint)n);
        if (p == root) return -1;
        var q = p;
        do
        {
            var level = BitOperations.TrailingZeroCount(q);
            q = (q & (1 << (level + 1))) != 0 ? q - (1 << level) : q + (1 << level);
        }
        while (q > n);
        return q;
    }
}
