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

    public async Task PutChunkAsync(string uploadId, int seq, string lines, int count)
    {
        RequireUploadId(uploadId);
        if (seq < 0) throw Invalid($"chunk number {seq} is negative");
        if (count is < 1 or > IMemberUploadGrain.MaxChunk) throw Invalid($"a chunk holds 1 to {IMemberUploadGrain.MaxChunk} identifiers");
        var found = 0;
        foreach (var id in (lines ?? "").AsSpan().EnumerateLines())
        {
            found++;
            if (id.IsEmpty || id.Length > MaxIdentifierLength)
                throw Invalid($"chunk {seq} has an empty identifier or one longer than {MaxIdentifierLength} characters (line {found})");
        }
        if (found != count || lines!.Contains('\r')) throw Invalid($"chunk {seq} holds {found} lines, not the {count} it says (or a carriage return)");
        // The first chunk finds out whether the sync exists, before anything is stored for it.
        if (seq == 0) await GrainFactory.GetGrain<ICohortSyncGrain>(SyncKey).GetStatusAsync();
        await store.PutChunkAsync(SyncKey, uploadId, seq, lines, count, CancellationToken.None);
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
