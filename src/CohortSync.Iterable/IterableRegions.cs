namespace CohortSync.Iterable;

/// <summary>Iterable's data centers and the rule that turns a destination's setting into a base URL.</summary>
public static class IterableRegions
{
    public static Uri Us { get; } = new("https://api.iterable.com");

    public static Uri Eu { get; } = new("https://api.eu.iterable.com");

    /// <summary>
    /// Resolves <c>us</c>, <c>eu</c> (any case) or an explicit absolute URL to the base address of the API.
    /// Plain http is accepted only for loopback hosts (the sandbox), so a key never crosses a network unencrypted.
    /// </summary>
    /// <exception cref="ArgumentException">The value is neither a known region nor a usable URL.</exception>
    public static Uri ResolveBaseUrl(string regionOrUrl)
    {
        if (string.IsNullOrWhiteSpace(regionOrUrl))
        {
            throw new ArgumentException("An Iterable region ('us' or 'eu') or base URL is required.", nameof(regionOrUrl));
        }

        var value = regionOrUrl.Trim();
        if (value.Equals("us", StringComparison.OrdinalIgnoreCase))
        {
            return Us;
        }

        if (value.Equals("eu", StringComparison.OrdinalIgnoreCase))
        {
            return Eu;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"'{value}' is not an Iterable region ('us' or 'eu') nor an absolute http(s) URL.", nameof(regionOrUrl));
        }

        if (url.Scheme == Uri.UriSchemeHttp && !url.IsLoopback)
        {
            throw new ArgumentException($"'{value}' uses plain http on a non-loopback host; use https.", nameof(regionOrUrl));
        }

        if (!string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment) || !string.IsNullOrEmpty(url.UserInfo))
        {
            throw new ArgumentException($"The Iterable base URL must not carry a query, fragment or credentials.", nameof(regionOrUrl));
        }

        // The API paths start with /api/..., so the base is the origin (plus an optional proxy prefix) without a trailing slash.
        var path = url.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/api", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{value}' ends with /api; give the origin only (e.g. https://api.iterable.com).", nameof(regionOrUrl));
        }

        return new Uri(url.GetLeftPart(UriPartial.Authority) + path);
    }
}
