--
-- IMPORT FOREIGN SCHEMA: sampling through rows paths with "*", as scans
-- read them, and the option normalize, which makes arrays of objects in
-- the sampled rows child tables (as a REST config file's "lines[]" are).
-- The endpoints under /sample/ are test/api/apis_sample.py's.
--
\getenv port REST_TEST_PORT
\getenv configdir REST_TEST_CONFIG_DIR
\set base_url 'http://127.0.0.1:' :port
\set VERBOSITY default
\set SHOW_CONTEXT never
SET datestyle = 'ISO, YMD';
SET timezone = 'UTC';
SET extra_float_digits = 0;

-- ===================================================================
-- Sampling through "*": the rows the scan will read
-- ===================================================================
-- a REST config file's rows path may go through "*" ("data/*/items");
-- the tables without columns are sampled through it
\set cfg :configdir '/sample_stars.rest'
SELECT write_model(:'cfg', '{
  "items": "/sample/groups data/*/items",
  "suppliers": {"#path": "/sample/parts */suppliers"},
  "series": "/sample/series days/*"
}');
CREATE SERVER regress_stars FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'cfg');
CREATE SCHEMA stars;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_stars INTO stars;
SELECT * FROM imported_tables('stars');
SELECT * FROM imported_columns('stars');
-- data.*.items: the items of every group ("spare" only in the second)
SELECT * FROM stars.items ORDER BY id;
-- a first "*" over the top-level array: every part's suppliers
SELECT * FROM stars.suppliers ORDER BY name, days;
-- a last "*" over a map: its members are the rows
SELECT * FROM stars.series ORDER BY volume;

-- ===================================================================
-- normalize: arrays of objects become child tables
-- ===================================================================
CREATE SERVER regress_norm FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_sample_path '/sample/orders');
-- the default (normalize 'false'): an array of objects is a jsonb column
CREATE SCHEMA norm_off;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_norm INTO norm_off;
SELECT * FROM imported_tables('norm_off');
SELECT * FROM imported_columns('norm_off');
SELECT id, customer, tags, jsonb_array_length(lines) AS lines
  FROM norm_off.orders ORDER BY id;

-- orders, orders_lines (keyed by orders_id, the parent's "id", and
-- position) and orders_lines_serials; tags, an array of strings, stays an
-- array column
CREATE SCHEMA norm;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_norm INTO norm
  OPTIONS (normalize 'true');
SELECT * FROM imported_tables('norm');
SELECT * FROM imported_columns('norm');
SELECT * FROM norm.orders ORDER BY id;
-- order 3's lines are null: no rows
SELECT * FROM norm.orders_lines ORDER BY orders_id, position;
SELECT * FROM norm.orders_lines_serials
  ORDER BY orders_id, orders_lines_position, position;
SELECT o.customer, l.sku, count(s.sn) AS serials
  FROM norm.orders o JOIN norm.orders_lines l ON l.orders_id = o.id
  LEFT JOIN norm.orders_lines_serials s
    ON s.orders_id = l.orders_id AND s.orders_lines_position = l.position
  GROUP BY o.customer, l.sku ORDER BY o.customer, l.sku;

-- LIMIT TO may name a child table alone
CREATE SCHEMA norm_child;
IMPORT FOREIGN SCHEMA rest LIMIT TO (orders_lines) FROM SERVER regress_norm
  INTO norm_child OPTIONS (normalize 'true');
SELECT * FROM imported_tables('norm_child');

-- rows without "id": the first column is the key the children inherit;
-- the rows are the top-level array, so the child's rows are "*.suppliers"
ALTER SERVER regress_norm OPTIONS (SET rest_sample_path '/sample/parts');
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_norm INTO norm
  OPTIONS (normalize 'true');
SELECT * FROM imported_tables('norm') WHERE table_name LIKE 'parts%';
SELECT * FROM imported_columns('norm') WHERE table_name LIKE 'parts%';
SELECT * FROM norm.parts_suppliers ORDER BY parts_code, position;

-- a REST config file's sampled tables are normalized too; its declared
-- tables keep their own children
\set cfg2 :configdir '/sample_norm.rest'
SELECT write_model(:'cfg2', '{
  "orders": "/sample/orders orders",
  "groups": {"#path": "/sample/groups data"}
}');
CREATE SERVER regress_norm_file FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'cfg2');
CREATE SCHEMA norm_file;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_norm_file INTO norm_file
  OPTIONS (normalize 'true');
SELECT * FROM imported_tables('norm_file');
SELECT * FROM imported_columns('norm_file') WHERE table_name LIKE 'groups%';
SELECT * FROM norm_file.groups_items ORDER BY groups_group, position;

-- ===================================================================
-- Bad values and hostile samples
-- ===================================================================
CREATE SCHEMA norm_bad;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_norm INTO norm_bad
  OPTIONS (normalize 'maybe');  -- ERROR
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_norm INTO norm_bad
  OPTIONS (normalise 'true');  -- ERROR: the hint lists normalize

\set cfg3 :configdir '/sample_hostile.rest'
SELECT write_model(:'cfg3', '{
  "deep": "/sample/deep/12 rows",
  "wide": "/sample/wide/150 rows",
  "keys": "/sample/keys/5000 rows",
  "nesting": "/sample/nesting/100000 rows"
}');
CREATE SERVER regress_hostile FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'cfg3');
-- arrays of objects 12 deep: child tables while a rows path can go through
-- their arrays (8 "*"), a jsonb column below
IMPORT FOREIGN SCHEMA rest EXCEPT (wide, keys, nesting) FROM SERVER regress_hostile
  INTO norm_bad OPTIONS (normalize 'true');
SELECT count(*) AS tables, max(length(table_name)) AS longest
  FROM imported_tables('norm_bad');
SELECT * FROM imported_columns('norm_bad')
  WHERE table_name = 'deep' || repeat('_a', 8);
SELECT options FROM imported_tables('norm_bad')
  WHERE table_name = 'deep' || repeat('_a', 8);
SELECT deep_id, position, v, jsonb_typeof(a) AS a
  FROM norm_bad.deep_a_a_a_a_a_a_a_a;
-- 150 arrays of objects in a row: too many child tables
IMPORT FOREIGN SCHEMA rest LIMIT TO (wide) FROM SERVER regress_hostile
  INTO norm_bad OPTIONS (normalize 'true');  -- ERROR
\set VERBOSITY terse
-- without normalize, they are jsonb columns
IMPORT FOREIGN SCHEMA rest LIMIT TO (wide) FROM SERVER regress_hostile
  INTO norm_bad;
SELECT count(*) FROM imported_columns('norm_bad') WHERE table_name = 'wide';
-- an element of 5,000 keys: more columns than a child table can have
IMPORT FOREIGN SCHEMA rest LIMIT TO (keys) FROM SERVER regress_hostile
  INTO norm_bad OPTIONS (normalize 'true');  -- ERROR
-- 100,000 levels of nesting: the parser's stack limit, not a crash
IMPORT FOREIGN SCHEMA rest LIMIT TO (nesting) FROM SERVER regress_hostile
  INTO norm_bad OPTIONS (normalize 'true');  -- ERROR
\set VERBOSITY default

-- ===================================================================
-- Clean up
-- ===================================================================
SET client_min_messages = warning;
DROP SCHEMA stars, norm_off, norm, norm_child, norm_file, norm_bad CASCADE;
DROP SERVER regress_stars, regress_norm, regress_norm_file, regress_hostile;
RESET client_min_messages;
