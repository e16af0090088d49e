namespace CohortSync.Core.Identity;

public enum IdentityVerdict
{
    Valid,
    /// <summary>No value for the mapped field: the member is skipped (Amplitude calls it "unresolved mapping").</summary>
    Missing,
    /// <summary>A value Iterable would reject as a userId; never sent.</summary>
    Invalid,
}

/// <summary>What Iterable accepts as a <c>userId</c>: 1–52 printable ASCII characters, not padded with whitespace.</summary>
public static class IdentityRules
{
    public const int MaxUserIdLength = 52;

    public const string DefaultProperty = "user_id";

    public static IdentityVerdict Check(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty) return IdentityVerdict.Missing;
        if (value.Length > MaxUserIdLength) return IdentityVerdict.Invalid;
        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1])) return IdentityVerdict.Invalid;
        // Printable ASCII only: Iterable refuses control and non-ASCII characters in userIds. (Vectorised scan.)
        return value.ContainsAnyExceptInRange('\u0020', '\u007E') ? IdentityVerdict.Invalid : IdentityVerdict.Valid;
    }

    /// <summary>A user property name as Amplitude would accept it in <c>propKeys</c>.</summary>
    public static bool IsValidPropertyName(string? name) =>
        !string.IsNullOrWhiteSpace(name) && name.Length <= 256 && name.Trim() == name && !name.Any(char.IsControl);
}
