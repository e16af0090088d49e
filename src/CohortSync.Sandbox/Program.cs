using System.Globalization;
using System.Runtime.InteropServices;
using CohortSync.Sandbox;
using CohortSync.Sandbox.Iterable;

// dotnet run --project src/CohortSync.Sandbox -- [--port 5380] [--seed demo] [--latency-ms N] [--latency-jitter-ms N]
const string Usage = "Usage: CohortSync.Sandbox [--port 5380] [--seed demo] [--latency-ms N] [--latency-jitter-ms N]";
var port = 5380;
var seedDemo = false;
var latencyMs = 0;
var jitterMs = 0;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed):
            port = parsed;
            i++;
            break;
        case "--seed" when i + 1 < args.Length && args[i + 1] == "demo":
            seedDemo = true;
            i++;
            break;
        // A real Iterable answers in roughly 100–300 ms from a data center; loopback hides that.
        case "--latency-ms" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var latency):
            latencyMs = latency;
            i++;
            break;
        case "--latency-jitter-ms" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var jitter):
            jitterMs = jitter;
            i++;
            break;
        default:
            Console.Error.WriteLine($"Unknown or incomplete argument '{args[i]}'. {Usage}");
            return 2;
    }
}

var stop = new TaskCompletionSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

await using var server = await SandboxServer.StartAsync(new SandboxOptions
{
    Port = port,
    SeedDemo = seedDemo,
    IterableFaults = IterableFaults.None with { LatencyMs = latencyMs, LatencyJitterMs = jitterMs },
});
Console.WriteLine($"CohortSync sandbox listening on {server.BaseUrl}");
if (seedDemo)
{
    Console.WriteLine("Seeded demo data (Iterable key: demo-iterable-key).");
}

Console.WriteLine("Press Ctrl+C to stop.");
await stop.Task;
return 0;

void Stop(PosixSignalContext context)
{
    // Let the server shut down cleanly instead of the runtime killing the process.
    context.Cancel = true;
    stop.TrySetResult();
}
