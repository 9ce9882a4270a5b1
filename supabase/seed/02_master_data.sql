-- Reference data for every domain.
insert into public.countries (code, name) values
  ('US', 'United States'), ('GB', 'United Kingdom'), ('DE', 'Germany'), ('FR', 'France'),
  ('NL', 'Netherlands'), ('ES', 'Spain'), ('CA', 'Canada'), ('AU', 'Australia')
on conflict (code) do nothing;

insert into public.currencies (code, name) values
  ('USD', 'US Dollar'), ('EUR', 'Euro'), ('GBP', 'Pound Sterling'), ('CAD', 'Canadian Dollar'), ('AUD', 'Australian Dollar')
on conflict (code) do nothing;

insert into public.sales_stages (id, code, name) values
  (md5('stage:prospecting')::uuid, 'prospecting', 'Prospecting'),
  (md5('stage:qualified')::uuid, 'qualified', 'Qualified'),
  (md5('stage:proposal')::uuid, 'proposal', 'Proposal'),
  (md5('stage:negotiation')::uuid, 'negotiation', 'Negotiation'),
  (md5('stage:won')::uuid, 'won', 'Closed won'),
  (md5('stage:lost')::uuid, 'lost', 'Closed lost')
on conflict (code) do nothing;

insert into public.sales_pipeline_stages (stage_id, name, sequence, outcome)
select s.id, s.name, v.sequence, v.outcome
from (values ('prospecting', 1, 'open'), ('qualified', 2, 'open'), ('proposal', 3, 'open'),
             ('negotiation', 4, 'open'), ('won', 5, 'won'), ('lost', 6, 'lost')) as v (code, sequence, outcome)
join public.sales_stages s on s.code = v.code
on conflict (stage_id) do nothing;

insert into public.sales_reasons (name, category) values
  ('Price too high', 'lost'), ('Chose a competitor', 'lost'), ('No budget', 'lost'), ('No decision', 'stalled'),
  ('Best product fit', 'won'), ('Strong referral', 'won'), ('Champion left', 'stalled'), ('Expanded scope', 'moved')
on conflict (category, name) do nothing;

insert into public.expense_categories (code, name) values
  ('payroll', 'Payroll'), ('software', 'Software'), ('advertising', 'Advertising'),
  ('travel', 'Travel'), ('office', 'Office'), ('professional_services', 'Professional services')
on conflict (code) do nothing;

insert into public.ops_sla (id, name, priority_level, resolution_target_hours)
select md5('sla:' || v.priority)::uuid, v.name, v.priority, v.hours
from (values ('Critical: 4 hours', 'critical', 4), ('High: 1 day', 'high', 24),
             ('Medium: 3 days', 'medium', 72), ('Low: 1 week', 'low', 168)) as v (name, priority, hours)
on conflict do nothing;

insert into public.ops_ticket_statuses (id, code, name, sequence, is_closed)
select md5('status:' || v.code)::uuid, v.code, v.name, v.sequence, v.is_closed
from (values ('new', 'New', 1, false), ('open', 'Open', 2, false), ('in_progress', 'In progress', 3, false),
             ('waiting', 'Waiting on customer', 4, false), ('resolved', 'Resolved', 5, true), ('closed', 'Closed', 6, true)
) as v (code, name, sequence, is_closed)
on conflict do nothing;

insert into public.accounts (id, code, name, account_type, currency_code)
select md5('account:' || v.code)::uuid, v.code, v.name, v.account_type, 'USD'
from (values ('1200', 'Accounts receivable', 'asset'), ('1000', 'Bank', 'asset'), ('4000', 'Product revenue', 'revenue'),
             ('5000', 'Cost of goods sold', 'expense'), ('6000', 'Operating expenses', 'expense')) as v (code, name, account_type)
on conflict do nothing;
