using System.CommandLine;
using CohortSync.Client.Cluster;
using CohortSync.Client.Commands;
using CohortSync.Client.Output;
using CohortSync.Client.Waiting;

namespace CohortSync.Client.Cli;

/// <summary>The <c>cohortsync</c> command tree and its entry point. Everything it touches comes in through the constructor.</summary>
public sealed class CohortSyncCli(CliEnvironment environment, IClusterConnector connector, RunWaiter? waiter = null)
{
    private readonly CommonOptions _common = new();

    public RootCommand BuildCommandTree()
    {
        var runner = new CommandRunner(environment, connector, _common, waiter ?? new RunWaiter(RunWaiter.DefaultPollInterval));
        var root = new RootCommand("Keeps Iterable static lists equal to Amplitude behavioral cohorts: the CohortSync cluster's command-line client.")
        {
            _common.Json,
            _common.Gateway,
            _common.Postgres,
            _common.TlsCertificate,
            _common.TlsCa,
            _common.Api,
            ProjectCommands.Build(runner),
            DestinationCommands.Build(runner),
            SyncCommands.Build(runner),
            TokenCommands.Build(runner),
        };
        return root;
    }

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var parse = BuildCommandTree().Parse(args);
        if (parse.Errors.Count > 0) return ReportUsageError(parse);
        var invocation = new InvocationConfiguration
        {
            Output = environment.Output,
            Error = environment.Error,
            EnableDefaultExceptionHandler = false,
        };
        return await parse.InvokeAsync(invocation, cancellationToken);
    }

    /// <summary>
    /// One line, exit 2. Long stray values are not echoed: the likeliest one is a key someone
    /// tried to pass on the command line, and it must not land in a terminal log.
    /// </summary>
    private int ReportUsageError(ParseResult parse)
    {
        var message = parse.UnmatchedTokens.Count > 0 ? Unexpected(parse.UnmatchedTokens) : $"{parse.Errors[0].Message} (see --help)";
        message = CommandRunner.OneLine(message);
        environment.Error.WriteLine($"error: {message}");
        bool json;
        try
        {
            json = parse.GetValue(_common.Json);
        }
        catch (InvalidOperationException)
        {
            json = false;
        }
        new ResultWriter(environment.Output, json).Error(JsonFormat.LocalErrorCodes.Usage, message);
        return ExitCodes.Usage;
    }

    /// <summary>Option names are shown without any "=value"; long values, which is what keys look like, are not shown.</summary>
    private static string Unexpected(IReadOnlyList<string> tokens)
    {
        var described = tokens.Select(t =>
            t.StartsWith('-') ? $"'{t.Split('=', 2)[0]}'"
            : t.Length < SecretLookingLength ? $"'{t}'"
            : "(a long value, not shown in case it is a key)");
        var mayBeSecret = tokens.Any(t => t.StartsWith('-') || t.Length >= SecretLookingLength);
        return $"unexpected argument{(tokens.Count > 1 ? "s" : "")} {string.Join(", ", described)}"
            + (mayBeSecret ? "; keys are read from environment variables or standard input, never from arguments (see --help)" : " (see --help)");
    }

    private const int SecretLookingLength = 16;
}
