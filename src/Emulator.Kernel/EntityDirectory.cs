namespace Emulator.Kernel;

/// <summary>Which partition owns each entity, and each entity's send counter (the last part of <see cref="EventKey"/>).</summary>
public sealed class EntityDirectory
{
    private readonly int[] _partitionOf;
    private readonly long[] _sendCount;

    /// <summary>Creates a directory of <paramref name="partitionOf"/>.Length entities, entity i owned by partition partitionOf[i].</summary>
    public EntityDirectory(int[] partitionOf)
    {
        if (partitionOf.Length > EventQueue.MaxEntities)
            throw new ArgumentOutOfRangeException(nameof(partitionOf), partitionOf.Length, $"the kernel orders at most {EventQueue.MaxEntities} entities");
        _partitionOf = partitionOf;
        _sendCount = new long[partitionOf.Length];
    }

    /// <summary>Number of entities.</summary>
    public int Count => _partitionOf.Length;

    /// <summary>The partition that runs entity <paramref name="entity"/>.</summary>
    public int PartitionOf(int entity) => _partitionOf[entity];

    /// <summary>Next send counter of <paramref name="entity"/>; only its own partition's thread calls this.</summary>
    internal long NextSeq(int entity) => _sendCount[entity]++;
}
