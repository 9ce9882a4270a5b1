using System.Text;
using Hangfire;
using Hangfire.Dashboard;
using Worker.Ingestion.Csv;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Worker.Web;

public static class WebServiceCollectionExtensions
{
    private const string CookieOrBearer = "CookieOrBearer";

    /// <summary>Sign-in cookie, Supabase bearer tokens, permission-based policies, antiforgery.</summary>
    public static IServiceCollection AddWorkerWeb(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var auth = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();

        services.AddMemoryCache();
        services.AddSingleton<StaffDirectory>();
        services.AddSingleton<StaffSessions>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<EtlOverview>();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<WorkerPages>();
        // Pages are Razor components rendered from minimal APIs (RazorComponentResult); errors for
        // scripts and API clients are problem JSON.
        services.AddRazorComponents();
        services.AddProblemDetails();
        services.AddUploadLimits();
        services.AddScoped<IClaimsTransformation, PermissionClaims>();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "worker.antiforgery";
            o.Cookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        });

        var authentication = services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieOrBearer;
                o.DefaultChallengeScheme = CookieOrBearer;
            })
            .AddPolicyScheme(CookieOrBearer, "Sign-in cookie, or a Supabase access token", o => o.ForwardDefaultSelector = http =>
                auth.JwtSecret.Length > 0 && http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = "worker.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
                o.ExpireTimeSpan = TimeSpan.FromHours(auth.SessionHours);
                o.SlidingExpiration = true;
                o.Events.OnValidatePrincipal = StaffSessions.ValidateCookieAsync;
                o.LoginPath = "/signin";
                o.ReturnUrlParameter = "returnUrl";
                // A browser opening a page is sent to sign in; scripts and API clients get a status code.
                o.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            });

        if (auth.JwtSecret.Length > 0)
        {
            authentication.AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.Events = new JwtBearerEvents { OnTokenValidated = StaffSessions.ValidateTokenAsync };
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(auth.JwtSecret)),
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ValidAudience = "authenticated",
                    ValidIssuer = auth.JwtIssuer,
                    ValidateIssuer = auth.JwtIssuer.Length > 0,
                    NameClaimType = "email",
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
            });
        }

        services.AddAuthorizationBuilder()
            .AddPolicy(Permissions.ViewJobsPolicy, p => p.RequireAuthenticatedUser()
                .RequireClaim(Permissions.ClaimType, Permissions.ViewJobRuns, Permissions.ActOnJobRuns))
            .AddPolicy(Permissions.ActOnJobsPolicy, p => p.RequireAuthenticatedUser()
                .RequireClaim(Permissions.ClaimType, Permissions.ActOnJobRuns))
            .AddPolicy(Permissions.UploadPolicy, p => p.RequireAuthenticatedUser()
                .RequireClaim(Permissions.ClaimType, Permissions.UploadMarketingData))
            .AddPolicy(Permissions.ViewImportsPolicy, p => p.RequireAuthenticatedUser()
                .RequireClaim(Permissions.ClaimType, Permissions.UploadMarketingData, Permissions.ViewJobRuns, Permissions.ActOnJobRuns));
        return services;
    }

    /// <summary>Sign-in pages, the dashboard behind the permissions, in the right middleware order.</summary>
    public static WebApplication MapWorkerWeb(this WebApplication app)
    {
        app.UseWorkerErrorPages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();
        app.MapSignIn();
        app.MapWorkerPages();
        app.MapImports();
        Worker.Digest.DigestEndpoints.MapDigest(app);
        Worker.Kpi.KpiEndpoints.MapKpis(app);
        EtlPage.Register();
        DashboardIntegration.Register();
        app.MapRecurringTrigger("/hangfire");
        app.MapHangfireDashboardWithAuthorizationPolicy(Permissions.ViewJobsPolicy, "/hangfire", new DashboardOptions
        {
            // Access is the policy's business; Hangfire's default filter would admit local requests only.
            Authorization = [],
            IsReadOnlyFunc = context => !context.GetHttpContext().User.HasClaim(Permissions.ClaimType, Permissions.ActOnJobRuns),
            DisplayStorageConnectionString = false,
            DashboardTitle = "ETL and KPI worker",
            AppPath = null,
        });
        return app;
    }

    private static Task RedirectOrStatus(RedirectContext<CookieAuthenticationOptions> context, int statusCode)
    {
        var request = context.Request;
        var wantsPage = HttpMethods.IsGet(request.Method)
            && !request.Path.StartsWithSegments("/api")
            && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
            && request.Headers.XRequestedWith != "XMLHttpRequest";
        if (wantsPage)
        {
            context.Response.Redirect(context.RedirectUri);
        }
        else
        {
            context.Response.StatusCode = statusCode;
        }

        return Task.CompletedTask;
    }
}
