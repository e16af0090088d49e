using CohortSync.Storage.Uploads;

namespace CohortSync.Grains.Runs;

/// <summary>A committed member file: the identifiers a run reads instead of downloading the cohort.</summary>
public interface IUploadedMembers
{
    long Members { get; }

    Task ReadAsync(Action<ReadOnlySpan<char>> accept, CancellationToken ct);

    /// <summary>The run that read the file succeeded: its chunks are not needed any more.</summary>
    Task DeleteAsync(CancellationToken ct) => Task.CompletedTask;
}

/// <summary>An upload as the upload store keeps it, chunk by chunk.</summary>
public sealed class UploadedMembers(IUploadStore store, string syncKey, string uploadId, long members) : IUploadedMembers
{
    public long Members => members;

    /// <summary>Every identifier, or a failure when fewer are there than were committed: a partial file must never become the desired set.</summary>
    public async Task ReadAsync(Action<ReadOnlySpan<char>> accept, CancellationToken ct)
    {
        long read = 0;
        await store.ReadAsync(syncKey, uploadId, id =>
        {
            read++;
            accept(id);
        }, ct);
        if (read != members)
            throw RunFailure.Permanent($"the member file uploaded for this sync holds {read:N0} of its {members:N0} identifiers now; nothing was sent. Upload it again (cohortsync sync upload)");
    }

    public Task DeleteAsync(CancellationToken ct) => store.DeleteUploadAsync(syncKey, uploadId, ct);
}
