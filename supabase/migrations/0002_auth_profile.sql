-- One profile per Supabase auth user. role_id gets its foreign key in 0003 once roles exist.
create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  full_name text,
  avatar_url text,
  role_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create trigger set_updated_at before update on public.profiles
  for each row execute function private.set_updated_at();

-- Every new auth user gets a profile (the usual Supabase pattern), named from the sign-up metadata.
create or replace function private.create_profile_for_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.profiles (id, full_name)
  values (new.id, new.raw_user_meta_data ->> 'full_name')
  on conflict (id) do nothing;
  return new;
end
$$;

create trigger create_profile_for_new_user after insert on auth.users
  for each row execute function private.create_profile_for_new_user();
