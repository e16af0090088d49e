using System.Text;
using CohortSync.Client.Cli;

namespace CohortSync.Client.Tests;

/// <summary><c>sync upload</c>: a member file is the next run's desired set; a bad file changes nothing.</summary>
public sealed partial class ClusterCommandTests
{
    [Fact]
    public async Task An_uploaded_csv_or_plain_list_becomes_the_list_without_an_amplitude_download()
    {
        var projectId = await _cli.EnabledProjectAsync("upload-cli");
        var destinationId = await _cli.DestinationAsync(projectId);
        _cli.SetCohort(projectId, "c", "a-1", "a-2");
        var syncId = await _cli.StartSyncAsync(projectId, "c", destinationId, "daily", wait: true);
        var csv = Path.Combine(Path.GetTempPath(), $"members-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(csv, "email,user_id\nx@example.com,a-2\n\"y, z\"@example.com,\"f-\"\"9\"\"\"\n,f-3\n");

        var fromCsv = await RunAsync(["sync", "upload", projectId, syncId, "--file", csv, "--wait", "--json"]);
        var fromStdin = await RunAsync(["sync", "upload", projectId, syncId, "--file", "-", "--wait", "--json"], "a-2\np-1\n\np-2\n"); // keeps a member: replacing every one is held by the guard
        var project = await RunAsync(["project", "show", projectId, "--json"]);

        AssertExit(ExitCodes.Ok, fromCsv);
        var run = Json(fromCsv).GetProperty("run");
        Assert.Equal(("upload", "upload", 2L, 1L), (run.GetProperty("trigger").GetString(), run.GetProperty("source").GetString(),
            run.GetProperty("counts").GetProperty("added").GetInt64(), run.GetProperty("counts").GetProperty("removed").GetInt64()));
        AssertExit(ExitCodes.Ok, fromStdin);
        Assert.Equal(3, Json(fromStdin).GetProperty("sync").GetProperty("syncedCount").GetInt64());
        var listId = Json(fromStdin).GetProperty("sync").GetProperty("listId").GetInt64();
        Assert.Equal(["a-2", "p-1", "p-2"], _cli.World.Iterable.GetListMembers(Testing.World.IterableKey, listId).Order(StringComparer.Ordinal));
        // Only the first run downloaded.
        Assert.Equal(1, Json(project).GetProperty("downloads").GetProperty("used").GetInt64());
        // A member file is kept only until the run that used it succeeded.
        await using (var db = new Microsoft.Data.Sqlite.SqliteConnection(Storage.SqliteConnectionStrings.ForFile(Path.Combine(_cli.World.DataDir, "cohortsync.db"))))
        {
            await db.OpenAsync();
            await using var count = db.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM cohortsync_upload_chunk WHERE sync_key = $key";
            count.Parameters.AddWithValue("$key", Contracts.GrainKeys.Sync(projectId, syncId));
            Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
        }
        File.Delete(csv);
    }

    [Fact]
    public async Task A_file_with_bad_utf8_no_identity_column_or_no_members_is_refused_and_the_next_run_downloads_as_before()
    {
        var projectId = await _cli.EnabledProjectAsync("upload-bad");
        var destinationId = await _cli.DestinationAsync(projectId);
        _cli.SetCohort(projectId, "c", "a-1", "a-2");
        var syncId = await _cli.StartSyncAsync(projectId, "c", destinationId, "daily", wait: true);
        var dir = Directory.CreateTempSubdirectory("upload-bad-").FullName;
        var badUtf8 = Path.Combine(dir, "bad.txt");
        await File.WriteAllBytesAsync(badUtf8, [.. Encoding.UTF8.GetBytes("ok-1\nok-2\n"), 0xC3, 0x28, (byte)'\n']);
        var wrongColumn = Path.Combine(dir, "wrong.csv");
        await File.WriteAllTextAsync(wrongColumn, "email,name\nx@example.com,X\n");
        var empty = Path.Combine(dir, "empty.txt");
        await File.WriteAllTextAsync(empty, "\n\n");

        var results = new Dictionary<string, CliResult>
        {
            ["bad utf-8"] = await RunAsync(["sync", "upload", projectId, syncId, "--file", badUtf8]),
            ["wrong column"] = await RunAsync(["sync", "upload", projectId, syncId, "--file", wrongColumn]),
            ["empty"] = await RunAsync(["sync", "upload", projectId, syncId, "--file", empty]),
            ["missing"] = await RunAsync(["sync", "upload", projectId, syncId, "--file", Path.Combine(dir, "nope.csv")]),
        };
        var next = await RunAsync(["sync", "run", projectId, syncId, "--wait", "--json"]);

        Assert.All(results.Values, r => AssertExit(ExitCodes.Usage, r));
        Assert.Contains("line 3 is not valid UTF-8; save the file as UTF-8 and upload it again; nothing was changed", results["bad utf-8"].Stderr);
        Assert.Contains("the file's header (line 1) has no column 'user_id' (it has: email, name); name the identity column with --column", results["wrong column"].Stderr);
        Assert.Contains("has no members; nothing was changed", results["empty"].Stderr);
        Assert.Contains("nope.csv' does not exist", results["missing"].Stderr);
        AssertExit(ExitCodes.Ok, next);
        Assert.Equal("download", Json(next).GetProperty("run").GetProperty("source").GetString());
        Assert.Equal(2, Json(next).GetProperty("sync").GetProperty("syncedCount").GetInt64());
        Directory.Delete(dir, recursive: true);
    }
}
