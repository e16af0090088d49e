namespace CohortSync.Storage.Snapshots;

/// <summary>
/// Running totals of what a snapshot store wrote, for metrics and for tests that pin
/// "a compaction rewrites only the chunks that changed".
/// </summary>
public sealed class SnapshotStoreCounters
{
    private long _chunksWritten;
    private long _chunksDeleted;
    private long _chunksUnchanged;
    private long _journalEntriesAppended;
    private long _compactions;

    public long ChunksWritten => Interlocked.Read(ref _chunksWritten);
    public long ChunksDeleted => Interlocked.Read(ref _chunksDeleted);
    public long ChunksUnchanged => Interlocked.Read(ref _chunksUnchanged);
    public long JournalEntriesAppended => Interlocked.Read(ref _journalEntriesAppended);
    public long Compactions => Interlocked.Read(ref _compactions);

    internal void RecordAppend() => Interlocked.Increment(ref _journalEntriesAppended);

    internal void RecordCompaction(int written, int deleted, int unchanged)
    {
        Interlocked.Add(ref _chunksWritten, written);
        Interlocked.Add(ref _chunksDeleted, deleted);
        Interlocked.Add(ref _chunksUnchanged, unchanged);
        Interlocked.Increment(ref _compactions);
    }
}
