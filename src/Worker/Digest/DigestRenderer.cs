using System.Text;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MimeKit;
using MimeKit.Utils;
using Worker.Digest.Components;

namespace Worker.Digest;

/// <summary>One recipient's digest, rendered: the HTML (Razor components through <see cref="HtmlRenderer"/>), the plain text, the charts and the attachments.</summary>
public sealed record RenderedDigest(DigestContent Content, string Html, string Text, IReadOnlyDictionary<string, byte[]> Charts, byte[] Csv, byte[] Xlsx)
{
    /// <summary>One message for one recipient (never several addresses in To): HTML with its charts by Content-ID, the text alternative, CSV and XLSX.</summary>
    public MimeMessage ToMessage(MailboxAddress from, MailboxAddress to)
    {
        var message = new MimeMessage { Subject = Content.Subject, Date = Content.PreparedAt };
        message.From.Add(from);
        message.To.Add(to);
        message.MessageId = MimeUtils.GenerateMessageId(from.Domain is { Length: > 0 } host ? host : "localhost");
        message.Headers.Add("Auto-Submitted", "auto-generated");

        var body = new BodyBuilder { TextBody = Text, HtmlBody = Html };
        foreach (var domain in Content.Domains.Where(d => Charts.ContainsKey(d.Domain)))
        {
            var image = body.LinkedResources.Add(domain.ChartFileName, Charts[domain.Domain], new ContentType("image", "png"));
            image.ContentId = domain.ChartId;
            image.ContentDisposition = new ContentDisposition(ContentDisposition.Inline) { FileName = domain.ChartFileName };
        }

        var stem = DigestAttachments.FileStem(Content);
        // Base64, not quoted-printable: the file arrives byte for byte whatever the relays do to long lines.
        var csv = (MimePart)body.Attachments.Add(stem + ".csv", Csv, new ContentType("text", "csv") { Charset = "utf-8" });
        csv.ContentTransferEncoding = ContentEncoding.Base64;
        body.Attachments.Add(stem + ".xlsx", Xlsx, ContentType.Parse("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
        message.Body = body.ToMessageBody();
        return message;
    }
}

public sealed class DigestRenderer(IServiceProvider services, ILoggerFactory loggerFactory)
{
    public async Task<RenderedDigest> RenderAsync(DigestContent content, Func<DigestDomain, string>? chartUrl = null)
    {
        var charts = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var domain in content.Domains)
        {
            if (DigestCharts.Trend(domain) is { } png)
            {
                charts[domain.Domain] = png;
            }
        }

        var html = await RenderHtmlAsync(content, d => charts.ContainsKey(d.Domain) ? chartUrl?.Invoke(d) ?? "cid:" + d.ChartId : null);
        return new RenderedDigest(content, html, Text(content), charts, DigestAttachments.Csv(content), DigestAttachments.Xlsx(content));
    }

    public async Task<string> RenderHtmlAsync(DigestContent content, Func<DigestDomain, string?> chartSource)
    {
        await using var renderer = new HtmlRenderer(services, loggerFactory);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<DigestEmail>(ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(DigestEmail.Content)] = content,
                [nameof(DigestEmail.ChartSource)] = chartSource,
            }));
            return output.ToHtmlString();
        });
    }

    /// <summary>The plain-text alternative: the same numbers, for clients (and people) that do not show HTML.</summary>
    public static string Text(DigestContent content)
    {
        var text = new StringBuilder();
        text.Append("KPI digest — ").Append(content.Period.Label).Append("\n\n");
        text.Append("Hello ").Append(content.RecipientName).Append(",\n\n");
        text.Append(content.Cards.Count()).Append(" KPIs you may read: ").Append(content.Count("green")).Append(" on target, ")
            .Append(content.Count("amber")).Append(" near, ").Append(content.Count("red")).Append(" off target.\n");
        text.Append("Prepared ").Append(content.Local(content.PreparedAt)).Append(". The whole table is attached as CSV and Excel.\n");
        foreach (var domain in content.Domains)
        {
            text.Append('\n').Append(domain.Title.ToUpperInvariant()).Append('\n');
            foreach (var card in domain.Cards)
            {
                text.Append("- ").Append(card.Name).Append(" (").Append(DigestFormat.Period(card)).Append("): ").Append(DigestFormat.Value(card.Value, card.DisplayFormat))
                    .Append(" vs target ").Append(DigestFormat.Value(card.Target, card.DisplayFormat)).Append(", ").Append(DigestFormat.Attainment(card.Attainment))
                    .Append(", ").Append(DigestFormat.StatusLabel(card.Status)).Append(", vs comparable ").Append(DigestFormat.Change(card.Change));
                if (card.RevisedFrom is not null)
                {
                    text.Append(", ").Append(DigestFormat.Revision(card, content.Local));
                }

                text.Append('\n');
            }
        }

        text.Append("\nTimes are in ").Append(content.ZoneLabel).Append(".\n");
        if (content.PublicUrl.Length > 0)
        {
            text.Append("In the browser, or to pause it: ").Append(content.PublicUrl.TrimEnd('/')).Append("/digest/preview\n");
        }

        return text.ToString();
    }
}
