using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Worker.Web;

namespace Worker.Ingestion.Csv;

/// <summary>The upload page: choose a dataset, send a file, see what it did; and who uploaded what recently.</summary>
internal static class UploadsPage
{
    private static string E(string? text) => HtmlPage.Encode(text);

    public static IResult Render(AntiforgeryTokenSet tokens, IReadOnlyList<ImportBatch> recent, string? message, int statusCode = 200)
    {
        var html = new StringBuilder();
        html.Append("<div class=\"card\"><h1>Upload marketing data</h1>");
        if (message is not null)
        {
            html.Append("<p class=\"error\" role=\"alert\">").Append(E(message)).Append("</p>");
        }

        html.Append("<form method=\"post\" action=\"/uploads\" enctype=\"multipart/form-data\">")
            .Append("<input type=\"hidden\" name=\"").Append(E(tokens.FormFieldName)).Append("\" value=\"").Append(E(tokens.RequestToken)).Append("\">")
            .Append("<label for=\"dataset\">Dataset</label><select id=\"dataset\" name=\"dataset\" required>");
        foreach (var dataset in Datasets.All)
        {
            html.Append("<option value=\"").Append(E(dataset.Name)).Append("\">").Append(E(dataset.Name)).Append(" — ").Append(E(dataset.Description)).Append("</option>");
        }

        html.Append("</select>")
            .Append("<label for=\"file\">CSV file</label><input id=\"file\" name=\"file\" type=\"file\" accept=\".csv,.tsv,.txt,text/csv\" required>")
            .Append("<label for=\"dateFormat\">Date format, if neither YYYY-MM-DD nor YYYYMMDD (optional)</label><input id=\"dateFormat\" name=\"dateFormat\" placeholder=\"dd/MM/yyyy\">")
            .Append("<label><input type=\"checkbox\" name=\"decimalComma\" value=\"true\" style=\"width:auto\"> Numbers use a decimal comma (1.234,56)</label>")
            .Append("<label><input type=\"checkbox\" name=\"partial\" value=\"true\" style=\"width:auto\"> Load the valid rows and reject the rest (otherwise all or nothing)</label>")
            .Append("<button type=\"submit\">Upload</button></form>")
            .Append("<p><small>Accepted columns and formats: see docs/csv-formats.md.</small></p></div>");

        html.Append("<div class=\"card\"><h2>Recent uploads</h2>");
        if (recent.Count == 0)
        {
            html.Append("<p>No uploads yet.</p>");
        }
        else
        {
            html.Append("<table class=\"recent-uploads\"><thead><tr><th>When (UTC)</th><th>Who</th><th>Dataset</th><th>File</th><th>Status</th><th>Inserted / updated / unchanged / rejected</th></tr></thead><tbody>");
            foreach (var batch in recent)
            {
                html.Append("<tr><td>").Append(E(batch.CreatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)))
                    .Append("</td><td>").Append(E(batch.UploadedByName)).Append(" <small>(").Append(E(batch.Source)).Append(")</small>")
                    .Append("</td><td>").Append(E(batch.Dataset))
                    .Append("</td><td><a href=\"/uploads/").Append(batch.Id).Append("\">").Append(E(batch.FileName)).Append("</a>")
                    .Append("</td><td>").Append(E(batch.Status.Replace('_', ' ')))
                    .Append("</td><td>").Append(!batch.Finished ? "…" : batch.RowsRead is null ? "—" : E($"{batch.Inserted} / {batch.Updated} / {batch.Unchanged} / {batch.Rejected}")).Append("</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        html.Append("</div>");
        return HtmlPage.Render("Upload", html.ToString(), statusCode);
    }

    public static IResult RenderBatch(ImportBatch batch)
    {
        var html = new StringBuilder();
        html.Append("<div class=\"card\"><h1>").Append(E(batch.FileName)).Append("</h1><p>")
            .Append(E(batch.Dataset)).Append(" · uploaded by ").Append(E(batch.UploadedByName)).Append(" · ")
            .Append(E(batch.SizeBytes.ToString("N0", CultureInfo.InvariantCulture))).Append(" bytes</p>");
        if (!batch.Finished)
        {
            html.Append("<p class=\"status\">").Append(batch.Status == "queued" ? "Waiting for a worker…" : "Loading…").Append("</p>");
        }
        else
        {
            var cls = batch.Status == "loaded" ? "ok" : "error";
            var headline = batch.Status switch
            {
                "loaded" => "Loaded.",
                "partially_loaded" => "Partly loaded: the rows listed below were rejected.",
                "rejected" => "Refused: nothing was changed.",
                _ => "Failed: nothing was changed. Ops have the details; the upload can be retried from the dashboard.",
            };
            html.Append("<p class=\"status ").Append(cls).Append("\">").Append(E(headline)).Append(batch.Message is null ? "" : " " + E(batch.Message)).Append("</p>");
            if (batch.RowsRead is not null)
            {
                html.Append("<table class=\"counts\"><tr><th>Rows read</th><th>Inserted</th><th>Updated</th><th>Unchanged</th><th>Rejected</th><th>Totals rows skipped</th></tr><tr>");
                foreach (var count in new[] { batch.RowsRead, batch.Inserted, batch.Updated, batch.Unchanged, batch.Rejected, batch.Skipped })
                {
                    html.Append("<td>").Append(E((count ?? 0).ToString("N0", CultureInfo.InvariantCulture))).Append("</td>");
                }

                html.Append("</tr></table>");
            }

            if (batch.SameFileAs is { } same)
            {
                html.Append("<p>This file is identical to <a href=\"/uploads/").Append(same).Append("\">an earlier upload</a>.</p>");
            }

            foreach (var note in batch.NoteList)
            {
                html.Append("<p><small>").Append(E(note)).Append("</small></p>");
            }

            if (batch.ErrorList.Count > 0)
            {
                html.Append("<h2>Errors</h2><p><a href=\"/api/imports/").Append(batch.Id).Append("/errors.csv\">Download the error report (CSV)</a></p>")
                    .Append("<table class=\"errors\"><thead><tr><th>Line</th><th>Column</th><th>Value</th><th>Problem</th></tr></thead><tbody>");
                foreach (var error in batch.ErrorList)
                {
                    html.Append("<tr><td>").Append(error.Line).Append("</td><td>").Append(E(error.Column)).Append("</td><td>").Append(E(error.Value))
                        .Append("</td><td>").Append(E(error.Reason)).Append("</td></tr>");
                }

                html.Append("</tbody></table>");
            }
        }

        html.Append("<p><a href=\"/uploads\">Upload another file</a></p></div>");
        // The page refreshes itself until the job has run.
        return HtmlPage.Render(batch.FileName, html.ToString(), refreshEverySecond: !batch.Finished);
    }
}
