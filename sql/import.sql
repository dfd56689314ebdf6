--
-- REST config files, endpoint sampling and IMPORT FOREIGN SCHEMA.  The
-- config files in test/config model real APIs (a ticketing API paged by
-- next_page URLs, an analytics report paged by page number with its rows
-- under a root element, a code-hosting API paged by Link headers, a shop
-- with a path placeholder); the test server serves those APIs.
--
\getenv port REST_TEST_PORT
\getenv configdir REST_TEST_CONFIG_DIR
\set base_url 'http://127.0.0.1:' :port
\set VERBOSITY default
\set SHOW_CONTEXT never
SET datestyle = 'ISO, YMD';
SET timezone = 'UTC';

CREATE FOREIGN TABLE import_log (seq int, path text, query text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/log');
CREATE VIEW import_requests AS
  SELECT seq, path, query FROM import_log WHERE path NOT LIKE '/_admin/%' ORDER BY seq;

-- errors, with the temporary directory of the config files masked (model_error)
SET regress.configdir = :'configdir';

-- ===================================================================
-- a ticketing API paged by next_page URLs
-- ===================================================================
\set cfg :configdir '/helpdesk.json'
CREATE SERVER regress_helpdesk FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'cfg');
CREATE SCHEMA helpdesk;
SELECT * FROM api_reset;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_helpdesk INTO helpdesk;
SELECT * FROM imported_tables('helpdesk');
SELECT * FROM imported_columns('helpdesk');
-- declared columns need no request; the other table was sampled once
SELECT path, query FROM import_requests;

SELECT * FROM api_reset;
SELECT id, subject, status, priority, requester_name, tags, opened_at
  FROM helpdesk.tickets ORDER BY id;
-- three pages of 3, following next_page
SELECT path, query FROM import_requests;
-- "#eq" makes status a request parameter
SELECT explain_filter('(COSTS OFF) SELECT id FROM helpdesk.tickets WHERE status = ''open''');
SELECT id, requester_email FROM helpdesk.tickets WHERE status = 'open' ORDER BY id;
SELECT count(*), sum(id) FROM helpdesk.tickets_sampled;

-- ===================================================================
-- an analytics report: rows under report.rows, paged by page number,
-- with virtual date parameters and their defaults
-- ===================================================================
\set cfg :configdir '/analytics.json'
-- one page at a time, so that the request log below is the same every run
-- (pages past the end requested ahead are in concurrency.sql)
CREATE SERVER regress_analytics FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'cfg', fetch_concurrency '1');
CREATE SCHEMA analytics;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_analytics INTO analytics;
SELECT * FROM imported_tables('analytics');
SELECT * FROM imported_columns('analytics');
-- the defaults: two days of three countries
SELECT * FROM api_reset;
SELECT * FROM analytics.sessions ORDER BY day, country;
SELECT path, query FROM import_requests;
-- conditions on the virtual columns become the request's dates
SELECT start_date, end_date, count(*), sum(sessions), min(day), max(day)
  FROM analytics.sessions
  WHERE start_date = '2024-01-30' AND end_date = '2024-02-01'
  GROUP BY 1, 2;
SELECT explain_filter('(COSTS OFF) SELECT * FROM analytics.sessions WHERE start_date = ''2024-01-30''');
-- a default for a parameter named like a credential is masked, as in URLs
CREATE FOREIGN TABLE analytics.keyed (k text OPTIONS (virtual 'true', param 'key', param_default 'abc'))
  SERVER regress_analytics OPTIONS (endpoint '/open/m/reports/sessions');
SELECT explain_filter('(COSTS OFF) SELECT * FROM analytics.keyed');
-- the API refuses a range it cannot serve, and says why
SELECT show_error($$SELECT * FROM analytics.sessions WHERE start_date = '2024-01-01' AND end_date = '2024-03-01'$$);

-- ===================================================================
-- a code-hosting API paged by Link headers, with extra headers and
-- placeholders that carry sample values
-- ===================================================================
\set cfg :configdir '/codehost.json'
CREATE SERVER regress_codehost FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'cfg');
CREATE SCHEMA codehost;
SELECT * FROM api_reset;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_codehost INTO codehost;
-- the sample asked for acme/widgets
SELECT path, query FROM import_requests;
SELECT * FROM imported_tables('codehost');
SELECT * FROM imported_columns('codehost');
SELECT owner, repo, number, title, state, user_login, closed_at
  FROM codehost.issues WHERE owner = 'acme' AND repo = 'widgets' AND state = 'closed';
SELECT * FROM api_reset;
SELECT owner, repo, number, title, user_login, labels
  FROM codehost.issues_sampled WHERE owner = 'acme' AND repo = 'widgets' ORDER BY number;
-- two pages through the Link header
SELECT path, query FROM import_requests;
SELECT owner, repo, number, title FROM codehost.issues_sampled
  WHERE owner = 'acme' AND repo = 'gadgets' ORDER BY number;
-- without the placeholders' values there is no request to make
SELECT show_error('SELECT * FROM codehost.issues');
-- without the Accept header of "#headers", the API refuses
ALTER FOREIGN TABLE codehost.issues OPTIONS (DROP headers);
SELECT show_error($$SELECT * FROM codehost.issues WHERE owner = 'acme' AND repo = 'widgets'$$);

-- ===================================================================
-- endpoint alternatives, most specific first; sampled tables
-- ===================================================================
\set cfg :configdir '/shop.json'
CREATE SERVER regress_shop FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'cfg');
CREATE SCHEMA shop;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_shop INTO shop;
SELECT * FROM imported_tables('shop');
SELECT * FROM imported_columns('shop');
-- a customer's orders come from the customer's path ...
SELECT explain_filter('(COSTS OFF) SELECT * FROM shop.orders WHERE customer_id = 3');
SELECT * FROM shop.orders WHERE customer_id = 3 ORDER BY order_id;
-- ... a list of customers from the general path, as a query parameter
SELECT explain_filter('(COSTS OFF) SELECT * FROM shop.orders WHERE customer_id IN (2, 3)');
SELECT explain_filter('(COSTS OFF) SELECT * FROM shop.orders WHERE status IN (''open'', ''x'')');
SELECT count(*), sum(amount) FROM shop.orders;
SELECT count(*), sum(amount) FROM shop.orders WHERE status IN ('open');
-- a join asks for each customer's path
SELECT c.name, count(*) AS orders, sum(o.amount)
  FROM shop.customers c JOIN shop.orders o ON o.customer_id = c.id
  WHERE c.id IN (1, 2, 3)
  GROUP BY c.name ORDER BY c.name;
SELECT * FROM shop.wrapped_values ORDER BY name;
SELECT * FROM shop.nested ORDER BY sku;

-- ===================================================================
-- keys with dots: OData's "@odata.nextLink" and "odata.etag"
-- ===================================================================
\set cfg :configdir '/odata.json'
CREATE SERVER regress_odata FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'cfg');
CREATE SCHEMA odata;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_odata INTO odata;
SELECT * FROM imported_tables('odata');
SELECT * FROM imported_columns('odata');
SELECT * FROM api_reset;
SELECT * FROM odata.people ORDER BY id;
SELECT path, query FROM import_requests;
SELECT id, odata_etag, address_geo_lat FROM odata.people_sampled ORDER BY id;

-- ===================================================================
-- LIMIT TO, EXCEPT, and importing again after the file changed
-- ===================================================================
CREATE SCHEMA partial;
IMPORT FOREIGN SCHEMA rest LIMIT TO (orders, nested, no_such_table)
  FROM SERVER regress_shop INTO partial;
SELECT * FROM imported_tables('partial');
DROP SCHEMA partial CASCADE;
CREATE SCHEMA partial;
SELECT * FROM api_reset;
IMPORT FOREIGN SCHEMA rest EXCEPT (customers, nested, wrapped_values)
  FROM SERVER regress_shop INTO partial;
SELECT * FROM imported_tables('partial');
-- tables left out are not sampled
SELECT count(*) AS requests FROM import_requests;
-- an existing table is not replaced
SELECT model_error('IMPORT FOREIGN SCHEMA rest LIMIT TO (orders) FROM SERVER regress_shop INTO partial');
-- a changed file: drop and import again in one transaction
\set cfg2 :configdir '/shop2.json'
SELECT write_model(:'cfg2', '{"orders": {"#path": "/open/orders", "order_id": "BigInt", "status": "VarChar(10)"}}');
ALTER SERVER regress_shop OPTIONS (SET rest_config_file :'cfg2');
BEGIN;
DROP SCHEMA partial CASCADE;
CREATE SCHEMA partial;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_shop INTO partial;
COMMIT;
SELECT * FROM imported_columns('partial');
-- comments, as DataDirect model files have them: "//" to the end of the
-- line and "/* */", outside strings; inside a string they are data
\set cfg3 :configdir '/commented.rest'
SELECT write_model(:'cfg3', E'// the shop\n{\n  /* one table,\n     two columns */\n  "orders": {"#path": "/open/orders", // the endpoint\n    "order_id": "BigInt", /* a key */ "status": "VarChar(10)"},\n  "#headers": {"X-Doc": "https://example.com/a/*b*/c"}\n}\n// end\n');
ALTER SERVER regress_shop OPTIONS (SET rest_config_file :'cfg3');
CREATE SCHEMA commented;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_shop INTO commented;
SELECT * FROM imported_tables('commented');
SELECT * FROM imported_columns('commented');
DROP SCHEMA commented CASCADE;

-- ===================================================================
-- sampling: types, widening, nesting, names
-- ===================================================================
CREATE SERVER regress_sample FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_sample_path '/open/m/sample/mixed');
CREATE SCHEMA sampled;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_sample INTO sampled;
SELECT * FROM imported_tables('sampled');
SELECT * FROM imported_columns('sampled');
SELECT id, amount, big, ratio, flag, day, seen_at, uid, note, code, tags, scores
  FROM sampled.mixed ORDER BY id;
SELECT id, items, address_city, address_geo_lat, address_geo_lng, first_name,
       last_name, e_mail, _2fa, id_2, extra
  FROM sampled.mixed ORDER BY id;
-- sample_rows bounds the rows looked at: "extra" is only in row 3
DROP FOREIGN TABLE sampled.mixed;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_sample INTO sampled
  OPTIONS (sample_rows '2');
SELECT count(*) AS columns, count(*) FILTER (WHERE col = 'extra') AS extra
  FROM imported_columns('sampled');
DROP FOREIGN TABLE sampled.mixed;
-- a document without an array of rows is one row
ALTER SERVER regress_sample OPTIONS (SET rest_sample_path '/open/m/sample/single');
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_sample INTO sampled;
SELECT * FROM imported_tables('sampled');
SELECT * FROM sampled.single;
-- nothing to learn from
ALTER SERVER regress_sample OPTIONS (SET rest_sample_path '/open/m/sample/empty');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_sample INTO sampled');
ALTER SERVER regress_sample OPTIONS (SET rest_sample_path '/open/m/sample/scalars');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_sample INTO sampled');
ALTER SERVER regress_sample OPTIONS (SET rest_sample_path '/open/m/sample/missing');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_sample INTO sampled');
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_sample INTO sampled
  OPTIONS (sample_rows '0');  -- ERROR
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_sample INTO sampled
  OPTIONS (rows '5');  -- ERROR
ALTER SERVER regress_sample OPTIONS (DROP rest_sample_path);
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_sample INTO sampled');
ALTER SERVER regress_sample OPTIONS (ADD rest_sample_path 'https://elsewhere.example.com/x');  -- ERROR

-- ===================================================================
-- errors in config files
-- ===================================================================
\set bad :configdir '/bad.json'
CREATE SERVER regress_bad_cfg FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'bad');
CREATE SCHEMA bad;
-- a missing file
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
-- malformed JSON: the line and column
SELECT write_model(:'bad', E'{\n  "t": {"#path": "/x",\n    "id": "Integer",,\n  }\n}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
-- after a comment, the line and column are still those of the file
SELECT write_model(:'bad', E'{\n  /* a comment\n     of two lines */ "t": {"#path": "/x",\n    "id": "Integer",,\n  }\n}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
-- a comment that does not end
SELECT write_model(:'bad', E'{"t": "/x"\n  /* not closed\n}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
SELECT write_model(:'bad', '["not", "an", "object"]');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
SELECT write_model(:'bad', '{}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
-- unknown settings name themselves and their table
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#pageSize": 10, "id": "Integer"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
SELECT write_model(:'bad', '{"#colour": "blue", "t": "/x"}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
-- credentials are never read from the file
SELECT write_model(:'bad', '{"#ClientSecret": "s3cr3t", "t": "/x"}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#refresh_token": "r", "id": "Integer"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
-- types, paths and mappings
SELECT write_model(:'bad', '{"t": {"#path": "/x", "id": "Integer", "when": "DateTime2"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "price": "Decimal(10,x)"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
SELECT write_model(:'bad', '{"t": {"id": "Integer"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": 42, "id": "Integer"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x/{id", "id": "Integer"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
SELECT write_model(:'bad', '{"t": "https://elsewhere.example.com/x"}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest LIMIT TO (t) FROM SERVER regress_bad_cfg INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "id": {"#type": "Integer", "#near": "id"}}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "id": {"#eq": "id"}}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#rowOffsetParameter": "skip", "#nextPageElement": "next", "id": "Integer"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#nextPageResponseHeader": "X Next", "id": "Integer"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#maximumPageSize": -3, "id": "Integer"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#headers": {"Authorization": "Bearer x"}, "id": "Integer"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "": "Integer"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "a b": {"#type": "Integer", "#eq": true}}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/customers/{customer_id}/orders"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_cfg INTO bad');
SELECT count(*) AS tables_created FROM imported_tables('bad');

-- ===================================================================
-- who may name a file
-- ===================================================================
CREATE ROLE regress_import_user;
GRANT USAGE ON FOREIGN DATA WRAPPER rest_fdw TO regress_import_user;
SET ROLE regress_import_user;
CREATE SERVER regress_user_cfg FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url 'http://127.0.0.1:1', rest_config_file '/etc/passwd');  -- ERROR
RESET ROLE;
GRANT pg_read_server_files TO regress_import_user;
SET ROLE regress_import_user;
CREATE SERVER regress_user_cfg FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url 'http://127.0.0.1:1', rest_config_file '/etc/passwd');
DROP SERVER regress_user_cfg;
RESET ROLE;
REVOKE USAGE ON FOREIGN DATA WRAPPER rest_fdw FROM regress_import_user;
DROP ROLE regress_import_user;

-- ===================================================================
-- the options themselves
-- ===================================================================
CREATE FOREIGN TABLE bad.t (id int) SERVER regress_shop
  OPTIONS (endpoint '/a | | /b');  -- ERROR
CREATE FOREIGN TABLE bad.t (id int) SERVER regress_shop
  OPTIONS (endpoint '/a data..x');  -- ERROR
CREATE FOREIGN TABLE bad.t (id int) SERVER regress_shop
  OPTIONS (headers '{"X-Flag": 1}');  -- ERROR
CREATE FOREIGN TABLE bad.t (id int) SERVER regress_shop
  OPTIONS (headers 'Accept: text/plain');  -- ERROR
CREATE FOREIGN TABLE bad.t (id int) SERVER regress_shop
  OPTIONS (headers '{"Cookie": "a=b"}');  -- ERROR
CREATE FOREIGN TABLE bad.t (id int) SERVER regress_shop
  OPTIONS (headers '{"Accept": "application/json", "X-API-Key": "k"}');  -- ERROR
ALTER SERVER regress_shop OPTIONS (ADD headers '{"X-Auth-Token": "t"}');  -- ERROR
CREATE FOREIGN TABLE bad.t (id int OPTIONS (virtual 'maybe')) SERVER regress_shop;  -- ERROR
CREATE FOREIGN TABLE bad.t (id int OPTIONS (json_path 'a\x')) SERVER regress_shop;  -- ERROR

-- ===================================================================
-- Clean up
-- ===================================================================
\set VERBOSITY terse
DROP SCHEMA helpdesk, analytics, codehost, shop, odata, partial, sampled, bad CASCADE;
DROP SERVER regress_helpdesk, regress_analytics, regress_codehost, regress_shop, regress_odata,
  regress_sample, regress_bad_cfg CASCADE;
RESET regress.configdir;
DROP VIEW import_requests;
DROP FOREIGN TABLE import_log;
