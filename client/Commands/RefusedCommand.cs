using System.CommandLine;
using CohortSync.Client.Cli;

namespace CohortSync.Client.Commands;

/// <summary><c>sync refused</c>: the members Iterable refused for a sync, with reasons, a page at a time.</summary>
internal static class RefusedCommand
{
    public static Command Create(CommandRunner runner)
    {
        var project = Symbols.Project();
        var sync = Symbols.SyncId();
        var limit = new Option<int>("--limit") { Description = "How many members to show (1–1000, default 100).", DefaultValueFactory = _ => 100 };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 1000) result.AddError("--limit must be between 1 and 1000");
        });
        var after = new Option<string?>("--after") { Description = "Start after this member (the 'more: --after' of the previous page)." };
        var command = new Command("refused",
            "List the members Iterable refused for a sync (invalid, conflict, invalidData, forgotten), with reasons and when they are sent again.")
        {
            project, sync, limit, after,
        };
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            await using var cluster = await context.ConnectAsync(cancellationToken);
            var grain = cluster.Sync(parse.GetRequiredValue(project), parse.GetRequiredValue(sync));
            context.Output.Refused(await grain.GetRefusedAsync(parse.GetValue(after), parse.GetValue(limit)).WaitAsync(cancellationToken));
            return ExitCodes.Ok;
        }, Repeat.Safe);
        return command;
    }
}
