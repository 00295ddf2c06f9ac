namespace Emulator.Engine.Runtime;

/// <summary>Events per message type on one partition: a short list scanned by reference, cheaper per event than a dictionary lookup.</summary>
/// <remarks>An emulation has a dozen message types, so a scan of a few references beats hashing the type of every one of
/// hundreds of millions of events.</remarks>
public sealed class MessageCounts
{
    private Type[] _types = new Type[16];
    private long[] _counts = new long[16];
    private int _used;

    /// <summary>Counts one event carrying <paramref name="message"/>.</summary>
    public void Add(object message)
    {
        var type = message.GetType();
        for (var i = 0; i < _used; i++)
        {
            if (!ReferenceEquals(_types[i], type)) continue;
            _counts[i]++;
            // Keep the busiest types first: each step forward swaps with a neighbour counted less.
            if (i > 0 && _counts[i] > _counts[i - 1])
            {
                (_types[i], _types[i - 1]) = (_types[i - 1], _types[i]);
                (_counts[i], _counts[i - 1]) = (_counts[i - 1], _counts[i]);
            }
            return;
        }
        if (_used == _types.Length)
        {
            Array.Resize(ref _types, _used * 2);
            Array.Resize(ref _counts, _used * 2);
        }
        _types[_used] = type;
        _counts[_used++] = 1;
    }

    /// <summary>The counts so far, by type.</summary>
    public IEnumerable<(Type Type, long Count)> All() => Enumerable.Range(0, _used).Select(i => (_types[i], _counts[i]));
}
