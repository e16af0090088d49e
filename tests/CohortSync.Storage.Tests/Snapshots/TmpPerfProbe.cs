using System.Diagnostics;
using CohortSync.Core.Members;
using CohortSync.Storage.Migrations;
using CohortSync.Storage.Snapshots;
using CohortSync.Testing;
using Xunit.Abstractions;

namespace CohortSync.Storage.Tests.Snapshots;

[Collection(PostgresFixture.Collection)]
public sealed class TmpPerfProbe(ITestOutputHelper output, PostgresFixture postgres)
{
    [Fact]
    public async Task Probe()
    {
        var random = new Random(7);
        var b = new MemberSetBuilder(2_000_000);
        for (var i = 0; i < 2_000_000; i++) b.Add($"user{random.NextInt64(1_000_000_000_000):D12}@example.com"[..(10 + random.Next(18))]);
        var sw = Stopwatch.StartNew();
        var set = b.Build();
        output.WriteLine($"build {sw.ElapsedMilliseconds} ms, {set.Count} members, {set.SizeInBytes / 1e6} MB");
        using var dir = new TempDirectory();
        var cs = SqliteConnectionStrings.ForFile(dir.File("p.db"));
        await new DatabaseMigrator().MigrateAsync(StorageBackend.Sqlite, cs, CancellationToken.None);
        var pcs = await postgres.CreateDatabaseAsync();
        await new DatabaseMigrator().MigrateAsync(StorageBackend.Postgres, pcs, CancellationToken.None);
        foreach (var (name, store) in new (string, dynamic)[] { ("sqlite", new SqliteSnapshotStore(cs)), ("postgres", new PostgresSnapshotStore(pcs)) })
        {
            sw.Restart(); CompactionResult r = await store.CompactAsync("p/s", set, CancellationToken.None); output.WriteLine($"{name} first compact {sw.ElapsedMilliseconds} ms {r}");
            sw.Restart(); MemberSet loaded = await store.LoadAsync("p/s", CancellationToken.None); output.WriteLine($"{name} load {sw.ElapsedMilliseconds} ms {loaded.Count}");
            var changed = loaded.Apply(MemberSet.From(Enumerable.Range(0, 1000).Select(i => $"new{i}@x")), MemberSet.From(Enumerable.Range(0, 1000).Select(i => loaded[i * 1999])));
            for (var k = 0; k < 20; k++) await store.AppendAsync("p/s", MemberSet.From(Enumerable.Range(0, 50).Select(i => $"j{k}-{i}")), MemberSet.Empty, CancellationToken.None);
            sw.Restart(); loaded = await store.LoadAsync("p/s", CancellationToken.None); output.WriteLine($"{name} load with journal {sw.ElapsedMilliseconds} ms {loaded.Count}");
            sw.Restart(); var d = MemberSetDiff.Compute(changed, loaded); output.WriteLine($"diff {sw.ElapsedMilliseconds} ms");
            sw.Restart(); r = await store.CompactAsync("p/s", changed, CancellationToken.None); output.WriteLine($"{name} compact 2000 scattered changes {sw.ElapsedMilliseconds} ms {r}");
            sw.Restart(); r = await store.CompactAsync("p/s", changed, CancellationToken.None); output.WriteLine($"{name} compact no change {sw.ElapsedMilliseconds} ms {r}");
        }
        output.WriteLine($"db size {new FileInfo(dir.File("p.db")).Length / 1e6} MB");
    }
}
