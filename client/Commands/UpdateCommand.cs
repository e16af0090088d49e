using System.CommandLine;
using CohortSync.Client.Cli;

namespace CohortSync.Client.Commands;

/// <summary>
/// <c>sync update --follow-rename</c>: a sync whose cohort was renamed in Amplitude moves to a new list under the new name;
/// the old list is kept, emptied or deleted (<c>--list</c>) and released.
/// </summary>
internal static class UpdateCommand
{
    public static Command Create(CommandRunner runner)
    {
        var project = Symbols.Project();
        var sync = Symbols.SyncId();
        var follow = new Option<bool>("--follow-rename")
        {
            Description = "The cohort was renamed in Amplitude: move the sync to a new list '[Amplitude] <new name>', filled by a run started now.",
        };
        var list = Symbols.ListPolicy("What to do with the old list: keep it as it is (default), empty it (unsubscribe every member the sync put there), or delete it. Whichever, the sync no longer writes it.");
        var wait = Symbols.Wait();
        var timeout = Symbols.Timeout();
        var command = new Command("update", "Change a sync: --follow-rename moves it to a list under its cohort's new name.")
        {
            project, sync, follow, list, wait, timeout,
        };
        command.Validators.Add(result =>
        {
            if (!result.GetValue(follow)) result.AddError("nothing to update: say --follow-rename (the only change 'sync update' makes)");
        });
        // Repeating it is safe: the sync answers a repeat of a move it has not carried out yet with the move under way.
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            await using var cluster = await context.ConnectAsync(cancellationToken);
            var grain = cluster.Sync(parse.GetRequiredValue(project), parse.GetRequiredValue(sync));
            var moving = await grain.FollowRenameAsync(parse.GetValue(list)).WaitAsync(cancellationToken);
            if (!parse.GetValue(wait))
            {
                context.Output.Sync(moving);
                return ExitCodes.Ok;
            }
            return SyncCommands.Finish(context, await context.Waiter.WaitForCurrentRunAsync(grain, parse.GetValue(timeout), cancellationToken));
        }, Repeat.Safe);
        return command;
    }
}
