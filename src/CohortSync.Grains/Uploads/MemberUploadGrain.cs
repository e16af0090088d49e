using CohortSync.Contracts;
using CohortSync.Grains.Syncs;
using CohortSync.Storage.Uploads;
using Microsoft.Extensions.Logging;

namespace CohortSync.Grains.Uploads;

/// <summary>
/// Receives a sync's member files chunk by chunk and commits them to the sync. It keeps no state of its own: the
/// chunks are in the upload store, the committed upload in the sync's state.
/// </summary>
public sealed class MemberUploadGrain(IUploadStore store, ILogger<MemberUploadGrain> logger) : Grain, IMemberUploadGrain
{
    public const int MaxIdentifierLength = 1024;

    private string SyncKey => this.GetPrimaryKeyString();

    public async Task PutChunkAsync(string uploadId, int seq, string[] ids)
    {
        RequireUploadId(uploadId);
        if (seq < 0) throw Invalid($"chunk number {seq} is negative");
        if (ids is null || ids.Length > IMemberUploadGrain.MaxChunk) throw Invalid($"a chunk holds at most {IMemberUploadGrain.MaxChunk} identifiers");
        foreach (var id in ids)
        {
            if (string.IsNullOrEmpty(id) || id.Length > MaxIdentifierLength || id.AsSpan().IndexOfAny('\n', '\r') >= 0)
                throw Invalid($"chunk {seq} has an empty identifier, one longer than {MaxIdentifierLength} characters, or one with a line break");
        }
        // The first chunk finds out whether the sync exists, before anything is stored for it.
        if (seq == 0) await GrainFactory.GetGrain<ICohortSyncGrain>(SyncKey).GetStatusAsync();
        await store.PutChunkAsync(SyncKey, uploadId, seq, ids, CancellationToken.None);
    }

    public async Task<SyncInfo> CommitAsync(string uploadId, int chunks, long members, bool run)
    {
        RequireUploadId(uploadId);
        var (stored, storedMembers) = await store.CountAsync(SyncKey, uploadId, CancellationToken.None);
        if (stored != chunks || storedMembers != members)
        {
            throw Invalid($"upload {uploadId} is incomplete: {stored} of {chunks} chunks ({storedMembers:N0} of {members:N0} members) arrived; "
                + "nothing was changed, send the file again");
        }
        if (members == 0) throw Invalid("the file has no members; nothing was changed");
        var info = await GrainFactory.GetGrain<ICohortSyncControl>(SyncKey).UseUploadAsync(uploadId, members, run);
        // Earlier uploads, committed or not, are no longer wanted.
        await store.DeleteAsync(SyncKey, keep: uploadId, CancellationToken.None);
        logger.LogInformation("Sync {SyncKey}: upload {UploadId} of {Members} members committed", SyncKey, uploadId, members);
        return info;
    }

    private static void RequireUploadId(string uploadId)
    {
        if (!GrainKeys.IsValidId(uploadId)) throw Invalid($"upload id '{uploadId}' is not 1–64 letters, digits, '.', '_' or '-'");
    }

    private static CohortSyncException Invalid(string message) => new(ErrorCodes.InvalidArgument, message);
}
