using CohortSync.Contracts;
using CohortSync.Testing;
using Microsoft.Playwright;

namespace CohortSync.Api.Tests;

/// <summary>The web console at <c>/</c> in a real headless Chromium, over the real API and silo.</summary>
[Collection(ApiCollection.Name)]
public sealed class ConsoleTests(ApiWorld world)
{
    private static readonly LocatorAssertionsToHaveCountOptions Patient = new() { Timeout = 30_000 };

    [Fact]
    public async Task An_operator_goes_from_the_sync_list_to_a_sync_runs_it_and_sees_the_history_grow()
    {
        var destinationId = await world.ProjectWithDestinationAsync("web-1");
        world.World.SetCohort("coh-web", "Web cohort", World.Users(0, 40));
        var syncId = (await world.World.Grains.GetGrain<IProjectGrain>("web-1").StartSyncAsync(new StartSyncRequest("coh-web", destinationId, "hourly"))).SyncId;
        await world.World.WaitForRunAsync("web-1", syncId, 1);
        world.World.SetCohort("coh-web", "Web cohort", World.Users(5, 40));

        await using var browser = await ConsoleBrowser.StartAsync();
        var page = await browser.SignInAsync(world.BaseUrl, world.WriteToken, "web-1");
        var row = page.Locator($"#syncs tr[data-sync='{syncId}']");
        await Assertions.Expect(row).ToContainTextAsync("Web cohort");
        await Assertions.Expect(page.Locator("#destinations")).ToContainTextAsync("healthy");

        await row.Locator("a").ClickAsync();
        await Assertions.Expect(page.Locator("#history tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#chart")).ToBeVisibleAsync();

        await page.ClickAsync("button[data-action=preview]");
        await Assertions.Expect(page.Locator("#preview-adds")).ToHaveTextAsync("5");
        await Assertions.Expect(page.Locator("#preview-removes")).ToHaveTextAsync("5");

        await page.ClickAsync("button[data-action=run]");
        await Assertions.Expect(page.Locator("#history tbody tr")).ToHaveCountAsync(2, Patient);
        await Assertions.Expect(page.Locator("#history tr[data-run='2']")).ToContainTextAsync("succeeded");
        Assert.Equal(2, (await world.Sync("web-1", syncId).GetStatusAsync()).LastRun!.RunNumber);
        await Assertions.Expect(page.Locator("#chart rect.adds")).ToHaveCountAsync(2);

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ConsoleBrowser.ArtifactPath("console-sync.png"), FullPage = true });
    }

    [Fact]
    public async Task A_held_run_is_approved_from_the_console()
    {
        var destinationId = await world.ProjectWithDestinationAsync("web-2");
        world.World.SetCohort("coh-web-held", "Held from the web", World.Users(0, 30));
        var syncId = (await world.World.Grains.GetGrain<IProjectGrain>("web-2").StartSyncAsync(new StartSyncRequest("coh-web-held", destinationId, "hourly"))).SyncId;
        await world.World.WaitForRunAsync("web-2", syncId, 1);
        world.World.SetCohort("coh-web-held", "Held from the web", []);
        await world.Sync("web-2", syncId).RunNowAsync();
        Assert.Equal(RunOutcome.Held, (await world.World.WaitForRunAsync("web-2", syncId, 2)).Outcome);

        await using var browser = await ConsoleBrowser.StartAsync();
        var page = await browser.SignInAsync(world.BaseUrl, world.WriteToken, "web-2");
        await page.GotoAsync($"{world.BaseUrl}#/projects/web-2/syncs/{syncId}");
        await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("held");
        await page.ClickAsync("button[data-action=approve]");

        var sent = await world.World.WaitForRunAsync("web-2", syncId, 3);
        Assert.Equal(("approved", 30L), (sent.Trigger, sent.Counts.Removed));
        await Assertions.Expect(page.Locator("#history tr[data-run='3']")).ToContainTextAsync("succeeded", new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task A_read_only_token_sees_the_sync_but_no_buttons()
    {
        var destinationId = await world.ProjectWithDestinationAsync("web-3");
        world.World.SetCohort("coh-web-ro", "Read-only view", World.Users(0, 3));
        var syncId = (await world.World.Grains.GetGrain<IProjectGrain>("web-3").StartSyncAsync(new StartSyncRequest("coh-web-ro", destinationId, "hourly"))).SyncId;
        await world.World.WaitForRunAsync("web-3", syncId, 1);

        await using var browser = await ConsoleBrowser.StartAsync();
        var page = await browser.SignInAsync(world.BaseUrl, world.ReadToken, "web-3");
        await page.Locator($"#syncs tr[data-sync='{syncId}'] a").ClickAsync();
        await Assertions.Expect(page.Locator("#history tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#who")).ToHaveTextAsync("read-only token");
        await Assertions.Expect(page.Locator("button[data-action=run], button[data-action=pause], button[data-action=approve]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_wrong_token_does_not_sign_in()
    {
        await using var browser = await ConsoleBrowser.StartAsync();
        var page = await browser.SignInPageAsync(world.BaseUrl);
        await page.FillAsync("#token", "cst_wrong");
        await page.FillAsync("#project", "web-1");
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator("[role=alert]")).ToContainTextAsync("sign in again");
        await Assertions.Expect(page.Locator("#token")).ToBeVisibleAsync();
    }
}
