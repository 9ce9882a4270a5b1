using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cronos;

namespace Worker.Jobs;

/// <summary>A catalogue file is wrong; the message names the file and the field.</summary>
public sealed class JobCatalogueException(string message) : Exception(message);

/// <summary>
/// The job catalogue: every jobs/*.json file, validated as a whole at start, so a bad file stops the
/// worker at boot naming file and field rather than failing at 3 a.m.
/// </summary>
public sealed partial class JobCatalogue
{
    private static readonly HashSet<string> KnownFields =
        ["$schema", "id", "type", "description", "cron", "timeZone", "queue", "enabled", "retry", "parameters"];

    private static readonly JsonSerializerOptions ParameterOptions = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    private readonly Dictionary<string, JobDefinition> _jobs;

    private JobCatalogue(Dictionary<string, JobDefinition> jobs) => _jobs = jobs;

    public IReadOnlyCollection<JobDefinition> Jobs => _jobs.Values;

    public JobDefinition Get(string id) => _jobs.TryGetValue(id, out var job)
        ? job
        : throw new JobInputException($"No job '{id}' in the catalogue. Known: {string.Join(", ", _jobs.Keys.Order(StringComparer.Ordinal))}.");

    public bool Contains(string id) => _jobs.ContainsKey(id);

    public static JobCatalogue Load(string directory, IEnumerable<JobType> types)
    {
        var typesByName = types.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var jobs = new Dictionary<string, JobDefinition>(StringComparer.Ordinal);
        if (!Directory.Exists(directory))
        {
            return new JobCatalogue(jobs);
        }

        foreach (var path in Directory.GetFiles(directory, "*.json").Where(p => !p.EndsWith(".schema.json", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var file = Path.Combine("jobs", Path.GetFileName(path));
            var job = Parse(file, File.ReadAllText(path), typesByName);
            if (!jobs.TryAdd(job.Id, job))
            {
                throw new JobCatalogueException($"{file}: field 'id': '{job.Id}' is also the id of {jobs[job.Id].File}.");
            }
        }

        return new JobCatalogue(jobs);
    }

    internal static JobDefinition Parse(string file, string json, IReadOnlyDictionary<string, JobType> types)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }).RootElement;
        }
        catch (JsonException ex)
        {
            throw new JobCatalogueException($"{file}: not valid JSON (line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}): {ex.Message}");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JobCatalogueException($"{file}: expected a JSON object.");
        }

        foreach (var property in root.EnumerateObject().Where(p => !KnownFields.Contains(p.Name)))
        {
            throw new JobCatalogueException($"{file}: field '{property.Name}' is not a catalogue field (known: {string.Join(", ", KnownFields.Where(f => f != "$schema"))}).");
        }

        var id = RequiredString(file, root, "id");
        if (!JobId().IsMatch(id))
        {
            throw new JobCatalogueException($"{file}: field 'id': '{id}' must be lower-case letters, digits and dashes.");
        }

        var typeName = RequiredString(file, root, "type");
        if (!types.TryGetValue(typeName, out var type))
        {
            throw new JobCatalogueException($"{file}: field 'type': unknown job type '{typeName}' (known: {string.Join(", ", types.Keys.Order(StringComparer.Ordinal))}).");
        }

        var cron = RequiredString(file, root, "cron");
        try
        {
            CronExpression.Parse(cron, cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException ex)
        {
            throw new JobCatalogueException($"{file}: field 'cron': '{cron}' is not a valid cron expression: {ex.Message}");
        }

        var zoneId = OptionalString(file, root, "timeZone") ?? "UTC";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone))
        {
            throw new JobCatalogueException($"{file}: field 'timeZone': unknown time zone '{zoneId}' (use an IANA id such as Europe/London).");
        }

        var queue = OptionalString(file, root, "queue") ?? Queues.Maintenance;
        if (!Queues.All.Contains(queue))
        {
            throw new JobCatalogueException($"{file}: field 'queue': unknown queue '{queue}' (known: {string.Join(", ", Queues.All)}).");
        }

        var enabled = true;
        if (root.TryGetProperty("enabled", out var enabledElement))
        {
            enabled = enabledElement.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new JobCatalogueException($"{file}: field 'enabled': expected true or false."),
            };
        }

        return new JobDefinition(id, typeName, cron, zone, queue, enabled, ParseRetry(file, root), ParseParameters(file, root, type), file);
    }

    private static RetryPolicy ParseRetry(string file, JsonElement root)
    {
        if (!root.TryGetProperty("retry", out var retry))
        {
            return RetryPolicy.None;
        }

        var attempts = retry.TryGetProperty("attempts", out var a) && a.TryGetInt32(out var n) && n is >= 0 and <= 20
            ? n
            : throw new JobCatalogueException($"{file}: field 'retry.attempts': expected a whole number from 0 to 20.");
        var delays = new List<int>();
        if (retry.TryGetProperty("delaysSeconds", out var d))
        {
            if (d.ValueKind != JsonValueKind.Array || d.EnumerateArray().Any(x => !x.TryGetInt32(out var s) || s < 1))
            {
                throw new JobCatalogueException($"{file}: field 'retry.delaysSeconds': expected an array of whole numbers of seconds, each at least 1.");
            }

            delays.AddRange(d.EnumerateArray().Select(x => x.GetInt32()));
        }

        foreach (var property in retry.EnumerateObject().Where(p => p.Name is not "attempts" and not "delaysSeconds"))
        {
            throw new JobCatalogueException($"{file}: field 'retry.{property.Name}' is not a retry field (known: attempts, delaysSeconds).");
        }

        return new RetryPolicy(attempts, delays);
    }

    private static object ParseParameters(string file, JsonElement root, JobType type)
    {
        var element = root.TryGetProperty("parameters", out var p) ? p : JsonDocument.Parse("{}").RootElement;
        object? parameters;
        try
        {
            parameters = element.Deserialize(type.ParametersType, ParameterOptions);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 1 } path ? "parameters" + path[1..] : "parameters";
            throw new JobCatalogueException($"{file}: field '{field}': {FirstSentence(ex.Message)}");
        }

        if (parameters is null)
        {
            throw new JobCatalogueException($"{file}: field 'parameters': expected an object.");
        }

        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(parameters, new ValidationContext(parameters), results, validateAllProperties: true))
        {
            var first = results[0];
            var member = first.MemberNames.FirstOrDefault() is { } name ? "." + JsonNamingPolicy.CamelCase.ConvertName(name) : "";
            throw new JobCatalogueException($"{file}: field 'parameters{member}': {first.ErrorMessage}");
        }

        return parameters;
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] + "." : message;
    }

    private static string RequiredString(string file, JsonElement root, string field) =>
        OptionalString(file, root, field) ?? throw new JobCatalogueException($"{file}: field '{field}' is required.");

    private static string? OptionalString(string file, JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()
            : throw new JobCatalogueException($"{file}: field '{field}': expected a non-empty string.");
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex JobId();
}
