create index ops_tickets_status_id_idx on public.ops_tickets (status_id);
create index ops_tickets_assignee_id_idx on public.ops_tickets (assignee_id);
create index ops_tickets_reporter_id_idx on public.ops_tickets (reporter_id);
create index ops_tickets_sla_id_idx on public.ops_tickets (sla_id);
create index ops_tickets_open_created_at_idx on public.ops_tickets (created_at) where closed_at is null;
create index ops_ticket_assignees_assignee_id_idx on public.ops_ticket_assignees (assignee_id);
create index ops_ticket_transitions_ticket_id_idx on public.ops_ticket_transitions (ticket_id, changed_at);
