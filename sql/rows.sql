--
-- What rows and values look like: positional paths and rows that are
-- arrays, header rows, value formats (read and sent), empty strings as
-- NULL and rows elements that may be absent.  The endpoints under
-- /open/rows/ imitate the documented responses of Google Sheets, the
-- Analytics Data API (GA4), QuickBooks Online, Xero, ServiceNow and Stripe.
--
\getenv port REST_TEST_PORT
\set base_url 'http://127.0.0.1:' :port
\set VERBOSITY default
\set SHOW_CONTEXT never
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET extra_float_digits = 0;

CREATE SERVER regress_rows FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url');

CREATE FOREIGN TABLE rows_log (seq int, path text, query text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/log');
CREATE VIEW rows_requests AS
  SELECT path, query FROM rows_log WHERE path NOT LIKE '/_admin/%' ORDER BY seq;

-- ===================================================================
-- Rows that are arrays, positional paths (Google Sheets)
-- ===================================================================
-- every row, the header row too, without header_row
CREATE FOREIGN TABLE sheet_raw (
  a text OPTIONS (json_path '0'),
  b text OPTIONS (json_path '1'),
  d text OPTIONS (json_path '3'),
  missing text OPTIONS (json_path '9')
) SERVER regress_rows OPTIONS (endpoint '/open/rows/sheets', rows_path 'values');
SELECT * FROM sheet_raw;

-- header_row: the first row holds names and is not a row
CREATE FOREIGN TABLE sheet (
  id int OPTIONS (json_path '0'),
  name text OPTIONS (json_path '1'),
  joined timestamptz OPTIONS (json_path '2', format '%d/%m/%Y %H:%M'),
  score numeric OPTIONS (json_path '3')
) SERVER regress_rows OPTIONS (endpoint '/open/rows/sheets', rows_path 'values',
                               header_row 'true');
SELECT * FROM sheet ORDER BY id;
SELECT count(*) FROM sheet;
-- a rescan of the one page skips the header row again
SELECT s.id, t.n FROM (VALUES (1), (2)) t(n), LATERAL (SELECT id FROM sheet) s
  ORDER BY t.n, s.id;

-- indexes on the way to the rows and inside rows
CREATE FOREIGN TABLE sheet_grid (
  id int OPTIONS (json_path 'values.0.formattedValue'),
  name text OPTIONS (json_path 'values.1.formattedValue'),
  cells jsonb OPTIONS (json_path 'values'),
  none text OPTIONS (json_path 'values.2.formattedValue')
) SERVER regress_rows OPTIONS (endpoint '/open/rows/sheets_grid',
                               rows_path 'sheets.0.data.0.rowData');
SELECT id, name, none, cells->1 AS cell FROM sheet_grid;
-- 20 digits are no index (an object key only, so "sheets" must be an object);
-- an index past the end of the array names nothing
CREATE FOREIGN TABLE sheet_grid_far (id int OPTIONS (json_path 'values.0.formattedValue'))
  SERVER regress_rows OPTIONS (endpoint '/open/rows/sheets_grid',
                               rows_path 'sheets.99999999999999999999.data.0.rowData');
SELECT * FROM show_error('SELECT * FROM sheet_grid_far');
ALTER FOREIGN TABLE sheet_grid_far OPTIONS (SET rows_path 'sheets.1.data.0.rowData');
SELECT * FROM show_error('SELECT * FROM sheet_grid_far');
-- ... unless the rows may be absent
ALTER FOREIGN TABLE sheet_grid_far OPTIONS (ADD rows_path_optional 'true');
SELECT * FROM sheet_grid_far;
-- an index does not name an object's member on the way: that is an object key
CREATE FOREIGN TABLE sheet_key (title text OPTIONS (json_path 'properties.title'))
  SERVER regress_rows OPTIONS (endpoint '/open/rows/sheets_grid', rows_path 'sheets');
SELECT * FROM sheet_key;
-- scalars are still not rows
CREATE FOREIGN TABLE sheet_scalars (x text OPTIONS (json_path '0'))
  SERVER regress_rows OPTIONS (endpoint '/open/rows/sheets', rows_path 'values.0');
SELECT * FROM show_error('SELECT * FROM sheet_scalars');

-- ===================================================================
-- Header elements (GA4 runReport), rows element absent when empty
-- ===================================================================
CREATE FOREIGN TABLE ga4_report (
  country text OPTIONS (json_path 'dimensionValues.0.value'),
  day date OPTIONS (json_path 'dimensionValues.1.value', format '%Y%m%d'),
  active_users int OPTIONS (json_path 'metricValues.0.value'),
  bounce_rate float8 OPTIONS (json_path 'metricValues.1.value')
) SERVER regress_rows OPTIONS (endpoint '/open/rows/ga4', rows_path 'rows');
SELECT * FROM ga4_report ORDER BY country;
-- no "rows" member: an error by default ...
ALTER FOREIGN TABLE ga4_report OPTIONS (SET endpoint '/open/rows/ga4?empty=1');
SELECT * FROM show_error('SELECT * FROM ga4_report');
-- ... no rows with rows_path_optional (here as the server's default)
ALTER SERVER regress_rows OPTIONS (ADD rows_path_optional 'true');
SELECT count(*) FROM ga4_report;
ALTER SERVER regress_rows OPTIONS (DROP rows_path_optional);

-- null counts as absent; another type stays an error
CREATE FOREIGN TABLE null_rows (id int)
  SERVER regress_rows OPTIONS (endpoint '/open/rows/null_rows', rows_path 'rows');
SELECT * FROM show_error('SELECT * FROM null_rows');
ALTER FOREIGN TABLE null_rows OPTIONS (ADD rows_path_optional 'true');
SELECT count(*) FROM null_rows;
CREATE FOREIGN TABLE number_rows (id int)
  SERVER regress_rows OPTIONS (endpoint '/open/rows/number_rows', rows_path 'rows',
                               rows_path_optional 'true');
SELECT * FROM show_error('SELECT * FROM number_rows');

-- ===================================================================
-- QuickBooks: the last page's QueryResponse has no Customer member,
-- which ends offset paging
-- ===================================================================
CREATE FOREIGN TABLE qb_customers (
  id int OPTIONS (json_path 'Id'),
  name text OPTIONS (json_path 'DisplayName'),
  balance numeric OPTIONS (json_path 'Balance'),
  created timestamptz OPTIONS (json_path 'MetaData.CreateTime')
) SERVER regress_rows OPTIONS (endpoint '/open/rows/quickbooks',
  rows_path 'QueryResponse.Customer', rows_path_optional 'true',
  paging 'offset', offset_param 'startposition', first_offset '1',
  page_size_param 'maxresults', page_size '2', fetch_concurrency '1');
SELECT * FROM api_reset;
SELECT * FROM qb_customers ORDER BY id;
SELECT * FROM rows_requests;

-- ===================================================================
-- Value formats: Xero's Microsoft JSON dates
-- ===================================================================
CREATE FOREIGN TABLE xero_invoices (
  id text OPTIONS (json_path 'InvoiceID'),
  date timestamptz OPTIONS (json_path 'Date', format 'msjson'),
  due date OPTIONS (json_path 'DueDate', format 'msjson'),
  due_local timestamp OPTIONS (json_path 'DueDate', format 'msjson'),
  updated timestamptz OPTIONS (json_path 'UpdatedDateUTC', format '/Date()/'),
  updated_local timestamp(0) OPTIONS (json_path 'UpdatedDateUTC', format 'msjson'),
  updated_time time OPTIONS (json_path 'UpdatedDateUTC', format 'msjson')
) SERVER regress_rows OPTIONS (endpoint '/open/rows/xero', rows_path 'Invoices');
SELECT * FROM xero_invoices ORDER BY id;
-- a value in another shape is an error naming the row, column and value
CREATE FOREIGN TABLE xero_bad (id timestamptz OPTIONS (json_path 'InvoiceID', format 'msjson'))
  SERVER regress_rows OPTIONS (endpoint '/open/rows/xero', rows_path 'Invoices');
\set SHOW_CONTEXT always
SELECT * FROM show_error('SELECT * FROM xero_bad');
\set SHOW_CONTEXT never

-- ===================================================================
-- Value formats: epoch seconds and milliseconds, patterns, read and sent
-- ===================================================================
CREATE FOREIGN TABLE events (
  id text,
  created timestamptz OPTIONS (format 'epoch', param_ge 'created[gte]', param_gt 'created[gt]'),
  created_ms timestamptz OPTIONS (format 'epoch_ms'),
  created_day date OPTIONS (json_path 'created', format 'epoch'),
  day timestamp OPTIONS (format '%d/%m/%Y %H:%M', param 'day'),
  at timestamptz OPTIONS (format 'epoch', param_lt 'at[lt]'),
  at_ms timestamptz OPTIONS (json_path 'at', format 'epoch_ms', param_le 'at_ms[lte]'),
  at_time time OPTIONS (json_path 'at', format 'epoch', param_ne 'at_time[ne]')
) SERVER regress_rows OPTIONS (endpoint '/open/rows/events', rows_path 'data');
SELECT id, created, created_ms, created_day, day, at FROM events ORDER BY id;
SELECT id, at_ms, at_time FROM events ORDER BY id;
-- every conversion of patterns
CREATE FOREIGN TABLE stamps (
  id text,
  stamp timestamptz OPTIONS (format '%b %d %Y %I:%M:%S.%f %p %z', param 'since'),
  local timestamp OPTIONS (json_path 'stamp', format '%b %d %Y %I:%M:%S.%f %p %z'),
  at time OPTIONS (json_path 'stamp', format '%b %d %Y %I:%M:%S.%f %p %z', param 'at'),
  day date OPTIONS (json_path 'stamp', format '%b %d %Y %I:%M:%S.%f %p %z', param 'on')
) SERVER regress_rows OPTIONS (endpoint '/open/rows/events', rows_path 'data');
SELECT * FROM stamps ORDER BY id;
SET timezone = 'America/New_York';
SELECT id, stamp FROM stamps ORDER BY id;
SELECT * FROM api_reset;
SELECT id FROM stamps WHERE stamp = '2023-11-14 20:43:20.5+00' AND at = '13:05:00.25'
  AND day = '2024-02-29';
SELECT * FROM rows_requests;
RESET timezone;
SET timezone = 'UTC';

-- pushed values are sent as the API writes them
SELECT * FROM api_reset;
SELECT id FROM events WHERE created >= '2023-11-15 22:13:20+00' ORDER BY id;
SELECT id FROM events WHERE created > '2023-11-15 22:13:20.5+00';
SELECT id FROM events WHERE day = '2023-11-16 22:13';
SELECT id FROM events WHERE at < '1969-12-31 23:59:58.5+00';
SELECT id FROM events WHERE at_ms <= '2023-11-14 22:13:20.000123+00';
SELECT id FROM events WHERE at_time <> '00:00:01' AND id = 'evt_9';
SELECT id FROM events WHERE created = ANY (ARRAY['2023-11-14 22:13:20+00'::timestamptz]);
SELECT * FROM rows_requests;

-- formats the validator refuses, and types they do not apply to
CREATE FOREIGN TABLE bad_format (a timestamptz OPTIONS (format 'iso'))
  SERVER regress_rows OPTIONS (endpoint '/open/rows/events');
CREATE FOREIGN TABLE bad_format (a timestamptz OPTIONS (format '%Y-%j'))
  SERVER regress_rows OPTIONS (endpoint '/open/rows/events');
CREATE FOREIGN TABLE bad_format (a timestamptz OPTIONS (format '%Y %'))
  SERVER regress_rows OPTIONS (endpoint '/open/rows/events');
CREATE FOREIGN TABLE bad_format (a timestamptz OPTIONS (format '100%%'))
  SERVER regress_rows OPTIONS (endpoint '/open/rows/events');
CREATE FOREIGN TABLE bad_format (id text, created int OPTIONS (format 'epoch'))
  SERVER regress_rows OPTIONS (endpoint '/open/rows/events', rows_path 'data');
SELECT * FROM show_error('SELECT * FROM bad_format');
DROP FOREIGN TABLE bad_format;
-- values out of range, and values that are not written as the format says
CREATE FOREIGN TABLE bad_values (
  v timestamptz OPTIONS (json_path '0', format 'epoch'),
  p date OPTIONS (json_path '0', format '%d/%m/%Y')
) SERVER regress_rows OPTIONS (endpoint '/open/rows/sheets', rows_path 'values');
SELECT * FROM show_error($$SELECT v FROM bad_values$$);
SELECT * FROM show_error($$SELECT p FROM bad_values$$);
ALTER FOREIGN TABLE bad_values ALTER COLUMN v OPTIONS (SET json_path '2', SET format '%d/%m/%Y %H:%M');
ALTER FOREIGN TABLE bad_values ALTER COLUMN p OPTIONS (SET json_path '2', SET format '%d/%m/%Y %H:%M');
ALTER FOREIGN TABLE bad_values OPTIONS (ADD header_row 'true');
SELECT * FROM bad_values;

-- ===================================================================
-- Empty strings (ServiceNow): NULL in columns of non-text types
-- ===================================================================
CREATE FOREIGN TABLE incidents (
  sys_id text,
  number text,
  opened_at timestamp,
  closed_at timestamptz,
  priority int,
  reassignment_count bigint,
  active boolean,
  u_score numeric,
  u_due date,
  u_tags text[],
  short_description text,
  description_or_null text OPTIONS (json_path 'short_description', empty_as_null 'true'),
  short_description_json jsonb OPTIONS (json_path 'short_description'),
  short_description_vc varchar(10) OPTIONS (json_path 'short_description')
) SERVER regress_rows OPTIONS (endpoint '/open/rows/servicenow', rows_path 'result');
SELECT * FROM incidents ORDER BY sys_id;
-- the table (or server) can turn it off; a column can turn it back on
ALTER FOREIGN TABLE incidents OPTIONS (ADD empty_as_null 'false');
SELECT * FROM show_error('SELECT priority FROM incidents');
ALTER FOREIGN TABLE incidents ALTER COLUMN priority OPTIONS (ADD empty_as_null 'on');
SELECT sys_id, priority FROM incidents ORDER BY sys_id;
ALTER FOREIGN TABLE incidents ALTER COLUMN priority OPTIONS (SET empty_as_null 'maybe');
ALTER FOREIGN TABLE incidents OPTIONS (SET empty_as_null 'maybe');

-- ===================================================================
-- IMPORT FOREIGN SCHEMA: names from a header row or header elements,
-- epoch detection
-- ===================================================================
CREATE FUNCTION rows_imported(schema_name text)
RETURNS TABLE (table_name name, col name, type text, options text)
LANGUAGE sql AS $$
  SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
         array_to_string(a.attfdwoptions, ', ')
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  WHERE c.relnamespace = schema_name::regnamespace AND c.relkind = 'f'
    AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT c.relname, NULL, NULL, array_to_string(t.ftoptions, ', ')
  FROM pg_foreign_table t JOIN pg_class c ON c.oid = t.ftrelid
  WHERE c.relnamespace = schema_name::regnamespace
  ORDER BY 1, 2 NULLS FIRST
$$;

-- Sheets: the first row names the columns (hostile text there is only a name)
CREATE SERVER regress_sheets FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_sample_path '/open/rows/sheets');
CREATE SCHEMA sheets;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_sheets INTO sheets
  OPTIONS (header_row 'true');
SELECT * FROM rows_imported('sheets');
SELECT * FROM sheets.sheets ORDER BY id;
-- without header_row, rows that are arrays give positional names
CREATE SCHEMA sheets_raw;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_sheets INTO sheets_raw;
SELECT * FROM rows_imported('sheets_raw');

-- GA4: names from dimensionHeaders and metricHeaders
CREATE SERVER regress_ga4 FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_sample_path '/open/rows/ga4');
CREATE SCHEMA ga4;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_ga4 INTO ga4
  OPTIONS (header_names 'dimensionHeaders.*.name = dimensionValues.*.value, metricHeaders.*.name=metricValues.*.value');
SELECT * FROM rows_imported('ga4');
SELECT * FROM ga4.ga4 ORDER BY country;
-- without it, the first array of objects (dimensionHeaders) is taken for
-- the rows: header_names also tells which arrays hold no rows
CREATE SCHEMA ga4_plain;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_ga4 INTO ga4_plain;
SELECT * FROM rows_imported('ga4_plain');
-- malformed header_names
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_ga4 INTO ga4_plain
  OPTIONS (header_names 'dimensionHeaders.name = dimensionValues.*.value');
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_ga4 INTO ga4_plain
  OPTIONS (header_names 'dimensionHeaders.*.name');
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_ga4 INTO ga4_plain
  OPTIONS (header_names 'a.*.*.b = c.*', header_row 'yes');
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_ga4 INTO ga4_plain
  OPTIONS (header_row 'maybe');
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_ga4 INTO ga4_plain
  OPTIONS (header_rows 'true');

-- epoch-looking integers are timestamps only when asked
CREATE SERVER regress_events FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_sample_path '/open/rows/events');
CREATE SCHEMA events_plain;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_events INTO events_plain;
SELECT * FROM rows_imported('events_plain') WHERE col IN ('created', 'created_ms');
CREATE SCHEMA events_epoch;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_events INTO events_epoch
  OPTIONS (detect_epoch 'true');
SELECT * FROM rows_imported('events_epoch');
SELECT id, created, created_ms FROM events_epoch.events ORDER BY id;

DROP SCHEMA sheets, sheets_raw, ga4, ga4_plain, events_plain, events_epoch CASCADE;

-- ===================================================================
-- What a role without privileges can do with these options
-- ===================================================================
CREATE ROLE regress_rows_user;
GRANT USAGE ON FOREIGN SERVER regress_rows TO regress_rows_user;
CREATE SCHEMA regress_rows_s AUTHORIZATION regress_rows_user;
GRANT USAGE ON SCHEMA public TO regress_rows_user;
GRANT SELECT ON rows_requests TO regress_rows_user;
GRANT SELECT ON api_reset TO regress_rows_user;
SET ROLE regress_rows_user;
SET search_path = regress_rows_s, public;
-- a pattern's literal text is part of the value: encoded, it adds no parameter
-- (the values read back do not match this pattern: an error)
CREATE FOREIGN TABLE user_events (
  id text,
  d date OPTIONS (json_path 'created', format '%Y-%m-%d&limit=1#x', param 'day')
) SERVER regress_rows OPTIONS (endpoint '/open/rows/events', rows_path 'data');
SELECT * FROM api_reset;
SELECT id FROM user_events WHERE d = '2023-11-14';
SELECT * FROM rows_requests;
-- patterns are short
DO $$ BEGIN
  EXECUTE format('CREATE FOREIGN TABLE long_format (a date OPTIONS (format %L)) SERVER regress_rows',
                 repeat('%Y', 101));
END $$;
DROP FOREIGN TABLE user_events;
RESET ROLE;
RESET search_path;
DROP SCHEMA regress_rows_s;
REVOKE ALL ON rows_requests, api_reset FROM regress_rows_user;
REVOKE ALL ON SCHEMA public FROM regress_rows_user;
REVOKE ALL ON FOREIGN SERVER regress_rows FROM regress_rows_user;
DROP ROLE regress_rows_user;
