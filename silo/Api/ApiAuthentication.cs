using System.Security.Claims;
using System.Text.Encodings.Web;
using CohortSync.Contracts;
using CohortSync.Grains.Projects;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CohortSync.Silo.Api;

/// <summary>
/// Bearer tokens from <c>cohortsync token create</c>, for the HTTP API, the Orleans dashboard and (optionally)
/// <c>/metrics</c>. The presented token is hashed here and checked by <see cref="IApiTokenGrain"/>; a missing, unknown
/// or revoked token answers 401, a read-only token on a write 403, both as problem details.
/// </summary>
public static class ApiAuthentication
{
    public const string Scheme = "CohortSyncToken";

    /// <summary>Any valid token.</summary>
    public const string ReadPolicy = "cohortsync.read";

    /// <summary>A token that is not read-only.</summary>
    public const string WritePolicy = "cohortsync.write";

    public const string AccessClaim = "cohortsync.access";

    public static WebApplicationBuilder AddCohortSyncApiAuthentication(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(Scheme, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ReadPolicy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser())
            .AddPolicy(WritePolicy, policy => policy.AddAuthenticationSchemes(Scheme).RequireClaim(AccessClaim, nameof(ApiTokenAccess.ReadWrite)));
        return builder;
    }

    /// <summary>The bearer token of a request, or null when it has none (or one no token could be).</summary>
    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var token = header[scheme.Length..].Trim();
        return token.Length is > 0 and <= 512 ? token : null;
    }
}

public sealed class ApiTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggers, UrlEncoder encoder, IGrainFactory grains)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ApiAuthentication.BearerToken(Request) is not { } token) return AuthenticateResult.NoResult();
        var access = await grains.GetGrain<IApiTokenGrain>(IApiTokenGrain.RegistryKey).CheckAsync(WebhookToken.Hash(token));
        if (access == ApiTokenAccess.None) return AuthenticateResult.Fail("unknown or revoked token");
        var identity = new ClaimsIdentity([new Claim(ApiAuthentication.AccessClaim, access.ToString())], ApiAuthentication.Scheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiAuthentication.Scheme));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return ApiProblems.WriteAsync(Context, StatusCodes.Status401Unauthorized, ApiProblems.Unauthorized,
            "The request has no valid API token; send 'Authorization: Bearer <token>' with a token from `cohortsync token create`.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiProblems.WriteAsync(Context, StatusCodes.Status403Forbidden, ApiProblems.Forbidden,
            "This token is read-only; use a token created without --read-only to change anything.");
}
