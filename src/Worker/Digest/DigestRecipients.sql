-- Everyone who receives the KPI digest: users whose role holds receive_kpi_digest, users an admin
-- subscribed, and outside addresses reading as a role. Deleted and banned users receive nothing.
with holders as (
  select p.id as user_id
  from public.profiles p
  join public.role_permissions rp on rp.role_id = p.role_id
  join public.permissions pm on pm.id = rp.permission_id and pm.name = 'receive_kpi_digest'
),
users as (
  select h.user_id from holders h
  union
  select r.user_id from worker.digest_recipients r where r.user_id is not null
)
select 'user:' || u.id as Key, u.id as UserId, null::text as ReadAsRole, u.email::text as Address,
       coalesce(nullif(p.full_name, ''), u.email)::text as Name,
       r.time_zone as TimeZone, coalesce(r.paused, false) as Paused
from users x
join auth.users u on u.id = x.user_id
left join public.profiles p on p.id = u.id
left join worker.digest_recipients r on r.user_id = u.id
where u.deleted_at is null and (u.banned_until is null or u.banned_until <= now()) and u.email is not null
union all
select 'address:' || r.id, null, r.read_as_role, r.email, coalesce(nullif(r.display_name, ''), r.email), r.time_zone, r.paused
from worker.digest_recipients r
where r.email is not null
order by 1
