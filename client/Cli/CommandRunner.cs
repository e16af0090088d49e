using System.CommandLine;
using System.Diagnostics;
using CohortSync.Client.Cluster;
using CohortSync.Client.Http;
using CohortSync.Client.Input;
using CohortSync.Client.Output;
using CohortSync.Client.Waiting;
using CohortSync.Contracts;

namespace CohortSync.Client.Cli;

public delegate Task<int> CommandHandler(ParseResult parse, CommandContext context, CancellationToken cancellationToken);

/// <summary>Whether a command may be sent again when the cluster lost it half-way.</summary>
public enum Repeat
{
    /// <summary>Sending it twice could do it twice (start, run, add, remove…): a lost connection ends the command.</summary>
    Never,
    /// <summary>Reads, and controls that end in the same state however often they are sent (pause, resume, stop).</summary>
    Safe,
}

/// <summary>
/// Runs a command handler and turns whatever goes wrong into one line on stderr (and, with
/// <c>--json</c>, an error document on stdout) plus the exit code scripts branch on.
/// </summary>
public sealed class CommandRunner(CliEnvironment environment, IClusterConnector connector, CommonOptions common, RunWaiter waiter)
{
    /// <summary>
    /// How long a <see cref="Repeat.Safe"/> command keeps trying after the cluster lost it: long enough for the
    /// cluster to declare a dead silo dead with Orleans' default timeouts (15–30 s) and reactivate its grains.
    /// </summary>
    public static readonly TimeSpan RetryWindow = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);

    public void SetAction(Command command, CommandHandler handler, Repeat repeat = Repeat.Never) =>
        command.SetAction((parse, cancellationToken) => RunAsync(parse, handler, repeat, cancellationToken));

    private async Task<int> RunAsync(ParseResult parse, CommandHandler handler, Repeat repeat, CancellationToken cancellationToken)
    {
        var output = new ResultWriter(environment.Output, parse.GetValue(common.Json));
        IReadOnlyList<GatewayAddress> gateways = [GatewayList.LocalDefault];
        var retrying = (Stopwatch?)null;
        // Read once: its password may be the first line of stdin, which a retry must not read again.
        ClientTls? tls = null;
        while (true)
        {
            using var command = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            CommandContext? context = null;
            try
            {
                var named = parse.GetValue(common.Gateway) ?? [];
                var namedApi = parse.GetValue(common.Api);
                var api = namedApi is not null || (named.Length == 0 && parse.GetResult(common.Postgres) is null)
                    ? HttpApiConnector.Resolve(namedApi, environment)
                    : null;
                if (api is not null)
                {
                    gateways = [api.Address];
                    context = new CommandContext(environment, api, gateways, output, waiter, command);
                    return await handler(parse, context, command.Token);
                }
                var membership = MembershipTable.Resolve(parse.GetResult(common.Postgres) is not null, parse.GetValue(common.Postgres), named.Length > 0, environment);
                gateways = membership is null ? GatewayList.Resolve(named, environment.Variable(GatewayList.EnvironmentVariable)) : [membership.Where()];
                tls ??= ClientTls.Resolve(parse.GetValue(common.TlsCertificate), parse.GetValue(common.TlsCa), environment);
                context = new CommandContext(environment, MembershipConnector.Through(ClientTls.Through(connector, tls), membership), gateways, output, waiter, command);
                return await handler(parse, context, command.Token);
            }
            // Connected, then lost half-way (a gateway died, or the silo that held the grain has not been declared
            // dead yet): a command that is safe to repeat is sent again while a gateway still lets us connect.
            catch (Exception e) when (repeat == Repeat.Safe && context is { Connected: true } && !cancellationToken.IsCancellationRequested
                && (context.ConnectionLost || ClusterFailures.IsConnectionLoss(e)) && (retrying?.Elapsed ?? TimeSpan.Zero) < RetryWindow)
            {
                if (retrying is null)
                {
                    retrying = Stopwatch.StartNew();
                    environment.Error.WriteLine($"warning: {(context.ConnectionLost ? "the connection to the gateway was lost" : ClusterFailures.Describe(e))}; "
                        + $"retrying for up to {RetryWindow.TotalSeconds:0} s while the cluster recovers");
                    environment.Error.Flush();
                }
                await Task.Delay(RetryPause, cancellationToken);
            }
            catch (Exception e)
            {
                return Fail(output, e, gateways, context, repeat, cancellationToken);
            }
        }
    }

    private int Fail(ResultWriter output, Exception exception, IReadOnlyList<GatewayAddress> gateways, CommandContext? context, Repeat repeat, CancellationToken cancellationToken)
    {
        // A request the cluster lost after it was sent may have been carried out: say so when repeating it is not harmless.
        var maybeDone = context is { Connected: true } && repeat == Repeat.Never ? "; the request may or may not have been carried out, check before repeating it" : "";
        return exception switch
        {
            UsageException e => Fail(output, ExitCodes.Usage, JsonFormat.LocalErrorCodes.Usage, e.Message),
            CohortSyncException e => Fail(output, ExitCodes.Refused, e.Code, e.Message),
            ClusterUnreachableException e => Fail(output, ExitCodes.Unreachable, JsonFormat.LocalErrorCodes.ClusterUnreachable, e.Message),
            NothingToWaitForException e => Fail(output, ExitCodes.RunFailed, JsonFormat.LocalErrorCodes.NothingToWaitFor, e.Message),
            WaitTimedOutException e => Fail(output, ExitCodes.WaitTimedOut, JsonFormat.LocalErrorCodes.WaitTimedOut, e.Message),
            OperationCanceledException when context?.ConnectionLost == true && !cancellationToken.IsCancellationRequested =>
                Fail(output, ExitCodes.Unreachable, JsonFormat.LocalErrorCodes.ClusterUnreachable,
                    ClusterUnreachableException.MessageFor(gateways, "the connection to the gateway was lost" + maybeDone)),
            OperationCanceledException when cancellationToken.IsCancellationRequested =>
                Fail(output, ExitCodes.Cancelled, JsonFormat.LocalErrorCodes.Cancelled, "cancelled"),
            _ when ClusterFailures.IsConnectionLoss(exception) =>
                Fail(output, ExitCodes.Unreachable, JsonFormat.LocalErrorCodes.ClusterUnreachable,
                    ClusterUnreachableException.MessageFor(gateways, ClusterFailures.Describe(exception) + maybeDone)),
            // Not a refusal the grains chose to make: still one line, never a stack trace.
            _ => Fail(output, ExitCodes.Refused, JsonFormat.LocalErrorCodes.ClusterFailed,
                $"the request failed ({exception.GetType().Name}): {exception.Message}"),
        };
    }

    private int Fail(ResultWriter output, int exitCode, string code, string message)
    {
        var line = OneLine(message);
        environment.Error.WriteLine($"error: {line}");
        environment.Error.Flush();
        output.Error(code, line);
        return exitCode;
    }

    public static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
