-- Finance: the chart of accounts, customers, and the transactions between them.
create table public.accounts (
  id uuid primary key default gen_random_uuid(),
  code text not null unique,
  name text not null,
  account_type text not null check (account_type in ('asset', 'liability', 'equity', 'revenue', 'expense')),
  currency_code text not null default 'USD' references public.currencies (code) on update cascade on delete restrict,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.customers (
  id uuid primary key default gen_random_uuid(),
  name text not null check (btrim(name) <> ''),
  email text,
  country_code text references public.countries (code) on update cascade on delete set null,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Amounts are positive; transaction_type gives the direction.
--   invoice  money a customer owes (due_date required)
--   payment  money received against an invoice (invoice_id says which)
--   refund   money returned to a customer
--   expense  money spent (expense_category_id says on what)
create table public.finance_transactions (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete restrict,
  customer_id uuid references public.customers (id) on delete restrict,
  amount numeric(14, 2) not null check (amount > 0),
  transaction_date date not null,
  transaction_type text not null check (transaction_type in ('invoice', 'payment', 'refund', 'expense')),
  description text,
  due_date date,
  invoice_id uuid references public.finance_transactions (id) on delete restrict,
  expense_category_id uuid references public.expense_categories (id) on delete restrict,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (transaction_type <> 'invoice' or (due_date is not null and due_date >= transaction_date and customer_id is not null)),
  check (transaction_type = 'invoice' or due_date is null),
  check (invoice_id is null or transaction_type in ('payment', 'refund')),
  check (expense_category_id is null or transaction_type = 'expense')
);

create trigger set_updated_at before update on public.accounts
  for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.customers
  for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.finance_transactions
  for each row execute function private.set_updated_at();
