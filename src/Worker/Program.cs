using Serilog;
using Worker.Database;
using Worker.Hosting;

var command = CommandLine.Parse(args);
if (command.Validate() is { } problem)
{
    await Console.Error.WriteLineAsync(problem + Environment.NewLine + Environment.NewLine + CommandLine.Usage);
    return 2;
}

var contentRoot = ContentRoot.Locate();
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = command.HostArguments, ContentRootPath = contentRoot });
builder.AddWorkerLogging();

try
{
    using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
    await using var database = await DatabaseEndpoint.ResolveAsync(
        builder.Configuration, contentRoot, new Serilog.Extensions.Logging.SerilogLoggerFactory(Log.Logger).CreateLogger("Database"), startup.Token);
    Log.Information("Database {Database}", database.Description);

    builder.Services.AddWorkerDatabase(database, contentRoot);

    await using var app = builder.Build();
    app.MapWorkerHealthEndpoints();

    var migrator = app.Services.GetRequiredService<Migrator>();
    if (command.Command == CommandLine.Migrate)
    {
        var report = await migrator.MigrateAsync(seed: command.HasFlag("--seed"));
        foreach (var line in report.Applied.Select(a => "applied " + a).Concat(report.Notes))
        {
            Console.WriteLine(line);
        }

        return 0;
    }

    var seedOnStart = builder.Configuration.GetValue<bool?>("Database:SeedOnStart") ?? app.Environment.IsDevelopment();
    var startupReport = await migrator.MigrateAsync(seedOnStart, startup.Token);
    Log.Information("Migrated: {Applied} script(s) applied{Seeded}", startupReport.Applied.Count, seedOnStart ? ", seed loaded" : "");

    await app.RunAsync();
    return 0;
}
catch (MigrationException ex)
{
    Log.Error("Migration failed: {Message}", ex.Message);
    await Console.Error.WriteLineAsync(ex.Message);
    return 1;
}
catch (Exception ex) when (ex is InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException or System.ComponentModel.DataAnnotations.ValidationException)
{
    Log.Fatal(ex, "The worker could not start");
    await Console.Error.WriteLineAsync(ex.Message);
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
