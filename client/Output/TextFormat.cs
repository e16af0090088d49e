using System.Globalization;
using CohortSync.Contracts;

namespace CohortSync.Client.Output;

/// <summary>The human-readable rendering of the cluster's records. Secrets appear only as the hints the cluster returns.</summary>
public static class TextFormat
{
    public static string Project(ProjectInfo project) => new TextBlock()
        .Add("project", project.ProjectId)
        .Add("enabled", project.Enabled ? $"yes, since {Time(project.EnabledAt)}" : "no")
        .Add("amplitude", project.AmplitudeUrl)
        .Add("amplitude key", project.AmplitudeKeyHint)
        .Add("destinations", Count(project.Destinations))
        .Add("syncs", Count(project.Syncs))
        .Add("organisation", project.Downloads?.Organisation)
        .Add("downloads", project.Downloads is { } d
            ? $"{Count(d.Used)} Amplitude cohort downloads in {d.Month}{(d.Organisation is null ? "" : $" by organisation {d.Organisation}")}, "
              + $"on course for {Count(d.Projected)} (quota {Count(d.Quota)})"
              + (d.ProjectPlannedPerMonth is { } share ? $"; this project's schedule: {Count(share)} a month" : "")
            : null)
        .Add("warning", project.Downloads?.Warning)
        .Add("quota", project.Downloads?.ExhaustedUntil is { } until
            ? $"USED UP: Amplitude refused a download for the monthly quota; downloads resume on {until:yyyy-MM-dd} (or 'cohortsync project quota reset')"
            : null)
        .Add("webhook token", project.WebhookTokenSet ? "set" : "not set (cohortsync project webhook creates one)")
        .ToString();

    public static string WebhookToken(WebhookTokenIssued issued) => new TextBlock()
        .Add("project", issued.ProjectId)
        .Add("webhook path", issued.Path)
        .Add("token", issued.Token)
        .Add("note", issued.Rotated
            ? "the old token stopped working; put this one in Amplitude's webhook header now, it is not shown again"
            : "send it as the header 'Authorization: Bearer <token>'; it is not shown again")
        .ToString();

    public static string Destination(DestinationInfo destination) => new TextBlock()
        .Add("destination", destination.DestinationId)
        .Add("project", destination.ProjectId)
        .Add("name", destination.Name)
        .Add("iterable", destination.IterableUrl)
        .Add("iterable key", destination.KeyHint)
        .Add("user id from", destination.UserProperty)
        .Add("requests in flight", destination.Concurrency?.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Add("health", Health(destination))
        .Add("created", Time(destination.CreatedAt))
        .ToString();

    public static string Destinations(IReadOnlyList<DestinationInfo> destinations)
    {
        if (destinations.Count == 0) return "no destinations\n";
        var table = new TextTable("ID", "NAME", "USER ID FROM", "ITERABLE", "KEY", "HEALTH");
        foreach (var d in destinations) table.Add(d.DestinationId, d.Name, d.UserProperty, d.IterableUrl, d.KeyHint, Health(d));
        return table.ToString();
    }

    public static string Removed(RemovedDestination removed) =>
        $"removed destination {removed.DestinationId} from project {removed.ProjectId}\n";

    public static string Sync(SyncInfo sync) => new TextBlock()
        .Add("sync", sync.SyncId)
        .Add("project", sync.ProjectId)
        .Add("cohort", sync.CohortName is null ? sync.CohortId : $"{sync.CohortId} ({sync.CohortName})")
        .Add("destination", sync.DestinationId)
        .Add("cadence", sync.Cadence)
        .Add("guard", sync.Guard is null ? null : GuardLine(sync.Guard))
        .Add("reconcile", sync.Reconcile is null ? null : $"{sync.Reconcile}: the whole cohort is downloaded to repair what webhooks missed")
        .Add("drift audit", sync.DriftAudit is null ? null
            : sync.LastDriftAuditAt is null ? sync.DriftAudit : $"{sync.DriftAudit}; last {Time(sync.LastDriftAuditAt)}: {sync.LastDriftAudit}")
        .Add("reconcile next", sync.ReconcilePending ? "yes: the next run reads the list's members from Iterable and repairs it" : null)
        .Add("state", sync.StateReason is null ? Word(sync.State) : $"{Word(sync.State)}: {sync.StateReason}")
        .Add("list", List(sync))
        .Add("synced", $"{Count(sync.SyncedCount)} members")
        .Add("next run", sync.NextRunAt is null ? null : Time(sync.NextRunAt))
        .Add("then", sync.NextRuns.Count > 1 ? string.Join(", ", sync.NextRuns.Skip(1).Select(t => Time(t))) : null)
        .Add("active run", sync.ActiveRun is null ? null : RunLine(sync.ActiveRun))
        .Add("last run", sync.LastRun is null ? "none yet" : RunLine(sync.LastRun))
        .Add("", sync.LastRun is null ? null : CountsLine(sync.LastRun.Counts))
        .Add("created", Time(sync.CreatedAt))
        .Add("warning", sync.Warning)
        .ToString();

    public static string Syncs(IReadOnlyList<SyncInfo> syncs)
    {
        if (syncs.Count == 0) return "no syncs\n";
        var table = new TextTable("ID", "COHORT", "NAME", "DESTINATION", "CADENCE", "STATE", "LIST", "SYNCED", "LAST RUN", "NEXT RUN");
        foreach (var s in syncs)
        {
            table.Add(s.SyncId, s.CohortId, s.CohortName ?? "-", s.DestinationId, s.Cadence, Word(s.State),
                s.ListId?.ToString(CultureInfo.InvariantCulture) ?? "-", Count(s.SyncedCount),
                s.ActiveRun is { } active ? RunSummary(active) : s.LastRun is { } last ? RunSummary(last) : "-",
                s.NextRunAt is null ? "-" : Time(s.NextRunAt));
        }
        return table.ToString();
    }

    public static string History(IReadOnlyList<RunRecord> runs)
    {
        if (runs.Count == 0) return "no runs yet\n";
        var table = new TextTable("RUN", "TRIGGER", "STARTED", "FINISHED", "OUTCOME", "PHASE", "DESIRED", "ADDED", "REMOVED", "REJECTED", "REASON");
        foreach (var r in runs)
        {
            table.Add(Number(r.RunNumber), r.Trigger, Time(r.StartedAt), r.FinishedAt is null ? "-" : Time(r.FinishedAt), Word(r.Outcome),
                Word(r.Phase), Count(r.Counts.Desired), Count(r.Counts.Added), Count(r.Counts.Removed), Count(r.Counts.RejectedTotal),
                r.Reason ?? "");
        }
        return table.ToString();
    }

    public static string Refused(RefusedPage page)
    {
        if (page.Total == 0) return "no refused members\n";
        var table = new TextTable("MEMBER", "REASON", "REFUSED", "SENT AGAIN FROM");
        foreach (var m in page.Members) table.Add(m.Member, m.Reason, Time(m.RefusedAt), Time(m.RetryAfter));
        var more = page.Next is null ? "" : $"more: --after {page.Next}\n";
        return $"{table}{Count(page.Total)} refused in all; sync run --retry-refused sends them again now\n{more}";
    }

    public static string Preview(SyncPreview p) => new TextBlock()
        .Add("sync", p.SyncId)
        .Add("cohort", $"{p.CohortId} ({p.CohortName})")
        .Add("list", p.ListId is null ? "not created yet" : $"{p.ListId} {p.ListName}")
        .Add("cohort now", $"{Count(p.Desired)} members ({Count(p.CohortRows)} rows, {Count(p.Skipped)} skipped, {Count(p.Invalid)} invalid)")
        .Add(p.Extra is null ? "synced" : "in Iterable", $"{Count(p.Synced)} members")
        .Add("drift", p.Extra is null ? null : $"{Count(p.Extra.Value)} extra (in the list, not synced), {Count(p.Missing ?? 0)} missing (synced, not in the list)")
        .Add("would add", Difference(p.Adds, p.SampleAdds))
        .Add("would remove", Difference(p.Removes, p.SampleRemoves))
        .Add("held back", p.HeldBack == 0 ? null : $"{Count(p.HeldBack)} members Iterable refused before")
        .Add("guard", p.Guard is null ? null : p.WouldBeHeld ? $"{GuardLine(p.Guard)}: the next run would be HELD (nothing sent until approved)" : GuardLine(p.Guard))
        .ToString();

    private static string GuardLine(string guard) =>
        RemovalGuard.TryParse(guard, out var parsed, out _) && !parsed.Off ? $"{guard} (holds runs removing {parsed.Describe()}, or every member)" : guard;

    private static string Difference(long count, IReadOnlyList<string> sample) =>
        sample.Count == 0 ? Count(count) : $"{Count(count)}: {string.Join(", ", sample)}{(count > sample.Count ? ", …" : "")}";

    public static string Run(RunRecord run) => new TextBlock()
        .Add("run", Number(run.RunNumber))
        .Add("outcome", run.Reason is null ? Word(run.Outcome) : $"{Word(run.Outcome)}: {run.Reason}")
        .Add("trigger", run.Trigger)
        .Add("started", Time(run.StartedAt))
        .Add("finished", run.FinishedAt is null ? "-" : Time(run.FinishedAt))
        .Add("counts", CountsLine(run.Counts))
        .Add("rejected", run.Counts.RejectedTotal == 0 ? null : Rejected(run.Counts))
        .ToString();

    /// <summary>"#12 succeeded +30 -4" — one cell of a table.</summary>
    public static string RunSummary(RunRecord run) =>
        run.Outcome == RunOutcome.Running
            ? $"{Number(run.RunNumber)} running ({Word(run.Phase)})"
            : $"{Number(run.RunNumber)} {Word(run.Outcome)} +{Count(run.Counts.Added)} -{Count(run.Counts.Removed)}"
              + (run.Counts.RejectedTotal > 0 ? $" !{Count(run.Counts.RejectedTotal)}" : "");

    private static string RunLine(RunRecord run)
    {
        var line = run.Outcome == RunOutcome.Running
            ? $"{Number(run.RunNumber)} running, {Word(run.Phase)}, started {Time(run.StartedAt)}"
            : $"{Number(run.RunNumber)} {Word(run.Outcome)}, finished {Time(run.FinishedAt)}, "
              + $"+{Count(run.Counts.Added)} -{Count(run.Counts.Removed)}, {Count(run.Counts.RejectedTotal)} rejected";
        return run.Reason is null ? line : $"{line}: {run.Reason}";
    }

    private static string CountsLine(RunCounts c) =>
        $"rows {Count(c.CohortRows)}, desired {Count(c.Desired)}, planned +{Count(c.PlannedAdds)} -{Count(c.PlannedRemoves)}, "
        + $"added {Count(c.Added)}, removed {Count(c.Removed)}, skipped {Count(c.Skipped)}, invalid {Count(c.Invalid)}, malformed {Count(c.Malformed)}, "
        + $"requests {Count(c.Requests)}, retries {Count(c.Retries)}"
        + (c.HeldBack > 0 ? $", held back {Count(c.HeldBack)}" : "")
        + (c.HeldRemovals > 0 ? $", removals held {Count(c.HeldRemovals)}" : "")
        + (c.Extra is { } extra ? $", drift: extra {Count(extra)}, missing {Count(c.Missing ?? 0)}" : "");

    private static string Rejected(RunCounts c) =>
        string.Join(", ", c.Rejected.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} {Count(r.Value)}"))
        + (c.RejectedSample.Count > 0 ? $" (e.g. {string.Join(", ", c.RejectedSample.Take(5))})" : "");

    private static string? List(SyncInfo sync) => (sync.ListId, sync.ListName) switch
    {
        (null, null) => "not created yet",
        (null, { } name) => name,
        ({ } id, null) => id.ToString(CultureInfo.InvariantCulture),
        ({ } id, { } name) => $"{id.ToString(CultureInfo.InvariantCulture)} {name}",
    };

    private static string Health(DestinationInfo d) =>
        d.HealthReason is null ? Word(d.Health) : $"{Word(d.Health)}: {d.HealthReason}";

    /// <summary>Enum values as the JSON spells them, so text and JSON agree.</summary>
    public static string Word<T>(T value) where T : struct, Enum => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    public static string Time(DateTimeOffset? value) =>
        value is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    public static string Duration(TimeSpan value) =>
        value.TotalSeconds < 120 ? $"{value.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s"
        : value.TotalMinutes < 120 ? $"{value.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)} min"
        : $"{value.TotalHours.ToString("0.#", CultureInfo.InvariantCulture)} h";

    private static string Number(long runNumber) => "#" + runNumber.ToString(CultureInfo.InvariantCulture);

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
