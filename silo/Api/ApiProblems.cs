using CohortSync.Contracts;

namespace CohortSync.Silo.Api;

/// <summary>
/// Errors of the HTTP API as RFC 9457 problem details (<c>application/problem+json</c>). <c>code</c> carries the same
/// error code as the CLI's <c>--json</c> errors (<see cref="ErrorCodes"/>), <c>detail</c> the one-line message.
/// </summary>
public static class ApiProblems
{
    public const string ContentType = "application/problem+json";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string ClusterFailed = "cluster_failed";

    /// <summary>The HTTP status a refusal of the cluster answers with.</summary>
    public static int StatusFor(string code) => code switch
    {
        ErrorCodes.InvalidArgument => StatusCodes.Status400BadRequest,
        ErrorCodes.UnknownProject or ErrorCodes.UnknownDestination or ErrorCodes.UnknownSync
            or ErrorCodes.UnknownCohort or ErrorCodes.UnknownApiToken => StatusCodes.Status404NotFound,
        ErrorCodes.Unreachable or ErrorCodes.IterableUnreachable => StatusCodes.Status502BadGateway,
        _ => StatusCodes.Status409Conflict,
    };

    public static IResult Result(int status, string code, string detail) =>
        Results.Json(Document(status, code, detail), statusCode: status, contentType: ContentType);

    public static IResult Invalid(string detail) => Result(StatusCodes.Status400BadRequest, ErrorCodes.InvalidArgument, detail);

    public static Task WriteAsync(HttpContext http, int status, string code, string detail)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(Document(status, code, detail), (System.Text.Json.JsonSerializerOptions?)null, ContentType, http.RequestAborted);
    }

    private static ProblemDocument Document(int status, string code, string detail) =>
        new($"https://cohortsync.dev/problems/{code}", Title(status), status, detail, code);

    private static string Title(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        409 => "Conflict",
        502 => "Bad gateway",
        503 => "Service unavailable",
        _ => "Error",
    };

    /// <summary>RFC 9457 members plus <c>code</c>.</summary>
    public sealed record ProblemDocument(string Type, string Title, int Status, string Detail, string Code);
}
