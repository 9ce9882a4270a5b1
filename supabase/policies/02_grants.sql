-- Explicit grants instead of Supabase's broad defaults: anon gets nothing; authenticated gets the
-- commands a table supports (row-level security then decides which rows); service_role (the API's
-- trusted key, BYPASSRLS) gets the same commands on every row. The audit trail and the ticket
-- transition log are append-only: written by triggers, never edited.
alter default privileges in schema public revoke all on tables from anon, authenticated, service_role;
alter default privileges in schema public revoke all on functions from anon, authenticated, service_role;
alter default privileges in schema public revoke all on sequences from anon, authenticated, service_role;

revoke all on all tables in schema public from anon, authenticated, service_role;
revoke all on all sequences in schema public from anon, authenticated, service_role;
revoke all on all functions in schema public from public, anon;

grant usage on schema public to authenticated, service_role;
revoke all on schema public from anon;

grant select, insert, update, delete on all tables in schema public to authenticated, service_role;

revoke insert, update, delete on public.audit_logs from authenticated;
revoke update, delete on public.audit_logs from service_role;
revoke insert, update, delete on public.ops_ticket_transitions from authenticated;

grant execute on function public.ar_aging_bucket(date, date) to authenticated, service_role;

-- The worker's own bookkeeping and the migration history are not part of the API.
revoke all on schema worker from public, anon, authenticated;
revoke all on schema supabase_migrations from public, anon, authenticated;

-- The KPI layer's schema (materialized views, snapshots) is not part of the API: users read KPI data
-- through public.v_all_kpis / v_kpi_snapshots, which check their permissions.
revoke all on schema kpi from public, anon, authenticated;
revoke all on all tables in schema kpi from public, anon, authenticated;
revoke all on all functions in schema kpi from public, anon, authenticated;
