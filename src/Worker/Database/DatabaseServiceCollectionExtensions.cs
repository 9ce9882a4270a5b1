using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Worker.Security;

namespace Worker.Database;

public static class DatabaseServiceCollectionExtensions
{
    /// <summary>One NpgsqlDataSource for the whole process, the supabase/ folder and the migrator.</summary>
    public static IServiceCollection AddWorkerDatabase(this IServiceCollection services, DatabaseEndpoint endpoint, string contentRoot)
    {
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(endpoint);
        services.AddSingleton(provider => NpgsqlDataSource.Create(
            DatabasePool.Sized(endpoint.ConnectionString, provider.GetRequiredService<IOptions<DatabaseOptions>>().Value.MaxPoolSize)));
        services.AddSingleton(new SupabaseProject(Path.Combine(contentRoot, "supabase")));
        services.AddSingleton<Migrator>();
        services.AddSingleton<UserPermissions>();
        services.AddHealthChecks().AddCheck<DatabaseReadyCheck>("database", tags: ["ready"]);
        return services;
    }
}
