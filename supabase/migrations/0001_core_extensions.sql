-- Core extensions and shared helpers.
-- Extensions live in schema "extensions", as on Supabase (the local shim creates it where missing).
create schema if not exists extensions;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists btree_gin with schema extensions;

-- Schema for helpers the API must not expose (PostgREST serves only "public").
create schema if not exists private;
revoke all on schema private from public;

-- Keeps updated_at honest on every table that has one.
create or replace function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
