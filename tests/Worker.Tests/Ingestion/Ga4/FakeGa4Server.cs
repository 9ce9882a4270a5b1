using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Worker.Tests.Ingestion.Ga4;

/// <summary>One GA4 property of the fake: its time zone, its (deterministic) data, revisions and quotas.</summary>
public sealed class FakeGa4Property(string id, string timeZone)
{
    public string Id { get; } = id;

    public string TimeZone { get; set; } = timeZone;

    public IReadOnlyList<string> Channels { get; set; } = ["Direct", "Email", "Organic Search", "Paid Search", "Referral"];

    /// <summary>The first day with data; earlier days have no rows.</summary>
    public DateOnly DataFrom { get; set; } = new(2000, 1, 1);

    /// <summary>GA4's answer without cost access: zeros and a schema restriction in the metadata.</summary>
    public bool CostRestricted { get; set; }

    public bool SubjectToThresholding { get; set; }

    /// <summary>The service account may not read this property (403).</summary>
    public bool Denied { get; set; }

    public int TokensPerRequest { get; set; } = 10;

    public long TokensPerDayRemaining { get; set; } = 200_000;

    public long TokensPerHourRemaining { get; set; } = 40_000;

    /// <summary>Revisions GA4 made since: (day, dimension value or "", metric) → factor on the original value.</summary>
    public ConcurrentDictionary<(DateOnly Day, string Dimension, string Metric), decimal> Revisions { get; } = new();

    public void Revise(DateOnly day, string metric, decimal factor, string dimension = "") => Revisions[(day, dimension, metric)] = factor;

    /// <summary>The value GA4 reports now (as the API's string).</summary>
    public string Value(DateOnly day, string dimension, string metric)
    {
        var h = (long)(uint)StableHash($"{Id}|{day:yyyyMMdd}|{dimension}|{(metric.StartsWith("keyEvents:", StringComparison.Ordinal) ? "lead" : metric)}");
        var sessions = 100 + (StableHash($"{Id}|{day:yyyyMMdd}|{dimension}|sessions") & 0x3ff);
        decimal value = metric switch
        {
            "sessions" => sessions,
            "screenPageViews" => sessions * 3 + h % 50,
            "totalUsers" or "activeUsers" => sessions * 7 / 10,
            "bounceRate" => 0.2m + h % 5000 / 10000m,
            "averageSessionDuration" => 30 + h % 300 + 0.25m,
            "keyEvents" => h % 20 + (h % 4 == 0 ? 0.5m : 0m),
            "advertiserAdCost" => CostRestricted || !dimension.StartsWith("Paid", StringComparison.Ordinal) ? 0m : 50 + h % 1000 + 0.37m,
            _ when metric.StartsWith("keyEvents:", StringComparison.Ordinal) => h % 10,
            _ => 0m,
        };
        if (Revisions.TryGetValue((day, dimension, metric), out var factor))
        {
            value = metric is "bounceRate" or "averageSessionDuration" or "advertiserAdCost" ? Math.Round(value * factor, 4) : Math.Round(value * factor);
        }

        // GA4 writes integers of some metrics as "12.0".
        return metric == "keyEvents" && value == Math.Floor(value) ? value.ToString("0.0", CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);
    }

    private static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash & 0x7fffffff);
    }
}

/// <summary>Something the fake does instead of (or to) one report call.</summary>
public sealed record FakeFault(int Status, string StatusName, string Message)
{
    public static readonly FakeFault AbortMidBody = new(0, "ABORT", "connection dropped mid-body");

    /// <summary>The page reports a row count one higher than the real one (GA4 still processing).</summary>
    public static readonly FakeFault RowCountMoves = new(0, "ROWCOUNT", "row count moved");

    public static FakeFault InvalidArgument(string message = "Field bogusMetric is not a valid metric. For a list of valid dimensions and metrics, see https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema") =>
        new(400, "INVALID_ARGUMENT", message);

    public static readonly FakeFault DailyQuota = new(429, "RESOURCE_EXHAUSTED", "Exhausted property tokens per day.");

    public static readonly FakeFault HourlyQuota = new(429, "RESOURCE_EXHAUSTED", "Exhausted property tokens for a project per hour.");

    public static readonly FakeFault Concurrent = new(429, "RESOURCE_EXHAUSTED", "Exhausted concurrent requests quota.");

    public static readonly FakeFault Unavailable = new(503, "UNAVAILABLE", "The service is currently unavailable.");

    public static readonly FakeFault Internal = new(500, "INTERNAL", "Internal error encountered.");
}

/// <summary>One report call the fake answered (a batch call records each of its requests).</summary>
public sealed record FakeCall(int Number, string PropertyId, string Method, long Offset, long Limit, string StartDate, string EndDate, string[] Dimensions, int RowsSent);

/// <summary>
/// A GA4 Data API v1beta and Google OAuth token endpoint on loopback (Kestrel on 127.0.0.1, a free
/// port), written from the documented protocol: the JWT bearer grant signed with a service-account key,
/// runReport and batchRunReports with limit/offset paging, rowCount (and no offset field), metadata,
/// property quotas, the error bodies, revisions between runs and property time zones.
/// </summary>
public sealed class FakeGa4Server : IAsyncDisposable
{
    private static readonly HashSet<string> KnownDimensions = ["date", "sessionDefaultChannelGroup", "firstUserDefaultChannelGroup", "defaultChannelGroup"];
    private static readonly HashSet<string> KnownMetrics = ["sessions", "screenPageViews", "totalUsers", "activeUsers", "bounceRate", "averageSessionDuration", "keyEvents", "advertiserAdCost"];

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, RSA> _keys = new();
    private readonly ConcurrentDictionary<string, bool> _tokens = new();
    private readonly ConcurrentQueue<FakeFault> _nextFaults = new();
    private readonly ConcurrentDictionary<int, FakeFault> _faultsAt = new();
    private readonly ConcurrentQueue<FakeCall> _calls = new();
    private int _callNumber;
    private int _tokensIssued;

    private FakeGa4Server(WebApplication app, TimeProvider clock)
    {
        _app = app;
        Clock = clock;
    }

    public ConcurrentDictionary<string, FakeGa4Property> Properties { get; } = new();

    public TimeProvider Clock { get; set; }

    public Uri BaseUrl { get; private set; } = null!;

    public string TokenUri => new Uri(BaseUrl, "token").ToString();

    public int TokensIssued => _tokensIssued;

    public IReadOnlyList<FakeCall> Calls => [.. _calls];

    /// <summary>Runs before each report call is answered (after faults are decided); a test may cancel its job here.</summary>
    public Action<int>? BeforeAnswer { get; set; }

    public FakeGa4Property AddProperty(string id, string timeZone = "Pacific/Auckland")
    {
        var property = new FakeGa4Property(id, timeZone);
        Properties[id] = property;
        return property;
    }

    /// <summary>The next report calls fail this way, one fault each.</summary>
    public void FailNext(params FakeFault[] faults)
    {
        foreach (var fault in faults)
        {
            _nextFaults.Enqueue(fault);
        }
    }

    /// <summary>Report call number <paramref name="callNumber"/> (1-based, counted from now on) fails this way.</summary>
    public void FailAt(int callNumber, FakeFault fault) => _faultsAt[_callNumber + callNumber] = fault;

    /// <summary>Every token is refused, also new ones (a key disabled in IAM).</summary>
    public bool RejectTokens { get; set; }

    /// <summary>Every access token issued so far stops working (401), as when a key is rotated.</summary>
    public void RevokeTokens()
    {
        foreach (var token in _tokens.Keys)
        {
            _tokens[token] = false;
        }
    }

    /// <summary>
    /// Writes a service-account key file (a fresh RSA key, token_uri pointing at this fake) and registers
    /// its public key with the token endpoint.
    /// </summary>
    public string WriteServiceAccountKey(string directory, string email = "ga4-sync@worker-tests.iam.gserviceaccount.com")
    {
        var rsa = RSA.Create(2048);
        _keys[email] = rsa;
        var path = Path.Combine(directory, "ga4-key.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = "worker-tests",
            ["private_key_id"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20)),
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem() + "\n",
            ["client_email"] = email,
            ["client_id"] = "100000000000000000001",
            ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
            ["token_uri"] = TokenUri,
        }));
        return path;
    }

    public static async Task<FakeGa4Server> StartAsync(TimeProvider? clock = null, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeGa4Server(app, clock ?? TimeProvider.System);
        app.MapPost("/token", server.TokenAsync);
        app.MapPost("/v1beta/{**rest}", server.ReportAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task TokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" || form["assertion"].ToString() is not { Length: > 0 } assertion)
        {
            await OAuthErrorAsync(context, "unsupported_grant_type", "Invalid grant_type.");
            return;
        }

        var parts = assertion.Split('.');
        if (parts.Length != 3)
        {
            await OAuthErrorAsync(context, "invalid_grant", "Invalid JWT.");
            return;
        }

        using var header = JsonDocument.Parse(Base64Url(parts[0]));
        using var claims = JsonDocument.Parse(Base64Url(parts[1]));
        var iss = claims.RootElement.GetProperty("iss").GetString() ?? "";
        var now = Clock.GetUtcNow().ToUnixTimeSeconds();
        if (header.RootElement.GetProperty("alg").GetString() != "RS256" || !_keys.TryGetValue(iss, out var key)
            || !key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            await OAuthErrorAsync(context, "invalid_grant", "Invalid JWT Signature.");
            return;
        }

        // Google.Apis.Auth signs for Google's token endpoint as audience, whichever token_uri it posts to.
        if (claims.RootElement.GetProperty("aud").GetString() is not ("https://oauth2.googleapis.com/token" or "https://www.googleapis.com/oauth2/v4/token") && claims.RootElement.GetProperty("aud").GetString() != TokenUri
            || !(claims.RootElement.GetProperty("scope").GetString() ?? "").Split(' ').Contains("https://www.googleapis.com/auth/analytics.readonly")
            || claims.RootElement.GetProperty("exp").GetInt64() < now - 300)
        {
            await OAuthErrorAsync(context, "invalid_grant", "Invalid JWT: audience, scope or expiry: " + claims.RootElement.GetRawText());
            return;
        }

        var token = "ya29.fake-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _tokens[token] = true;
        Interlocked.Increment(ref _tokensIssued);
        await context.Response.WriteAsJsonAsync(new Dictionary<string, object> { ["access_token"] = token, ["expires_in"] = 3599, ["token_type"] = "Bearer" });
    }

    private static async Task OAuthErrorAsync(HttpContext context, string error, string description)
    {
        context.Response.StatusCode = 400;
        await context.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description });
    }

    private async Task ReportAsync(HttpContext context, string rest)
    {
        var match = Regex.Match(rest, "^properties/([0-9]+):(runReport|batchRunReports)$");
        if (!match.Success)
        {
            await ErrorAsync(context, 404, "NOT_FOUND", $"Method not found: {rest}.");
            return;
        }

        var auth = context.Request.Headers.Authorization.ToString();
        if (!auth.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.TryGetValue(auth["Bearer ".Length..], out var valid) || !valid || RejectTokens)
        {
            await ErrorAsync(context, 401, "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.");
            return;
        }

        var number = Interlocked.Increment(ref _callNumber);
        var fault = _faultsAt.TryRemove(number, out var scheduled) ? scheduled : _nextFaults.TryDequeue(out var next) ? next : null;
        BeforeAnswer?.Invoke(number);
        if (fault is { Status: > 0 })
        {
            await ErrorAsync(context, fault.Status, fault.StatusName, fault.Message);
            return;
        }

        var propertyId = match.Groups[1].Value;
        if (!Properties.TryGetValue(propertyId, out var property) || property.Denied)
        {
            await ErrorAsync(context, 403, "PERMISSION_DENIED",
                "User does not have sufficient permissions for this property. To learn more about Property ID, see https://developers.google.com/analytics/devguides/reporting/data/v1/property-id.");
            return;
        }

        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var batch = match.Groups[2].Value == "batchRunReports";
        var requests = batch ? body.RootElement.GetProperty("requests").EnumerateArray().ToList() : [body.RootElement];
        if (batch && requests.Count is 0 or > 5)
        {
            await ErrorAsync(context, 400, "INVALID_ARGUMENT", "Requests must contain between 1 and 5 requests.");
            return;
        }

        var reports = new List<Report>();
        foreach (var request in requests)
        {
            if (Prepare(property, request) is not { } report)
            {
                await ErrorAsync(context, 400, "INVALID_ARGUMENT", ProblemOf(request));
                return;
            }

            reports.Add(report);
        }

        var cost = property.TokensPerRequest * reports.Count;
        if (property.TokensPerDayRemaining < cost)
        {
            await ErrorAsync(context, 429, "RESOURCE_EXHAUSTED", "Exhausted property tokens per day.");
            return;
        }

        if (property.TokensPerHourRemaining < cost)
        {
            await ErrorAsync(context, 429, "RESOURCE_EXHAUSTED", "Exhausted property tokens for a project per hour.");
            return;
        }

        context.Response.ContentType = "application/json; charset=UTF-8";
        var stream = fault == FakeFault.AbortMidBody ? new MemoryStream() : context.Response.Body;
        await using (var json = new Utf8JsonWriter(stream))
        {
            if (batch)
            {
                json.WriteStartObject();
                json.WriteString("kind", "analyticsData#batchRunReports");
                json.WriteStartArray("reports");
            }

            foreach (var report in reports)
            {
                property.TokensPerDayRemaining -= property.TokensPerRequest;
                property.TokensPerHourRemaining -= property.TokensPerRequest;
                var sent = WriteReport(json, property, report, fault == FakeFault.RowCountMoves);
                _calls.Enqueue(new FakeCall(number, propertyId, batch ? "batchRunReports" : "runReport", report.Offset, report.Limit,
                    report.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), report.End.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), report.Dimensions, sent));
                await json.FlushAsync();
            }

            if (batch)
            {
                json.WriteEndArray();
                json.WriteEndObject();
            }
        }

        if (fault == FakeFault.AbortMidBody)
        {
            // Send the first half, then drop the connection.
            var bytes = ((MemoryStream)stream).ToArray();
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
            await context.Response.Body.FlushAsync();
            context.Abort();
        }
    }

    private sealed record Report(string[] Dimensions, string[] Metrics, DateOnly Start, DateOnly End, long Offset, long Limit, bool Ordered, bool ReturnQuota);

    private Report? Prepare(FakeGa4Property property, JsonElement request)
    {
        var dimensions = Names(request, "dimensions");
        var metrics = Names(request, "metrics");
        if (dimensions.Any(d => !KnownDimensions.Contains(d)) || metrics.Length == 0 || metrics.Any(m => !KnownMetrics.Contains(m) && !Regex.IsMatch(m, "^keyEvents:[A-Za-z][A-Za-z0-9_]*$"))
            || !request.TryGetProperty("dateRanges", out var ranges) || ranges.GetArrayLength() != 1)
        {
            return null;
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(property.TimeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Clock.GetUtcNow(), zone).DateTime);
        var start = ParseDate(ranges[0].GetProperty("startDate").GetString(), today);
        var end = ParseDate(ranges[0].GetProperty("endDate").GetString(), today);
        if (start is null || end is null || end < start)
        {
            return null;
        }

        var orderBys = request.TryGetProperty("orderBys", out var o)
            ? o.EnumerateArray().Select(x => x.TryGetProperty("dimension", out var d) ? d.GetProperty("dimensionName").GetString() : null).ToArray()
            : [];
        var limit = Int64(request, "limit") ?? 10_000;
        return new Report(dimensions, metrics, start.Value, end.Value > today ? today : end.Value, Int64(request, "offset") ?? 0, Math.Min(limit <= 0 ? 10_000 : limit, 250_000),
            orderBys.SequenceEqual(dimensions), request.TryGetProperty("returnPropertyQuota", out var q) && q.GetBoolean());
    }

    private static string ProblemOf(JsonElement request)
    {
        var bad = Names(request, "metrics").FirstOrDefault(m => !KnownMetrics.Contains(m) && !m.StartsWith("keyEvents:", StringComparison.Ordinal));
        return bad is not null
            ? $"Field {bad} is not a valid metric. For a list of valid dimensions and metrics, see https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema"
            : "Invalid dimensions, metrics or date ranges.";
    }

    /// <summary>Writes the page and returns how many rows it held.</summary>
    private static int WriteReport(Utf8JsonWriter json, FakeGa4Property property, Report report, bool rowCountMoves)
    {
        var days = new List<DateOnly>();
        for (var day = report.Start > property.DataFrom ? report.Start : property.DataFrom; day <= report.End; day = day.AddDays(1))
        {
            days.Add(day);
        }

        var perDay = report.Dimensions.Length > 1 ? property.Channels.Order(StringComparer.Ordinal).ToList() : [""];
        long total = (long)days.Count * perDay.Count;
        // Without orderBys over every dimension, rows come in no stable order: here, a different one per call.
        var order = report.Ordered ? null : Enumerable.Range(0, (int)total).OrderBy(_ => Random.Shared.Next()).ToArray();
        json.WriteStartObject();
        json.WriteStartArray("dimensionHeaders");
        foreach (var d in report.Dimensions)
        {
            json.WriteStartObject();
            json.WriteString("name", d);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("metricHeaders");
        foreach (var m in report.Metrics)
        {
            json.WriteStartObject();
            json.WriteString("name", m);
            json.WriteString("type", m switch { "bounceRate" => "TYPE_FLOAT", "averageSessionDuration" => "TYPE_SECONDS", "advertiserAdCost" => "TYPE_CURRENCY", "keyEvents" => "TYPE_FLOAT", _ => "TYPE_INTEGER" });
            json.WriteEndObject();
        }

        json.WriteEndArray();
        var sent = 0;
        if (report.Offset < total)
        {
            json.WriteStartArray("rows");
            for (var i = report.Offset; i < total && i < report.Offset + report.Limit; i++)
            {
                var index = order is null ? i : order[i];
                var day = days[(int)(index / perDay.Count)];
                var dimension = perDay[(int)(index % perDay.Count)];
                json.WriteStartObject();
                json.WriteStartArray("dimensionValues");
                foreach (var d in report.Dimensions)
                {
                    json.WriteStartObject();
                    json.WriteString("value", d == "date" ? day.ToString("yyyyMMdd", CultureInfo.InvariantCulture) : dimension);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteStartArray("metricValues");
                foreach (var m in report.Metrics)
                {
                    json.WriteStartObject();
                    json.WriteString("value", property.Value(day, dimension, m));
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
                sent++;
            }

            json.WriteEndArray();
        }

        if (total > 0)
        {
            json.WriteNumber("rowCount", total + (rowCountMoves ? 1 : 0));
        }

        json.WriteStartObject("metadata");
        json.WriteString("currencyCode", "NZD");
        json.WriteString("timeZone", property.TimeZone);
        if (property.SubjectToThresholding)
        {
            json.WriteBoolean("subjectToThresholding", true);
        }

        if (total == 0)
        {
            json.WriteString("emptyReason", "No data for the requested dates.");
        }

        if (property.CostRestricted && report.Metrics.Contains("advertiserAdCost"))
        {
            json.WriteStartObject("schemaRestrictionResponse");
            json.WriteStartArray("activeMetricRestrictions");
            json.WriteStartObject();
            json.WriteString("metricName", "advertiserAdCost");
            json.WriteStartArray("restrictedMetricTypes");
            json.WriteStringValue("COST_DATA");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndObject();
        if (report.ReturnQuota)
        {
            json.WriteStartObject("propertyQuota");
            Quota(json, "tokensPerDay", property.TokensPerRequest, property.TokensPerDayRemaining);
            Quota(json, "tokensPerHour", property.TokensPerRequest, property.TokensPerHourRemaining);
            Quota(json, "concurrentRequests", 0, 10);
            Quota(json, "serverErrorsPerProjectPerHour", 0, 10);
            Quota(json, "potentiallyThresholdedRequestsPerHour", 0, 120);
            Quota(json, "tokensPerProjectPerHour", property.TokensPerRequest, Math.Min(14_000, property.TokensPerHourRemaining));
            json.WriteEndObject();
        }

        json.WriteString("kind", "analyticsData#runReport");
        json.WriteEndObject();
        return sent;
    }

    private static void Quota(Utf8JsonWriter json, string name, long consumed, long remaining)
    {
        json.WriteStartObject(name);
        json.WriteNumber("consumed", consumed);
        json.WriteNumber("remaining", Math.Max(remaining, 0));
        json.WriteEndObject();
    }

    private static string[] Names(JsonElement request, string field) =>
        request.TryGetProperty(field, out var list) ? list.EnumerateArray().Select(x => x.GetProperty("name").GetString() ?? "").ToArray() : [];

    private static long? Int64(JsonElement request, string field) =>
        !request.TryGetProperty(field, out var value) ? null
        : value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, CultureInfo.InvariantCulture)
        : value.GetInt64();

    private static DateOnly? ParseDate(string? text, DateOnly today) => text switch
    {
        "today" => today,
        "yesterday" => today.AddDays(-1),
        not null when Regex.Match(text, "^([0-9]+)daysAgo$") is { Success: true } m => today.AddDays(-int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)),
        not null when DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) => d,
        _ => null,
    };

    private static byte[] Base64Url(string text) =>
        Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/').PadRight(text.Length + (4 - text.Length % 4) % 4, '='));

    private static async Task ErrorAsync(HttpContext context, int code, string status, string message)
    {
        context.Response.StatusCode = code;
        await context.Response.WriteAsJsonAsync(new { error = new { code, message, status } });
    }
}
