namespace CohortSync.LoadHarness;

/// <summary>The figures of one harness run, printed as a Markdown table ready for docs/benchmarks.md.</summary>
public sealed class ResultTable
{
    private readonly List<string[]> _rows = [];

    public void Add(string scenario, string measure, string value, string target = "", string note = "")
    {
        _rows.Add([scenario, measure, value, target, note]);
        Console.WriteLine($"  {scenario} | {measure}: {value}{(target.Length > 0 ? $" (target {target})" : "")}{(note.Length > 0 ? $" — {note}" : "")}");
    }

    public void Print(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("| scenario | measure | measured | target | note |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (var row in _rows) output.WriteLine($"| {string.Join(" | ", row)} |");
    }

    public static string Mb(long bytes) => $"{bytes / (1024.0 * 1024):0} MB";
}
