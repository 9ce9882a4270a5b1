using System.Net;
using Dapper;

namespace Worker.Tests.Web;

/// <summary>Each role lands where its work is, and every page it may not open is a refusal page in the layout, never a bare 403.</summary>
public sealed class RolePagesTests(RolePagesTests.Server server) : IClassFixture<RolePagesTests.Server>
{
    // Who may open what (docs/security.md). The KPI page belongs to the KPI layer: checked when it is mapped.
    private static readonly Dictionary<string, string[]> MayOpen = new(StringComparer.Ordinal)
    {
        ["/uploads"] = ["admin", "marketing"],
        ["/uploads/{import}"] = ["admin", "marketing", "director", "ops"],
        ["/hangfire"] = ["director", "admin", "ops"],
        ["/hangfire/etl"] = ["director", "admin", "ops"],
        ["/hangfire/recurring"] = ["director", "admin", "ops"],
        ["/account"] = ["director", "admin", "sales", "marketing", "ops", "finance"],
        ["/kpis"] = ["director", "admin", "sales", "marketing", "ops", "finance"],
    };

    public static readonly TheoryData<string, string> RolesAndPages = Cross();

    [Theory]
    [InlineData("director", "/kpis", "/hangfire/etl")]
    [InlineData("admin", "/hangfire/etl", "/hangfire/etl")]
    [InlineData("sales", "/kpis", "/digest/preview")]
    [InlineData("marketing", "/uploads", "/uploads")]
    [InlineData("ops", "/hangfire/etl", "/hangfire/etl")]
    [InlineData("finance", "/kpis", "/digest/preview")]
    public async Task Each_role_lands_on_the_page_for_its_work(string role, string withKpiPage, string withoutKpiPage)
    {
        using var session = server.Session();

        var response = await session.SignInAsync($"{role}@example.com", returnUrl: "");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(await KpiPageIsMappedAsync() ? withKpiPage : withoutKpiPage, response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await session.GetPageAsync(response.Headers.Location!.OriginalString)).StatusCode);
    }

    [Theory]
    [InlineData("/%09/evil.example")]
    [InlineData("/\t/evil.example")]
    [InlineData("/%0A/x")]
    [InlineData("/\n/x")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("https://evil.example/")]
    [InlineData("http:evil.example")]
    public async Task A_return_address_off_this_site_falls_back_to_the_landing_page(string returnUrl)
    {
        using var session = server.Session();

        var response = await session.SignInAsync("marketing@example.com", returnUrl: returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/uploads", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_return_address_from_the_query_string_is_checked_after_decoding()
    {
        using var session = server.Session();

        // The sign-in form carries the query's returnUrl into its hidden field: refused there already.
        var form = await (await session.GetPageAsync("/signin?returnUrl=%2F%09%2Fevil.example")).Content.ReadAsStringAsync();
        var local = await (await session.GetPageAsync("/signin?returnUrl=%2Fhangfire%2Fetl")).Content.ReadAsStringAsync();

        Assert.Contains("name=\"returnUrl\" value=\"\"", form, StringComparison.Ordinal);
        Assert.Contains("name=\"returnUrl\" value=\"/hangfire/etl\"", local, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_local_return_address_is_kept()
    {
        using var session = server.Session();

        var response = await session.SignInAsync("ops@example.com", returnUrl: "/hangfire/recurring");

        Assert.Equal("/hangfire/recurring", response.Headers.Location!.OriginalString);
    }

    [Theory]
    [MemberData(nameof(RolesAndPages))]
    public async Task A_page_is_open_to_the_roles_that_may_open_it_and_a_refusal_page_for_the_others(string role, string page)
    {
        if (page == "/kpis" && !await KpiPageIsMappedAsync())
        {
            return; // the KPI layer's page; until it is mapped there is nothing to check
        }

        using var session = server.Session();
        await session.SignInAsync($"{role}@example.com");
        var path = page == "/uploads/{import}" ? $"/uploads/{await AnyImportAsync()}" : page;

        var response = await session.GetPageAsync(path);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        if (MayOpen[page].Contains(role))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.StartsWith("text/html", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
            Assert.Contains("This page is not open to your role", html, StringComparison.Ordinal);
            Assert.Contains($"role <strong>{role}</strong>", html, StringComparison.Ordinal);
            Assert.Contains("Your role may: ", html, StringComparison.Ordinal);
            Assert.Contains("Sign out", html, StringComparison.Ordinal);
            // Every page the refusal offers is one this user can open.
            foreach (var offered in System.Text.RegularExpressions.Regex.Matches(html, "<ul class=\"links open-pages\">(.*?)</ul>", System.Text.RegularExpressions.RegexOptions.Singleline)
                .SelectMany(m => System.Text.RegularExpressions.Regex.Matches(m.Groups[1].Value, "href=\"([^\"]+)\"")).Select(m => m.Groups[1].Value))
            {
                Assert.Equal(HttpStatusCode.OK, (await session.GetPageAsync(offered)).StatusCode);
            }
        }
    }

    [Fact]
    public async Task A_script_refused_gets_problem_JSON_not_a_page()
    {
        using var marketing = server.Session();
        await marketing.SignInAsync("marketing@example.com");

        var response = await marketing.GetAsync("/hangfire/etl");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task An_unknown_address_is_a_not_found_page_in_the_layout()
    {
        using var ops = server.Session();
        await ops.SignInAsync("ops@example.com");

        var response = await ops.GetPageAsync("/no-such-page");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("<h1 class=\"page-header\">Not found</h1>", html, StringComparison.Ordinal);
        Assert.Contains("Signed in as", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        using var ops = server.Session();
        await ops.SignInAsync("ops@example.com");
        var account = await (await ops.GetPageAsync("/account")).Content.ReadAsStringAsync();
        var token = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(account, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);

        var signOut = await ops.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/signout")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }),
        });
        var after = await ops.GetPageAsync("/hangfire/etl");

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal("/signin", signOut.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/signin", after.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ops@example.com")]
    [InlineData("director@example.com")]
    public async Task Those_who_view_job_runs_see_why_an_inbox_file_was_rejected_read_only(string email)
    {
        await using (var connection = await server.Database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                insert into worker.import_batches (id, dataset, file_name, source, uploaded_by_name, status, size_bytes, sha256, message, finished_at)
                values ('0b0e5c1e-0000-4000-8000-000000000002', 'digital_channels', 'linkedin-export.csv', 'inbox', 'inbox', 'rejected', 120, 'inbox-check',
                        'The header lacks the required column Channel (channel_name). Found: Date, Impressions, Clicks.', now())
                on conflict (id) do nothing
                """);
        }

        using var session = server.Session();
        await session.SignInAsync(email);

        var page = await session.GetPageAsync("/uploads/0b0e5c1e-0000-4000-8000-000000000002");
        var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        var report = await session.GetAsync("/api/imports/0b0e5c1e-0000-4000-8000-000000000002/errors.csv", "text/csv");
        var upload = await session.GetPageAsync("/uploads");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Refused: nothing was changed. The header lacks the required column Channel (channel_name).", html, StringComparison.Ordinal);
        Assert.Contains("picked up from the inbox folder", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Upload another file", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.Contains("The header lacks the required column Channel", await report.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, upload.StatusCode);
    }

    [Fact]
    public async Task The_upload_page_offers_a_value_for_the_whole_upload_and_summing_repeated_keys()
    {
        using var marketing = server.Session();
        await marketing.SignInAsync("marketing@example.com");

        var html = await (await marketing.GetPageAsync("/uploads")).Content.ReadAsStringAsync();

        Assert.Contains("<input id=\"set\" name=\"set\" placeholder=\"channel_name=LinkedIn\"", html, StringComparison.Ordinal);
        Assert.Contains("name=\"sumDuplicates\" value=\"true\"", html, StringComparison.Ordinal);
        Assert.Contains("Signed in as <strong>Morgan Marketing</strong> (marketing)", html, StringComparison.Ordinal);
    }

    // The dashboard, for those who may open it.

    [Fact]
    public async Task The_dashboard_menu_links_back_to_the_pages_the_user_may_open_and_to_sign_out()
    {
        using var ops = server.Session();
        using var admin = server.Session();
        await ops.SignInAsync("ops@example.com");
        await admin.SignInAsync("admin@example.com");

        var opsMenu = await (await ops.GetPageAsync("/hangfire/recurring")).Content.ReadAsStringAsync();
        var adminMenu = await (await admin.GetPageAsync("/hangfire/recurring")).Content.ReadAsStringAsync();
        var signOut = await ops.GetPageAsync("/signout");

        Assert.Contains("<a href=\"/account\">", opsMenu, StringComparison.Ordinal);
        Assert.Contains("Oli Ops (ops)", opsMenu, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/signout\">", opsMenu, StringComparison.Ordinal);
        Assert.DoesNotContain("<a href=\"/uploads\">", opsMenu, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/uploads\">", adminMenu, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, signOut.StatusCode);
        Assert.Contains("<form method=\"post\" action=\"/signout\">", await signOut.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trigger_now_on_the_recurring_jobs_page_is_recorded_as_a_manual_run()
    {
        using var ops = server.Session();
        await ops.SignInAsync("ops@example.com");
        var finished = server.Process.WaitForOutputAsync(new System.Text.RegularExpressions.Regex(@"Job prune-run-history run \d+ started \(manual\)"), TimeSpan.FromSeconds(30));

        var response = await ops.DashboardPostAsync("/hangfire/recurring/trigger", new Dictionary<string, string> { ["jobs[]"] = "prune-run-history" });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await finished;
        await using var connection = await server.Database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("select count(*) from worker.job_runs where job_id = 'prune-run-history' and trigger = 'schedule'"));
    }

    [Fact]
    public async Task Run_now_confirms_on_the_page_that_the_job_is_queued()
    {
        using var ops = server.Session();
        await ops.SignInAsync("ops@example.com");
        var page = await (await ops.GetPageAsync("/hangfire/etl")).Content.ReadAsStringAsync();
        var form = System.Text.RegularExpressions.Regex.Match(page, "<form method=\"post\" action=\"/hangfire/etl/run/prune-run-history\" class=\"run-now\"><input type=\"hidden\" name=\"__RequestVerificationToken\" value=\"([^\"]+)\"");

        var posted = await ops.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/hangfire/etl/run/prune-run-history")
        {
            Headers = { { "Accept", "text/html" } },
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(form.Groups[1].Value) }),
        });
        var confirmation = WebUtility.HtmlDecode(await (await ops.GetPageAsync(posted.Headers.Location!.OriginalString)).Content.ReadAsStringAsync());

        Assert.True(form.Success);
        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
        Assert.StartsWith("/hangfire/etl?queued=prune-run-history&job=", posted.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Matches(@"<strong>prune-run-history</strong> is queued as job #\d+\.", confirmation);
    }

    [Fact]
    public async Task An_inbox_run_that_refused_a_file_is_a_warning_and_a_failure_reads_as_a_sentence_with_the_detail_a_click_away()
    {
        // Dated an hour ahead, so the inbox jobs' own runs during the test are older than these.
        await using (var connection = await server.Database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                insert into worker.job_runs (job_id, trigger, status, started_at, finished_at, rows_read, rows_written, summary)
                values ('inbox-digital-channels', 'schedule', 'succeeded', now() + interval '1 hour', now() + interval '61 minutes', 2, 0,
                        '{"rowsRead": 2, "rowsWritten": 0, "details": {"files": 1, "filesWithErrors": 1, "dataset": "digital_channels"}}');
                insert into worker.job_runs (job_id, trigger, status, started_at, finished_at, error)
                values ('inbox-website-analytics', 'schedule', 'failed', now() + interval '1 hour', now() + interval '61 minutes',
                        'Failed to connect to 127.0.0.1:5432' || chr(10) || '   at Npgsql.Internal.NpgsqlConnector.Connect(…)');
                """);
        }

        using var ops = server.Session();
        await ops.SignInAsync("ops@example.com");
        var html = WebUtility.HtmlDecode(await (await ops.GetPageAsync("/hangfire/etl")).Content.ReadAsStringAsync());

        var inbox = Row(html, "inbox-digital-channels");
        var failing = Row(html, "inbox-website-analytics");
        Assert.Contains("class=\"warning\"", inbox, StringComparison.Ordinal);
        Assert.Contains("1 file refused", inbox, StringComparison.Ordinal);
        Assert.Contains("class=\"danger\"", failing, StringComparison.Ordinal);
        Assert.Contains("<summary class=\"text-danger\">The database could not be reached. Check that PostgreSQL is up (/health/ready), then run the job again.</summary>", failing, StringComparison.Ordinal);
        Assert.Contains("<pre class=\"failure-detail\">Failed to connect to 127.0.0.1:5432", failing, StringComparison.Ordinal);
    }

    private static string Row(string html, string jobId)
    {
        var start = html.IndexOf($"<tr data-job=\"{jobId}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no row for {jobId}");
        return html[start..html.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }

    private async Task<bool> KpiPageIsMappedAsync()
    {
        using var anonymous = server.Session();
        return (await anonymous.GetPageAsync("/kpis")).StatusCode != HttpStatusCode.NotFound;
    }

    private async Task<Guid> AnyImportAsync()
    {
        await using var connection = await server.Database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<Guid>("""
            insert into worker.import_batches (id, dataset, file_name, source, uploaded_by_name, status, size_bytes, sha256)
            values ('0b0e5c1e-0000-4000-8000-000000000001', 'digital_channels', 'role-check.csv', 'upload', 'Morgan Marketing', 'rejected', 10, 'role-check')
            on conflict (id) do update set file_name = excluded.file_name
            returning id
            """);
    }

    private static TheoryData<string, string> Cross()
    {
        var data = new TheoryData<string, string>();
        foreach (var role in new[] { "director", "admin", "sales", "marketing", "ops", "finance" })
        {
            foreach (var page in MayOpen.Keys)
            {
                data.Add(role, page);
            }
        }

        return data;
    }

    /// <summary>The worker for this class: every role signs in many times a minute here.</summary>
    public sealed class Server : DashboardServer
    {
        protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string> { ["Auth__SignInAttemptsPerMinute"] = "1000" };
    }
}
