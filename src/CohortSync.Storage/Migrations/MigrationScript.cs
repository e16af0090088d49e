using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace CohortSync.Storage.Migrations;

/// <summary>One embedded, numbered schema script (<c>Migrations/{backend}/NNNN_name.sql</c>).</summary>
public sealed record MigrationScript(int Version, string Name, string Sql)
{
    /// <summary>SHA-256 of the script text, recorded with the version so an edited script can be spotted.</summary>
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));

    /// <summary>The scripts of one backend, in the order they apply.</summary>
    public static IReadOnlyList<MigrationScript> For(StorageBackend backend)
    {
        var prefix = backend switch
        {
            StorageBackend.Sqlite => "Migrations/sqlite/",
            StorageBackend.Postgres => "Migrations/postgres/",
            _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, null),
        };
        var assembly = typeof(MigrationScript).Assembly;
        var scripts = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => Load(assembly, n, n[prefix.Length..^".sql".Length]))
            .OrderBy(s => s.Version)
            .ToList();
        var duplicate = scripts.GroupBy(s => s.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException($"Two {backend} migrations share version {duplicate.Key}: {string.Join(", ", duplicate.Select(s => s.Name))}.");
        return scripts;
    }

    private static MigrationScript Load(Assembly assembly, string resourceName, string fileName)
    {
        var separator = fileName.IndexOf('_', StringComparison.Ordinal);
        if (separator <= 0 || !int.TryParse(fileName.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            throw new InvalidOperationException($"Migration '{resourceName}' is not named NNNN_name.sql.");
        using var stream = assembly.GetManifestResourceStream(resourceName)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return new MigrationScript(version, fileName, reader.ReadToEnd());
    }
}
