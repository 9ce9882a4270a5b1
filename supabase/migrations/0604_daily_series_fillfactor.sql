-- The daily series are reloaded often (GA4's lookback window, re-exported reports), so most of their
-- updates rewrite rows in place. Leaving room on each page lets PostgreSQL make those HOT updates
-- (no index changes, no new page): measured on a reload where every row changes (docs/benchmarks.md).
alter table public.digital_channels set (fillfactor = 80);
alter table public.marketing_attribution set (fillfactor = 80);
alter table public.website_analytics set (fillfactor = 80);
