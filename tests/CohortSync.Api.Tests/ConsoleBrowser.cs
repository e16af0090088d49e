using Microsoft.Playwright;

namespace CohortSync.Api.Tests;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>, installed by <c>.ci/run</c>) driven by Playwright, headless. A machine
/// without it fails these tests with the install command: a console that was never opened in a browser is not tested.
/// </summary>
public sealed class ConsoleBrowser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser) => (_playwright, _browser) = (playwright, browser);

    public static async Task<ConsoleBrowser> StartAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing; install it with `apt-get install -y chromium` (as .ci/run does).");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
        return new ConsoleBrowser(playwright, browser);
    }

    /// <summary>A fresh tab (its own sessionStorage) on the console, signed in with <paramref name="token"/> for <paramref name="projectId"/>.</summary>
    public async Task<IPage> SignInAsync(Uri console, string token, string projectId)
    {
        var page = await SignInPageAsync(console);
        await page.FillAsync("#token", token);
        await page.FillAsync("#project", projectId);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("#syncs");
        return page;
    }

    /// <summary>A fresh tab (its own sessionStorage) on the console's sign-in form.</summary>
    public async Task<IPage> SignInPageAsync(Uri console)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 1300 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(console.ToString());
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    /// <summary><c>artifacts/&lt;name&gt;</c> at the repository root (CI keeps the folder).</summary>
    public static string ArtifactPath(string name)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "CohortSync.sln"))) root = root.Parent;
        if (root is null) throw new InvalidOperationException("cannot find the repository root (CohortSync.sln) above " + AppContext.BaseDirectory);
        var folder = Directory.CreateDirectory(Path.Combine(root.FullName, "artifacts"));
        return Path.Combine(folder.FullName, name);
    }
}
