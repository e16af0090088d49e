using CohortSync.Storage.Uploads;

namespace CohortSync.Grains.Runs;

/// <summary>A committed member file: the identifiers a run reads instead of downloading the cohort.</summary>
public interface IUploadedMembers
{
    long Members { get; }

    Task ReadAsync(Action<ReadOnlySpan<char>> accept, CancellationToken ct);
}

/// <summary>An upload as the upload store keeps it, chunk by chunk.</summary>
public sealed class UploadedMembers(IUploadStore store, string syncKey, string uploadId, long members) : IUploadedMembers
{
    public long Members => members;

    public Task ReadAsync(Action<ReadOnlySpan<char>> accept, CancellationToken ct) => store.ReadAsync(syncKey, uploadId, accept, ct);
}
