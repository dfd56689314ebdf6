--
-- Scans: JSON values to column types, json_path, rows_path, errors for bad
-- responses, timeouts and cancellation, EXPLAIN, joins with local tables.
--
\getenv port REST_TEST_PORT
\set base_url 'http://127.0.0.1:' :port
\set VERBOSITY default
\set SHOW_CONTEXT never
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET extra_float_digits = 0;

CREATE SERVER regress_api FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url');

-- ===================================================================
-- Types and paths
-- ===================================================================
CREATE FOREIGN TABLE customers (
  id int,
  name text,
  email varchar(60),
  country char(2),
  balance numeric,
  active boolean,
  created_at timestamptz,
  city text OPTIONS (json_path 'address.city'),
  lat float8 OPTIONS (json_path 'address.geo.lat'),
  address jsonb,
  tags text[]
) SERVER regress_api OPTIONS (endpoint '/open/customers');

SELECT id, name, email, country, balance, active, created_at FROM customers ORDER BY id;
SELECT id, city, lat, address, tags FROM customers ORDER BY id;
-- missing keys and JSON null are NULL
SELECT id FROM customers WHERE country IS NULL OR email IS NULL OR tags IS NULL ORDER BY id;
-- whole-row references fetch every column
SELECT c FROM customers c WHERE id = 1;

CREATE FOREIGN TABLE typed (
  i int,
  big bigint,
  num numeric,
  f float8,
  b boolean,
  t text,
  d date,
  ts timestamptz,
  u uuid,
  j jsonb,
  jj json OPTIONS (json_path 'j'),
  arr text[],
  ints int[],
  t_as_json jsonb OPTIONS (json_path 't'),
  big_text text OPTIONS (json_path 'big'),
  j_text text OPTIONS (json_path 'j'),
  b_text text OPTIONS (json_path 'b')
) SERVER regress_api OPTIONS (endpoint '/open/typed');
SELECT i, big, num, f, b, t, d, ts, u FROM typed;
SELECT j, jj, arr, ints, t_as_json, big_text, j_text, b_text FROM typed;
SELECT arr[3], ints[2] + 1 AS second_plus_one, j -> 'a' -> 2 AS nested FROM typed WHERE i IS NOT NULL;

-- rows_path selects the array of rows
CREATE FOREIGN TABLE wrapped (id int, name text)
  SERVER regress_api OPTIONS (endpoint '/open/wrapped', rows_path 'data.items');
SELECT * FROM wrapped;
-- a top-level object is one row
CREATE FOREIGN TABLE single (id int, deep text OPTIONS (json_path 'nested.deep.value'))
  SERVER regress_api OPTIONS (endpoint '/open/single');
SELECT * FROM single;
CREATE FOREIGN TABLE empty (id int) SERVER regress_api OPTIONS (endpoint '/open/empty');
SELECT count(*) FROM empty;
-- a sloppy Content-Type is accepted when the body is JSON
CREATE FOREIGN TABLE plaintext (id int) SERVER regress_api OPTIONS (endpoint '/open/plaintext');
SELECT * FROM plaintext;

-- ===================================================================
-- What the request looks like
-- ===================================================================
CREATE FOREIGN TABLE echo (method text, path text, query text, accept text,
                           user_agent text)
  SERVER regress_api OPTIONS (endpoint 'open/echo?q=a%20b&limit=5');
SELECT * FROM echo;
ALTER SERVER regress_api OPTIONS (ADD user_agent 'regress-agent/2.0');
SELECT user_agent FROM echo;
ALTER SERVER regress_api OPTIONS (DROP user_agent);
-- compressed responses, the fastest to decode first (Debian's libcurl has them all)
ALTER FOREIGN TABLE echo ADD COLUMN accept_encoding text;
SELECT accept_encoding FROM echo;
ALTER FOREIGN TABLE echo DROP COLUMN accept_encoding;

-- ===================================================================
-- Bad values and bad responses
-- ===================================================================
CREATE FOREIGN TABLE badvalue (id int, n int)
  SERVER regress_api OPTIONS (endpoint '/open/badvalue');
SELECT * FROM badvalue;  -- ERROR
-- the column is not needed: no error
SELECT id FROM badvalue;
CREATE FOREIGN TABLE longvalue (id int, n int)
  SERVER regress_api OPTIONS (endpoint '/open/longvalue');
SELECT * FROM longvalue;  -- ERROR
CREATE FOREIGN TABLE big_into_int (i int OPTIONS (json_path 'big'))
  SERVER regress_api OPTIONS (endpoint '/open/typed');
SELECT * FROM big_into_int;  -- ERROR
CREATE FOREIGN TABLE object_into_int (i int OPTIONS (json_path 'j'))
  SERVER regress_api OPTIONS (endpoint '/open/typed');
SELECT * FROM object_into_int;  -- ERROR

CREATE FOREIGN TABLE notjson (id int) SERVER regress_api OPTIONS (endpoint '/open/notjson');
SELECT * FROM show_error('SELECT * FROM notjson');
CREATE FOREIGN TABLE badjson (id int) SERVER regress_api OPTIONS (endpoint '/open/badjson');
SELECT * FROM show_error('SELECT * FROM badjson');
CREATE FOREIGN TABLE error500 (id int) SERVER regress_api OPTIONS (endpoint '/open/error500');
SELECT * FROM show_error('SELECT * FROM error500');
CREATE FOREIGN TABLE notfound (id int) SERVER regress_api OPTIONS (endpoint '/open/no_such_thing');
SELECT * FROM show_error('SELECT * FROM notfound');

-- rows_path that is missing, or not an array
ALTER FOREIGN TABLE wrapped OPTIONS (SET rows_path 'data.rows');
SELECT * FROM show_error('SELECT * FROM wrapped');
ALTER FOREIGN TABLE wrapped OPTIONS (SET rows_path 'meta');
SELECT * FROM show_error('SELECT * FROM wrapped');
ALTER FOREIGN TABLE wrapped OPTIONS (SET rows_path 'meta.count');
SELECT * FROM show_error('SELECT * FROM wrapped');
ALTER FOREIGN TABLE wrapped OPTIONS (SET rows_path 'data.items.id');
SELECT * FROM show_error('SELECT * FROM wrapped');
-- rows_path over a top-level array
CREATE FOREIGN TABLE array_root (id int)
  SERVER regress_api OPTIONS (endpoint '/open/customers', rows_path 'data');
SELECT * FROM show_error('SELECT * FROM array_root');
-- an object where the rows should be
CREATE FOREIGN TABLE tag_rows (x text)
  SERVER regress_api OPTIONS (endpoint '/open/single', rows_path 'nested');
SELECT * FROM show_error('SELECT * FROM tag_rows');

-- ===================================================================
-- Connection problems, timeouts and cancellation
-- ===================================================================
CREATE SERVER regress_closed FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url 'http://127.0.0.1:9');
CREATE FOREIGN TABLE closed_t (id int) SERVER regress_closed;
SELECT * FROM show_error('SELECT * FROM closed_t');

CREATE FOREIGN TABLE slow (slept float8)
  SERVER regress_api OPTIONS (endpoint '/open/sleep?seconds=5');
-- statement_timeout interrupts the waiting request
SET statement_timeout = '300ms';
SELECT * FROM slow;  -- ERROR
RESET statement_timeout;
-- the server's timeout option
CREATE SERVER regress_slow FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', timeout '1');
CREATE FOREIGN TABLE slow2 (slept float8)
  SERVER regress_slow OPTIONS (endpoint '/open/sleep?seconds=3');
SELECT * FROM show_error('SELECT * FROM slow2');
-- the handle is usable again after an interrupted request
SELECT count(*) FROM customers;

-- ===================================================================
-- EXPLAIN
-- ===================================================================
SELECT * FROM explain_filter('(COSTS OFF) SELECT id FROM customers WHERE active');
ALTER FOREIGN TABLE wrapped OPTIONS (SET rows_path 'data.items');
SELECT * FROM explain_filter('(COSTS OFF, VERBOSE) SELECT * FROM wrapped');
SELECT * FROM explain_filter('(ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM wrapped');

-- ===================================================================
-- Joins with local tables
-- ===================================================================
CREATE TABLE regions (country char(2) PRIMARY KEY, region text);
INSERT INTO regions VALUES ('DE', 'EMEA'), ('FR', 'EMEA'), ('US', 'AMER'), ('JP', 'APAC');
SELECT r.region, count(*) AS customers, sum(c.balance) AS balance
  FROM customers c JOIN regions r USING (country)
  GROUP BY r.region ORDER BY r.region;

-- a rescanned foreign scan returns the same rows without new requests
SELECT * FROM api_reset;
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SET enable_material = off;
SELECT * FROM explain_filter('(COSTS OFF)
SELECT r.region, c.id FROM regions r,
  LATERAL (SELECT * FROM customers c WHERE c.country = r.country OFFSET 0) c');
SELECT r.region, c.id FROM regions r,
  LATERAL (SELECT * FROM customers c WHERE c.country = r.country OFFSET 0) c
  ORDER BY c.id;
SELECT api_requests FROM api_stats;
RESET enable_hashjoin;
RESET enable_mergejoin;
RESET enable_material;

-- ===================================================================
-- Clean up
-- ===================================================================
DROP TABLE regions;
DROP SERVER regress_api, regress_closed, regress_slow CASCADE;
