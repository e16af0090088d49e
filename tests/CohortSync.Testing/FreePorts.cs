using System.Net;
using System.Net.Sockets;

namespace CohortSync.Testing;

/// <summary>
/// Loopback TCP ports that were free a moment ago. Ports handed out by this process are never handed out twice, so
/// several servers of one test run do not collide with each other. They come from below the kernel's ephemeral range
/// (32768 and up on Linux): an outgoing connection (an HTTP client, a database session) takes its local port from that
/// range, and could take a port handed out there in the moment before its server binds it. Each process starts at
/// its own place in the range, so test processes running side by side rarely try the same ports.
/// </summary>
public static class FreePorts
{
    private const int First = 20_000;
    private const int Count = 12_000;
    private static readonly HashSet<int> Issued = [];
    private static readonly Lock Gate = new();
    private static int _next = Environment.ProcessId * 211 % Count;

    public static int Next()
    {
        lock (Gate)
        {
            for (var tried = 0; tried < Count; tried++)
            {
                var port = First + _next;
                _next = (_next + 1) % Count;
                if (Issued.Contains(port) || !Bindable(port)) continue;
                Issued.Add(port);
                return port;
            }
            throw new InvalidOperationException($"no free loopback port between {First} and {First + Count - 1}");
        }
    }

    public static int[] Next(int count)
    {
        var ports = new int[count];
        for (var i = 0; i < count; i++) ports[i] = Next();
        return ports;
    }

    private static bool Bindable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
