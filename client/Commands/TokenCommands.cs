using System.CommandLine;
using System.Globalization;
using CohortSync.Client.Cli;
using CohortSync.Client.Input;
using CohortSync.Client.Output;
using CohortSync.Contracts;

namespace CohortSync.Client.Commands;

/// <summary><c>token create|list|revoke</c>: bearer tokens for the silo's HTTP API, web console and dashboard.</summary>
internal static class TokenCommands
{
    public static Command Build(CommandRunner runner) => new("token", "Create, list or revoke tokens for the HTTP API, the web console and the Orleans dashboard.")
    {
        Create(runner),
        List(runner),
        Revoke(runner),
    };

    private static Option<string> Name(string description)
    {
        var name = new Option<string>("--name") { Description = description, Required = true };
        name.Validators.Add(result =>
        {
            if (InputRules.CheckId(result.GetValueOrDefault<string>(), "--name") is { } error) result.AddError(error);
        });
        return name;
    }

    private static Command Create(CommandRunner runner)
    {
        var name = Name("A name for the token: who or what uses it (1–64 letters, digits, '.', '_' or '-').");
        var readOnly = new Option<bool>("--read-only") { Description = "The token may read but not change anything (a write answers 403)." };
        var command = new Command("create", "Create an API token and print it once: the cluster keeps only its SHA-256.") { name, readOnly };
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            await using var cluster = await context.ConnectAsync(cancellationToken);
            var issued = await cluster.Tokens().CreateAsync(parse.GetRequiredValue(name), parse.GetValue(readOnly)).WaitAsync(cancellationToken);
            context.Output.Result(new CreatedToken(issued.Name, issued.Token, issued.ReadOnly), _ => new TextBlock()
                .Add("token name", issued.Name)
                .Add("read-only", issued.ReadOnly ? "yes" : "no")
                .Add("token", issued.Token)
                .Add("note", "send it as the header 'Authorization: Bearer <token>'; it is not shown again")
                .ToString());
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var command = new Command("list", "List the API tokens: name, read-only, created, last four characters.");
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            await using var cluster = await context.ConnectAsync(cancellationToken);
            var tokens = await cluster.Tokens().ListAsync().WaitAsync(cancellationToken);
            context.Output.Result(tokens, list =>
            {
                if (list.Count == 0) return "no tokens (cohortsync token create --name N creates one)\n";
                var table = new TextTable("NAME", "READ-ONLY", "CREATED", "TOKEN");
                foreach (var token in list)
                    table.Add(token.Name, token.ReadOnly ? "yes" : "no", token.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture), token.Hint);
                return table.ToString();
            });
            return ExitCodes.Ok;
        }, Repeat.Safe);
        return command;
    }

    private static Command Revoke(CommandRunner runner)
    {
        var name = Name("The token to revoke (see 'token list').");
        var command = new Command("revoke", "Revoke an API token: requests that present it are refused (401) from now on.") { name };
        // Not repeated on a lost connection: a repeat would find no such token and say so.
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            await using var cluster = await context.ConnectAsync(cancellationToken);
            var revoked = await cluster.Tokens().RevokeAsync(parse.GetRequiredValue(name)).WaitAsync(cancellationToken);
            context.Output.Result(new RevokedToken(revoked.Name, true), r => $"token {r.Name} revoked\n");
            return ExitCodes.Ok;
        });
        return command;
    }

    private sealed record CreatedToken(string Name, string Token, bool ReadOnly);

    private sealed record RevokedToken(string Name, bool Revoked);
}
