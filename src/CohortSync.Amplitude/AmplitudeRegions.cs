namespace CohortSync.Amplitude;

/// <summary>Amplitude's REST hosts for the Behavioral Cohorts API.</summary>
public static class AmplitudeRegions
{
    public static Uri Us { get; } = new("https://amplitude.com");

    /// <summary>EU residency host (analytics.amplitude.com is the UI, not the REST API).</summary>
    public static Uri Eu { get; } = new("https://analytics.eu.amplitude.com");

    /// <summary>Turns <c>us</c>, <c>eu</c> or an absolute http(s) URL (e.g. the sandbox) into a base URL.</summary>
    public static Uri Resolve(string regionOrUrl)
    {
        ArgumentNullException.ThrowIfNull(regionOrUrl);
        var text = regionOrUrl.Trim();
        if (text.Equals("us", StringComparison.OrdinalIgnoreCase))
        {
            return Us;
        }

        if (text.Equals("eu", StringComparison.OrdinalIgnoreCase))
        {
            return Eu;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var url)
            && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
            && string.IsNullOrEmpty(url.Query) && string.IsNullOrEmpty(url.UserInfo))
        {
            return url;
        }

        throw new ArgumentException(
            $"'{regionOrUrl}' is not an Amplitude region: use 'us', 'eu' or an absolute http(s) base URL without query.",
            nameof(regionOrUrl));
    }
}
