using CohortSync.Testing;
using Npgsql;

namespace CohortSync.Storage.Tests;

/// <summary>The shared fixture itself: the restart operations that fault tests build on.</summary>
[Collection(PostgresFixture.Collection)]
public sealed class PostgresServerTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Committed_rows_survive_a_clean_restart_and_a_kill()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await ExecuteAsync(connectionString, "CREATE TABLE survivors (name text); INSERT INTO survivors VALUES ('before-stop');");

        await postgres.Server.StopAsync();
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ExecuteAsync(connectionString, "SELECT 1;"));
        await postgres.Server.StartAsync();
        await ExecuteAsync(connectionString, "INSERT INTO survivors VALUES ('before-kill');");

        await postgres.Server.KillAsync();
        await postgres.Server.StartAsync();

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT string_agg(name, ',' ORDER BY name) FROM survivors", connection);
        Assert.Equal("before-kill,before-stop", (string?)await command.ExecuteScalarAsync());
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
