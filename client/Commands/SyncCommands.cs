using System.CommandLine;
using CohortSync.Client.Cli;
using CohortSync.Client.Input;
using CohortSync.Client.Output;
using CohortSync.Contracts;

namespace CohortSync.Client.Commands;

/// <summary><c>sync start|list|status|run|pause|resume|stop|update|history|wait|preview|approve|reject|reconcile</c>: cohort syncs and their runs.</summary>
internal static class SyncCommands
{
    public static Command Build(CommandRunner runner) => new("sync", "Start, inspect and control cohort syncs.")
    {
        Start(runner),
        List(runner),
        Control(runner, "status", "Show a sync: state, list, synced count, active and last run, next run.", s => s.GetStatusAsync()),
        Run(runner),
        UploadCommand.Create(runner),
        Control(runner, "pause", "Pause a sync: no runs until it is resumed.", s => s.PauseAsync()),
        Control(runner, "resume", "Resume a paused sync.", s => s.ResumeAsync()),
        StopCommand.Create(runner),
        UpdateCommand.Create(runner),
        RefusedCommand.Create(runner),
        History(runner),
        Wait(runner),
        Preview(runner),
        Approve(runner),
        ReconcileCommand.Create(runner),
        Control(runner, "reject", "Discard a held run and keep the list as it is: the sync pauses until it is resumed.", s => s.RejectAsync()),
    };

    private static Command Start(CommandRunner runner)
    {
        var project = Symbols.Project();
        var cohort = Symbols.Text("--cohort", "The Amplitude cohort id.", required: true);
        var destination = new Option<string>("--destination") { Description = "The destination id to write to.", Required = true };
        destination.Validators.Add(result =>
        {
            if (InputRules.CheckId(result.GetValueOrDefault<string>(), "--destination") is { } error) result.AddError(error);
        });
        var cadence = Symbols.Cadence();
        var zone = Symbols.TimeZone();
        var guard = Symbols.Guard();
        var reconcile = Symbols.ReconcileEvery();
        var adopt = ReconcileCommand.Adopt();
        var driftAudit = ReconcileCommand.DriftAudit();
        var wait = Symbols.Wait();
        var timeout = Symbols.Timeout();
        var command = new Command("start", "Start syncing a cohort to a destination's list. Prints the new sync id.")
        {
            project, cohort, destination, cadence, zone, guard, reconcile, adopt, driftAudit, wait, timeout,
        };
        command.Validators.Add(result =>
        {
            // A cadence the option refused has its error already; only a readable one is tried in the zone.
            if (result.GetResult(zone) is not null && result.GetResult(cadence) is { Errors: var errors } && !errors.Any()
                && Symbols.InZone(result.GetValue(cadence), result.GetValue(zone), out var zoneError) is null)
            {
                result.AddError(zoneError);
            }
            if (result.GetResult(reconcile) is { Implicit: false } && result.GetValue(cadence) is { IsRealtime: false })
                result.AddError("--reconcile-every is for --cadence realtime only: a scheduled sync downloads the cohort at each run");
        });
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            var projectId = parse.GetRequiredValue(project);
            var request = new StartSyncRequest(parse.GetValue(cohort)!.Trim(), parse.GetRequiredValue(destination),
                Symbols.InZone(parse.GetRequiredValue(cadence), parse.GetValue(zone), out _)!)
            {
                Guard = parse.GetValue(guard),
                ReconcileEvery = parse.GetValue(reconcile),
                Adopt = parse.GetValue(adopt),
                DriftAudit = parse.GetValue(driftAudit),
            };
            await using var cluster = await context.ConnectAsync(cancellationToken);
            var started = await cluster.Project(projectId).StartSyncAsync(request).WaitAsync(cancellationToken);
            if (started.Warning is not null) context.Error.WriteLine(CommandRunner.OneLine($"warning: {started.Warning}"));
            if (!parse.GetValue(wait) || !context.Output.Json)
            {
                // With --wait in text mode the id still comes first, so `head -1` gets it.
                context.Output.Created(started, started.SyncId);
            }
            if (!parse.GetValue(wait)) return ExitCodes.Ok;
            var waited = await context.Waiter.WaitForRunAfterAsync(
                cluster.Sync(projectId, started.SyncId), LastFinishedRunNumber(started), parse.GetValue(timeout), cancellationToken);
            return Finish(context, waited);
        });
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var project = Symbols.Project();
        var command = new Command("list", "List the project's syncs.") { project };
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            await using var cluster = await context.ConnectAsync(cancellationToken);
            context.Output.Syncs(await cluster.Project(parse.GetRequiredValue(project)).ListSyncsAsync().WaitAsync(cancellationToken));
            return ExitCodes.Ok;
        }, Repeat.Safe);
        return command;
    }

    /// <summary>
    /// The commands that make one call on the sync grain and print the sync it returns. Each ends in the same
    /// state however often it is sent, so a call the cluster lost is sent again.
    /// </summary>
    private static Command Control(CommandRunner runner, string name, string description, Func<ICohortSyncGrain, Task<SyncInfo>> call)
    {
        var project = Symbols.Project();
        var sync = Symbols.SyncId();
        var command = new Command(name, description) { project, sync };
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            await using var cluster = await context.ConnectAsync(cancellationToken);
            context.Output.Sync(await call(cluster.Sync(parse.GetRequiredValue(project), parse.GetRequiredValue(sync))).WaitAsync(cancellationToken));
            return ExitCodes.Ok;
        }, Repeat.Safe);
        return command;
    }

    private static Command Run(CommandRunner runner)
    {
        var project = Symbols.Project();
        var sync = Symbols.SyncId();
        var wait = Symbols.Wait();
        var timeout = Symbols.Timeout();
        var retryRefused = new Option<bool>("--retry-refused")
        {
            Description = "Send the members Iterable refused before again now, instead of after their cooldown (see 'sync refused').",
        };
        var full = ReconcileCommand.Full();
        var command = new Command("run", "Run a sync now, unless a run is already active (then --wait waits for that one).")
        {
            project, sync, full, wait, timeout, retryRefused,
        };
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            await using var cluster = await context.ConnectAsync(cancellationToken);
            var grain = cluster.Sync(parse.GetRequiredValue(project), parse.GetRequiredValue(sync));
            if (parse.GetValue(full)) return await ReconcileCommand.RunAsync(context, grain, parse.GetValue(wait), parse.GetValue(timeout), cancellationToken);
            var request = new RunNowRequest { RetryRefused = parse.GetValue(retryRefused) };
            if (!parse.GetValue(wait))
            {
                context.Output.Sync(await grain.RunNowAsync(request).WaitAsync(cancellationToken));
                return ExitCodes.Ok;
            }
            // The run to report is the first one numbered above what had finished before the trigger.
            var before = await grain.GetStatusAsync().WaitAsync(cancellationToken);
            await grain.RunNowAsync(request).WaitAsync(cancellationToken);
            var waited = await context.Waiter.WaitForRunAfterAsync(grain, LastFinishedRunNumber(before), parse.GetValue(timeout), cancellationToken);
            return Finish(context, waited);
        });
        return command;
    }

    private static Command History(CommandRunner runner)
    {
        var project = Symbols.Project();
        var sync = Symbols.SyncId();
        var limit = new Option<int>("--limit") { Description = "How many runs to show, newest first (default 20).", DefaultValueFactory = _ => 20 };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1) result.AddError("--limit must be at least 1");
        });
        var command = new Command("history", "Show a sync's recent runs.") { project, sync, limit };
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            await using var cluster = await context.ConnectAsync(cancellationToken);
            var grain = cluster.Sync(parse.GetRequiredValue(project), parse.GetRequiredValue(sync));
            context.Output.History(await grain.GetHistoryAsync(parse.GetValue(limit)).WaitAsync(cancellationToken));
            return ExitCodes.Ok;
        }, Repeat.Safe);
        return command;
    }

    private static Command Preview(CommandRunner runner)
    {
        var project = Symbols.Project();
        var sync = Symbols.SyncId();
        var command = new Command("preview",
            "Show what the next run would add and remove, without sending anything to Iterable (reads the cohort: one Amplitude download).")
        {
            project, sync,
        };
        // Not repeated on a lost connection: each attempt is another Amplitude download.
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            await using var cluster = await context.ConnectAsync(cancellationToken);
            var grain = cluster.Sync(parse.GetRequiredValue(project), parse.GetRequiredValue(sync));
            context.Output.Preview(await grain.PreviewAsync().WaitAsync(cancellationToken));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Approve(CommandRunner runner)
    {
        var project = Symbols.Project();
        var sync = Symbols.SyncId();
        var wait = Symbols.Wait();
        var timeout = Symbols.Timeout();
        var command = new Command("approve",
            "Send a held run: starts a run that may remove as many members as the held one would have (more is held again).")
        {
            project, sync, wait, timeout,
        };
        // Not repeated on a lost connection: a repeat would find no held run and say so.
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            await using var cluster = await context.ConnectAsync(cancellationToken);
            var grain = cluster.Sync(parse.GetRequiredValue(project), parse.GetRequiredValue(sync));
            var approved = await grain.ApproveAsync().WaitAsync(cancellationToken);
            if (!parse.GetValue(wait))
            {
                context.Output.Sync(approved);
                return ExitCodes.Ok;
            }
            return Finish(context, await context.Waiter.WaitForRunAfterAsync(grain, LastFinishedRunNumber(approved), parse.GetValue(timeout), cancellationToken));
        });
        return command;
    }

    private static Command Wait(CommandRunner runner)
    {
        var project = Symbols.Project();
        var sync = Symbols.SyncId();
        var timeout = Symbols.Timeout();
        var command = new Command("wait",
            "Wait until the sync's active run (or its first run) has finished and print it; a sync with nothing running prints its last run at once.")
        {
            project, sync, timeout,
        };
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            await using var cluster = await context.ConnectAsync(cancellationToken);
            var grain = cluster.Sync(parse.GetRequiredValue(project), parse.GetRequiredValue(sync));
            return Finish(context, await context.Waiter.WaitForCurrentRunAsync(grain, parse.GetValue(timeout), cancellationToken));
        }, Repeat.Safe);
        return command;
    }

    /// <summary>Runs numbered above this one are new; an active run is not finished yet, so it counts as new.</summary>
    internal static long LastFinishedRunNumber(SyncInfo sync) =>
        sync.ActiveRun is { } active ? active.RunNumber - 1 : sync.LastRun?.RunNumber ?? 0;

    internal static int Finish(CommandContext context, WaitedRun waited)
    {
        context.Output.Waited(waited);
        if (waited.Run.Outcome == RunOutcome.Succeeded) return ExitCodes.Ok;
        var run = waited.Run;
        context.Error.WriteLine(CommandRunner.OneLine(
            $"error: run #{run.RunNumber} of sync {waited.Sync.SyncId} ended {TextFormat.Word(run.Outcome)}"
            + (run.Reason is null ? "" : $": {run.Reason}")));
        return ExitCodes.RunFailed;
    }
}
