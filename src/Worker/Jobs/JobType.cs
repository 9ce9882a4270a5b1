using Microsoft.Extensions.DependencyInjection;

namespace Worker.Jobs;

/// <summary>
/// A kind of job the catalogue may name in "type": its parameters' shape and how to run it. Jobs are
/// small classes resolved per run; their parameters come from the catalogue file.
/// </summary>
public sealed record JobType(string Name, Type ParametersType, Func<IServiceProvider, object, CancellationToken, Task<JobSummary>> Run);

public static class JobTypeServiceCollectionExtensions
{
    /// <summary>Registers <typeparamref name="TJob"/> under <paramref name="name"/> for the catalogue's "type" field.</summary>
    public static IServiceCollection AddJobType<TJob, TParameters>(
        this IServiceCollection services, string name, Func<TJob, TParameters, CancellationToken, Task<JobSummary>> run)
        where TJob : class
        where TParameters : class
    {
        services.AddScoped<TJob>();
        services.AddSingleton(new JobType(name, typeof(TParameters),
            (provider, parameters, cancellationToken) => run(provider.GetRequiredService<TJob>(), (TParameters)parameters, cancellationToken)));
        return services;
    }
}
