using System.Text;

namespace CohortSync.Client.Output;

/// <summary>Left-aligned columns separated by two spaces, for lists an operator scans by eye.</summary>
public sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public TextTable Add(params string[] cells)
    {
        _rows.Add(cells);
        return this;
    }

    public override string ToString()
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        foreach (var row in _rows.Prepend(headers))
        {
            var line = string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i])));
            text.Append(line.TrimEnd()).Append('\n');
        }
        return text.ToString();
    }
}

/// <summary>"label  value" lines for one record.</summary>
public sealed class TextBlock
{
    private readonly List<(string Label, string Value)> _lines = [];

    public TextBlock Add(string label, string? value)
    {
        if (value is not null) _lines.Add((label, value));
        return this;
    }

    public override string ToString()
    {
        var width = _lines.Max(l => l.Label.Length);
        var text = new StringBuilder();
        foreach (var (label, value) in _lines) text.Append(label.PadRight(width)).Append("  ").Append(value).Append('\n');
        return text.ToString();
    }
}
