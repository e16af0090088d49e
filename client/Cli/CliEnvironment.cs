using System.Text;

namespace CohortSync.Client.Cli;

/// <summary>
/// What a command may touch outside the cluster: the standard streams and environment variables.
/// Tests hand in string writers and a dictionary; the process hands in the console.
/// </summary>
public sealed class CliEnvironment(
    TextWriter output,
    TextWriter error,
    TextReader input,
    bool inputIsTerminal,
    Func<string, string?> variables)
{
    public TextWriter Output { get; } = output;
    public TextWriter Error { get; } = error;
    public TextReader Input { get; } = input;
    /// <summary>True when a person types on standard input, so secrets are prompted for without echo.</summary>
    public bool InputIsTerminal { get; } = inputIsTerminal;

    public static CliEnvironment FromProcess() =>
        new(Console.Out, Console.Error, Console.In, !Console.IsInputRedirected, Environment.GetEnvironmentVariable);

    /// <summary>An environment variable, with blank values treated as unset.</summary>
    public string? Variable(string name) => variables(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>Prompts on stderr and reads one line from the terminal without echoing it.</summary>
    public string ReadHiddenLine(string prompt)
    {
        Error.Write(prompt);
        Error.Flush();
        var typed = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace)
            {
                if (typed.Length > 0) typed.Length--;
            }
            else if (!char.IsControl(key.KeyChar))
            {
                typed.Append(key.KeyChar);
            }
        }
        Error.WriteLine();
        return typed.ToString();
    }
}
