using CohortSync.Testing;

namespace CohortSync.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class OrleansDashboardTests(ApiWorld world)
{
    [Fact]
    public async Task The_orleans_dashboard_needs_a_token()
    {
        using var anonymous = world.Client(null);
        await (await anonymous.GetAsync("/ops/orleans/")).ProblemAsync(401, "unauthorized");

        using var reader = world.Client(world.ReadToken);
        var page = await reader.GetAsync("/ops/orleans/");
        Assert.Equal(200, (int)page.StatusCode);
        Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary><c>CohortSync:Metrics:RequireToken</c>: off by default (see MetricsTests), on puts <c>/metrics</c> behind the API's tokens.</summary>
public sealed class MetricsTokenTests
{
    [Fact]
    public async Task Metrics_behind_a_token_answer_401_without_one_and_the_scrape_with_one()
    {
        await using var world = await World.StartAsync(StorageUnderTest.Sqlite, "--CohortSync:Metrics:RequireToken=true");
        var token = (await world.Grains.GetGrain<Contracts.IApiTokenGrain>(Contracts.IApiTokenGrain.RegistryKey).CreateAsync("prometheus", readOnly: true)).Token;
        using var anonymous = new HttpClient { BaseAddress = world.Silo.HttpBaseUrl };
        Assert.Equal(401, (int)(await anonymous.GetAsync("/metrics")).StatusCode);
        Assert.Equal("live", await anonymous.GetStringAsync("/health/live"));

        using var scraper = new HttpClient { BaseAddress = world.Silo.HttpBaseUrl };
        scraper.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var scrape = await scraper.GetAsync("/metrics");
        Assert.Equal(200, (int)scrape.StatusCode);
        Assert.Contains("# TYPE", await scrape.Content.ReadAsStringAsync());
    }
}
