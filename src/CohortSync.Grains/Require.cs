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
}
