namespace Emulator.Kernel;

/// <summary>Total order of events: delivery time, then the sending entity, then that entity's send counter.</summary>
/// <remarks>The key depends only on what the sender did, never on which thread or partition ran first, so every entity sees the same sequence of events however the actors are partitioned.</remarks>
public readonly record struct EventKey(long Time, int Source, long Seq) : IComparable<EventKey>
{
    public int CompareTo(EventKey other)
    {
        if (Time != other.Time) return Time < other.Time ? -1 : 1;
        if (Source != other.Source) return Source < other.Source ? -1 : 1;
        return Seq.CompareTo(other.Seq);
    }
}

/// <summary>Orders <see cref="EventKey"/> for the priority queue without boxing.</summary>
public sealed class EventKeyComparer : IComparer<EventKey>
{
    public static readonly EventKeyComparer Instance = new();

    public int Compare(EventKey x, EventKey y) => x.CompareTo(y);
}
