using System.Net;
using System.Net.Http.Json;
using CohortSync.Sandbox.Amplitude;

namespace CohortSync.Sandbox;

// The Amplitude half: typed calls of /_admin/amplitude (see Amplitude/README.md).
public sealed partial class SandboxAdminClient
{
    public Task<AmplitudeProjectSummary> PutAmplitudeProjectAsync(
        string apiKey, AmplitudeProjectDefinition definition, CancellationToken cancellationToken = default) =>
        AmplitudeAdminAsync<AmplitudeProjectSummary>(HttpMethod.Put, $"projects/{Segment(apiKey)}", definition, cancellationToken);

    public async Task<IReadOnlyList<AmplitudeProjectSummary>> GetAmplitudeProjectsAsync(CancellationToken cancellationToken = default) =>
        await AmplitudeAdminAsync<AmplitudeProjectSummary[]>(HttpMethod.Get, "projects", null, cancellationToken);

    /// <summary>The project, or null when the sandbox has none with this key.</summary>
    public Task<AmplitudeProjectSummary?> GetAmplitudeProjectAsync(string apiKey, CancellationToken cancellationToken = default) =>
        AmplitudeAdminOrNullAsync<AmplitudeProjectSummary>($"projects/{Segment(apiKey)}", cancellationToken);

    public Task DeleteAmplitudeProjectAsync(string apiKey, CancellationToken cancellationToken = default) =>
        AmplitudeAdminAsync<object>(HttpMethod.Delete, $"projects/{Segment(apiKey)}", null, cancellationToken);

    /// <summary>Creates or replaces a cohort: explicit members, generated or raw (exactly one).</summary>
    public Task<AmplitudeCohortSummary> PutAmplitudeCohortAsync(
        string apiKey, string cohortId, AmplitudeCohortDefinition definition, CancellationToken cancellationToken = default) =>
        AmplitudeAdminAsync<AmplitudeCohortSummary>(
            HttpMethod.Put, $"projects/{Segment(apiKey)}/cohorts/{Segment(cohortId)}", definition, cancellationToken);

    /// <summary>The cohort, or null when the project has no such cohort.</summary>
    public Task<AmplitudeCohortSummary?> GetAmplitudeCohortAsync(
        string apiKey, string cohortId, CancellationToken cancellationToken = default) =>
        AmplitudeAdminOrNullAsync<AmplitudeCohortSummary>($"projects/{Segment(apiKey)}/cohorts/{Segment(cohortId)}", cancellationToken);

    public async Task<IReadOnlyList<AmplitudeCohortSummary>> GetAmplitudeCohortsAsync(
        string apiKey, CancellationToken cancellationToken = default) =>
        await AmplitudeAdminAsync<AmplitudeCohortSummary[]>(HttpMethod.Get, $"projects/{Segment(apiKey)}/cohorts", null, cancellationToken);

    public Task DeleteAmplitudeCohortAsync(string apiKey, string cohortId, CancellationToken cancellationToken = default) =>
        AmplitudeAdminAsync<object>(HttpMethod.Delete, $"projects/{Segment(apiKey)}/cohorts/{Segment(cohortId)}", null, cancellationToken);

    /// <summary>Replaces the project's pending faults (download failures, failing jobs).</summary>
    public Task<AmplitudeProjectSummary> SetAmplitudeFaultsAsync(
        string apiKey, AmplitudeFaults faults, CancellationToken cancellationToken = default) =>
        AmplitudeAdminAsync<AmplitudeProjectSummary>(HttpMethod.Put, $"projects/{Segment(apiKey)}/faults", faults, cancellationToken);

    /// <summary>The project's cohort requests, oldest first: query received, polls, downloads.</summary>
    public async Task<IReadOnlyList<AmplitudeCohortRequestRecord>> GetAmplitudeRequestsAsync(
        string apiKey, CancellationToken cancellationToken = default) =>
        await AmplitudeAdminAsync<AmplitudeCohortRequestRecord[]>(
            HttpMethod.Get, $"projects/{Segment(apiKey)}/requests", null, cancellationToken);

    /// <summary>Creates the demo project (demo-amplitude-key / demo-amplitude-secret) with its two cohorts.</summary>
    public Task<AmplitudeProjectSummary> SeedAmplitudeDemoAsync(CancellationToken cancellationToken = default) =>
        AmplitudeAdminAsync<AmplitudeProjectSummary>(HttpMethod.Post, "seed-demo", null, cancellationToken);

    /// <summary>Forgets every Amplitude project, cohort, request and link.</summary>
    public Task ResetAmplitudeAsync(CancellationToken cancellationToken = default) =>
        AmplitudeAdminAsync<object>(HttpMethod.Post, "reset", null, cancellationToken);

    private static string Segment(string value) => Uri.EscapeDataString(value);

    private async Task<T> AmplitudeAdminAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, "_admin/amplitude/" + path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: AmplitudeSandboxJson.Options);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return default!;
        }

        return await response.Content.ReadFromJsonAsync<T>(AmplitudeSandboxJson.Options, cancellationToken)
            ?? throw new HttpRequestException($"Sandbox admin call {method} {path} answered an empty body.");
    }

    private async Task<T?> AmplitudeAdminOrNullAsync<T>(string path, CancellationToken cancellationToken) where T : class
    {
        using var response = await http.GetAsync("_admin/amplitude/" + path, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<T>(AmplitudeSandboxJson.Options, cancellationToken);
    }
}
