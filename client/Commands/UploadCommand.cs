using System.CommandLine;
using CohortSync.Client.Cli;
using CohortSync.Client.Input;
using CohortSync.Contracts;

namespace CohortSync.Client.Commands;

/// <summary>
/// <c>sync upload</c>: a member file becomes the desired set of the sync's next run. The file is read as it streams
/// and sent in chunks (never one message); the upload is committed only once the whole file was read and sent, so a
/// file that turns out bad half-way changes nothing.
/// </summary>
internal static class UploadCommand
{
    public static Command Create(CommandRunner runner)
    {
        var project = Symbols.Project();
        var sync = Symbols.SyncId();
        var file = new Option<string>("--file")
        {
            Description = "The member file: a CSV with a header naming the identity column, or one identifier per line; '-' reads stdin.",
            Required = true,
            HelpName = "PATH|-",
        };
        var column = new Option<string?>("--column")
        {
            Description = "The identity column of a CSV (default: the destination's user property, e.g. user_id).",
        };
        var run = new Option<bool>("--run") { Description = "Start the run that uses the file now." };
        var wait = Symbols.Wait();
        var timeout = Symbols.Timeout();
        var command = new Command("upload", "Set the desired set of the sync's next run from a member file instead of Amplitude.")
        {
            project, sync, file, column, run, wait, timeout,
        };
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            var (projectId, syncId, path) = (parse.GetRequiredValue(project), parse.GetRequiredValue(sync), parse.GetRequiredValue(file));
            await using var input = Open(path, context);
            await using var cluster = await context.ConnectAsync(cancellationToken);
            var before = await cluster.Sync(projectId, syncId).GetStatusAsync().WaitAsync(cancellationToken);
            var identity = parse.GetValue(column)
                ?? (await cluster.Project(projectId).GetDestinationAsync(before.DestinationId).WaitAsync(cancellationToken)).UserProperty;

            var upload = cluster.Upload(projectId, syncId);
            var uploadId = $"u-{Guid.NewGuid():N}";
            var (chunks, members) = (0, 0L);
            var chunk = new List<string>();
            var chars = 0;
            var reported = 0L;
            try
            {
                foreach (var id in input.Members(identity).Identifiers())
                {
                    chunk.Add(id);
                    chars += id.Length + 1;
                    if (chunk.Count < IMemberUploadGrain.MaxChunk && chars < IMemberUploadGrain.ChunkChars) continue;
                    await upload.PutChunkAsync(uploadId, chunks++, string.Join('\n', chunk), chunk.Count).WaitAsync(cancellationToken);
                    members += chunk.Count;
                    chunk.Clear();
                    chars = 0;
                    if (!context.Output.Json && members - reported >= 100_000)
                    {
                        context.Error.WriteLine($"sent {members:N0} members");
                        reported = members;
                    }
                }
            }
            catch (MemberFileException bad)
            {
                throw new UsageException($"{bad.Message}; nothing was changed");
            }
            if (chunk.Count > 0)
            {
                await upload.PutChunkAsync(uploadId, chunks++, string.Join('\n', chunk), chunk.Count).WaitAsync(cancellationToken);
                members += chunk.Count;
            }
            if (members == 0) throw new UsageException($"the file '{path}' has no members; nothing was changed");

            var runNow = parse.GetValue(run) || parse.GetValue(wait);
            var committed = await upload.CommitAsync(uploadId, chunks, members, runNow).WaitAsync(cancellationToken);
            if (!context.Output.Json) context.Error.WriteLine($"uploaded {members:N0} members for the next run of sync {syncId}");
            if (!parse.GetValue(wait))
            {
                context.Output.Sync(committed);
                return ExitCodes.Ok;
            }
            var waited = await context.Waiter.WaitForRunAfterAsync(cluster.Sync(projectId, syncId), SyncCommands.LastFinishedRunNumber(before), parse.GetValue(timeout), cancellationToken);
            return SyncCommands.Finish(context, waited);
        });
        return command;
    }

    private static MemberInput Open(string path, CommandContext context)
    {
        if (path == "-") return new MemberInput(context.StandardInput, null);
        if (!File.Exists(path)) throw new UsageException($"file '{path}' does not exist");
        return new MemberInput(null, new Utf8Lines(File.OpenRead(path)));
    }

    /// <summary>Stdin as the client was given it, or a file read as strict UTF-8 line by line.</summary>
    private sealed class MemberInput(TextReader? reader, Utf8Lines? lines) : IAsyncDisposable
    {
        public MemberFile Members(string column) => lines is not null ? new MemberFile(lines.ReadLine, column) : new MemberFile(reader!, column);

        public ValueTask DisposeAsync()
        {
            lines?.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
