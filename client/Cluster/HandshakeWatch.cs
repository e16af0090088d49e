using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CohortSync.Client.Cluster;

/// <summary>
/// Reads Orleans' connection warnings in memory (nothing is printed) for the one sign that tells a
/// misconfigured client from an absent silo: a gateway that accepts the TCP connection and then hangs
/// up during the handshake, which is what a silo of another cluster id does.
/// </summary>
internal sealed class HandshakeWatch : ILoggerProvider
{
    private const string MessagingCategory = "Orleans.Runtime.Messaging";
    private volatile bool _gatewayHungUp;

    public bool GatewayHungUp => _gatewayHungUp;

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith(MessagingCategory, StringComparison.Ordinal) ? new Watcher(this) : NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Watcher(HandshakeWatch watch) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception?.Message.Contains("terminated prematurely", StringComparison.OrdinalIgnoreCase) == true) watch._gatewayHungUp = true;
        }
    }
}
