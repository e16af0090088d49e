namespace CohortSync.Sandbox.Iterable;

/// <summary>Ends a request with Iterable's 400 envelope; thrown while reading a request, caught by the endpoint.</summary>
internal sealed class IterableBadRequest(string code, string message) : Exception(message)
{
    public string Code { get; } = code;

    public static IterableBadRequest Malformed(string message) => new("BadJsonBody", message);

    public static IterableBadRequest Params(string message) => new("BadParams", message);

    public static IterableBadRequest InvalidListId(long listId) => new("BadParams", $"invalidListId: {listId} is not a list of this project");
}
