using System.Net;
using System.Net.Sockets;

namespace CohortSync.Testing;

/// <summary>
/// Loopback TCP ports that were free a moment ago. Ports handed out by this process are never
/// handed out twice, so several servers of one test run do not collide with each other.
/// </summary>
public static class FreePorts
{
    private static readonly HashSet<int> Issued = [];
    private static readonly Lock Gate = new();

    public static int Next()
    {
        lock (Gate)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (Issued.Add(port)) return port;
            }
        }
    }

    public static int[] Next(int count)
    {
        var ports = new int[count];
        for (var i = 0; i < count; i++) ports[i] = Next();
        return ports;
    }
}
