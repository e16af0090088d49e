using System.Security.Cryptography;
using System.Text;
using CohortSync.Contracts;
using CohortSync.Grains.Secrets;
using CohortSync.Testing;
using CohortSync.Testing.Webhooks;
using Npgsql;

namespace CohortSync.Integration.Tests;

/// <summary>API keys and webhook tokens never leave the engine in clear: not at rest (SQLite files, PostgreSQL rows), not in a silo's log.</summary>
[Collection(nameof(SiloCollection))]
public sealed class SecretTests(PostgresFixture postgres)
{
    /// <summary>Every logger at Debug, the silo's defaults (appsettings.json) and the test settings' Warning overridden.</summary>
    private static readonly string[] DebugLogging =
        [.. new[] { "Default", "CohortSync", "Orleans", "Microsoft.AspNetCore", "Microsoft.Hosting.Lifetime", "System.Net.Http.HttpClient", "Polly" }
            .Select(category => $"--Logging:LogLevel:{category}=Debug")];

    [Fact]
    public async Task No_api_key_appears_in_a_silos_debug_log_or_in_any_PostgreSQL_row_through_a_key_change_and_a_refused_key()
    {
        const string newKey = "iterable-key-0002";
        const string refusedKey = "iterable-key-0003";
        const string alertSecret = "alert-secret-4711";
        List<string> secrets = [World.AmplitudeKey, World.AmplitudeSecret, World.IterableKey, newKey, refusedKey, alertSecret];
        // The alert webhook's URL path is a secret too (Slack's is): the paused sync below posts an alert to it.
        await using var hooks = await Sandbox.SandboxServer.StartAsync();
        await using var w = await World.StartAsync(new WorldOptions
        {
            Storage = StorageUnderTest.Postgres(postgres),
            Hosting = SiloHosting.Processes,
            SiloArgs = DebugLogging,
            SiloTranscripts = true,
            SiloEnvironment = new Dictionary<string, string?> { ["CohortSync__Alerts__WebhookUrl"] = new Uri(hooks.BaseUrl, $"hooks/T1/{alertSecret}").ToString() },
        });
        w.SetCohort("coh-1", "Secretive", World.Users(0, 20));

        var destinationId = await w.EnableWithDestinationAsync(name: "scanned-destination");
        var syncId = await w.StartSyncIdAsync("coh-1", destinationId);
        Assert.Equal(RunOutcome.Succeeded, (await w.WaitForRunAsync(syncId, 1)).Outcome);
        // Webhook tokens, the first rotated away, each presented once: neither is in the log or a row.
        var firstToken = (await w.Project.IssueWebhookTokenAsync(false)).Token;
        var token = (await w.Project.IssueWebhookTokenAsync(true)).Token;
        secrets.AddRange([firstToken, token]);
        using (var poster = new WebhookPoster(w.Silos.Single().HttpPort, World.ProjectId, token))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, (await poster.EnterAsync("coh-1", "user-000001")).Status);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await poster.PostRawAsync("{}"u8.ToArray(), firstToken)).Status);
        }
        w.Iterable.AddApiKey(newKey, w.IterableProjectId);
        Assert.Equal("…0002", (await w.Project.UpdateDestinationAsync(destinationId, new UpdateDestinationRequest(newKey))).KeyHint);
        w.SetCohort("coh-1", "Secretive", World.Users(5, 20));
        Assert.Equal(RunOutcome.Succeeded, (await w.RunAndWaitAsync(syncId)).Outcome);
        // The new key revoked: a run that Iterable answers 401 (it has a member to send: a run with nothing to send may
        // ask Iterable nothing, its list known from a recent lookup), then a replacement Iterable refuses outright.
        w.Iterable.RevokeApiKey(newKey);
        w.SetCohort("coh-1", "Secretive", World.Users(5, 21));
        await w.Sync(syncId).RunNowAsync();
        await w.WaitForStateAsync(syncId, SyncState.Paused);
        await Assert.ThrowsAsync<CohortSyncException>(() => w.Project.UpdateDestinationAsync(destinationId, new UpdateDestinationRequest(refusedKey)));
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            while (hooks.Alerts.Received.Count == 0) await Task.Delay(50, deadline.Token);
        Assert.Equal("syncPaused", hooks.Alerts.Received[0].Kind);
        var silo = w.Silos.Single();
        await silo.StopAsync(TimeSpan.FromSeconds(60));

        var log = await File.ReadAllTextAsync(silo.TranscriptPath!);
        // The whole log, at Debug, from start to shutdown: each step of the test is in it.
        Assert.Contains("dbug: ", log);
        Assert.Contains($"Project {World.ProjectId} enabled", log);
        Assert.Contains($"destination {destinationId} added", log);
        Assert.Contains($"Run 2 of sync {syncId}", log);
        Assert.Contains($"destination {destinationId} has a new key", log);
        Assert.Contains("marked unhealthy", log);
        Assert.Contains("Application is shutting down", log);
        foreach (var secret in secrets) Assert.False(log.Contains(secret, StringComparison.Ordinal), $"'{secret}' is in the silo's log");

        var rows = await TextOfEveryRowAsync(w.ConnectionString);
        // The scan reads the grain state payloads, where the keys would be: the destination's name is there.
        Assert.Contains(rows, text => text.Contains("scanned-destination", StringComparison.Ordinal));
        foreach (var secret in secrets)
            Assert.False(rows.Any(text => text.Contains(secret, StringComparison.Ordinal)), $"'{secret}' is stored in clear in PostgreSQL");
    }

    /// <summary>Every text, JSON and bytea value of every table in the database's public schema, bytes decoded as UTF-8.</summary>
    private static async Task<List<string>> TextOfEveryRowAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var columns = new List<(string Table, string Column)>();
        await using (var query = new NpgsqlCommand("""
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'character', 'bytea', 'json', 'jsonb')
            """, connection))
        await using (var reader = await query.ExecuteReaderAsync())
            while (await reader.ReadAsync()) columns.Add((reader.GetString(0), reader.GetString(1)));
        Assert.Contains(columns, c => c.Table == "orleans_grain_state");

        var values = new List<string>();
        foreach (var (table, column) in columns)
        {
            await using var select = new NpgsqlCommand($"SELECT \"{column}\" FROM \"{table}\" WHERE \"{column}\" IS NOT NULL", connection);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                values.Add(reader.GetValue(0) is byte[] bytes ? Encoding.UTF8.GetString(bytes) : reader.GetString(0));
        }
        return values;
    }

    [Fact]
    public async Task Api_keys_are_encrypted_at_rest_and_shown_only_by_their_last_four_characters()
    {
        await using var s = await World.StartAsync();
        var destinationId = await s.EnableWithDestinationAsync();

        var project = await s.Project.GetAsync();
        var destination = await s.Project.GetDestinationAsync(destinationId);
        await s.Silo.StopAsync(); // flush SQLite's WAL into the files we read below

        Assert.Equal("…0001", project.AmplitudeKeyHint);
        Assert.Equal("…0001", destination.KeyHint);
        var stored = Directory.GetFiles(s.DataDir, "cohortsync.db*").Select(File.ReadAllBytes).ToList();
        Assert.NotEmpty(stored);
        foreach (var secret in new[] { World.AmplitudeKey, World.AmplitudeSecret, World.IterableKey })
        {
            var plain = Encoding.UTF8.GetBytes(secret);
            Assert.All(stored, bytes => Assert.True(bytes.AsSpan().IndexOf(plain) < 0, $"'{secret[..4]}…' is stored in clear"));
        }
    }

    [Fact]
    public void A_secret_sealed_under_one_key_cannot_be_opened_under_another()
    {
        var sealedKey = new SecretProtector(RandomNumberGenerator.GetBytes(32)).Protect("iterable-secret");
        var error = Assert.Throws<CryptographicException>(() => new SecretProtector(RandomNumberGenerator.GetBytes(32)).Unprotect(sealedKey));
        Assert.Contains("secret key", error.Message);
        Assert.DoesNotContain("iterable-secret", sealedKey);
    }

    [Fact]
    public void The_generated_key_is_kept_in_the_data_folder_readable_by_its_owner_only_and_reused()
    {
        using var data = new Testing.TempDirectory();
        var file = Path.Combine(data.Path, "secret.key");

        var first = SecretProtector.LoadOrCreateKey(null, file);
        var second = SecretProtector.LoadOrCreateKey(null, file);

        Assert.Equal(first, second);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }
}
