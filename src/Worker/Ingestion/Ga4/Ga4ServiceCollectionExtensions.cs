using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Worker.Jobs;

namespace Worker.Ingestion.Ga4;

public static class Ga4ServiceCollectionExtensions
{
    /// <summary>The GA4 Data API client, its retry pipeline and the sync job type.</summary>
    public static IServiceCollection AddGa4Ingestion(this IServiceCollection services)
    {
        services.AddOptions<Ga4Options>().BindConfiguration(Ga4Options.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IGa4Credentials, Ga4Credentials>();
        services.AddSingleton<IGa4DataClient, Ga4DataClient>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<Ga4SyncStore>();
        services.AddSingleton<Ga4SyncOverview>();
        services.AddHttpClient(Ga4DataClient.HttpClientName, (provider, client) =>
            {
                client.BaseAddress = provider.GetRequiredService<IOptions<Ga4Options>>().Value.BaseUrl;
                client.Timeout = Timeout.InfiniteTimeSpan; // the pipeline times each attempt
            })
            .AddResilienceHandler("ga4", (pipeline, context) => ConfigureRetries(pipeline, context.ServiceProvider.GetRequiredService<IOptions<Ga4Options>>().Value));
        services.AddJobType<Ga4SyncJob, Ga4SyncParameters>(Ga4SyncJob.TypeName, (job, p, ct) => job.RunAsync(p, ct));
        return services;
    }

    /// <summary>
    /// Outermost: 429 for an hourly or concurrent quota waits at least <see cref="Ga4Options.QuotaBackoff"/>
    /// (doubling, plus up to as much again of jitter; a longer Retry-After wins). Then 500/503/504 and
    /// connection failures: a few retries from <see cref="Ga4Options.ServerErrorBackoff"/>, with jitter.
    /// Innermost: a timeout per attempt. 400, 401, 403 and the daily quota's 429 are never retried here.
    /// </summary>
    internal static void ConfigureRetries(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, Ga4Options options)
    {
        pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            Name = "ga4-quota",
            MaxRetryAttempts = Math.Max(options.QuotaRetries, 1),
            ShouldHandle = async args => options.QuotaRetries > 0 && args.Outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests } response
                && !Ga4ApiException.IsDailyQuota(await ReadBufferedAsync(response, args.Context.CancellationToken)),
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Longer(
                Jittered(options.QuotaBackoff, args.AttemptNumber), args.Outcome.Result?.Headers.RetryAfter?.Delta)),
        });
        pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            Name = "ga4-server-errors",
            MaxRetryAttempts = Math.Max(options.ServerErrorRetries, 1),
            ShouldHandle = args => ValueTask.FromResult(options.ServerErrorRetries > 0 && args.Outcome switch
            {
                { Result.StatusCode: HttpStatusCode.InternalServerError or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout } => true,
                { Exception: HttpRequestException or Polly.Timeout.TimeoutRejectedException } => true,
                _ => false,
            }),
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Jittered(options.ServerErrorBackoff, args.AttemptNumber)),
        });
        pipeline.AddTimeout(options.RequestTimeout);
    }

    private static TimeSpan Jittered(TimeSpan first, int attempt) =>
        first * Math.Pow(2, attempt) + first * Random.Shared.NextDouble();

    private static TimeSpan Longer(TimeSpan a, TimeSpan? b) => b is { } x && x > a ? x : a;

    private static async Task<string> ReadBufferedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }
}
