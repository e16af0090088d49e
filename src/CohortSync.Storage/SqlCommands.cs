using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CohortSync.Storage;

/// <summary>What the plain ADO.NET stores share: opening a connection to either database, and a command with named parameters.</summary>
internal static class SqlCommands
{
    public static Func<CancellationToken, Task<DbConnection>> Sqlite(string connectionString) => async ct =>
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        return connection;
    };

    public static Func<CancellationToken, Task<DbConnection>> Postgres(string connectionString) => async ct =>
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        return connection;
    };

    public static DbCommand Create(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
