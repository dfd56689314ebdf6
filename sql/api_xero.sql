--
-- Xero: GET /api.xro/2.0/Invoices?page=N (100 a page), pagination.pageCount
-- the number of pages, dates as Microsoft JSON dates
-- "/Date(1700000000000+0000)/" beside a DateString, a Xero-tenant-id
-- header, JSON only when the request accepts it (XML otherwise).  An OAuth
-- 2.0 access token is the bearer token.  The figures are those of the data
-- the test API generates (test/api/apis.py).
--
\getenv port REST_TEST_PORT
\getenv static_token REST_TEST_STATIC_TOKEN
\set base_url 'http://127.0.0.1:' :port '/api'
\set VERBOSITY default
\set SHOW_CONTEXT never
-- its own schema, and ISO dates
CREATE SCHEMA api_xero;
SET search_path = api_xero, public;
SET DateStyle = ISO;
SET TimeZone = 'UTC';

CREATE SERVER xero FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           headers '{"Xero-tenant-id": "a3b1c2d4-0000-4000-8000-000000000001"}');
CREATE USER MAPPING FOR CURRENT_USER SERVER xero OPTIONS (access_token :'static_token');
CREATE FOREIGN TABLE xero_log (seq int, method text, path text, query text, body text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/log');
SELECT coalesce(max(seq), 0) AS seen FROM xero_log \gset

CREATE FOREIGN TABLE xero_invoices (
  invoice_id uuid OPTIONS (json_path 'InvoiceID'),
  number text OPTIONS (json_path 'InvoiceNumber'),
  type text OPTIONS (json_path 'Type'),
  contact text OPTIONS (json_path 'Contact.Name'),
  invoice_date date OPTIONS (json_path 'Date', format 'msjson'),
  due_date timestamptz OPTIONS (json_path 'DueDate', format '/Date()/'),
  date_string timestamp OPTIONS (json_path 'DateString'),
  updated timestamptz OPTIONS (json_path 'UpdatedDateUTC', format 'msjson'),
  fully_paid date OPTIONS (json_path 'FullyPaidOnDate', format 'msjson'),
  total numeric OPTIONS (json_path 'Total'),
  amount_due numeric OPTIONS (json_path 'AmountDue'),
  status text OPTIONS (json_path 'Status', param 'Statuses', in_style 'comma')
) SERVER xero OPTIONS (
  endpoint '/xero/api.xro/2.0/Invoices', rows_path 'Invoices',
  paging 'page', page_size '100', total_pages_path 'pagination.pageCount');

-- 250 invoices, their dates from the Microsoft JSON dates agree with the
-- DateString beside them
SELECT count(*), sum(total), min(invoice_date), max(invoice_date),
       count(*) FILTER (WHERE invoice_date = date_string::date) AS dates_agree,
       count(*) FILTER (WHERE due_date = (date_string + interval '30 days') AT TIME ZONE 'UTC') AS due_in_30_days,
       count(fully_paid) AS paid
  FROM xero_invoices;
-- pageCount 3: three pages, none past the end
SELECT query FROM xero_log WHERE seq > :seen ORDER BY query;
SELECT coalesce(max(seq), 0) AS seen FROM xero_log \gset

SELECT number, contact, invoice_date, due_date, updated, total, status
  FROM xero_invoices WHERE number IN ('INV-0001', 'INV-0005') ORDER BY number;
SELECT coalesce(max(seq), 0) AS seen FROM xero_log \gset

-- a status list is sent as Statuses=A,B
SELECT status, count(*), sum(amount_due) AS due FROM xero_invoices
  WHERE status IN ('AUTHORISED', 'SUBMITTED') GROUP BY status ORDER BY status;
SELECT query FROM xero_log WHERE seq > :seen ORDER BY query;
SELECT coalesce(max(seq), 0) AS seen FROM xero_log \gset

-- receivables by month, for a psql report
SELECT date_trunc('month', invoice_date)::date AS month, count(*) AS invoices,
       sum(total) FILTER (WHERE type = 'ACCREC') AS receivable,
       sum(total) FILTER (WHERE type = 'ACCPAY') AS payable
  FROM xero_invoices WHERE status <> 'VOIDED' GROUP BY 1 ORDER BY 1;

-- a value that is no Microsoft JSON date is an error that says where
CREATE FOREIGN TABLE xero_bad (number text OPTIONS (json_path 'InvoiceNumber'),
                               d timestamptz OPTIONS (json_path 'DateString', format 'msjson'))
  SERVER xero OPTIONS (endpoint '/xero/api.xro/2.0/Invoices?page=1', rows_path 'Invoices');
SELECT * FROM show_error('SELECT * FROM xero_bad');
-- Xero's answer without the tenant header
ALTER SERVER xero OPTIONS (DROP headers);
SELECT regexp_replace(e, '"Instance": "[^"]*"', '"Instance": "..."')
  FROM show_error('SELECT count(*) FROM xero_invoices') e;

DROP SERVER xero CASCADE;
DROP FOREIGN TABLE xero_log;
DROP SCHEMA api_xero;
RESET search_path;
RESET DateStyle;
RESET TimeZone;
