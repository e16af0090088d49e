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
        configuration.AddCommandLine(args, SiloSettings.Sources.ToDictionary(s => s.Option, s => s.Key));
        return configuration;
    }
}
