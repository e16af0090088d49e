using System.Globalization;
using System.Runtime.InteropServices;
using CohortSync.Sandbox;

// dotnet run --project src/CohortSync.Sandbox -- [--port 5380] [--seed demo]
var port = 5380;
var seedDemo = false;
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
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: CohortSync.Sandbox [--port 5380] [--seed demo]");
            return 2;
    }
}

var stop = new TaskCompletionSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

await using var server = await SandboxServer.StartAsync(new SandboxOptions { Port = port, SeedDemo = seedDemo });
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
