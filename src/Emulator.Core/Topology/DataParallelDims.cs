using Emulator.Core.Specs;

namespace Emulator.Core.Topology;

/// <summary>The ring dimensions of a job's data-parallel group (first fastest), and how many of the first ones ZeRO shards over.</summary>
/// <param name="Dims">Ring dimensions; their product is dp·cp.</param>
/// <param name="ShardDims">The first dimensions, whose product is the ZeRO shard group; across the others the cards hold replicas.</param>
public sealed record DataParallelDims(IReadOnlyList<int> Dims, int ShardDims)
{
    /// <summary>The dimensions of <paramref name="s"/>'s data-parallel group with its shard group split out; null when the group
    /// does not fall on the dimensions (a ring cannot stop part-way round another ring's axis).</summary>
    /// <remarks>Per fabric level: the cards of the group sharing a node, then nodes (RankMap); on a torus the chip axes the group
    /// spans, when a model replica fills whole leading axes (<see cref="TorusAxes"/>); with several torus slices the last dimension crosses them (slices hold whole hosts and dp is
    /// outermost, pp = 1). The shard group (training.zero-shard-group, default all of a slice) must be a product of whole
    /// leading dimensions times a divisor of the next one, which is then split in two.</remarks>
    public static DataParallelDims? Of(Scenario s)
    {
        var p = s.Parallel;
        List<int> dims;
        if (s.Fabric.IsTorus && TorusAxes(s.Fabric.ChipDims, p.Tp, p.WeightReplicas) is { } axes) dims = axes;
        else
        {
            dims = [.. new RankMap(p.Tp, p.Pp, p.WeightReplicas, s.Node.CardsPerNode).DpDims];
            if (s.Fabric.Slices > 1)
            {
                dims[^1] /= s.Fabric.Slices;
                dims.Add(s.Fabric.Slices);
            }
        }
        dims.RemoveAll(d => d == 1);
        return Split(dims, s.ZeroShards);
    }

    /// <summary>The torus axes after those a replica's <paramref name="tp"/> chips fill, when they hold exactly the
    /// <paramref name="replicas"/> dp ranks (the ranks' mixed radix is then the chips' coordinates, so each ring steps to a
    /// neighbour along one axis: one ring per torus dimension); null when tp or dp part-fills an axis.</summary>
    public static List<int>? TorusAxes(IReadOnlyList<int> chipDims, int tp, int replicas)
    {
        var k = 0;
        for (var filled = 1; filled < tp; k++)
        {
            if (k == chipDims.Count) return null;
            filled *= chipDims[k];
            if (filled > tp) return null;
        }
        var axes = new List<int>();
        for (var spanned = 1; spanned < replicas; k++)
        {
            if (k == chipDims.Count) return null;
            axes.Add(chipDims[k]);
            spanned *= chipDims[k];
            if (spanned > replicas) return null;
        }
        return axes;
    }

    /// <summary><paramref name="dims"/> with the leading product <paramref name="group"/> split out, or null if it does not divide them so.</summary>
    public static DataParallelDims? Split(IReadOnlyList<int> dims, int group)
    {
        var result = new List<int>();
        var covered = 1;
        for (var k = 0; k < dims.Count; k++)
        {
            if (covered == group) return new DataParallelDims([.. result, .. dims.Skip(k)], result.Count);
            if (group % covered != 0) return null;
            var need = group / covered;
            if (dims[k] <= need)
            {
                result.Add(dims[k]);
                covered *= dims[k];
                continue;
            }
            if (dims[k] % need != 0) return null;
            return new DataParallelDims([.. result, need, dims[k] / need, .. dims.Skip(k + 1)], result.Count + 1);
        }
        return covered == group ? new DataParallelDims(result.Count > 0 ? result : [1], result.Count) : null;
    }
}
