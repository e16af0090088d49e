using System.Text;
using CohortSync.Amplitude;
using CohortSync.Core.Identity;
using CohortSync.Grains.Runs;

namespace CohortSync.Grains.Tests.Runs;

/// <summary>
/// An Amplitude cohort held in memory. A read writes the members as Amplitude's cohort file (every field quoted,
/// an <c>amplitude_id</c> column first) and streams it through the real <see cref="CohortCsvReader"/>, so rows reach
/// the sink exactly as they do from Amplitude.
/// </summary>
public sealed class FakeCohortSource(string cohortId, string name) : ICohortSource
{
    public IReadOnlyList<string> Members { get; set; } = [];

    /// <summary>The raw cohort file to serve instead of one written from <see cref="Members"/> (for broken files).</summary>
    public string? File { get; set; }

    /// <summary>Amplitude no longer lists the cohort.</summary>
    public bool Missing { get; set; }

    public Exception? FindFailure { get; set; }

    public Exception? ReadFailure { get; set; }

    /// <summary>Called as a read starts, to look at the world from inside the download.</summary>
    public Action? OnRead { get; set; }

    public int Reads { get; private set; }

    public Task<AmplitudeCohort?> FindAsync(string id, CancellationToken ct)
    {
        if (FindFailure is not null) throw FindFailure;
        AmplitudeCohort? cohort = Missing || id != cohortId ? null : new(cohortId, name, Members.Count, false, true, null, null, null, null);
        return Task.FromResult(cohort);
    }

    public async Task<CohortReadResult> ReadAsync(string id, string? property, IMemberSink sink, RunTally tally, CancellationToken ct)
    {
        Reads++;
        OnRead?.Invoke();
        if (ReadFailure is not null) throw ReadFailure;
        var column = property ?? IdentityRules.DefaultProperty;
        using var file = new MemoryStream(Encoding.UTF8.GetBytes(File ?? Write(column)));
        return await CohortCsvReader.ReadAsync(file, column, sink, ct);
    }

    private string Write(string column)
    {
        var csv = new StringBuilder($"\"amplitude_id\",\"{column}\"\n");
        for (var i = 0; i < Members.Count; i++) csv.Append($"\"{1000 + i}\",\"{Members[i].Replace("\"", "\"\"")}\"\n");
        return csv.ToString();
    }
}
