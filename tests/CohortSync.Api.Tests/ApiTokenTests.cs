using System.Text.Json;

namespace CohortSync.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class ApiTokenTests(ApiWorld world)
{
    [Fact]
    public async Task Token_create_prints_the_token_once_list_shows_four_characters_and_revoke_locks_it_out()
    {
        var created = await world.CliAsync("token", "create", "--name", "ci-bot", "--json");
        Assert.True(created.ExitCode == 0, created.Stderr);
        var document = JsonDocument.Parse(created.Stdout).RootElement;
        Assert.Equal(["name", "token", "readOnly"], document.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("ci-bot", false), (document.GetProperty("name").GetString(), document.GetProperty("readOnly").GetBoolean()));
        var token = document.GetProperty("token").GetString()!;
        Assert.True(token.Length >= 40, token.Length.ToString());

        using var client = world.Client(token);
        // Past the token check: the project does not exist, and the answer says so.
        await (await client.GetAsync("/api/v1/projects/tokens-1/syncs")).ProblemAsync(404, "unknown_project");

        var list = await world.CliAsync("token", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("ci-bot", list.Stdout);
        Assert.Contains("…" + token[^4..], list.Stdout);
        Assert.DoesNotContain(token[..^4], list.Stdout);
        var listed = JsonDocument.Parse((await world.CliAsync("token", "list", "--json")).Stdout).RootElement;
        Assert.DoesNotContain(token[..^4], listed.GetRawText());

        var revoked = await world.CliAsync("token", "revoke", "--name", "ci-bot");
        Assert.True(revoked.ExitCode == 0, revoked.Stderr);
        await (await client.GetAsync("/api/v1/projects/tokens-1/syncs")).ProblemAsync(401, "unauthorized");
        Assert.DoesNotContain("ci-bot", (await world.CliAsync("token", "list")).Stdout);
    }

    [Fact]
    public async Task Read_only_tokens_are_marked_and_names_are_unique()
    {
        var created = JsonDocument.Parse((await world.CliAsync("token", "create", "--name", "dashboards", "--read-only", "--json")).Stdout).RootElement;
        Assert.True(created.GetProperty("readOnly").GetBoolean());
        Assert.Matches(@"(?m)^dashboards\s+yes\s", (await world.CliAsync("token", "list")).Stdout);

        var again = await world.CliAsync("token", "create", "--name", "dashboards", "--json");
        Assert.Equal(1, again.ExitCode);
        Assert.Equal("api_token_exists", JsonDocument.Parse(again.Stdout).RootElement.GetProperty("error").GetProperty("code").GetString());

        var unknown = await world.CliAsync("token", "revoke", "--name", "nobody", "--json");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("unknown_api_token", JsonDocument.Parse(unknown.Stdout).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_token_registry_keeps_no_token_in_clear()
    {
        var token = (await world.Tokens.CreateAsync("at-rest", readOnly: false)).Token;
        var file = Path.Combine(world.World.DataDir, "cohortsync.db");
        // The SQLite file and its write-ahead log: what a copy of the data folder would give away.
        var bytes = string.Concat(Directory.EnumerateFiles(world.World.DataDir).Where(f => f.StartsWith(file, StringComparison.Ordinal))
            .Select(f => { using var s = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite); using var r = new StreamReader(s); return r.ReadToEnd(); }));
        Assert.Contains("at-rest", bytes);
        Assert.DoesNotContain(token[..^4], bytes);
    }
}
