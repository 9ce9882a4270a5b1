-- The parts of Supabase the migrations rely on, created only where they are missing, so the same
-- migrations run unchanged on hosted Supabase (where all of this exists) and on plain PostgreSQL.
-- Every statement is a no-op when its object exists; role creation tolerates a concurrent creator
-- because roles are cluster-wide and parallel migrators of other databases may race for them.
do $shim$
declare
  role_name text;
begin
  foreach role_name in array array['anon', 'authenticated', 'service_role', 'authenticator', 'supabase_auth_admin'] loop
    if not exists (select from pg_catalog.pg_roles where rolname = role_name) then
      begin
        execute format(
          'create role %I %s',
          role_name,
          case role_name
            when 'service_role' then 'nologin noinherit bypassrls'
            when 'authenticator' then 'login noinherit'
            else 'nologin noinherit'
          end);
      exception when duplicate_object or unique_violation then
        null;
      end;
    end if;
  end loop;
end
$shim$;

grant anon, authenticated, service_role to authenticator;

create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;

do $shim$
begin
  if not exists (select from pg_catalog.pg_namespace where nspname = 'auth') then
    create schema auth;
    grant usage on schema auth to anon, authenticated, service_role;
  end if;

  if to_regclass('auth.users') is null then
    create table auth.users (
      instance_id uuid,
      id uuid primary key default gen_random_uuid(),
      aud varchar(255),
      role varchar(255),
      email varchar(255),
      encrypted_password varchar(255),
      email_confirmed_at timestamptz,
      last_sign_in_at timestamptz,
      raw_app_meta_data jsonb,
      raw_user_meta_data jsonb,
      is_super_admin boolean,
      created_at timestamptz default now(),
      updated_at timestamptz default now(),
      phone text unique,
      banned_until timestamptz,
      deleted_at timestamptz,
      is_sso_user boolean not null default false,
      is_anonymous boolean not null default false
    );
    create unique index users_email_partial_key on auth.users (email) where is_sso_user = false;
  end if;

  -- Claims come from request.jwt.claims (PostgREST >= 9) with the legacy per-claim setting as
  -- fallback. nullif(..., ''): after a transaction that set it locally, the setting reads ''.
  if to_regprocedure('auth.jwt()') is null then
    create function auth.jwt() returns jsonb language sql stable as $f$
      select coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
      )::jsonb
    $f$;
  end if;

  if to_regprocedure('auth.uid()') is null then
    create function auth.uid() returns uuid language sql stable as $f$
      select coalesce(
        nullif(current_setting('request.jwt.claim.sub', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
      )::uuid
    $f$;
  end if;

  if to_regprocedure('auth.role()') is null then
    create function auth.role() returns text language sql stable as $f$
      select coalesce(
        nullif(current_setting('request.jwt.claim.role', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
      )::text
    $f$;
  end if;

  if to_regprocedure('auth.email()') is null then
    create function auth.email() returns text language sql stable as $f$
      select coalesce(
        nullif(current_setting('request.jwt.claim.email', true), ''),
        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
      )::text
    $f$;
  end if;
end
$shim$;

grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt() to anon, authenticated, service_role;
