namespace CohortSync.Api.Tests;

/// <summary>Who may call the API: no token, an unknown or revoked one (401), a read-only one on a write (403).</summary>
[Collection(ApiCollection.Name)]
public sealed class ApiAuthTests(ApiWorld world)
{
    [Fact]
    public async Task A_request_without_a_token_is_refused_with_401_and_a_problem()
    {
        using var anonymous = world.Client(null);
        var answer = await anonymous.GetAsync("/api/v1/projects/auth-1");
        var detail = await answer.ProblemAsync(401, "unauthorized");
        Assert.Contains("cohortsync token create", detail);
        Assert.Equal("Bearer", answer.Headers.WwwAuthenticate.Single().Scheme);
        await (await anonymous.PostAsync("/api/v1/projects/auth-1/disable")).ProblemAsync(401, "unauthorized");
    }

    [Fact]
    public async Task An_unknown_or_revoked_token_is_refused_with_401()
    {
        using var stranger = world.Client("cst_not-a-token-anyone-issued-000000000000000");
        await (await stranger.GetAsync("/api/v1/projects/auth-1")).ProblemAsync(401, "unauthorized");

        var token = (await world.Tokens.CreateAsync("soon-revoked", readOnly: false)).Token;
        using var client = world.Client(token);
        await (await client.GetAsync("/api/v1/projects/auth-1")).ProblemAsync(404, "unknown_project");
        await world.Tokens.RevokeAsync("soon-revoked");
        await (await client.GetAsync("/api/v1/projects/auth-1")).ProblemAsync(401, "unauthorized");
    }

    [Fact]
    public async Task A_token_is_read_from_the_authorization_header_only_never_from_the_url()
    {
        using var anonymous = world.Client(null);
        await (await anonymous.GetAsync($"/api/v1/projects/auth-1?access_token={world.WriteToken}")).ProblemAsync(401, "unauthorized");
        await (await anonymous.GetAsync($"/api/v1/projects/auth-1?token={world.WriteToken}")).ProblemAsync(401, "unauthorized");
        using var basic = world.Client(null);
        basic.DefaultRequestHeaders.Authorization = new("Basic", world.WriteToken);
        await (await basic.GetAsync("/api/v1/projects/auth-1")).ProblemAsync(401, "unauthorized");
    }

    [Fact]
    public async Task A_read_only_token_reads_but_every_write_answers_403()
    {
        var destinationId = await world.ProjectWithDestinationAsync("auth-2");
        using var reader = world.Client(world.ReadToken);
        Assert.Equal(destinationId, (await (await reader.GetAsync("/api/v1/projects/auth-2/destinations")).JsonAsync())[0].GetProperty("destinationId").GetString());

        await (await reader.PostAsync("/api/v1/projects/auth-2/disable")).ProblemAsync(403, "forbidden");
        await (await reader.DeleteAsync($"/api/v1/projects/auth-2/destinations/{destinationId}")).ProblemAsync(403, "forbidden");
        await (await reader.PostAsync("/api/v1/projects/auth-2/syncs", new { cohortId = "c", destinationId, cadence = "once" })).ProblemAsync(403, "forbidden");
        Assert.True((await world.World.Grains.GetGrain<Contracts.IProjectGrain>("auth-2").GetAsync()).Enabled);
    }

    [Fact]
    public async Task Health_stays_open_and_webhook_intake_keeps_its_own_token()
    {
        using var anonymous = world.Client(null);
        Assert.Equal("live", await anonymous.GetStringAsync("/health/live"));
        // An API token is not a project's webhook token.
        using var api = world.Client(world.WriteToken);
        var webhook = await api.PostAsync("/webhooks/amplitude/auth-2", new { });
        Assert.Equal(401, (int)webhook.StatusCode);
    }
}
