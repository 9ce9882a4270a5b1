using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Worker.Digest;

/// <summary>
/// The digest as one JSON POST to an incoming webhook. One body serves Slack and Teams: Slack shows
/// "text" (mrkdwn) and "blocks"; a Teams incoming webhook shows the MessageCard fields ("@type",
/// "title", "sections" with facts); both ignore what they do not know. "kpis" is for receivers that
/// want the numbers.
/// </summary>
public sealed class DigestWebhook(IHttpClientFactory httpClients)
{
    public const string HttpClientName = "digest-webhook";

    public async Task SendAsync(string url, DigestContent content, CancellationToken cancellationToken)
    {
        using var response = await httpClients.CreateClient(HttpClientName).PostAsJsonAsync(new Uri(url), Body(content), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // The status only: the address is a secret and must not reach the log or the delivery row.
            throw new HttpRequestException($"the webhook answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }
    }

    public static JsonObject Body(DigestContent content)
    {
        var text = new StringBuilder($"*{content.Subject}*");
        foreach (var domain in content.Domains)
        {
            text.Append("\n\n*").Append(domain.Title).Append('*');
            foreach (var card in domain.Cards)
            {
                text.Append('\n').Append(Line(card));
            }
        }

        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Truncate("KPI digest · " + content.Period.Label, 150) } },
            new JsonObject { ["type"] = "context", ["elements"] = new JsonArray(new JsonObject { ["type"] = "mrkdwn", ["text"] = $"{content.Count("green")} on target · {content.Count("amber")} near · {content.Count("red")} off target · prepared {content.Local(content.PreparedAt)}" }) },
        };
        foreach (var domain in content.Domains)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "section",
                ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = Truncate($"*{domain.Title}*\n" + string.Join('\n', domain.Cards.Select(Line)), 3000) },
            });
        }

        return new JsonObject
        {
            ["text"] = text.ToString(),
            ["blocks"] = blocks,
            ["@type"] = "MessageCard",
            ["@context"] = "https://schema.org/extensions",
            ["summary"] = content.Subject,
            ["title"] = content.Subject,
            ["themeColor"] = content.Count("red") > 0 ? "C62828" : content.Count("amber") > 0 ? "F9A825" : "2E7D32",
            ["sections"] = new JsonArray([.. content.Domains.Select(d => (JsonNode)new JsonObject
            {
                ["activityTitle"] = d.Title,
                ["facts"] = new JsonArray([.. d.Cards.Select(c => (JsonNode)new JsonObject
                {
                    ["name"] = c.Name + (c.PeriodKind == "to_date" ? " (so far)" : ""),
                    ["value"] = $"{DigestFormat.Value(c.Value, c.DisplayFormat)} / {DigestFormat.Value(c.Target, c.DisplayFormat)} · {DigestFormat.StatusLabel(c.Status)} · {DigestFormat.Change(c.Change)}",
                })]),
            })]),
            ["period"] = new JsonObject { ["grain"] = content.Period.Grain, ["start"] = content.Period.Start.ToString("yyyy-MM-dd", null), ["end"] = content.Period.End.ToString("yyyy-MM-dd", null) },
            ["kpis"] = new JsonArray([.. content.Cards.Select(c => (JsonNode)new JsonObject
            {
                ["domain"] = c.Domain,
                ["name"] = c.Name,
                ["periodKind"] = c.PeriodKind,
                ["periodStart"] = c.PeriodStart.ToString("yyyy-MM-dd", null),
                ["periodEnd"] = c.PeriodEnd.ToString("yyyy-MM-dd", null),
                ["value"] = c.Value,
                ["target"] = c.Target,
                ["attainment"] = c.Attainment,
                ["status"] = c.Status,
                ["change"] = c.Change,
                ["revisedFrom"] = c.RevisedFrom,
            })]),
        };
    }

    private static string Line(Kpi.KpiCard c)
    {
        var mark = c.Status switch { "green" => "🟢", "amber" => "🟡", "red" => "🔴", _ => "⚪" };
        return $"{mark} {c.Name}{(c.PeriodKind == "to_date" ? " (so far)" : "")}: {DigestFormat.Value(c.Value, c.DisplayFormat)} vs {DigestFormat.Value(c.Target, c.DisplayFormat)} ({DigestFormat.Change(c.Change)})"
            + (c.RevisedFrom is not null ? " ✎ revised" : "");
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
