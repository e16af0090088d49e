using System.Globalization;
using CohortSync.Contracts;

namespace CohortSync.Client.Input;

/// <summary>
/// Checks that are cheap to make before calling the cluster. The silo checks again; these only
/// turn an obvious typo into a usage error (exit 2) instead of a round trip.
/// Each returns null when the value is fine, else a one-line message. Cadences are read by <see cref="Cadence"/>,
/// the parser the silo uses (see <c>Symbols.Cadence</c>).
/// </summary>
public static class InputRules
{
    public static readonly string[] Regions = ["us", "eu"];

    public static string? CheckId(string? value, string what) =>
        GrainKeys.IsValidId(value)
            ? null
            : $"{what} '{value}' is not a valid id: use 1-{GrainKeys.MaxIdLength} letters, digits, '.', '_' or '-', starting with a letter or digit";

    public static string? CheckRegion(string? value, string option) =>
        value is not null && Regions.Contains(value, StringComparer.OrdinalIgnoreCase)
            ? null
            : $"{option} '{value}' is not one of {string.Join(", ", Regions)}";

    public static string? CheckUrl(string? value, string option) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? null
            : $"{option} '{value}' is not an absolute http or https URL";

    public static string? CheckNotBlank(string? value, string option) =>
        string.IsNullOrWhiteSpace(value) ? $"{option} must not be blank" : null;

    /// <summary>Durations like <c>90s</c>, <c>10m</c>, <c>2h</c>, or <c>hh:mm:ss</c>.</summary>
    public static bool TryParseDuration(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        var unit = text[^1];
        if (unit is 's' or 'm' or 'h' && double.TryParse(text[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            duration = unit switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                _ => TimeSpan.FromHours(amount),
            };
        }
        else if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration))
        {
            return false;
        }
        return duration > TimeSpan.Zero;
    }
}
