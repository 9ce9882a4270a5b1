namespace Worker.Ingestion.Csv;

/// <summary>
/// The datasets marketing can upload, with the header names that GA4, Google Ads, Meta Ads, LinkedIn,
/// HubSpot and spreadsheets use for each column. docs/csv-formats.md documents them; change both together.
/// </summary>
public static class Datasets
{
    // Best first: when an export has two headers for the same column (Meta writes "Day" and
    // "Reporting starts"), the one earlier in its list is taken and the other ignored.
    private static readonly string[] ReportDate = ["date", "day", "report date", "reporting date", "gregorian date", "day index", "date (yyyymmdd)", "reporting starts", "start date"];
    private static readonly string[] PeriodEnd = ["reporting ends", "end date", "period end"];
    private const string ByDay = "export the report broken down by day (Meta Ads Manager: Breakdown → By time → Day; Google Ads: Segment → Time → Day; LinkedIn Campaign Manager: Time breakdown → Daily)";

    public static readonly Dataset DigitalChannels = new(
        "digital_channels", "digital_channels", "Daily visits, leads, conversions and cost per channel",
        [
            new("report_date", FieldKind.Date, true, ReportDate),
            new("channel_name", FieldKind.Text, true, "channel", "session default channel group", "session primary channel group", "default channel group", "session default channel grouping",
                "default channel grouping", "first user default channel group", "channel group", "platform", "publisher platform", "network", "source"),
            new("visits", FieldKind.Count, false, "sessions", "visits", "engaged sessions"),
            new("leads", FieldKind.Count, false, "leads", "key events: generate_lead", "conversions: generate_lead", "leads (form)", "on-facebook leads", "form fills", "new contacts"),
            new("conversions", FieldKind.Decimal, false, "conversions", "key events", "results", "all conversions", "total conversions"),
            new("cost", FieldKind.Money, false, "cost", "spend", "amount spent", "amount spent (usd)", "amount spent (eur)", "amount spent (gbp)", "total spent", "ads cost", "advertiser ad cost", "cost (usd)"),
        ],
        ["report_date", "channel_name"])
    {
        DefaultedKey = ["source"],
        PeriodEndAliases = PeriodEnd,
        ByDayHint = ByDay,
    };

    public static readonly Dataset MarketingAttribution = new(
        "marketing_attribution", "marketing_attribution", "Daily conversions per channel under first-touch, last-touch and assisted attribution",
        [
            new("report_date", FieldKind.Date, true, ReportDate),
            new("channel", FieldKind.Text, true, "channel", "channel name", "default channel group", "session default channel group", "source / medium", "source"),
            new("first_touch_conversions", FieldKind.Decimal, false, "first touch", "first touch conversions", "first click", "first click conversions", "first interaction", "first interaction conversions"),
            new("last_touch_conversions", FieldKind.Decimal, false, "last touch", "last touch conversions", "last click", "last click conversions", "last interaction", "last interaction conversions"),
            new("assisted_conversions", FieldKind.Decimal, false, "assisted", "assisted conversions", "assists", "assist conversions"),
        ],
        ["report_date", "channel"])
    {
        DefaultedKey = ["source"],
        PeriodEndAliases = PeriodEnd,
        ByDayHint = ByDay,
    };

    public static readonly Dataset WebsiteAnalytics = new(
        "website_analytics", "website_analytics", "Daily website totals (GA4)",
        [
            new("date", FieldKind.Date, true, "date", "day", "day index", "date (yyyymmdd)"),
            new("pageviews", FieldKind.Count, false, "views", "page views", "pageviews", "screen page views", "views (page)"),
            new("sessions", FieldKind.Count, false, "sessions", "visits"),
            new("users", FieldKind.Count, false, "users", "total users", "active users", "visitors") { Additive = false },
            new("bounce_rate", FieldKind.Fraction, false, "bounce rate"),
            new("avg_session_duration", FieldKind.Seconds, false, "average session duration", "avg. session duration", "session duration"),
        ],
        ["date"])
    {
        DefaultedKey = ["source"],
        PeriodEndAliases = PeriodEnd,
        ByDayHint = "export the report by day (GA4: add the Date dimension)",
    };

    public static readonly Dataset OfflineEvents = new(
        "offline_events", "offline_events", "Events of offline campaigns (trade shows, roadshows)",
        [
            new("campaign_id", FieldKind.Text, true, "campaign", "campaign name") { IsCampaignReference = true },
            new("event_name", FieldKind.Text, true, "event", "event name", "name"),
            new("location", FieldKind.Text, false, "location", "venue", "city"),
            new("event_date", FieldKind.Date, true, "date", "event date", "day"),
            new("attendees", FieldKind.Count, false, "attendees", "attendance", "visitors", "registrations attended") { SqlType = "integer" },
            new("leads_generated", FieldKind.Count, false, "leads", "leads generated", "new contacts") { SqlType = "integer" },
            new("notes", FieldKind.Text, false, "notes", "comments", "comment") { MaxLength = 10_000 },
        ],
        ["campaign_id", "event_name", "event_date"]);

    public static readonly Dataset SeoSemCampaigns = new(
        "seo_sem_campaigns", "seo_sem_campaigns", "Keyword performance of search campaigns per period",
        [
            new("campaign_id", FieldKind.Text, true, "campaign", "campaign name") { IsCampaignReference = true },
            new("keyword", FieldKind.Text, true, "keyword", "search keyword", "keyword text", "query"),
            new("impressions", FieldKind.Count, false, "impressions", "impr."),
            new("clicks", FieldKind.Count, false, "clicks"),
            new("conversions", FieldKind.Decimal, false, "conversions", "conv.", "all conv."),
            new("cost", FieldKind.Money, false, "cost", "spend", "amount spent"),
            new("start_date", FieldKind.Date, true, "start date", "from", "reporting starts", "period start", "date"),
            new("end_date", FieldKind.Date, true, "end date", "to", "reporting ends", "period end"),
        ],
        ["campaign_id", "keyword", "start_date", "end_date"])
    {
        DateRanges = [("start_date", "end_date")],
    };

    public static readonly Dataset ContentPieces = new(
        "content_pieces", "content_pieces", "Published content and the impressions and leads it brought",
        [
            new("campaign_id", FieldKind.Text, false, "campaign", "campaign name") { IsCampaignReference = true },
            new("title", FieldKind.Text, true, "title", "name", "content title", "video title", "page title", "post title"),
            new("content_type", FieldKind.Text, true, "type", "content type", "format")
            {
                AllowedValues = new HashSet<string>(["blog", "video", "infographic", "whitepaper", "ebook", "webinar", "case_study", "podcast", "social", "email", "other"]),
            },
            new("publish_date", FieldKind.Date, true, "publish date", "published", "publish date (utc)", "video publish time", "publish time", "date"),
            new("impressions", FieldKind.Count, false, "impressions", "views"),
            new("leads_generated", FieldKind.Count, false, "leads", "leads generated", "submissions", "form submissions") { SqlType = "integer" },
        ],
        ["title", "publish_date"]);

    /// <summary>
    /// KPI targets per period, for admins (manage_kpi_definitions). Not a marketing export: loaded by
    /// <see cref="Worker.Kpi.KpiTargetsImporter"/>, which resolves the KPI first and reads the period and
    /// the target against its grain and unit (docs/csv-formats.md, "kpi_targets").
    /// </summary>
    public static readonly Dataset KpiTargets = new(
        "kpi_targets", "kpi_targets", "KPI targets per period (admins)",
        [
            new("kpi", FieldKind.Text, true, "kpi", "kpi name", "name", "metric", "kpi id", "id", "calculation"),
            new("period", FieldKind.Text, false, "period", "quarter", "month", "week", "day"),
            new("effective_from", FieldKind.Date, false, "effective from", "from", "valid from", "start date", "start"),
            new("effective_to", FieldKind.Date, false, "effective to", "to", "valid to", "until", "end date", "end"),
            new("target_value", FieldKind.Text, true, "target", "target value", "goal"),
            new("note", FieldKind.Text, false, "note", "notes", "comment", "comments") { MaxLength = 10_000 },
        ],
        ["kpi"])
    {
        Permission = "manage_kpi_definitions",
    };

    /// <summary>Marketing's datasets (the exports of analytics and ad tools).</summary>
    public static readonly IReadOnlyList<Dataset> All = [DigitalChannels, MarketingAttribution, WebsiteAnalytics, OfflineEvents, SeoSemCampaigns, ContentPieces];

    /// <summary>Every dataset the importer loads: marketing's and the admins' KPI targets.</summary>
    public static readonly IReadOnlyList<Dataset> Every = [.. All, KpiTargets];

    public static Dataset? Find(string name) => Every.FirstOrDefault(d => d.Name == name);

    /// <summary>The datasets a user holding these permissions may load.</summary>
    public static IReadOnlyList<Dataset> LoadableBy(System.Security.Claims.ClaimsPrincipal user) =>
        [.. Every.Where(d => user.HasClaim(Worker.Web.Permissions.ClaimType, d.Permission))];
}
