namespace CohortSync.Sandbox.RequestLogging;

/// <summary>
/// Every request the sandbox answered, in completion order, bounded (the oldest entries fall off).
/// Thread-safe; sequence numbers keep increasing across <see cref="Clear"/> so "since" polling stays valid.
/// </summary>
public sealed class RequestLog(int capacity = 100_000)
{
    private readonly Lock _gate = new();
    private readonly Queue<RequestLogEntry> _entries = new();
    private long _lastSequence;

    /// <summary>The sequence number of the latest entry (0 before the first).</summary>
    public long LastSequence
    {
        get
        {
            lock (_gate)
            {
                return _lastSequence;
            }
        }
    }

    public IReadOnlyList<RequestLogEntry> Snapshot()
    {
        lock (_gate)
        {
            return _entries.ToArray();
        }
    }

    /// <summary>Entries with a sequence number greater than <paramref name="sequence"/>.</summary>
    public IReadOnlyList<RequestLogEntry> Since(long sequence)
    {
        lock (_gate)
        {
            return _entries.Where(entry => entry.Sequence > sequence).ToArray();
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    /// <summary>Appends an entry, giving it the next sequence number.</summary>
    internal RequestLogEntry Append(Func<long, RequestLogEntry> create)
    {
        lock (_gate)
        {
            var entry = create(++_lastSequence);
            _entries.Enqueue(entry);
            while (_entries.Count > capacity)
            {
                _entries.Dequeue();
            }

            return entry;
        }
    }
}
