-- Role-based access control: roles hold permissions; a profile has one role.
create table public.roles (
  id uuid primary key default gen_random_uuid(),
  name text not null unique check (name ~ '^[a-z][a-z0-9_]*$'),
  description text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.permissions (
  id uuid primary key default gen_random_uuid(),
  name text not null unique check (name ~ '^[a-z][a-z0-9_]*$'),
  description text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.role_permissions (
  role_id uuid not null references public.roles (id) on delete cascade,
  permission_id uuid not null references public.permissions (id) on delete cascade,
  primary key (role_id, permission_id)
);
-- The primary key serves lookups by role; this serves "which roles hold permission X".
create index role_permissions_permission_id_idx on public.role_permissions (permission_id);

-- A role still held by someone cannot be deleted by accident.
alter table public.profiles
  add constraint profiles_role_id_fkey foreign key (role_id) references public.roles (id) on delete restrict;
create index profiles_role_id_idx on public.profiles (role_id);

create trigger set_updated_at before update on public.roles
  for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.permissions
  for each row execute function private.set_updated_at();
