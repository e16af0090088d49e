namespace CohortSync.Storage.Snapshots;

/// <summary>What one compaction did to the base: chunks rewritten (new or changed), removed, and left alone.</summary>
public sealed record CompactionResult(int ChunksWritten, int ChunksDeleted, int ChunksUnchanged, int JournalEntriesFolded);
