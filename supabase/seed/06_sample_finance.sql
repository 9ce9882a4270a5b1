-- Customers, six months of invoices (some paid, some partly, some not: every aging bucket has
-- invoices), refunds, expenses and monthly margins.
insert into public.customers (id, name, email, country_code)
select md5('customer:' || i)::uuid, 'Customer ' || i, 'billing' || i || '@customer' || i || '.example', c
from generate_series(1, 8) as i
cross join lateral (select (array['US', 'GB', 'DE', 'FR', 'NL', 'ES', 'CA', 'AU'])[i] as c) x
on conflict do nothing;

-- Invoice i is dated (i * 5) days ago with 30-day terms, so days past due run from -25 to 125.
insert into public.finance_transactions (id, account_id, customer_id, amount, transaction_date, transaction_type, description, due_date)
select
  md5('invoice:' || i)::uuid,
  (select id from public.accounts where code = '1200'),
  md5('customer:' || (1 + i % 8))::uuid,
  (2000 + abs(hashtext('inv:' || i)) % 18000)::numeric(14, 2),
  current_date - i * 5,
  'invoice',
  'Invoice ' || i,
  current_date - i * 5 + 30
from generate_series(1, 31) as i
on conflict do nothing;

-- Every third invoice fully paid, every fifth half paid.
insert into public.finance_transactions (id, account_id, customer_id, amount, transaction_date, transaction_type, description, invoice_id)
select
  md5('payment:' || i)::uuid,
  (select id from public.accounts where code = '1000'),
  inv.customer_id,
  case when i % 3 = 0 then inv.amount else round(inv.amount / 2, 2) end,
  least(inv.transaction_date + 20, current_date),
  'payment',
  'Payment for invoice ' || i,
  inv.id
from generate_series(1, 31) as i
join public.finance_transactions inv on inv.id = md5('invoice:' || i)::uuid
where i % 3 = 0 or i % 5 = 0
on conflict do nothing;

insert into public.finance_transactions (id, account_id, customer_id, amount, transaction_date, transaction_type, description, invoice_id)
select md5('refund:' || i)::uuid, (select id from public.accounts where code = '1000'), md5('customer:' || (1 + i % 8))::uuid,
  250 * i, current_date - i * 40, 'refund', 'Goodwill refund ' || i, md5('invoice:' || (i * 8))::uuid
from generate_series(1, 3) as i
on conflict do nothing;

insert into public.finance_transactions (id, account_id, amount, transaction_date, transaction_type, description, expense_category_id)
select
  md5('expense:' || m || ':' || c.code)::uuid,
  (select id from public.accounts where code = '6000'),
  (c.monthly * (0.9 + (abs(hashtext('e:' || m || c.code)) % 200) / 1000.0))::numeric(14, 2),
  (date_trunc('month', current_date) - make_interval(months => m))::date + 14,
  'expense',
  c.name || ' month -' || m,
  (select id from public.expense_categories where code = c.code)
from generate_series(0, 5) as m
cross join (values ('payroll', 'Payroll', 60000), ('software', 'Software', 8000), ('advertising', 'Advertising', 15000),
                   ('travel', 'Travel', 4000), ('office', 'Office', 3000)) as c (code, name, monthly)
where (date_trunc('month', current_date) - make_interval(months => m))::date + 14 <= current_date
on conflict do nothing;

insert into public.finance_margin (id, period_start, period_end, revenue, cost_of_goods_sold)
select
  md5('margin:' || m)::uuid,
  (date_trunc('month', current_date) - make_interval(months => m))::date,
  (date_trunc('month', current_date) - make_interval(months => m) + interval '1 month - 1 day')::date,
  (90000 + abs(hashtext('rev:' || m)) % 40000)::numeric(14, 2),
  (35000 + abs(hashtext('cogs:' || m)) % 20000)::numeric(14, 2)
from generate_series(1, 6) as m
on conflict do nothing;
