-- One user per built-in role, for development and staging only.
-- Password of every seeded user: worker-dev-password (never seed this on a production project).
insert into auth.users (id, aud, role, email, encrypted_password, email_confirmed_at, raw_user_meta_data, raw_app_meta_data)
select
  md5('user:' || r.name)::uuid,
  'authenticated',
  'authenticated',
  r.name || '@example.com',
  extensions.crypt('worker-dev-password', extensions.gen_salt('bf', 10)),
  now(),
  jsonb_build_object('full_name', r.full_name),
  '{"provider": "email", "providers": ["email"]}'::jsonb
from (values
  ('director', 'Dana Director'),
  ('admin', 'Avery Admin'),
  ('sales', 'Sam Sales'),
  ('marketing', 'Morgan Marketing'),
  ('ops', 'Oli Ops'),
  ('finance', 'Frankie Finance')
) as r (name, full_name)
on conflict (id) do nothing;

-- A second sales user, so "own leads only" has someone else's leads to hide.
insert into auth.users (id, aud, role, email, encrypted_password, email_confirmed_at, raw_user_meta_data)
values (md5('user:sales2')::uuid, 'authenticated', 'authenticated', 'sales2@example.com',
  extensions.crypt('worker-dev-password', extensions.gen_salt('bf', 10)), now(),
  '{"full_name": "Sasha Sales"}'::jsonb)
on conflict (id) do nothing;

-- Profiles come from the auth.users trigger; give each its role (only where it differs, so a
-- second seed touches nothing).
update public.profiles p
set role_id = r.id
from public.roles r
where r.name = case p.id
    when md5('user:director')::uuid then 'director'
    when md5('user:admin')::uuid then 'admin'
    when md5('user:sales')::uuid then 'sales'
    when md5('user:sales2')::uuid then 'sales'
    when md5('user:marketing')::uuid then 'marketing'
    when md5('user:ops')::uuid then 'ops'
    when md5('user:finance')::uuid then 'finance'
  end
  and p.role_id is distinct from r.id;
