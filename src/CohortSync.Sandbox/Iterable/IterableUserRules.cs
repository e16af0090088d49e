using System.Text.RegularExpressions;

namespace CohortSync.Sandbox.Iterable;

/// <summary>Iterable's identifier rules as documented (FailedUserUpdates.invalidUserIds, email validation).</summary>
internal static partial class IterableUserRules
{
    public const int MaxUserIdLength = 52;

    /// <summary>Empty or blank, longer than 52 characters, padded with whitespace, or holding anything but printable ASCII.</summary>
    public static bool IsValidUserId(string userId)
    {
        if (string.IsNullOrWhiteSpace(userId) || userId.Length > MaxUserIdLength)
        {
            return false;
        }

        if (char.IsWhiteSpace(userId[0]) || char.IsWhiteSpace(userId[^1]))
        {
            return false;
        }

        foreach (var c in userId)
        {
            if (c < 0x20 || c > 0x7E)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A plain shape check; Iterable's real validator (format + known TLD) is stricter.</summary>
    public static bool IsValidEmail(string email) => EmailShape().IsMatch(email);

    /// <summary>Iterable stores emails lowercased and compares them case-insensitively.</summary>
    public static string NormalizeEmail(string email) => email.ToLowerInvariant();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")]
    private static partial Regex EmailShape();
}
