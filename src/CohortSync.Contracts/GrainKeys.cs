using System.Text.RegularExpressions;

namespace CohortSync.Contracts;

/// <summary>Grain keys and the identifier rules behind them (keys stay well under the reminder table's 150 characters).</summary>
public static partial class GrainKeys
{
    public const int MaxIdLength = 64;

    public static string Destination(string projectId, string destinationId) => $"{projectId}/{destinationId}";

    public static string Sync(string projectId, string syncId) => $"{projectId}/{syncId}";

    public static (string ProjectId, string LocalId) Split(string key)
    {
        var slash = key.IndexOf('/');
        return slash < 0 ? (key, "") : (key[..slash], key[(slash + 1)..]);
    }

    /// <summary>Project, destination and sync ids: 1–64 characters of letters, digits, '-', '_' or '.'.</summary>
    public static bool IsValidId(string? id) => id is { Length: > 0 and <= MaxIdLength } && IdPattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex IdPattern();
}
