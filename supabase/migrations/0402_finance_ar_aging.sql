-- Accounts receivable aging. A view, not a table: it is derived from invoices and payments as of
-- today, so it can never go stale.
--
-- Buckets by days past due (today - due_date), each named by its lower bound:
--   current   fewer than 30 days past due (including not yet due)
--   30        30 to 59 days
--   60        60 to 89 days
--   90+       90 days or more
create or replace function public.ar_aging_bucket(due_date date, as_of date)
returns text
language sql
immutable
parallel safe
set search_path = ''
return case
  when as_of - due_date >= 90 then '90+'
  when as_of - due_date >= 60 then '60'
  when as_of - due_date >= 30 then '30'
  else 'current'
end;

create view public.ar_aging
with (security_invoker = true) as
with paid as (
  select invoice_id, sum(amount) as amount
  from public.finance_transactions
  where transaction_type = 'payment' and invoice_id is not null
  group by invoice_id
)
select
  i.id,
  i.customer_id,
  i.id as invoice_id,
  i.due_date,
  (i.amount - coalesce(p.amount, 0))::numeric(14, 2) as amount_due,
  greatest(current_date - i.due_date, 0) as days_past_due,
  public.ar_aging_bucket(i.due_date, current_date) as bucket
from public.finance_transactions i
left join paid p on p.invoice_id = i.id
where i.transaction_type = 'invoice'
  and i.amount - coalesce(p.amount, 0) > 0;
