namespace CohortSync.Sandbox.Iterable;

/// <summary>One list as the admin API shows it (with its size, which Iterable's GET /api/lists does not give).</summary>
public sealed record SandboxListInfo(long Id, string Name, string ListType, long CreatedAt, string? Description, int Size);

/// <summary>One subscriber of a subscribe/unsubscribe call; the sandbox has already checked the JSON types.</summary>
internal sealed record SubscriberRef(string? Email, string? UserId);

internal enum ListLookup
{
    Found,
    Missing,

    /// <summary>The list exists but is still "propagating" (the transient invalidListId fault).</summary>
    NotReady,
}

/// <summary>The per-member report of a subscribe/unsubscribe call (UserBulkUpdateListResponse).</summary>
internal sealed class MembershipReport
{
    public int SuccessCount { get; set; }

    public int FailCount { get; set; }

    public List<string> InvalidEmails { get; } = [];

    public List<string> InvalidUserIds { get; } = [];

    public List<string> NotFoundEmails { get; } = [];

    public List<string> NotFoundUserIds { get; } = [];

    public List<string> ForgottenEmails { get; } = [];

    public List<string> ForgottenUserIds { get; } = [];

    public List<string> ConflictEmails { get; } = [];

    public List<string> ConflictUserIds { get; } = [];

    public List<string> InvalidDataEmails { get; } = [];

    public List<string> InvalidDataUserIds { get; } = [];

    /// <summary>The body Iterable sends: the deprecated top-level arrays plus failedUpdates with every array present.</summary>
    public object ToWire() => new
    {
        successCount = SuccessCount,
        failCount = FailCount,
        invalidEmails = InvalidEmails,
        invalidUserIds = InvalidUserIds,
        failedUpdates = new
        {
            invalidEmails = InvalidEmails,
            invalidUserIds = InvalidUserIds,
            notFoundEmails = NotFoundEmails,
            notFoundUserIds = NotFoundUserIds,
            forgottenEmails = ForgottenEmails,
            forgottenUserIds = ForgottenUserIds,
            conflictEmails = ConflictEmails,
            conflictUserIds = ConflictUserIds,
            invalidDataEmails = InvalidDataEmails,
            invalidDataUserIds = InvalidDataUserIds,
        },
    };
}
