using System.Net.Http.Json;
using System.Text.Json;

namespace CohortSync.Api.Tests;

/// <summary>The OpenAPI document is generated from the routes: every path it lists answers with a status it documents.</summary>
[Collection(ApiCollection.Name)]
public sealed class OpenApiDocumentTests(ApiWorld world)
{
    [Fact]
    public async Task Every_documented_operation_answers_with_a_documented_status()
    {
        var destinationId = await world.ProjectWithDestinationAsync("doc-1");
        world.World.SetCohort("coh-doc", "Doc cohort", ["doc-user-1", "doc-user-2"]);
        var syncId = (await world.World.Grains.GetGrain<Contracts.IProjectGrain>("doc-1")
            .StartSyncAsync(new Contracts.StartSyncRequest("coh-doc", destinationId, "hourly"))).SyncId;
        await world.World.WaitForRunAsync("doc-1", syncId, 1);

        using var anonymous = world.Client(null);
        await (await anonymous.GetAsync("/api/v1/openapi.json")).ProblemAsync(401, "unauthorized");
        using var reader = world.Client(world.ReadToken);
        var document = JsonDocument.Parse(await reader.GetStringAsync("/api/v1/openapi.json")).RootElement;
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());

        using var api = world.Client(world.WriteToken);
        var operations = 0;
        // Deletes last: the others still need the destination.
        foreach (var (path, method, operation) in Operations(document).OrderBy(o => o.Method == "delete"))
        {
            var url = path.Replace("{projectId}", "doc-1").Replace("{destinationId}", destinationId).Replace("{syncId}", syncId);
            using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url);
            if (operation.TryGetProperty("requestBody", out _)) request.Content = JsonContent.Create(new { });
            using var answer = await api.SendAsync(request);
            var status = ((int)answer.StatusCode).ToString();
            var documented = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
            Assert.True(documented.Contains(status), $"{method.ToUpperInvariant()} {path} answered {status}, documented: {string.Join(", ", documented)}: {await answer.Content.ReadAsStringAsync()}");
            Assert.NotEqual("405", status);
            if (status == "404")
                Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            Assert.Contains("401", documented);
            operations++;
        }
        // Every CLI verb that the API carries (project 5, destination 5, sync 17 with the chunked upload's two) and the token's access.
        Assert.Equal(28, operations);
    }

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject()
                .Where(o => o.Name is "get" or "post" or "put" or "delete" or "patch")
                .Select(o => (path.Name, o.Name, o.Value)))
            .ToList();
}
