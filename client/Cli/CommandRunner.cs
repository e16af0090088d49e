using System.CommandLine;
using CohortSync.Client.Cluster;
using CohortSync.Client.Input;
using CohortSync.Client.Output;
using CohortSync.Client.Waiting;
using CohortSync.Contracts;

namespace CohortSync.Client.Cli;

public delegate Task<int> CommandHandler(ParseResult parse, CommandContext context, CancellationToken cancellationToken);

/// <summary>
/// Runs a command handler and turns whatever goes wrong into one line on stderr (and, with
/// <c>--json</c>, an error document on stdout) plus the exit code scripts branch on.
/// </summary>
public sealed class CommandRunner(CliEnvironment environment, IClusterConnector connector, CommonOptions common, RunWaiter waiter)
{
    public void SetAction(Command command, CommandHandler handler) =>
        command.SetAction((parse, cancellationToken) => RunAsync(parse, handler, cancellationToken));

    private async Task<int> RunAsync(ParseResult parse, CommandHandler handler, CancellationToken cancellationToken)
    {
        var output = new ResultWriter(environment.Output, parse.GetValue(common.Json));
        IReadOnlyList<GatewayAddress> gateways = [GatewayList.LocalDefault];
        using var command = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        CommandContext? context = null;
        try
        {
            var named = parse.GetValue(common.Gateway) ?? [];
            var membership = MembershipTable.Resolve(parse.GetResult(common.Postgres) is not null, parse.GetValue(common.Postgres), named.Length > 0, environment);
            gateways = membership is null ? GatewayList.Resolve(named, environment.Variable(GatewayList.EnvironmentVariable)) : [membership.Where()];
            context = new CommandContext(environment, MembershipConnector.Through(connector, membership), gateways, output, waiter, command);
            return await handler(parse, context, command.Token);
        }
        catch (UsageException e)
        {
            return Fail(output, ExitCodes.Usage, JsonFormat.LocalErrorCodes.Usage, e.Message);
        }
        catch (CohortSyncException e)
        {
            return Fail(output, ExitCodes.Refused, e.Code, e.Message);
        }
        catch (ClusterUnreachableException e)
        {
            return Fail(output, ExitCodes.Unreachable, JsonFormat.LocalErrorCodes.ClusterUnreachable, e.Message);
        }
        catch (NothingToWaitForException e)
        {
            return Fail(output, ExitCodes.RunFailed, JsonFormat.LocalErrorCodes.NothingToWaitFor, e.Message);
        }
        catch (WaitTimedOutException e)
        {
            return Fail(output, ExitCodes.WaitTimedOut, JsonFormat.LocalErrorCodes.WaitTimedOut, e.Message);
        }
        catch (OperationCanceledException) when (context?.ConnectionLost == true && !cancellationToken.IsCancellationRequested)
        {
            return Fail(output, ExitCodes.Unreachable, JsonFormat.LocalErrorCodes.ClusterUnreachable,
                ClusterUnreachableException.MessageFor(gateways, "the connection to the gateway was lost"));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Fail(output, ExitCodes.Cancelled, JsonFormat.LocalErrorCodes.Cancelled, "cancelled");
        }
        catch (Exception e) when (ClusterFailures.IsConnectionLoss(e))
        {
            return Fail(output, ExitCodes.Unreachable, JsonFormat.LocalErrorCodes.ClusterUnreachable,
                ClusterUnreachableException.MessageFor(gateways, ClusterFailures.Describe(e)));
        }
        catch (Exception e)
        {
            // Not a refusal the grains chose to make: still one line, never a stack trace.
            return Fail(output, ExitCodes.Refused, JsonFormat.LocalErrorCodes.ClusterFailed,
                $"the request failed ({e.GetType().Name}): {e.Message}");
        }
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
