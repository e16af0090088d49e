using CohortSync.Contracts;

namespace CohortSync.Client.Output;

/// <summary>Writes a command's one result to stdout, as text for people or as one JSON document for scripts.</summary>
public sealed class ResultWriter(TextWriter output, bool json)
{
    public bool Json { get; } = json;

    public void Project(ProjectInfo project) => Write(project, TextFormat.Project);

    /// <summary>A new webhook token, shown this once; JSON: <c>{"path", "token"}</c>.</summary>
    public void WebhookToken(WebhookTokenIssued issued) => Write(new WebhookTokenDocument(issued.Path, issued.Token), _ => TextFormat.WebhookToken(issued));

    public void Destination(DestinationInfo destination) => Write(destination, TextFormat.Destination);

    public void Destinations(IReadOnlyList<DestinationInfo> destinations) => Write(destinations, TextFormat.Destinations);

    public void Removed(RemovedDestination removed) => Write(removed, TextFormat.Removed);

    public void Sync(SyncInfo sync) => Write(sync, TextFormat.Sync);

    public void Syncs(IReadOnlyList<SyncInfo> syncs) => Write(syncs, TextFormat.Syncs);

    public void History(IReadOnlyList<RunRecord> runs) => Write(runs, TextFormat.History);

    public void Preview(SyncPreview preview) => Write(preview, TextFormat.Preview);

    public void Refused(RefusedPage page) => Write(page, TextFormat.Refused);

    /// <summary>Something new was created: in text mode the id alone, so <c>ID=$(cohortsync …)</c> works.</summary>
    public void Created<T>(T record, string id) => Write(record, _ => id + "\n");

    /// <summary>A run that was waited for: the run's block, or the sync and the run as one JSON document.</summary>
    public void Waited(WaitedRun waited) => Write(waited, w => TextFormat.Run(w.Run));

    /// <summary>A result whose text form its command renders itself (the <c>token</c> commands).</summary>
    public void Result<T>(T value, Func<T, string> text) => Write(value, text);

    public void Error(string code, string message)
    {
        if (Json) WriteLine(JsonFormat.Error(code, message));
    }

    private sealed record WebhookTokenDocument(string Path, string Token);

    private void Write<T>(T value, Func<T, string> text)
    {
        if (Json) WriteLine(JsonFormat.Serialize(value));
        else output.Write(text(value));
        output.Flush();
    }

    private void WriteLine(string text)
    {
        output.WriteLine(text);
        output.Flush();
    }
}
