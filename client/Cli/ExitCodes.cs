namespace CohortSync.Client.Cli;

/// <summary>The process exit codes scripts can rely on (documented in docs/cli.md).</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The cluster refused the request (a <c>CohortSyncException</c>) or failed it.</summary>
    public const int Refused = 1;
    /// <summary>Bad usage or input, caught before the cluster was asked.</summary>
    public const int Usage = 2;
    /// <summary>No gateway answered, or the connection was lost mid-command.</summary>
    public const int Unreachable = 3;
    /// <summary>A waited-for run finished without succeeding (or nothing is left to wait for).</summary>
    public const int RunFailed = 4;
    /// <summary>The run did not finish within <c>--timeout</c>.</summary>
    public const int WaitTimedOut = 5;
    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
