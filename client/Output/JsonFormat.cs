using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using CohortSync.Contracts;

namespace CohortSync.Client.Output;

/// <summary>
/// The <c>--json</c> documents: the cluster's records as they are, camelCase, enums as camelCase
/// strings, dates as ISO-8601, indented. Every field is documented in docs/cli.md.
/// </summary>
public static class JsonFormat
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Plain apostrophes and non-ASCII names: this goes to a terminal or a script, never into HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static string Error(string code, string message) => Serialize(new ErrorDocument(new ErrorBody(code, message)));

    /// <summary>Error codes of failures that did not come from the cluster (those carry <see cref="ErrorCodes"/>).</summary>
    public static class LocalErrorCodes
    {
        public const string Usage = "usage";
        public const string ClusterUnreachable = "cluster_unreachable";
        public const string ClusterFailed = "cluster_failed";
        public const string WaitTimedOut = "wait_timed_out";
        public const string NothingToWaitFor = "nothing_to_wait_for";
        public const string Cancelled = "cancelled";
    }
}

public sealed record ErrorDocument(ErrorBody Error);

public sealed record ErrorBody(string Code, string Message);

/// <summary>What <c>destination remove</c> prints: the call itself returns nothing.</summary>
public sealed record RemovedDestination(string ProjectId, string DestinationId, bool Removed);

/// <summary>What a waited-for run prints: the sync after the run, and the run.</summary>
public sealed record WaitedRun(SyncInfo Sync, RunRecord Run);
