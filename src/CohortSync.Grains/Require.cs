using CohortSync.Contracts;

namespace CohortSync.Grains;

/// <summary>Input checks that turn bad requests into one clear <see cref="CohortSyncException"/>.</summary>
internal static class Require
{
    public static void NotBlank(string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new CohortSyncException(ErrorCodes.InvalidArgument, $"{what} is missing");
    }

    public static Uri Endpoint(Func<Uri> resolve)
    {
        try { return resolve(); }
        catch (ArgumentException ex) { throw new CohortSyncException(ErrorCodes.InvalidArgument, ex.Message); }
    }
}
