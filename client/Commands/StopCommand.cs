using System.CommandLine;
using CohortSync.Client.Cli;
using CohortSync.Contracts;

namespace CohortSync.Client.Commands;

/// <summary><c>sync stop</c>: stops a sync for good and keeps, empties or deletes its Iterable list (<c>--list</c>).</summary>
internal static class StopCommand
{
    public static Command Create(CommandRunner runner)
    {
        var project = Symbols.Project();
        var sync = Symbols.SyncId();
        var list = Symbols.ListPolicy("What to do with the Iterable list: keep it as it is (default), empty it (unsubscribe every member the sync put there), or delete it.");
        var wait = Symbols.Wait();
        var timeout = Symbols.Timeout();
        var command = new Command("stop",
            "Stop a sync for good: cancels an active run and its cadence, and keeps (default), empties or deletes its Iterable list.")
        {
            project, sync, list, wait, timeout,
        };
        // Repeating a stop is safe: the sync answers a repeat with what it already did.
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            await using var cluster = await context.ConnectAsync(cancellationToken);
            var grain = cluster.Sync(parse.GetRequiredValue(project), parse.GetRequiredValue(sync));
            var policy = parse.GetValue(list);
            var stopped = await grain.StopAsync(policy).WaitAsync(cancellationToken);
            if (!parse.GetValue(wait) || policy == ListOnStop.Keep)
            {
                context.Output.Sync(stopped);
                return ExitCodes.Ok;
            }
            return SyncCommands.Finish(context, await context.Waiter.WaitForCurrentRunAsync(grain, parse.GetValue(timeout), cancellationToken));
        }, Repeat.Safe);
        return command;
    }
}
