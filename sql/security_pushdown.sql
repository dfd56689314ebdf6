--
-- Conditions and request paths that must not give wrong rows or reach
-- other paths: virtual columns under every operator, placeholder values
-- that would change the path's structure, endpoints that climb above
-- base_url, headers that reroute a request; option limits.
--
\getenv port REST_TEST_PORT
\set base_url 'http://127.0.0.1:' :port
\set VERBOSITY default
\set SHOW_CONTEXT never
SET datestyle = 'ISO, YMD';

CREATE SERVER regress_pushdown FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', fetch_concurrency '1');
CREATE FOREIGN TABLE pushdown_log (seq int, path text, query text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/log');
CREATE VIEW pushdown_requests AS
  SELECT query FROM pushdown_log WHERE path NOT LIKE '/_admin/%' ORDER BY seq;

-- ===================================================================
-- virtual columns: a row shows the value its request was made with,
-- so a condition skips its local check only when it fixes that value
-- ===================================================================
-- the report has one row per day from start_date to end_date and country
CREATE FOREIGN TABLE vreport (
  d        date OPTIONS (virtual 'true', param 'start_date', param_default '2024-01-01',
                         param_lt 'before', param_le 'upto', param_gt 'since',
                         param_ge 'from', param_ne 'not'),
  end_date date OPTIONS (virtual 'true', param 'end_date', param_default '2024-01-10'),
  tag      text OPTIONS (virtual 'true', param 'tag', param_gt 'tag_after'),
  day      date,
  country  text
) SERVER regress_pushdown
  OPTIONS (endpoint '/open/m/reports/sessions', rows_path 'report.rows',
           paging 'page', page_size '100', page_size_param 'page_size',
           total_pages_path 'report.total_pages');

-- =: the value of the request, no local check needed
SELECT * FROM api_reset;
SELECT d, count(*), min(day), max(day) FROM vreport WHERE d = '2024-01-08' GROUP BY d;
SELECT query FROM pushdown_requests;
SELECT explain_filter('(COSTS OFF) SELECT * FROM vreport WHERE d = ''2024-01-08''');

-- IN: one request per value, each row showing its own
SELECT * FROM api_reset;
SELECT d, count(*), min(day), max(day) FROM vreport
  WHERE d IN ('2024-01-08', '2024-01-09', NULL) GROUP BY d ORDER BY d;
SELECT query FROM pushdown_requests;
SELECT d, count(*) FROM vreport WHERE d = ANY (ARRAY['2024-01-09', '2024-01-07']::date[])
  GROUP BY d ORDER BY d;
SELECT explain_filter('(COSTS OFF) SELECT * FROM vreport WHERE d IN (''2024-01-08'', ''2024-01-09'')');
-- only NULLs: nothing can match, no request
SELECT * FROM api_reset;
SELECT count(*) FROM vreport WHERE d IN (NULL, NULL);
SELECT count(*) AS requests FROM pushdown_requests;
-- a second IN list on a virtual column stays a local check
SELECT d, end_date, count(*) FROM vreport
  WHERE d IN ('2024-01-08', '2024-01-09') AND end_date IN ('2024-01-09', '2024-01-10')
  GROUP BY 1, 2 ORDER BY 1, 2;
-- a rescan (the inner side of a nested loop) asks again for every value
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SET enable_material = off;
SELECT x.n, v.d, count(*) FROM (VALUES (1), (2)) x(n)
  CROSS JOIN vreport v WHERE v.d IN ('2024-01-08', '2024-01-09')
  GROUP BY 1, 2 ORDER BY 1, 2;
RESET enable_hashjoin;
RESET enable_mergejoin;
RESET enable_material;

-- a range is sent to the API, but the row's value is still the default
-- (2024-01-01): the local check removes rows that would show it
SELECT * FROM api_reset;
SELECT count(*) FROM vreport WHERE d > '2024-01-05';
SELECT query FROM pushdown_requests;
SELECT count(*) FROM vreport WHERE d >= '2024-01-05';
SELECT count(*) FROM vreport WHERE d < '2023-12-01';
SELECT count(*) FROM vreport WHERE d <= '2023-12-01';
SELECT count(*) FROM vreport WHERE d <> '2024-01-01';
-- ranges the default satisfies keep their rows, checked
SELECT d, count(*) FROM vreport WHERE d < '2024-02-01' GROUP BY d;
SELECT d, count(*) FROM vreport WHERE d <= '2024-01-01' GROUP BY d;
SELECT d, count(*) FROM vreport WHERE d >= '2024-01-01' GROUP BY d;
SELECT d, count(*) FROM vreport WHERE d <> '2024-02-01' GROUP BY d;
SELECT explain_filter('(COSTS OFF) SELECT * FROM vreport WHERE d > ''2024-01-05''');
-- without a default the value is NULL, and no row can pass a range
SELECT count(*), count(tag) FROM vreport WHERE tag > 'a';
SELECT tag, count(*) FROM vreport WHERE tag = 'b' GROUP BY tag;
-- "exact" is about the API's filtering, not about a virtual value:
-- ranges on virtual columns are checked all the same
ALTER FOREIGN TABLE vreport OPTIONS (ADD exact 'true');
SELECT count(*) FROM vreport WHERE d > '2024-01-05';
SELECT explain_filter('(COSTS OFF) SELECT * FROM vreport WHERE d > ''2024-01-05'' AND d = ''2024-01-06''');
SELECT d, count(*) FROM vreport WHERE d > '2024-01-05' AND d = '2024-01-06' GROUP BY d;
ALTER FOREIGN TABLE vreport OPTIONS (DROP exact);
-- an equality with a value of another type compares more than the
-- request's text: it keeps its local check
SELECT explain_filter('(COSTS OFF) SELECT * FROM vreport WHERE d = ''2024-01-08 00:00''::timestamp');
SELECT explain_filter('(COSTS OFF) SELECT * FROM vreport WHERE tag = ''b''::name');
SELECT tag, count(*) FROM vreport WHERE tag = 'b'::name GROUP BY tag;
-- two virtual columns with one parameter: both show the value sent
ALTER FOREIGN TABLE vreport ADD COLUMN t2 text
  OPTIONS (virtual 'true', param 'tag', param_default 'D');
SELECT tag, t2, count(*) FROM vreport WHERE tag = 'x' GROUP BY 1, 2;
SELECT tag, t2, count(*) FROM vreport WHERE tag = 'x' AND t2 = 'D' GROUP BY 1, 2;
SELECT tag, t2, count(*) FROM vreport GROUP BY 1, 2;
ALTER FOREIGN TABLE vreport DROP COLUMN t2;
-- a type modifier may round the request's value (numeric(5,1) shows
-- 1.25 as 1.3): checked again, so no row shows 1.3 for "= 1.25"
ALTER FOREIGN TABLE vreport ADD COLUMN n numeric(5,1)
  OPTIONS (virtual 'true', param 'n');
ALTER FOREIGN TABLE vreport ADD COLUMN f float8
  OPTIONS (virtual 'true', param 'f');
SELECT count(*) FROM vreport WHERE n = 1.25;
SELECT n, count(*) FROM vreport WHERE n = 1.5 GROUP BY n;
-- floats are sent (and shown) exactly, whatever extra_float_digits says
SET extra_float_digits = 0;
SELECT * FROM api_reset;
SELECT count(*) > 0 AS rows, bool_and(f = 0.1::float8 + 0.2::float8) AS all_match
  FROM vreport WHERE f = 0.1::float8 + 0.2::float8;
SELECT query FROM pushdown_requests;
RESET extra_float_digits;
ALTER FOREIGN TABLE vreport DROP COLUMN n, DROP COLUMN f;
-- a placeholder virtual column fixes its value too
CREATE FOREIGN TABLE vorders (
  customer_id int OPTIONS (virtual 'true'),
  order_id int,
  amount numeric
) SERVER regress_pushdown
  OPTIONS (endpoint '/open/customers/{customer_id}/orders');
SELECT explain_filter('(COSTS OFF) SELECT * FROM vorders WHERE customer_id = 2');
SELECT DISTINCT customer_id FROM vorders WHERE customer_id = 2;

-- ===================================================================
-- a placeholder's value stays inside its path segment
-- ===================================================================
CREATE FOREIGN TABLE porders (customer_id text, order_id int)
  SERVER regress_pushdown
  OPTIONS (endpoint '/open/customers/{customer_id}/orders');
SELECT * FROM api_reset;
SELECT show_error($$SELECT * FROM porders WHERE customer_id = '..'$$);
SELECT show_error($$SELECT * FROM porders WHERE customer_id = '.'$$);
SELECT show_error($$SELECT * FROM porders WHERE customer_id = ''$$);
-- other characters are percent-encoded: one segment, whatever it holds
SELECT show_error($$SELECT * FROM porders WHERE customer_id = '../../_admin/reset'$$);
SELECT show_error($$SELECT * FROM porders WHERE customer_id = '1/../..'$$);
SELECT count(*) AS requests FROM pushdown_requests;
SELECT path FROM pushdown_log WHERE path NOT LIKE '/_admin/%';

-- ===================================================================
-- endpoints never climb above base_url's path
-- ===================================================================
CREATE FOREIGN TABLE climb (x int) SERVER regress_pushdown
  OPTIONS (endpoint '/open/../_admin/reset');  -- ERROR
CREATE FOREIGN TABLE climb (x int) SERVER regress_pushdown
  OPTIONS (endpoint '/open/%2E%2e/_admin/reset');  -- ERROR
CREATE FOREIGN TABLE climb (x int) SERVER regress_pushdown
  OPTIONS (endpoint '/open/./items');  -- ERROR
CREATE FOREIGN TABLE climb (x int) SERVER regress_pushdown
  OPTIONS (endpoint '/open/items | ..');  -- ERROR
-- nor with path parameters (servlet containers read "..;x" as ".."),
-- backslashes (IIS reads them as slashes) or encoded slashes
CREATE FOREIGN TABLE climb (x int) SERVER regress_pushdown
  OPTIONS (endpoint '/open/..;x/_admin/reset');  -- ERROR
CREATE FOREIGN TABLE climb (x int) SERVER regress_pushdown
  OPTIONS (endpoint '/open\..\_admin/reset');  -- ERROR
CREATE FOREIGN TABLE climb (x int) SERVER regress_pushdown
  OPTIONS (endpoint '/open/a%2F..%2f_admin/reset');  -- ERROR
-- dots inside a segment or in the query string are ordinary text
CREATE FOREIGN TABLE climb (x int) SERVER regress_pushdown
  OPTIONS (endpoint '/open/v1.2/..items?path=../x');
DROP FOREIGN TABLE climb;
CREATE SERVER regress_climb FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_sample_path '/open/../_admin/reset');  -- ERROR
-- nor do the paths of a REST config file, or their sample values
\getenv configdir REST_TEST_CONFIG_DIR
\set cfg :configdir '/climb.json'
SET regress.configdir = :'configdir';
CREATE FUNCTION climb_import(content text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  lo oid := lo_from_bytea(0, convert_to(content, 'UTF8'));
BEGIN
  PERFORM lo_export(lo, current_setting('regress.configdir') || '/climb.json');
  PERFORM lo_unlink(lo);
  RETURN QUERY SELECT replace(e, current_setting('regress.configdir'), 'CONFIGDIR')
    FROM show_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_climb INTO climb') e;
END
$$;
CREATE SERVER regress_climb FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'cfg');
CREATE SCHEMA climb;
SELECT climb_import('{"t": {"#path": "/open/./../_admin/reset", "x": "Integer"}}');
SELECT climb_import('{"t": {"#path": "/open/customers/{id:..}/orders"}}');
SELECT climb_import('{"t": "' || :'base_url' || '/open/%2e%2E/_admin/reset"}');
SELECT count(*) AS tables FROM pg_tables WHERE schemaname = 'climb';
DROP FUNCTION climb_import(text);
DROP SCHEMA climb;
DROP SERVER regress_climb;

-- ===================================================================
-- headers that make a server take another method or path
-- ===================================================================
ALTER SERVER regress_pushdown OPTIONS (ADD headers '{"X-HTTP-Method-Override": "DELETE"}');  -- ERROR
ALTER SERVER regress_pushdown OPTIONS (ADD headers '{"x-http-method": "PUT"}');  -- ERROR
ALTER SERVER regress_pushdown OPTIONS (ADD headers '{"X-Method-Override": "PATCH"}');  -- ERROR
ALTER FOREIGN TABLE porders OPTIONS (ADD headers '{"X-Original-URL": "/_admin/reset"}');  -- ERROR
ALTER FOREIGN TABLE porders OPTIONS (ADD headers '{"X-Rewrite-URL": "/_admin/reset"}');  -- ERROR
-- credentials by other conventions are refused too
ALTER FOREIGN TABLE porders OPTIONS (ADD headers '{"X-Auth-Key": "k"}');  -- ERROR
ALTER FOREIGN TABLE porders OPTIONS (ADD headers '{"Ocp-Apim-Subscription-Key": "k"}');  -- ERROR
ALTER FOREIGN TABLE porders OPTIONS (ADD headers '{"Accept": "application/json"}');
ALTER FOREIGN TABLE porders OPTIONS (DROP headers);

-- ===================================================================
-- option limits as documented
-- ===================================================================
ALTER SERVER regress_pushdown OPTIONS (ADD max_response_size '1GB');
ALTER SERVER regress_pushdown OPTIONS (SET max_response_size '1025MB');  -- ERROR
ALTER SERVER regress_pushdown OPTIONS (DROP max_response_size);
SELECT count(*) FROM porders WHERE customer_id = '2';
-- sample_rows beyond what seconds options allow: all rows are looked at
CREATE SERVER regress_sample_many FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_sample_path '/open/m/sample/mixed',
           sample_rows '2147483647');
CREATE SCHEMA sampled_many;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_sample_many INTO sampled_many;
SELECT count(*) FILTER (WHERE column_name = 'extra') AS extra
  FROM information_schema.columns WHERE table_schema = 'sampled_many';
ALTER SERVER regress_sample_many OPTIONS (SET sample_rows '2147483648');  -- ERROR

DROP SCHEMA sampled_many CASCADE;
DROP SERVER regress_sample_many;
DROP SERVER regress_pushdown CASCADE;
DROP VIEW pushdown_requests;
DROP FOREIGN TABLE pushdown_log;
