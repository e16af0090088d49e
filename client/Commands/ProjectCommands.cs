using System.CommandLine;
using CohortSync.Client.Cli;
using CohortSync.Contracts;

namespace CohortSync.Client.Commands;

/// <summary><c>project enable|disable|show</c>: the integration for one Amplitude project.</summary>
internal static class ProjectCommands
{
    public static Command Build(CommandRunner runner) => new("project", "Enable, disable or show the integration for an Amplitude project.")
    {
        Enable(runner),
        Disable(runner),
        Show(runner),
        Webhook(runner),
        Quota(runner),
    };

    private static Command Quota(CommandRunner runner)
    {
        var project = Symbols.Project();
        var reset = new Command("reset",
            "Say Amplitude's download quota is there again (raised, or reset early): downloads held back since Amplitude refused one resume with the next run.")
        {
            project,
        };
        runner.SetAction(reset, async (parse, context, cancellationToken) =>
        {
            await using var cluster = await context.ConnectAsync(cancellationToken);
            context.Output.Project(await cluster.Project(parse.GetRequiredValue(project)).ResetQuotaAsync().WaitAsync(cancellationToken));
            return ExitCodes.Ok;
        }, Repeat.Safe);
        return new Command("quota", "Amplitude's monthly download quota of a project.") { reset };
    }

    private static Command Enable(CommandRunner runner)
    {
        var project = Symbols.Project();
        var region = Symbols.Region("--amplitude-region", "Amplitude");
        var url = Symbols.Url("--amplitude-url", "Amplitude");
        var organisation = new Option<string?>("--organisation")
        {
            Description = "The Amplitude organisation of the project: projects of one organisation share its monthly download quota "
                + "(counting, pacing, warnings, projection). Without it the project is its own.",
        };
        var command = new Command("enable",
            "Enable the project with its Amplitude keys, read from AMPLITUDE_API_KEY and AMPLITUDE_SECRET_KEY "
            + "or from standard input (key on the first line, secret on the second).")
        {
            project, region, url, organisation,
        };
        Symbols.AtMostOne(command, region, url);
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            var (apiKey, secretKey) = context.Secrets.ReadAmplitudeKeys();
            var request = new EnableProjectRequest(apiKey, secretKey, Symbols.NormalizeRegion(parse.GetValue(region)), parse.GetValue(url))
            {
                Organisation = parse.GetValue(organisation),
            };
            await using var cluster = await context.ConnectAsync(cancellationToken);
            context.Output.Project(await cluster.Project(parse.GetRequiredValue(project)).EnableAsync(request).WaitAsync(cancellationToken));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Disable(CommandRunner runner)
    {
        var project = Symbols.Project();
        var command = new Command("disable", "Disable the project: its syncs stop running until it is enabled again.") { project };
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            await using var cluster = await context.ConnectAsync(cancellationToken);
            context.Output.Project(await cluster.Project(parse.GetRequiredValue(project)).DisableAsync().WaitAsync(cancellationToken));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Webhook(CommandRunner runner)
    {
        var project = Symbols.Project();
        var rotate = new Option<bool>("--rotate") { Description = "Replace the existing token; the old one stops working at once." };
        var command = new Command("webhook",
            "Create the project's Amplitude webhook token and print it once with the URL path (an existing token needs --rotate).")
        {
            project, rotate,
        };
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            await using var cluster = await context.ConnectAsync(cancellationToken);
            var issued = await cluster.Project(parse.GetRequiredValue(project)).IssueWebhookTokenAsync(parse.GetValue(rotate)).WaitAsync(cancellationToken);
            context.Output.WebhookToken(issued);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(CommandRunner runner)
    {
        var project = Symbols.Project();
        var command = new Command("show", "Show the project: enabled or not, Amplitude endpoint and key hint, counts.") { project };
        runner.SetAction(command, async (parse, context, cancellationToken) =>
        {
            await using var cluster = await context.ConnectAsync(cancellationToken);
            context.Output.Project(await cluster.Project(parse.GetRequiredValue(project)).GetAsync().WaitAsync(cancellationToken));
            return ExitCodes.Ok;
        }, Repeat.Safe);
        return command;
    }
}
