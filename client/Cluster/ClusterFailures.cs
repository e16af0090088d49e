using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace CohortSync.Client.Cluster;

/// <summary>Tells a lost or absent cluster apart from a request the cluster answered with an error.</summary>
public static class ClusterFailures
{
    public static bool IsConnectionLoss(Exception exception) => exception switch
    {
        SiloUnavailableException or ConnectionFailedException or OrleansMessageRejectionException => true,
        ConnectionAbortedException or ConnectionResetException or SocketException => true,
        // A grain call that got no answer within the response timeout: the gateway went quiet.
        TimeoutException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsConnectionLoss),
        // Only Orleans' own wrappers are looked into: a grain's HttpRequestException around a
        // SocketException is the cluster failing to reach Amplitude or Iterable, not us failing to reach it.
        OrleansException { InnerException: { } inner } => IsConnectionLoss(inner),
        _ => false,
    };

    /// <summary>How the loss showed itself, for the one-line error.</summary>
    public static string Describe(Exception exception) =>
        exception is TimeoutException ? "the cluster did not answer in time" : "the connection to the gateway was lost";
}
