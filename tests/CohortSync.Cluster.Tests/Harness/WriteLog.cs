using CohortSync.Sandbox.RequestLogging;

namespace CohortSync.Cluster.Tests.Harness;

/// <summary>Reads the sandbox's request log for what the invariants forbid.</summary>
public static class WriteLog
{
    public static bool IsListWrite(RequestLogEntry e) =>
        e.Method == "POST" && e.Path is "/api/lists/subscribe" or "/api/lists/unsubscribe" && e.ListId is not null;

    /// <summary>
    /// Pairs of writes to the same list whose time on the server overlapped by more than <paramref name="slack"/>.
    /// One run sends its batches one after another, so overlapping writes mean two runs of one sync were active
    /// at once. The slack absorbs the moment between a response leaving the server and its log entry closing.
    /// </summary>
    public static IReadOnlyList<string> InterleavedWrites(IEnumerable<RequestLogEntry> log, TimeSpan slack)
    {
        var problems = new List<string>();
        foreach (var list in log.Where(IsListWrite).GroupBy(e => e.ListId!.Value))
        {
            var writes = list.OrderBy(e => e.Time).ToList();
            for (var i = 1; i < writes.Count; i++)
            {
                var previousEnd = writes[i - 1].Time + TimeSpan.FromMilliseconds(writes[i - 1].DurationMs);
                if (previousEnd - writes[i].Time > slack)
                    problems.Add($"list {list.Key}: request {writes[i].Sequence} started {(previousEnd - writes[i].Time).TotalMilliseconds:0} ms before request {writes[i - 1].Sequence} ended");
            }
        }
        return problems;
    }
}
