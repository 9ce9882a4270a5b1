using Serilog;
using Worker.Database;
using Worker.Hosting;
using Worker.Jobs;
using Worker.Web;

var command = CommandLine.Parse(args);
if (command.Validate() is { } problem)
{
    await Console.Error.WriteLineAsync(problem + Environment.NewLine + Environment.NewLine + CommandLine.Usage);
    return 2;
}

var contentRoot = ContentRoot.Locate();
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = command.HostArguments, ContentRootPath = contentRoot });
builder.AddWorkerLogging();
builder.UseDevelopmentPortUnlessConfigured();

try
{
    using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
    await using var database = await DatabaseEndpoint.ResolveAsync(
        builder.Configuration, contentRoot, new Serilog.Extensions.Logging.SerilogLoggerFactory(Log.Logger).CreateLogger("Database"), startup.Token);
    Log.Information("Database {Database}", database.Description);

    builder.Services.AddWorkerDatabase(database, contentRoot);
    builder.Services.AddWorkerJobs(database, contentRoot);
    builder.Services.AddWorkerWeb(builder.Configuration, builder.Environment);

    await using var app = builder.Build();
    switch (command.Command)
    {
        case CommandLine.Migrate:
            return await WorkerCommands.MigrateAsync(app.Services, command.HasFlag("--seed"));
        case CommandLine.Jobs:
            return WorkerCommands.ListJobs(app.Services);
        case CommandLine.Run:
            return await WorkerCommands.RunJobAsync(app.Services, command.Arguments[0]);
        case CommandLine.Import:
            return await WorkerCommands.ImportAsync(app.Services, command);
        case CommandLine.ImportRerun:
            return await WorkerCommands.RerunImportAsync(app.Services, command.Arguments[0]);
    }

    var seedOnStart = builder.Configuration.GetValue<bool?>("Database:SeedOnStart") ?? app.Environment.IsDevelopment();
    var startupReport = await app.Services.GetRequiredService<Migrator>().MigrateAsync(seedOnStart, startup.Token);
    Log.Information("Migrated: {Applied} script(s) applied{Seeded}", startupReport.Applied.Count, seedOnStart ? ", seed loaded" : "");
    app.Services.GetRequiredService<CatalogueScheduler>().Synchronise();
    await Worker.Kpi.KpiFirstRun.QueueIfNoSnapshotAsync(app.Services, startup.Token);

    app.MapWorkerHealthEndpoints();
    app.MapWorkerWeb();

    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is MigrationException or JobCatalogueException or JobInputException)
{
    // Said once: a command's user reads the plain message; the host's log (on stderr too) has it.
    if (command.Command == CommandLine.Host)
    {
        Log.Error("{Message}", ex.Message);
    }
    else
    {
        await Console.Error.WriteLineAsync(ex.Message);
    }

    return 1;
}
catch (Exception ex) when (ex is InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException or System.ComponentModel.DataAnnotations.ValidationException)
{
    if (command.Command == CommandLine.Host)
    {
        Log.Fatal(ex, "The worker could not start");
    }
    else
    {
        await Console.Error.WriteLineAsync(ex.Message);
    }

    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
