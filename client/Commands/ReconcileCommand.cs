using System.CommandLine;
using CohortSync.Client.Cli;
using CohortSync.Contracts;

namespace CohortSync.Client.Commands;

/// <summary>
/// <c>sync reconcile</c> (and <c>sync run --full</c>): the next run reads the list's real membership from Iterable and
/// makes it equal to the cohort, extras removed; <c>--dry-run</c> only reports the drift. Also the options of
/// <c>sync start</c> about adopted lists and the drift audit.
/// </summary>
internal static class ReconcileCommand
{
    public static Command Create(CommandRunner runner)
    {
        var project = Symbols.Project();
        var sync = Symbols.SyncId();
        var dryRun = new Option<bool>("--dry-run")
        {
            Description = "Report the drift (extra and missing members) and what a reconcile would send, sending nothing "
                + "(one Amplitude download and one getUsers request, paced 5 a minute per Iterable project).",
        };
        var wait = Symbols.Wait();
        var timeout = Symbols.Timeout();
        var command = new Command("reconcile",
            "Repair a sync's list from Iterable's view: read its members (getUsers), diff them against the cohort and send what makes "
            + "the list equal to it, members not in the cohort removed (the removal guard applies). 'sync run --full' does the same.")
        {
            project, sync, dryRun, wait, timeout,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(dryRun) && result.GetValue(wait)) result.AddError("--wait is for a reconcile that runs; --dry-run answers at once");
        });
        // Not repeated on a lost connection: a dry run is another download, a reconcile another run.
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            await using var cluster = await context.ConnectAsync(cancellationToken);
            var grain = cluster.Sync(parse.GetRequiredValue(project), parse.GetRequiredValue(sync));
            if (parse.GetValue(dryRun))
            {
                context.Output.Preview(await grain.PreviewReconcileAsync().WaitAsync(cancellationToken));
                return ExitCodes.Ok;
            }
            return await RunAsync(context, grain, parse.GetValue(wait), parse.GetValue(timeout), cancellationToken);
        });
        return command;
    }

    /// <summary>Starts a reconcile and, with <paramref name="wait"/>, waits for it like <c>sync run --wait</c>.</summary>
    public static async Task<int> RunAsync(CommandContext context, ICohortSyncGrain grain, bool wait, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var before = await grain.GetStatusAsync().WaitAsync(cancellationToken);
        var started = await grain.ReconcileAsync().WaitAsync(cancellationToken);
        if (!wait)
        {
            context.Output.Sync(started);
            return ExitCodes.Ok;
        }
        return SyncCommands.Finish(context, await context.Waiter.WaitForRunAfterAsync(grain, SyncCommands.LastFinishedRunNumber(before), timeout, cancellationToken));
    }

    /// <summary><c>sync run --full</c>.</summary>
    public static Option<bool> Full() => new("--full")
    {
        Description = "Run as a reconcile: read the list's members from Iterable and repair it (the same as 'sync reconcile').",
    };

    /// <summary><c>sync start --adopt</c>: what the first run does with a list of the sync's name already in Iterable.</summary>
    public static Option<ListAdoption> Adopt()
    {
        var option = new Option<ListAdoption>("--adopt")
        {
            Description = "A list of that name already in Iterable: 'reconcile' (default) makes it equal to the cohort, members not in it "
                + "removed; 'keep' only adds the cohort's members and leaves the rest.",
            HelpName = "reconcile|keep",
        };
        option.CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value.Trim().ToLowerInvariant() : "";
            if (text == "keep") return ListAdoption.Keep;
            if (text != "reconcile") result.AddError($"--adopt '{text}' is not reconcile or keep");
            return ListAdoption.Reconcile;
        };
        return option;
    }

    /// <summary><c>sync start --drift-audit</c>.</summary>
    public static Option<TimeSpan?> DriftAudit()
    {
        var option = new Option<TimeSpan?>("--drift-audit")
        {
            Description = "How often the list's size in Iterable is compared with the synced count; a difference beyond the tolerance "
                + "schedules a reconcile. Default daily.",
            HelpName = "off|daily|<N>h",
        };
        option.CustomParser = result =>
        {
            if (DriftAuditText.TryParse(result.Tokens.Count > 0 ? result.Tokens[0].Value : null, out var period, out var error)) return period;
            result.AddError(error);
            return null;
        };
        return option;
    }
}
