using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CohortSync.Client.Cli;
using CohortSync.Client.Cluster;
using CohortSync.Client.Waiting;
using CohortSync.Contracts;
using CohortSync.Testing;

namespace CohortSync.Api.Tests;

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiWorld>
{
    public const string Name = "api";
}

/// <summary>
/// One world (in-process silo on SQLite, the sandbox) for the API tests, with a read-write and a read-only token made
/// by the registry grain. Tests use ids and token names of their own, so they do not step on each other.
/// </summary>
public sealed class ApiWorld : IAsyncLifetime
{
    public World World { get; private set; } = null!;
    public string WriteToken { get; private set; } = "";
    public string ReadToken { get; private set; } = "";
    public Uri BaseUrl => World.Silo.HttpBaseUrl;
    public IApiTokenGrain Tokens => World.Grains.GetGrain<IApiTokenGrain>(IApiTokenGrain.RegistryKey);

    public async Task InitializeAsync()
    {
        World = await World.StartAsync(StorageUnderTest.Sqlite);
        WriteToken = (await Tokens.CreateAsync("fixture-writer", readOnly: false)).Token;
        ReadToken = (await Tokens.CreateAsync("fixture-reader", readOnly: true)).Token;
    }

    public async Task DisposeAsync() => await World.DisposeAsync();

    /// <summary>A client on the silo's HTTP port that sends <paramref name="token"/> as its bearer token (none when null).</summary>
    public HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = BaseUrl };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Runs the <c>cohortsync</c> CLI in this process against the world's cluster.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> CliAsync(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var environment = new CliEnvironment(stdout, stderr, new StringReader(""), inputIsTerminal: false, _ => null);
        var cli = new CohortSyncCli(environment, new GrainFactoryConnector(World.Grains), new RunWaiter(TimeSpan.FromMilliseconds(10)));
        var exit = await cli.RunAsync(args);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A project of the test's own, enabled against the sandbox, with one destination; returns the destination id.</summary>
    public async Task<string> ProjectWithDestinationAsync(string projectId)
    {
        var url = World.Sandbox.BaseUrl.ToString();
        var project = World.Grains.GetGrain<IProjectGrain>(projectId);
        await project.EnableAsync(new EnableProjectRequest(World.AmplitudeKey, World.AmplitudeSecret, null, url));
        return (await project.AddDestinationAsync(new AddDestinationRequest("sandbox", World.IterableKey, null, null, url))).DestinationId;
    }

    public ICohortSyncGrain Sync(string projectId, string syncId) => World.Sync(projectId, syncId);
}

public static class Http
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, int status = 200)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, expected {status}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts an RFC 9457 problem with the given status and code, and returns its detail.</summary>
    public static async Task<string> ProblemAsync(this HttpResponseMessage response, int status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, expected {status}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.DoesNotContain('\n', detail);
        return detail;
    }

    public static Task<HttpResponseMessage> PostAsync(this HttpClient client, string path, object? body = null) =>
        client.PostAsJsonAsync(path, body ?? new { });
}
