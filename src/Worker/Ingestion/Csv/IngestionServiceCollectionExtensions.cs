using Microsoft.Extensions.DependencyInjection;
using Worker.Jobs;

namespace Worker.Ingestion.Csv;

public static class IngestionServiceCollectionExtensions
{
    public static IServiceCollection AddCsvIngestion(this IServiceCollection services)
    {
        services.AddOptions<ImportsOptions>().BindConfiguration(ImportsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CsvImporter>();
        services.AddSingleton<ImportBatches>();
        services.AddTransient<ImportJob>();
        services.AddTransient<ImportRerun>();
        services.AddJobType<InboxJob, InboxParameters>(InboxJob.TypeName, (job, p, ct) => job.RunAsync(p, ct));
        services.AddJobType<RecoverInterruptedImportsJob, RecoverInterruptedImportsParameters>(RecoverInterruptedImportsJob.TypeName, (job, p, ct) => job.RunAsync(p, ct));
        return services;
    }
}
