using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace CohortSync.Testing;

/// <summary>
/// A silo as its own process (the built silo, as `dotnet run --project silo` starts it), on its own loopback
/// ports; the test project must reference the silo project so that it is built. <see cref="Kill"/> is kill -9:
/// no shutdown, no goodbye to the cluster; <see cref="Pause"/> and <see cref="Resume"/> freeze and thaw it
/// (SIGSTOP, SIGCONT), a silo that stops answering and later comes back. The last of its output is kept for failure messages.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private const int KeptOutput = 64 * 1024;
    // Linux signal numbers (x64 and arm64 alike).
    private const int SigStop = 19;
    private const int SigCont = 18;
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StreamWriter? _transcript;
    private bool _killed;

    private SiloProcess(string name, Process process, int siloPort, int gatewayPort, int httpPort, string? transcriptPath)
    {
        Name = name;
        _process = process;
        TranscriptPath = transcriptPath;
        if (transcriptPath is not null) _transcript = new StreamWriter(transcriptPath, append: true, Encoding.UTF8) { AutoFlush = true };
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        HttpPort = httpPort;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }
    public int SiloPort { get; }
    public int GatewayPort { get; }
    public int HttpPort { get; }

    /// <summary>The silo's web host (health, metrics, webhook intake) on loopback, ending in a slash.</summary>
    public Uri HttpBaseUrl => new($"http://127.0.0.1:{HttpPort}/");

    public int ProcessId => _process.Id;
    public string Gateway => $"127.0.0.1:{GatewayPort}";

    /// <summary>True when the process ended without the test killing it.</summary>
    public bool Crashed => _process.HasExited && !_killed;

    public bool Killed => _killed;

    /// <summary>The file that holds every line the silo wrote, when it was started with one; null otherwise.</summary>
    public string? TranscriptPath { get; }

    /// <summary>True once the process has ended, however it ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code of a process that has ended.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>True from <see cref="Pause"/> until <see cref="Resume"/>.</summary>
    public bool Paused { get; private set; }

    /// <summary>The last lines the silo wrote (logs and errors).</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>One silo on its own data folder and free ports, with the test engine settings; returns once it is ready.</summary>
    public static async Task<SiloProcess> StartAsync(string dataDir, params string[] extraArgs)
    {
        var ports = FreePorts.Next(3);
        string[] args = ["--data-dir", dataDir, "--silo-port", ports[0].ToString(), "--gateway-port", ports[1].ToString(), "--http-port", ports[2].ToString(), .. EngineTestSettings.FastArgs, .. extraArgs];
        var silo = Start("silo", args, new Dictionary<string, string?>(), ports[0], ports[1], ports[2]);
        try
        {
            await silo.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
        return silo;
    }

    /// <summary>Starts the process with exactly these arguments; the ports are what the arguments give it.</summary>
    /// <param name="transcriptPath">A file to write all of the silo's output to (<see cref="Output"/> keeps only its end).</param>
    public static SiloProcess Start(string name, IEnumerable<string> args, IReadOnlyDictionary<string, string?> environment, int siloPort, int gatewayPort, int httpPort,
        string? transcriptPath = null)
    {
        var info = ChildProcess.For(ChildProcess.Silo, args, environment);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start silo {name}");
        process.StandardInput.Close();
        return new SiloProcess(name, process, siloPort, gatewayPort, httpPort, transcriptPath);
    }

    /// <summary>Waits until <c>/health/ready</c> answers: the silo is an active member of the cluster.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited) throw new InvalidOperationException($"silo {Name} exited with code {_process.ExitCode}:\n{Output}");
            if (await IsReadyAsync(http)) return;
            await Task.Delay(200);
        }
        throw new TimeoutException($"silo {Name} did not become ready within {timeout.TotalSeconds:0}s:\n{Output}");
    }

    /// <summary>How many active silos this silo knows of (<c>/health/cluster</c>), or null if it does not answer.</summary>
    public async Task<int?> ActiveSilosSeenAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync($"http://127.0.0.1:{HttpPort}/health/cluster");
            if (!response.IsSuccessStatusCode) return null;
            using var view = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return view.RootElement.GetProperty("activeSilos").GetInt32();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public async Task<bool> IsReadyAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync($"http://127.0.0.1:{HttpPort}/health/ready");
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGKILL: the process ends at once, mid-request, without leaving the cluster.</summary>
    public void Kill()
    {
        _killed = true;
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>
    /// SIGTERM, as an orchestrator stops a silo: it shuts down gracefully. Returns once it has exited and all of
    /// its output is read (its transcript complete); killed if it has not exited within <paramref name="timeout"/>.
    /// </summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited) return;
        _killed = true;
        Signal(SigTerm);
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }


    /// <summary>SIGSTOP: every thread of the process freezes mid-whatever; its sockets stay open, nobody hears from it.</summary>
    public void Pause()
    {
        Signal(SigStop);
        Paused = true;
    }

    /// <summary>SIGCONT: the frozen process carries on from where it stood, its timers overdue.</summary>
    public void Resume()
    {
        Signal(SigCont);
        Paused = false;
    }

    private void Signal(int signal)
    {
        if (SendSignal(_process.Id, signal) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _transcript?.WriteLine(line);
            _output.AppendLine(line);
            if (_output.Length > KeptOutput) _output.Remove(0, _output.Length - KeptOutput);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // A frozen process ignores nothing but SIGKILL; thaw it anyway so its tree goes with it.
            if (Paused) Resume();
            _killed = true;
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
        lock (_output) _transcript?.Dispose();
    }
}
