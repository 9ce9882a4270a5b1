-- prune-ga4-history deletes GA4 revisions recorded before its retention period, in batches: find them
-- by when they were recorded instead of scanning the whole table for each batch.
create index ga4_revisions_revised_at_idx on worker.ga4_revisions (revised_at);
