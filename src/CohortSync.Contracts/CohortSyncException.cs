namespace CohortSync.Contracts;

/// <summary>
/// A request the cluster refused, with a stable machine-readable code (see <see cref="ErrorCodes"/>)
/// and a one-line message meant for the operator. Never carries a secret.
/// </summary>
[GenerateSerializer, Alias("cs.CohortSyncException")]
public sealed class CohortSyncException : Exception
{
    public CohortSyncException(string code, string message) : base(message) => Code = code;

    [Id(0)] public string Code { get; }
}

public static class ErrorCodes
{
    public const string InvalidArgument = "invalid_argument";
    public const string UnknownProject = "unknown_project";
    public const string ProjectDisabled = "project_disabled";
    public const string UnknownDestination = "unknown_destination";
    public const string DestinationInUse = "destination_in_use";
    public const string UnknownSync = "unknown_sync";
    public const string UnknownCohort = "unknown_cohort";
    public const string WebhookTokenExists = "webhook_token_exists";
    public const string DuplicateSync = "duplicate_sync";
    public const string InvalidState = "invalid_state";
    public const string Unreachable = "amplitude_unreachable";
    public const string IterableUnreachable = "iterable_unreachable";
    public const string ApiTokenExists = "api_token_exists";
    public const string UnknownApiToken = "unknown_api_token";
}
