using CohortSync.Contracts;

namespace CohortSync.Grains;

/// <summary>Input checks that turn bad requests into one clear <see cref="CohortSyncException"/>.</summary>
internal static class Require
{
    public static void NotBlank(string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new CohortSyncException(ErrorCodes.InvalidArgument, $"{what} is missing");
    }

    /// <summary>A vendor base URL from a region name or an explicit URL (not both).</summary>
    public static Uri Endpoint(string? region, string? url, string defaultRegion, Func<string, Uri> resolve)
    {
        if (!string.IsNullOrWhiteSpace(region) && !string.IsNullOrWhiteSpace(url))
            throw new CohortSyncException(ErrorCodes.InvalidArgument, "give a region or a URL, not both");
        try { return resolve(!string.IsNullOrWhiteSpace(url) ? url : !string.IsNullOrWhiteSpace(region) ? region : defaultRegion); }
        catch (ArgumentException ex) { throw new CohortSyncException(ErrorCodes.InvalidArgument, ex.Message); }
    }

    /// <summary>An Amplitude cohort id as given: trimmed, 1–64 characters, no control characters or '/'.</summary>
    public static string CohortId(string? value)
    {
        var cohortId = value?.Trim() ?? "";
        if (cohortId.Length is 0 or > 64 || cohortId.Any(char.IsControl) || cohortId.Contains('/'))
            throw new CohortSyncException(ErrorCodes.InvalidArgument, $"'{value}' is not a valid cohort id");
        return cohortId;
    }
}
