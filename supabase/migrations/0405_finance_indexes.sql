-- ar_aging is a view, so the index that serves its due_date lookups sits on the invoices.
create index finance_transactions_transaction_date_idx on public.finance_transactions (transaction_date);
create index finance_transactions_account_id_idx on public.finance_transactions (account_id);
create index finance_transactions_customer_id_idx on public.finance_transactions (customer_id);
create index finance_transactions_invoice_id_idx on public.finance_transactions (invoice_id) where invoice_id is not null;
create index finance_transactions_open_invoices_due_date_idx
  on public.finance_transactions (due_date) where transaction_type = 'invoice';
create index finance_transactions_expense_category_id_idx on public.finance_transactions (expense_category_id);
create index finance_margin_period_idx on public.finance_margin (period_start);
