using System.Text.Encodings.Web;

namespace Worker.Web;

/// <summary>The worker's own pages (sign-in, uploads): plain HTML, one small stylesheet, no scripts of ours.</summary>
internal static class HtmlPage
{
    public static string Encode(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    public static IResult Render(string title, string body, int statusCode = 200, bool refreshEverySecond = false) => Results.Content($$"""
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">{{(refreshEverySecond ? "\n  <meta http-equiv=\"refresh\" content=\"1\">" : "")}}
          <title>{{Encode(title)}} · ETL and KPI worker</title>
          <style>
            body { font: 15px/1.5 system-ui, sans-serif; margin: 0; background: #f5f6f8; color: #1d2330; }
            header { background: #1d2330; color: #fff; padding: .8rem 1.5rem; display: flex; gap: 1.5rem; align-items: center; }
            header a { color: #cfd6e4; text-decoration: none; } header strong { margin-right: auto; }
            main { max-width: 60rem; margin: 2rem auto; padding: 0 1.5rem; }
            .card { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.12); padding: 1.5rem; margin-bottom: 1.5rem; }
            label { display: block; margin: .8rem 0 .3rem; font-weight: 600; }
            input, select { width: 100%; box-sizing: border-box; padding: .5rem; border: 1px solid #c4c9d4; border-radius: 4px; font: inherit; }
            button { margin-top: 1.2rem; padding: .55rem 1.2rem; border: 0; border-radius: 4px; background: #2f6fde; color: #fff; font: inherit; cursor: pointer; }
            .error { background: #fdecea; color: #8a1c12; padding: .7rem 1rem; border-radius: 4px; }
            .ok { background: #e8f5e9; color: #1b5e20; padding: .7rem 1rem; border-radius: 4px; }
            table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #e3e6ec; }
          </style>
        </head>
        <body>
          <header><strong>ETL and KPI worker</strong><a href="/uploads">Uploads</a><a href="/hangfire">Dashboard</a><a href="/hangfire/etl">ETL</a></header>
          <main>
        {{body}}
          </main>
        </body>
        </html>
        """, "text/html; charset=utf-8", statusCode: statusCode);
}
