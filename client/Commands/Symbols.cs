using System.CommandLine;
using CohortSync.Client.Input;
using CohortSync.Contracts;

namespace CohortSync.Client.Commands;

/// <summary>Arguments and options shared by several commands, each with its local validation.</summary>
internal static class Symbols
{
    public static Argument<string> Id(string name, string description)
    {
        var argument = new Argument<string>(name) { Description = description };
        argument.Validators.Add(result =>
        {
            if (InputRules.CheckId(result.GetValueOrDefault<string>(), name) is { } error) result.AddError(error);
        });
        return argument;
    }

    public static Argument<string> Project() => Id("project", "The Amplitude project id.");

    public static Argument<string> DestinationId() => Id("destinationId", "The destination id (see 'destination list').");

    public static Argument<string> SyncId() => Id("syncId", "The sync id (see 'sync list').");

    public static Option<string?> Text(string name, string description, bool required = false)
    {
        var option = new Option<string?>(name) { Description = description, Required = required };
        option.Validators.Add(result =>
        {
            if (InputRules.CheckNotBlank(result.GetValueOrDefault<string?>(), name) is { } error) result.AddError(error);
        });
        return option;
    }

    public static Option<string?> Region(string name, string service)
    {
        var option = new Option<string?>(name) { Description = $"{service} data center: us or eu (default us).", HelpName = "us|eu" };
        option.Validators.Add(result =>
        {
            if (InputRules.CheckRegion(result.GetValueOrDefault<string?>(), name) is { } error) result.AddError(error);
        });
        return option;
    }

    public static Option<string?> Url(string name, string service)
    {
        var option = new Option<string?>(name) { Description = $"{service} API base URL, instead of a region (e.g. a local sandbox).", HelpName = "url" };
        option.Validators.Add(result =>
        {
            if (InputRules.CheckUrl(result.GetValueOrDefault<string?>(), name) is { } error) result.AddError(error);
        });
        return option;
    }

    /// <summary>A region and an explicit URL say the same thing twice; refuse both at once.</summary>
    public static void AtMostOne(Command command, Option first, Option second) =>
        command.Validators.Add(result =>
        {
            if (result.GetResult(first) is not null && result.GetResult(second) is not null)
            {
                result.AddError($"{first.Name} and {second.Name} cannot be used together");
            }
        });

    /// <summary><c>--list keep|empty|delete</c>: what becomes of a list the sync leaves (<c>sync stop</c>, <c>sync update --follow-rename</c>).</summary>
    public static Option<ListOnStop> ListPolicy(string description) => new("--list")
    {
        Description = description,
        HelpName = "keep|empty|delete",
        DefaultValueFactory = _ => ListOnStop.Keep,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (Enum.TryParse<ListOnStop>(text, ignoreCase: true, out var parsed) && !int.TryParse(text, out _)) return parsed;
            result.AddError($"--list must be keep, empty or delete, not '{text}'");
            return ListOnStop.Keep;
        },
    };

    public static Option<bool> Wait() => new("--wait")
    {
        Description = "Wait for the run to finish and print its result; exit 4 if it did not succeed.",
    };

    public static Option<TimeSpan> Timeout()
    {
        var option = new Option<TimeSpan>("--timeout")
        {
            Description = "How long to wait, e.g. 90s, 10m, 2h (default 10m); exit 5 when it passes.",
            HelpName = "duration",
            DefaultValueFactory = _ => TimeSpan.FromMinutes(10),
        };
        option.CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (InputRules.TryParseDuration(text, out var duration)) return duration;
            result.AddError($"--timeout '{text}' is not a duration like 90s, 10m or 2h");
            return default;
        };
        return option;
    }

    /// <summary>
    /// <c>--cadence</c>, read by the silo's own parser, so a cadence is refused here exactly when the silo would refuse
    /// its form. Whether it is too short is the silo's to say (its minimum is configured there).
    /// </summary>
    public static Option<Cadence> Cadence()
    {
        var option = new Option<Cadence>("--cadence")
        {
            Description = "How often to run: once, hourly, daily, <N>m (every N minutes), realtime (follow the cohort webhook, reconcile daily) "
                + "or \"cron:<min> <hour> <day> <month> <weekday>\" (e.g. \"cron:0 6 * * 1-5\", in --tz).",
            Required = true,
            HelpName = "once|hourly|daily|<N>m|realtime|cron:<expr>",
        };
        option.CustomParser = result =>
        {
            if (Contracts.Cadence.TryParse(result.Tokens.Count > 0 ? result.Tokens[0].Value : null, out var cadence, out var error)) return cadence;
            result.AddError(error);
            return null;
        };
        return option;
    }

    public static Option<string?> TimeZone() => new("--tz")
    {
        Description = "The time zone of a cron cadence's times, an IANA id such as Europe/Berlin (default UTC); daylight saving is followed.",
        HelpName = "zone",
    };

    /// <summary>
    /// <c>--cadence</c> read with <c>--tz</c> by the same parser the silo calls: a zone that does not exist, or one
    /// given for a cadence that is not cron, is refused before anything is sent. Null with <paramref name="error"/> when refused.
    /// </summary>
    public static Cadence? InZone(Cadence? cadence, string? zone, out string error)
    {
        error = "";
        if (cadence is null || zone is null) return cadence;
        return Contracts.Cadence.TryParse(cadence.ToString(), zone, out var parsed, out error) ? parsed : null;
    }

    public static Option<RemovalGuard?> Guard()
    {
        var option = new Option<RemovalGuard?>("--guard")
        {
            Description = "Hold a run that would remove more than PCT % of the list and more than MIN members (default 20,1000), "
                + "or every member; 'off' holds nothing. A held run sends nothing until 'sync approve' or 'sync reject'.",
            HelpName = "off|PCT[,MIN]",
        };
        option.CustomParser = result =>
        {
            if (RemovalGuard.TryParse(result.Tokens.Count > 0 ? result.Tokens[0].Value : null, out var guard, out var error)) return guard;
            result.AddError(error);
            return null;
        };
        return option;
    }

    /// <summary><c>--reconcile-every</c>: parsed to an interval, or null for auto.</summary>
    public static Option<TimeSpan?> ReconcileEvery()
    {
        var option = new Option<TimeSpan?>("--reconcile-every")
        {
            Description = "For --cadence realtime: how often the whole cohort is downloaded to repair what webhooks missed. "
                + "'auto' (default) spreads the project's realtime syncs over 80% of the Amplitude download quota.",
            HelpName = "auto|daily|weekly|<N>d|<N>h",
        };
        option.CustomParser = result =>
        {
            if (Contracts.ReconcileEvery.TryParse(result.Tokens.Count > 0 ? result.Tokens[0].Value : null, out var every, out var error)) return every;
            result.AddError(error);
            return null;
        };
        return option;
    }

    /// <summary>Lower-case region, as the silo expects; null stays null.</summary>
    public static string? NormalizeRegion(string? region) => region?.ToLowerInvariant();
}
