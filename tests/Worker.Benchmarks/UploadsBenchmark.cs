using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Worker.Database;
using Worker.Tests.Hosting;

namespace Worker.Benchmarks;

/// <summary>
/// Ten distinct 100,000-row digital_channels files uploaded at once over real HTTP on loopback to a
/// running worker process (bearer token of the seeded marketing user), against the baseline of the
/// same ten uploads one after another, in the same run. Each phase has a fresh worker process, so its
/// peak memory (VmHWM) is its own. Every batch must end loaded with exact counts, and the rows read back
/// per file (count and sum) must be exact.
/// </summary>
internal static class UploadsBenchmark
{
    private const int Files = 10;
    private const int Rows = 100_000;
    private const string JwtSecret = "benchmark-jwt-secret-that-is-long-enough-for-hs256-0123456789";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(20);

    public static async Task RunAsync(BenchmarkDatabase database)
    {
        await new Migrator(database.DataSource, new SupabaseProject(Path.Combine(Worker.Hosting.ContentRoot.Locate(), "supabase")), NullLogger<Migrator>.Instance).MigrateAsync(seed: true);
        var files = Enumerable.Range(0, Files).Select(Generate).ToList();
        Console.WriteLine($"{Files} files of {Rows:N0} rows ({files[0].Length / 1048576.0:F1} MiB each), POST /api/imports/digital_channels (text/csv), then polled until loaded.");
        Console.WriteLine("| uploads | wall time (first POST to last loaded) | worker peak memory (VmHWM) | worker memory when ready (VmRSS) | per upload: 202 after (median / max) | per upload: loaded after (median / max) | all exact |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var concurrent in new[] { false, true })
        {
            await using (var connection = await database.DataSource.OpenConnectionAsync())
            {
                // Each phase starts from the same table: the previous phase's rows deleted and vacuumed away
                // (dead index entries would slow the next phase's inserts).
                await connection.ExecuteAsync("delete from digital_channels where channel_name like 'Load%'", commandTimeout: 0);
                await connection.ExecuteAsync("vacuum analyze digital_channels", commandTimeout: 0);
            }

            // No catalogue jobs: the imports are the only work (10 uploads by one person, so the per-person limit is raised to 10).
            var noJobs = Directory.CreateTempSubdirectory("bench-no-jobs-").FullName;
            var url = $"http://127.0.0.1:{WorkerProcess.FreePort()}";
            await using var worker = WorkerProcess.Start(database.ConnectionString, new Dictionary<string, string>
            {
                ["Auth__JwtSecret"] = JwtSecret,
                ["Imports__MaxConcurrentUploadsPerUser"] = Files.ToString(CultureInfo.InvariantCulture),
                ["Hangfire__CatalogueDirectory"] = noJobs,
            }, "--urls", url);
            await worker.WaitForOutputAsync("Application started", TimeSpan.FromMinutes(2));
            var ready = Memory(worker.Id, "VmRSS");
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = Timeout };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token());

            var clock = Stopwatch.StartNew();
            var uploads = new List<(double Accepted, double Loaded)>();
            if (concurrent)
            {
                uploads.AddRange(await Task.WhenAll(files.Select((f, k) => UploadAsync(http, f, k, clock))));
            }
            else
            {
                for (var k = 0; k < Files; k++)
                {
                    uploads.Add(await UploadAsync(http, files[k], k, clock));
                }
            }

            var wall = clock.Elapsed;
            var peak = Memory(worker.Id, "VmHWM");
            var exact = await CheckAsync(database);
            var accepted = uploads.Select(u => u.Accepted).Order().ToList();
            var loaded = uploads.Select(u => u.Loaded).Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {(concurrent ? "10 at once" : "10 one after another (baseline)")} | {wall.TotalSeconds:F1} s | {peak / 1024.0:F0} MiB | {ready / 1024.0:F0} MiB | {accepted[Files / 2]:F1} s / {accepted[^1]:F1} s | {loaded[Files / 2]:F1} s / {loaded[^1]:F1} s | {(exact ? "yes" : "NO")} |"));
            worker.SendTerminate();
            await worker.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Directory.Delete(noJobs);
        }
    }

    /// <summary>File k: 100 days × 1,000 channels "Load k c", sessions i + k (so each file's sum is known).</summary>
    private static byte[] Generate(int k)
    {
        var text = new StringBuilder("Date,Channel,Sessions\n", Rows * 32);
        for (var i = 0; i < Rows; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{new DateOnly(2040, 1, 1).AddDays(i / 1000):yyyy-MM-dd},Load{k} {i % 1000},{i + k}\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Posts one file; the seconds from its POST until the 202 and until its batch is loaded.</summary>
    private static async Task<(double Accepted, double Loaded)> UploadAsync(HttpClient http, byte[] file, int k, Stopwatch clock)
    {
        var started = clock.Elapsed;
        using var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await http.PostAsync($"/api/imports/digital_channels?fileName=load-{k}.csv", content);
        if (response.StatusCode != System.Net.HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"load-{k}.csv: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var accepted = clock.Elapsed - started;
        var location = response.Headers.Location!.OriginalString;
        while (true)
        {
            var batch = JsonDocument.Parse(await http.GetStringAsync(location)).RootElement;
            var status = batch.GetProperty("status").GetString();
            if (status is not ("queued" or "running"))
            {
                if (status != "loaded" || batch.GetProperty("inserted").GetInt64() != Rows)
                {
                    throw new InvalidOperationException($"load-{k}.csv ended {status}: {batch}");
                }

                return (accepted.TotalSeconds, (clock.Elapsed - started).TotalSeconds);
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Each file's rows read back: exactly 100,000, their sessions summing to Σi + 100,000·k.</summary>
    private static async Task<bool> CheckAsync(BenchmarkDatabase database)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var perFile = (await connection.QueryAsync<(string File, long Count, long Sum)>("""
            select split_part(channel_name, ' ', 1), count(*), sum(visits)::bigint from digital_channels
            where channel_name like 'Load%' group by 1
            """, commandTimeout: 0)).ToDictionary(r => r.File);
        return Enumerable.Range(0, Files).All(k => perFile.TryGetValue($"Load{k}", out var r)
            && r.Count == Rows && r.Sum == (long)Rows * (Rows - 1) / 2 + (long)Rows * k);
    }

    /// <summary>A field of /proc/&lt;pid&gt;/status, in KiB.</summary>
    private static long Memory(int pid, string field) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    /// <summary>A Supabase-shaped access token (HS256, aud authenticated) of the seeded marketing user.</summary>
    private static string Token() => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Subject = new ClaimsIdentity([new Claim("sub", SeedId("user:marketing").ToString()), new Claim("role", "authenticated")]),
        Audience = "authenticated",
        Expires = DateTime.UtcNow.AddHours(2),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(JwtSecret)), SecurityAlgorithms.HmacSha256),
    });

    /// <summary>The seed's ids: md5('user:&lt;name&gt;') read as a uuid.</summary>
    private static Guid SeedId(string key) =>
        new(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(key))).Insert(20, "-").Insert(16, "-").Insert(12, "-").Insert(8, "-"));
}
