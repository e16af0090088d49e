using CohortSync.Contracts;

namespace CohortSync.Silo.Api;

/// <summary>
/// <c>/api/v1/projects/{projectId}/syncs</c>: <c>sync start|list|status|run|pause|resume|stop|update|history|preview|approve|reject|upload|refused</c>.
/// Controls answer the sync as it is right after the call, as the CLI prints it; a client that waits polls the sync.
/// </summary>
internal static class SyncRoutes
{
    public static void Map(RouteGroupBuilder syncs)
    {
        syncs.MapGet("", (string projectId, IGrainFactory grains) => grains.GetGrain<IProjectGrain>(projectId).ListSyncsAsync())
            .WithName("ListSyncs").Produces<IReadOnlyList<SyncInfo>>().ProducesProblem(StatusCodes.Status404NotFound);

        syncs.MapPost("", StartAsync).WithName("StartSync").Produces<SyncInfo>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status502BadGateway).Writes();

        syncs.MapGet("/{syncId}", (string projectId, string syncId, IGrainFactory grains) => Sync(grains, projectId, syncId).GetStatusAsync())
            .WithName("GetSync").Produces<SyncInfo>().ProducesProblem(StatusCodes.Status404NotFound);

        syncs.MapGet("/{syncId}/history", async (string projectId, string syncId, int? limit, IGrainFactory grains) =>
                limit is < 1 or > 1000
                    ? ApiProblems.Invalid("'limit' must be between 1 and 1000.")
                    : Results.Ok(await Sync(grains, projectId, syncId).GetHistoryAsync(limit ?? 20)))
            .WithName("GetSyncHistory").Produces<IReadOnlyList<RunRecord>>().ProducesProblem(StatusCodes.Status404NotFound);

        // Reads the cohort (one Amplitude download) but changes nothing, so a read-only token may ask.
        syncs.MapGet("/{syncId}/preview", (string projectId, string syncId, IGrainFactory grains) => Sync(grains, projectId, syncId).PreviewAsync())
            .WithName("PreviewSync").Produces<SyncPreview>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status502BadGateway);

        syncs.MapPost("/{syncId}/run", (string projectId, string syncId, bool? retryRefused, IGrainFactory grains) =>
                Sync(grains, projectId, syncId).RunNowAsync(new RunNowRequest { RetryRefused = retryRefused ?? false }))
            .WithName("RunSync").Produces<SyncInfo>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).Writes();
        Control(syncs, "pause", "PauseSync", s => s.PauseAsync());
        Control(syncs, "resume", "ResumeSync", s => s.ResumeAsync());
        syncs.MapPost("/{syncId}/stop", async (string projectId, string syncId, string? list, IGrainFactory grains) =>
                Enum.TryParse<ListOnStop>(list ?? "keep", ignoreCase: true, out var policy) && !int.TryParse(list, out _)
                    ? Results.Ok(await Sync(grains, projectId, syncId).StopAsync(policy))
                    : ApiProblems.Invalid($"'list' must be keep, empty or delete, not '{list}'."))
            .WithName("StopSync").Produces<SyncInfo>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).Writes();

        // As sync update --follow-rename: the move is the run it starts (a repeat while it is under way answers the same).
        syncs.MapPost("/{syncId}/update", async (string projectId, string syncId, UpdateSyncBody body, IGrainFactory grains) =>
                !body.FollowRename
                    ? ApiProblems.Invalid("nothing to update: set 'followRename' to true (the only change this makes).")
                    : Enum.TryParse<ListOnStop>(body.List ?? "keep", ignoreCase: true, out var policy) && !int.TryParse(body.List, out _)
                        ? Results.Ok(await Sync(grains, projectId, syncId).FollowRenameAsync(policy))
                        : ApiProblems.Invalid($"'list' must be keep, empty or delete, not '{body.List}'."))
            .WithName("UpdateSync").Produces<SyncInfo>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).Writes();

        // A dry run reads the list and the cohort and sends nothing; otherwise the reconcile starts (like sync run).
        syncs.MapPost("/{syncId}/reconcile", async (string projectId, string syncId, bool? dryRun, IGrainFactory grains) =>
                dryRun == true
                    ? Results.Ok(await Sync(grains, projectId, syncId).PreviewReconcileAsync())
                    : Results.Ok(await Sync(grains, projectId, syncId).ReconcileAsync()))
            .WithName("ReconcileSync").Produces<SyncInfo>().Produces<SyncPreview>().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status502BadGateway).Writes();

        syncs.MapGet("/{syncId}/refused", async (string projectId, string syncId, string? after, int? limit, IGrainFactory grains) =>
                limit is < 1 or > 1000
                    ? ApiProblems.Invalid("'limit' must be between 1 and 1000.")
                    : Results.Ok(await Sync(grains, projectId, syncId).GetRefusedAsync(after, limit ?? 100)))
            .WithName("GetRefusedMembers").Produces<RefusedPage>().ProducesProblem(StatusCodes.Status404NotFound);
        Control(syncs, "approve", "ApproveSync", s => s.ApproveAsync());
        Control(syncs, "reject", "RejectSync", s => s.RejectAsync());

        syncs.MapPost("/{syncId}/upload", UploadAsync).WithName("UploadMembers").Produces<SyncInfo>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).Writes();

        // A large file in pieces (what the CLI sends with --api): each chunk one request, then the commit; nothing changes before it.
        syncs.MapPut("/{syncId}/upload/{uploadId}/chunks/{seq}", async (string projectId, string syncId, string uploadId, int seq, UploadChunkBody body, IGrainFactory grains) =>
        {
            if (seq < 0) return ApiProblems.Invalid("'seq' must be 0 or more.");
            if (body.Count is < 1 or > IMemberUploadGrain.MaxChunk || string.IsNullOrEmpty(body.Lines))
                return ApiProblems.Invalid($"A chunk holds 1 to {IMemberUploadGrain.MaxChunk} identifiers in 'lines', one a line, and their 'count'.");
            await Upload(grains, projectId, syncId).PutChunkAsync(uploadId, seq, body.Lines, body.Count);
            return Results.NoContent();
        }).WithName("PutUploadChunk").Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).Writes();

        syncs.MapPost("/{syncId}/upload/{uploadId}/commit", async (string projectId, string syncId, string uploadId, CommitUploadBody body, IGrainFactory grains) =>
                body.Chunks < 1 || body.Members < 1
                    ? ApiProblems.Invalid("'chunks' and 'members' must be 1 or more.")
                    : Results.Ok(await Upload(grains, projectId, syncId).CommitAsync(uploadId, body.Chunks, body.Members, body.Run)))
            .WithName("CommitUpload").Produces<SyncInfo>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).Writes();
    }

    private static IMemberUploadGrain Upload(IGrainFactory grains, string projectId, string syncId) =>
        grains.GetGrain<IMemberUploadGrain>(GrainKeys.Sync(projectId, syncId));

    private static void Control(RouteGroupBuilder syncs, string verb, string name, Func<ICohortSyncGrain, Task<SyncInfo>> call) =>
        syncs.MapPost($"/{{syncId}}/{verb}", (string projectId, string syncId, IGrainFactory grains) => call(Sync(grains, projectId, syncId)))
            .WithName(name).Produces<SyncInfo>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).Writes();

    private static async Task<IResult> StartAsync(string projectId, StartSyncBody body, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if ((BodyRules.Blank(body.CohortId, "cohortId") ?? BodyRules.Blank(body.DestinationId, "destinationId") ?? BodyRules.Blank(body.Cadence, "cadence")) is { } missing)
            return ApiProblems.Invalid(missing);
        if (!GrainKeys.IsValidId(body.DestinationId)) return ApiProblems.Invalid($"'{body.DestinationId}' is not a valid destinationId.");
        if (!Cadence.TryParse(body.Cadence, out var cadence, out var cadenceError)) return ApiProblems.Invalid(cadenceError);
        RemovalGuard? guard = null;
        if (body.Guard is not null)
        {
            if (!RemovalGuard.TryParse(body.Guard, out var parsed, out var guardError)) return ApiProblems.Invalid(guardError);
            guard = parsed;
        }
        TimeSpan? reconcile = null;
        if (body.ReconcileEvery is not null)
        {
            if (!cadence.IsRealtime) return ApiProblems.Invalid("'reconcileEvery' is for the realtime cadence only: a scheduled sync downloads the cohort at each run.");
            if (!ReconcileEvery.TryParse(body.ReconcileEvery, out reconcile, out var reconcileError)) return ApiProblems.Invalid(reconcileError);
        }
        var adopt = body.Adopt?.Trim().ToLowerInvariant() switch
        {
            null or "reconcile" => ListAdoption.Reconcile,
            "keep" => ListAdoption.Keep,
            _ => (ListAdoption?)null,
        };
        if (adopt is null) return ApiProblems.Invalid($"'adopt' must be reconcile or keep, not '{body.Adopt}'.");
        TimeSpan? driftAudit = null;
        if (body.DriftAudit is not null && !DriftAuditText.TryParse(body.DriftAudit, out driftAudit, out var driftError)) return ApiProblems.Invalid(driftError);
        var request = new StartSyncRequest(body.CohortId!.Trim(), body.DestinationId!, cadence)
        {
            Guard = guard, ReconcileEvery = reconcile, Adopt = adopt.Value, DriftAudit = driftAudit,
        };
        var started = await grains.GetGrain<IProjectGrain>(projectId).StartSyncAsync(request, cancellationToken);
        return Results.Created($"{ApiEndpoints.Prefix}/projects/{projectId}/syncs/{started.SyncId}", started);
    }

    /// <summary>The identifiers in chunks as <c>sync upload</c> sends them; nothing changes before the commit.</summary>
    private static async Task<IResult> UploadAsync(string projectId, string syncId, UploadBody body, IGrainFactory grains)
    {
        var identifiers = body.Identifiers?.Where(id => !string.IsNullOrWhiteSpace(id)).Select(id => id.Trim()).ToList() ?? [];
        if (identifiers.Count == 0) return ApiProblems.Invalid("'identifiers' has no members; nothing was changed.");
        await Sync(grains, projectId, syncId).GetStatusAsync();
        var upload = grains.GetGrain<IMemberUploadGrain>(GrainKeys.Sync(projectId, syncId));
        var uploadId = $"u-{Guid.NewGuid():N}";
        var (chunks, chunk, chars) = (0, new List<string>(), 0);
        foreach (var id in identifiers)
        {
            chunk.Add(id);
            chars += id.Length + 1;
            if (chunk.Count < IMemberUploadGrain.MaxChunk && chars < IMemberUploadGrain.ChunkChars) continue;
            await upload.PutChunkAsync(uploadId, chunks++, string.Join('\n', chunk), chunk.Count);
            (chunk, chars) = ([], 0);
        }
        if (chunk.Count > 0) await upload.PutChunkAsync(uploadId, chunks++, string.Join('\n', chunk), chunk.Count);
        return Results.Ok(await upload.CommitAsync(uploadId, chunks, identifiers.Count, body.Run));
    }

    private static ICohortSyncGrain Sync(IGrainFactory grains, string projectId, string syncId) =>
        grains.GetGrain<ICohortSyncGrain>(GrainKeys.Sync(projectId, syncId));
}
