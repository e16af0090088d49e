namespace CohortSync.Silo;

public static class SiloConfiguration
{
    /// <summary>Adds the COHORTSYNC_* environment variables and the documented options on top of the host's configuration.</summary>
    public static IConfigurationBuilder AddCohortSyncSources(this IConfigurationBuilder configuration, string[] args)
    {
        var fromEnvironment = new Dictionary<string, string?>();
        foreach (var (_, variable, key) in SiloSettings.Sources)
        {
            var value = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrEmpty(value)) fromEnvironment[key] = value;
        }
        var secret = Environment.GetEnvironmentVariable(SiloSettings.SecretKeyEnvironment);
        if (!string.IsNullOrEmpty(secret)) fromEnvironment[SiloSettings.SecretKeyEnvironment] = secret;
        configuration.AddInMemoryCollection(fromEnvironment);
        configuration.AddCommandLine(WithFlagValues(args), SiloSettings.Sources.ToDictionary(s => s.Option, s => s.Key));
        return configuration;
    }

    /// <summary>Options that are switches on their own (<c>--kubernetes</c>) get the value the configuration reader expects.</summary>
    private static string[] WithFlagValues(string[] args)
    {
        var result = new List<string>(args.Length + 1);
        for (var i = 0; i < args.Length; i++)
        {
            result.Add(args[i]);
            var followedByValue = i + 1 < args.Length && bool.TryParse(args[i + 1], out _);
            if (Flags.Contains(args[i]) && !followedByValue) result.Add("true");
        }
        return [.. result];
    }

    private static readonly HashSet<string> Flags = ["--kubernetes"];
}
