using Microsoft.Data.Sqlite;

namespace CohortSync.Storage;

public static class SqliteConnectionStrings
{
    /// <summary>
    /// Connection string for the embedded database file. SQLite admits one writer at a time; a writer
    /// that finds the file locked waits (Microsoft.Data.Sqlite retries a busy database until the command
    /// timeout) instead of failing, so the timeout is generous. Pooling keeps connections (and the WAL
    /// set by the migrator) open across the providers' many short commands.
    /// </summary>
    public static string ForFile(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = Path.GetFullPath(path),
        Mode = SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();
}
