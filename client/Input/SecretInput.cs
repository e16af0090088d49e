using CohortSync.Client.Cli;

namespace CohortSync.Client.Input;

/// <summary>
/// Secrets come from environment variables or standard input, never from the argument list
/// (argument lists end up in shell history and in <c>ps</c>).
/// </summary>
public sealed class SecretInput(CliEnvironment environment)
{
    public const string AmplitudeApiKeyVariable = "AMPLITUDE_API_KEY";
    public const string AmplitudeSecretKeyVariable = "AMPLITUDE_SECRET_KEY";
    public const string IterableApiKeyVariable = "ITERABLE_API_KEY";

    public (string ApiKey, string SecretKey) ReadAmplitudeKeys()
    {
        var apiKey = environment.Variable(AmplitudeApiKeyVariable);
        var secretKey = environment.Variable(AmplitudeSecretKeyVariable);
        if (apiKey is not null && secretKey is not null) return (apiKey, secretKey);
        if (apiKey is not null || secretKey is not null)
        {
            throw new UsageException(
                $"set both {AmplitudeApiKeyVariable} and {AmplitudeSecretKeyVariable}, or neither and pass them on standard input");
        }

        const string missing = $"no Amplitude keys: set {AmplitudeApiKeyVariable} and {AmplitudeSecretKeyVariable}, "
            + "or pass them on standard input (API key on the first line, secret key on the second)";
        apiKey = ReadLine("Amplitude API key: ") ?? throw new UsageException(missing);
        secretKey = ReadLine("Amplitude secret key: ") ?? throw new UsageException(missing);
        return (apiKey, secretKey);
    }

    public string ReadIterableKey() =>
        environment.Variable(IterableApiKeyVariable)
        ?? ReadLine("Iterable API key: ")
        ?? throw new UsageException($"no Iterable API key: set {IterableApiKeyVariable} or pass it on standard input");

    /// <summary>One trimmed, non-blank line from the terminal (hidden) or the redirected input; null if there is none.</summary>
    private string? ReadLine(string prompt)
    {
        var line = environment.InputIsTerminal ? environment.ReadHiddenLine(prompt) : environment.Input.ReadLine();
        return string.IsNullOrWhiteSpace(line) ? null : line.Trim();
    }
}
