-- The KPI digest's bookkeeping, in schema "worker" (not exposed by the API, no row-level security:
-- only the worker reads it). Who receives the digest is decided at send time: every user whose role
-- holds receive_kpi_digest, plus the subscriptions below; this table also keeps each user's time
-- zone and pause flag.

-- True when PostgreSQL knows the time zone (an IANA name such as Europe/London).
create function worker.is_time_zone(name text)
returns boolean
language plpgsql
stable
set search_path = ''
as $$
begin
  perform now() at time zone name;
  return true;
exception when invalid_parameter_value then
  return false;
end
$$;

-- A user (their own permissions decide what they read) or an outside address reading as a role.
create table worker.digest_recipients (
  id uuid primary key default gen_random_uuid(),
  user_id uuid references auth.users (id) on delete cascade,
  email text check (email like '_%@_%'),
  display_name text,
  read_as_role text references public.roles (name) on update cascade on delete cascade,
  time_zone text not null default 'UTC' check (worker.is_time_zone(time_zone)),
  paused boolean not null default false,
  added_by text not null default current_user,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((user_id is null) <> (email is null)),
  check ((email is null) = (read_as_role is null))
);

create unique index digest_recipients_user_id_key on worker.digest_recipients (user_id) where user_id is not null;
create unique index digest_recipients_email_key on worker.digest_recipients (lower(email)) where email is not null;

-- One row per (digest period, recipient, channel): what was delivered, or why not, and how often it
-- was tried. A row that says sent is never sent again; failed rows are retried until they give up.
-- recipient: user:<uuid>, address:<id of the subscription> or webhook:<channel name>.
create table worker.digest_deliveries (
  period_start date not null,
  period_end date not null,
  recipient text not null,
  channel text not null check (channel in ('email', 'webhook')),
  recipient_name text not null,
  status text not null check (status in ('sending', 'sent', 'failed', 'skipped')),
  attempts integer not null default 0 check (attempts >= 0),
  kpis integer,
  reason text,
  first_attempt_at timestamptz not null default now(),
  last_attempt_at timestamptz not null default now(),
  sent_at timestamptz,
  primary key (period_start, recipient, channel),
  check (period_end >= period_start),
  check ((status = 'sent') = (sent_at is not null))
);

create index digest_deliveries_last_attempt_at_idx on worker.digest_deliveries (last_attempt_at desc);
