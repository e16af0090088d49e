namespace CohortSync.Sandbox.Amplitude;

/// <summary>In-memory Amplitude projects and cohorts. (Stub: the Amplitude side is being written.)</summary>
public sealed class AmplitudeSandbox
{
}

public static class AmplitudeSandboxEndpoints
{
    /// <summary>Maps Amplitude's cohort API (/api/3/cohorts, /api/5/cohorts/...) and its /_admin/amplitude endpoints.</summary>
    public static IEndpointRouteBuilder MapAmplitudeSandbox(this IEndpointRouteBuilder app, AmplitudeSandbox sandbox) => app;
}
