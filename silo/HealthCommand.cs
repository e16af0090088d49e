using System.Net;

namespace CohortSync.Silo;

/// <summary>
/// <c>cohortsync-silo health</c>: asks this container's silo whether it is ready and exits 0 if so, 1 if not.
/// For container health checks: the runtime image has no curl, and this reads the same settings as the silo.
/// </summary>
public static class HealthCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var configuration = new ConfigurationBuilder().AddCohortSyncSources(args).Build();
        var port = configuration.GetValue("CohortSync:HttpPort", new SiloSettings().HttpPort);
        var address = configuration.GetValue("CohortSync:HttpAddress", new SiloSettings().HttpAddress)!;
        // A silo listening on every address also answers on loopback.
        var host = address is "0.0.0.0" or "::" ? IPAddress.Loopback.ToString() : address.Contains(':') ? $"[{address}]" : address;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync($"http://{host}:{port}/health/ready");
            Console.WriteLine(await response.Content.ReadAsStringAsync());
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Console.WriteLine($"not ready: {ex.Message}");
            return 1;
        }
    }
}
