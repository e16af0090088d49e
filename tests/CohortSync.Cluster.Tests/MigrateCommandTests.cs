using CohortSync.Testing;
using Npgsql;

namespace CohortSync.Cluster.Tests;

/// <summary>`silo migrate` as a process, the way the compose file's one-shot service runs it.</summary>
[Collection(PostgresFixture.Collection)]
public sealed class MigrateCommandTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Migrate_creates_the_schema_in_an_empty_database_and_a_second_run_changes_nothing()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var environment = new Dictionary<string, string?> { ["COHORTSYNC_POSTGRES"] = connectionString };

        var first = await ChildProcess.RunAsync(ChildProcess.Silo, ["migrate", "--storage", "postgres"], environment);
        var tables = await ColumnsAsync(connectionString);
        var second = await ChildProcess.RunAsync(ChildProcess.Silo, ["migrate", "--storage", "postgres"], environment);

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("migrated to version", first.Stdout);
        Assert.Contains(tables, c => c.StartsWith("orleans_membership:", StringComparison.Ordinal));
        Assert.Contains(tables, c => c.StartsWith("orleans_reminder:", StringComparison.Ordinal));
        Assert.Contains(tables, c => c.StartsWith("cohortsync_schema_version:", StringComparison.Ordinal));
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("nothing to apply", second.Stdout);
        Assert.Equal(tables, await ColumnsAsync(connectionString));
    }

    [Fact]
    public async Task Migrate_against_an_unreachable_database_fails_with_one_line_and_no_password()
    {
        var unreachable = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = FreePorts.Next(), Username = "nobody", Password = "never-shown-secret", Database = "none", Timeout = 3 };

        var result = await ChildProcess.RunAsync(ChildProcess.Silo, ["migrate", "--storage", "postgres"],
            new Dictionary<string, string?> { ["COHORTSYNC_POSTGRES"] = unreachable.ConnectionString });

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: the PostgreSQL database could not be migrated", result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.DoesNotContain("never-shown-secret", result.Stderr + result.Stdout);
    }

    /// <summary>Every "table:column" of the public schema: a second migrate must leave it as it was.</summary>
    private static async Task<List<string>> ColumnsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT table_name || ':' || column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1";
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        return names;
    }
}
