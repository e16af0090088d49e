using System.Diagnostics;
using CohortSync.Contracts;
using CohortSync.Testing;

namespace CohortSync.LoadHarness;

/// <summary>
/// Scenario 9: a member file of <see cref="HarnessOptions.Members"/> lines (2 M by default) uploaded in chunks, as
/// <c>sync upload</c> sends it, then the run that uses it: upload time, run time, and the silo's peak memory above idle
/// per member (issue 5's bound: ≤ 150 B).
/// </summary>
public sealed class UploadScenario(World world, HarnessOptions options, ResultTable table)
{
    private const string ProjectId = "bench-upload";
    private const string AmplitudeKey = "bench-upload-amplitude";

    public async Task RunAsync()
    {
        var destination = await world.EnableTenantAsync(ProjectId, AmplitudeKey);
        world.Sandbox.Amplitude.PutMembers(AmplitudeKey, "file", "From a file", [new Sandbox.Amplitude.AmplitudeMember(1, "seed-0")]);
        var project = world.Grains.GetGrain<IProjectGrain>(ProjectId);
        var sync = await project.StartSyncAsync(new StartSyncRequest("file", destination, "daily") { Guard = RemovalGuard.None });
        await world.WaitForRunAsync(ProjectId, sync.SyncId, 1, TimeSpan.FromMinutes(2));
        await Task.Delay(TimeSpan.FromSeconds(3)); // let the silo settle before taking its idle size
        var pid = world.SiloProcessId();
        var (idle, _) = MachineFacts.Memory(pid);
        MachineFacts.ResetPeak(pid);

        var upload = world.Grains.GetGrain<IMemberUploadGrain>(GrainKeys.Sync(ProjectId, sync.SyncId));
        var clock = Stopwatch.StartNew();
        var chunks = 0;
        // As sync upload sends them: chunks of about 32,000 characters (1,600 of these 19-character identifiers).
        const int perChunk = IMemberUploadGrain.ChunkChars / 20;
        for (var from = 0; from < options.Members; from += perChunk)
        {
            var count = Math.Min(perChunk, options.Members - from);
            await upload.PutChunkAsync("bench", chunks++, string.Join('\n', Enumerable.Range(from, count).Select(i => $"file-user-{i:D9}")), count);
        }
        var sent = clock.Elapsed;
        var (_, uploadPeak) = MachineFacts.Memory(pid);
        MachineFacts.ResetPeak(pid);
        await upload.CommitAsync("bench", chunks, options.Members, run: true);
        var run = await world.WaitForRunAsync(ProjectId, sync.SyncId, 2, TimeSpan.FromMinutes(30));
        var (_, peak) = MachineFacts.Memory(pid);

        table.Add("9 upload", "outcome", $"{run.Outcome}, source {run.Source}, +{run.Counts.Added:N0} −{run.Counts.Removed:N0}", note: $"load {MachineFacts.LoadAverage()}");
        table.Add("9 upload", $"upload of {options.Members:N0} lines in {chunks} chunks", $"{sent.TotalSeconds:0.0} s");
        table.Add("9 upload", "run that used it (read / diff / push / record)", $"{(run.FinishedAt!.Value - run.StartedAt).TotalSeconds:0.0} s ({run.Counts.ReadMs} / {run.Counts.DiffMs} / {run.Counts.PushMs} / {run.Counts.RecordMs} ms)");
        table.Add("9 upload", "silo peak RSS while uploading / above idle per member", $"{ResultTable.Mb(uploadPeak)} / {(uploadPeak - idle) / (double)options.Members:0} B", target: "≤ 150 B");
        table.Add("9 upload", "silo peak RSS during the run / above idle per member", $"{ResultTable.Mb(peak)} / {(peak - idle) / (double)options.Members:0} B", target: "≤ 150 B");
    }
}
