using System.CommandLine;
using CohortSync.Client.Cli;
using CohortSync.Client.Output;
using CohortSync.Contracts;

namespace CohortSync.Client.Commands;

/// <summary><c>destination add|update|list|show|remove</c>: the Iterable projects a project's syncs write to.</summary>
internal static class DestinationCommands
{
    public static Command Build(CommandRunner runner) => new("destination", "Add, update, list, show or remove Iterable destinations of a project.")
    {
        Add(runner),
        Update(runner),
        List(runner),
        Show(runner),
        Remove(runner),
    };

    private static Command Add(CommandRunner runner)
    {
        var project = Symbols.Project();
        var name = Symbols.Text("--name", "A display name for the destination.", required: true);
        var userProperty = Symbols.Text("--user-property",
            "The Amplitude user property that becomes Iterable's userId (default: Amplitude's user_id).");
        var region = Symbols.Region("--iterable-region", "Iterable");
        var url = Symbols.Url("--iterable-url", "Iterable");
        var (rate, maxRate, concurrency) = (StartRate(), MaxRate(), Concurrency());
        var command = new Command("add",
            "Add an Iterable destination; its API key is read from ITERABLE_API_KEY or standard input. Prints the new destination id.")
        {
            project, name, userProperty, region, url, rate, maxRate, concurrency,
        };
        Symbols.AtMostOne(command, region, url);
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            var apiKey = context.Secrets.ReadIterableKey();
            var request = new AddDestinationRequest(parse.GetValue(name)!.Trim(), apiKey, parse.GetValue(userProperty)?.Trim(),
                Symbols.NormalizeRegion(parse.GetValue(region)), parse.GetValue(url), parse.GetValue(rate), parse.GetValue(maxRate),
                parse.GetValue(concurrency));
            await using var cluster = await context.ConnectAsync(cancellationToken);
            var added = await cluster.Project(parse.GetRequiredValue(project)).AddDestinationAsync(request).WaitAsync(cancellationToken);
            context.Output.Created(added, added.DestinationId);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Update(CommandRunner runner)
    {
        var project = Symbols.Project();
        var destination = Symbols.DestinationId();
        var (rate, maxRate, concurrency) = (StartRate(), MaxRate(), Concurrency());
        var command = new Command("update",
            "Give a destination a new Iterable API key (from ITERABLE_API_KEY or standard input). The key is checked with Iterable first; "
            + "syncs paused because the old key was rejected resume.")
        {
            project, destination, rate, maxRate, concurrency,
        };
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            var apiKey = context.Secrets.ReadIterableKey();
            var request = new UpdateDestinationRequest(apiKey, parse.GetValue(rate), parse.GetValue(maxRate), parse.GetValue(concurrency));
            await using var cluster = await context.ConnectAsync(cancellationToken);
            var updated = await cluster.Project(parse.GetRequiredValue(project))
                .UpdateDestinationAsync(parse.GetRequiredValue(destination), request).WaitAsync(cancellationToken);
            context.Output.Destination(updated);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Option<double?> StartRate() => Rate("--rate", "Requests per second to start at towards this Iterable project (default: the engine's).");

    private static Option<double?> MaxRate() => Rate("--max-rate", "Requests per second the adaptive rate never goes beyond (default: the engine's).");

    private static Option<int?> Concurrency()
    {
        var option = new Option<int?>("--concurrency")
        {
            Description = $"Write requests a run keeps in flight towards this destination, 1–{DestinationLimits.MaxConcurrency} (default: the engine's, 4). "
                + "The shared rate budget stays the ceiling.",
            HelpName = "requests",
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1 or > DestinationLimits.MaxConcurrency)
                result.AddError($"--concurrency must be between 1 and {DestinationLimits.MaxConcurrency}");
        });
        return option;
    }

    private static Option<double?> Rate(string name, string description)
    {
        var option = new Option<double?>(name) { Description = description, HelpName = "per-second" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is <= 0 or double.NaN) result.AddError($"{name} must be a positive number");
        });
        return option;
    }

    private static Command List(CommandRunner runner)
    {
        var project = Symbols.Project();
        var command = new Command("list", "List the project's destinations.") { project };
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            await using var cluster = await context.ConnectAsync(cancellationToken);
            context.Output.Destinations(await cluster.Project(parse.GetRequiredValue(project)).ListDestinationsAsync().WaitAsync(cancellationToken));
            return ExitCodes.Ok;
        }, Repeat.Safe);
        return command;
    }

    private static Command Show(CommandRunner runner)
    {
        var project = Symbols.Project();
        var destination = Symbols.DestinationId();
        var command = new Command("show", "Show one destination, with its health.") { project, destination };
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            await using var cluster = await context.ConnectAsync(cancellationToken);
            var shown = await cluster.Project(parse.GetRequiredValue(project))
                .GetDestinationAsync(parse.GetRequiredValue(destination)).WaitAsync(cancellationToken);
            context.Output.Destination(shown);
            return ExitCodes.Ok;
        }, Repeat.Safe);
        return command;
    }

    private static Command Remove(CommandRunner runner)
    {
        var project = Symbols.Project();
        var destination = Symbols.DestinationId();
        var command = new Command("remove", "Remove a destination that no sync uses any more.") { project, destination };
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            var projectId = parse.GetRequiredValue(project);
            var destinationId = parse.GetRequiredValue(destination);
            await using var cluster = await context.ConnectAsync(cancellationToken);
            await cluster.Project(projectId).RemoveDestinationAsync(destinationId).WaitAsync(cancellationToken);
            context.Output.Removed(new RemovedDestination(projectId, destinationId, Removed: true));
            return ExitCodes.Ok;
        });
        return command;
    }
}
