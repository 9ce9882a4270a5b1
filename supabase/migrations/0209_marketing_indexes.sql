-- Foreign keys and the dates reports filter on. The unique keys already index
-- (report_date, channel_name), (report_date, channel), (date) and (campaign_id, ...); no second index
-- on the daily series, whose every extra index is paid on each reload of a million-row export.
create index offline_events_event_date_idx on public.offline_events (event_date);
create index seo_sem_campaigns_start_date_idx on public.seo_sem_campaigns (start_date);
create index content_pieces_campaign_id_idx on public.content_pieces (campaign_id);
create index content_pieces_publish_date_idx on public.content_pieces (publish_date);
