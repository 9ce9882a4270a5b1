-- Finance overview per calendar month, on invoice (accrual) basis:
--   revenue = invoices - refunds, expenses = expense transactions, profit = revenue - expenses.
create view public.v_finance_overview
with (security_invoker = true) as
select
  date_trunc('month', transaction_date)::date as month,
  (coalesce(sum(amount) filter (where transaction_type = 'invoice'), 0)
    - coalesce(sum(amount) filter (where transaction_type = 'refund'), 0))::numeric(14, 2) as revenue,
  coalesce(sum(amount) filter (where transaction_type = 'expense'), 0)::numeric(14, 2) as expenses,
  (coalesce(sum(amount) filter (where transaction_type = 'invoice'), 0)
    - coalesce(sum(amount) filter (where transaction_type = 'refund'), 0)
    - coalesce(sum(amount) filter (where transaction_type = 'expense'), 0))::numeric(14, 2) as profit,
  coalesce(sum(amount) filter (where transaction_type = 'payment'), 0)::numeric(14, 2) as cash_received
from public.finance_transactions
group by 1;

-- Outstanding receivables per aging bucket, every bucket listed even when empty.
create view public.v_finance_ar_summary
with (security_invoker = true) as
select
  b.bucket,
  b.sort_order,
  count(a.id)::integer as invoice_count,
  coalesce(sum(a.amount_due), 0)::numeric(14, 2) as amount_due
from (values ('current', 1), ('30', 2), ('60', 3), ('90+', 4)) as b (bucket, sort_order)
left join public.ar_aging a on a.bucket = b.bucket
group by b.bucket, b.sort_order;
