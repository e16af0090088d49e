namespace CohortSync.Grains.Alerts;

/// <summary>
/// Where alerts go, bound from <c>CohortSync:Alerts</c>: one incoming-webhook URL for every project, and per project
/// (<c>CohortSync:Alerts:Projects:&lt;projectId&gt;:WebhookUrl</c>) one that replaces it. The URL usually carries a secret
/// (Slack's does): it comes from configuration or the environment, and only its scheme and host are ever logged.
/// </summary>
public sealed class AlertOptions
{
    public const string Section = "CohortSync:Alerts";

    public string? WebhookUrl { get; set; }

    public Dictionary<string, ProjectAlertOptions> Projects { get; set; } = [];

    /// <summary>A run's removals are a spike when they are at least this many times the median of the sync's recent runs…</summary>
    public double RemovalSpikeFactor { get; set; } = 5;

    /// <summary>…and at least this many members (a list that moves by a handful does not page anyone).</summary>
    public long RemovalSpikeMinimum { get; set; } = 1000;

    /// <summary>How many earlier runs make a history to compare with; fewer and no spike is called.</summary>
    public int RemovalSpikeHistory { get; set; } = 3;

    /// <summary>Attempts to deliver one alert (exponential backoff from <see cref="RetryDelay"/>) before it is dropped and logged.</summary>
    public int MaxAttempts { get; set; } = 6;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The URL alerts of <paramref name="projectId"/> go to, or null when alerts are off for it.</summary>
    public Uri? UrlFor(string projectId)
    {
        var url = Projects.TryGetValue(projectId, out var project) && !string.IsNullOrWhiteSpace(project.WebhookUrl) ? project.WebhookUrl : WebhookUrl;
        return string.IsNullOrWhiteSpace(url) ? null : new Uri(url, UriKind.Absolute);
    }

    public IEnumerable<string> Problems()
    {
        foreach (var (name, url) in Projects.Select(p => (p.Key, p.Value.WebhookUrl)).Prepend(("(all projects)", WebhookUrl)))
        {
            if (!string.IsNullOrWhiteSpace(url) && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
                yield return $"the alert webhook URL for {name} must be an absolute http(s) URL";
        }
        if (RemovalSpikeFactor <= 1 || RemovalSpikeMinimum < 0 || RemovalSpikeHistory < 1 || MaxAttempts < 1 || RetryDelay < TimeSpan.Zero)
            yield return "RemovalSpikeFactor must be above 1, RemovalSpikeHistory and MaxAttempts at least 1, the minimum and delay not negative";
    }
}

public sealed class ProjectAlertOptions
{
    public string? WebhookUrl { get; set; }
}
