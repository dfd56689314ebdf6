--
-- Resource limits against hostile responses: the memory of a parsed page,
-- and the cost of sampling for IMPORT FOREIGN SCHEMA.  The bodies come from
-- test/api/limits.py.
--
\getenv port REST_TEST_PORT
\set base_url 'http://127.0.0.1:' :port

CREATE SERVER regress_limits FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url');

-- ===================================================================
-- a page's memory follows its body, not rows x columns
-- ===================================================================
-- 1,600 columns (as many as a table can have) over 60,000 rows "{}": a
-- body of 180 kB.  Keeping every column of every row would take 1.5 GB.
DO $$
BEGIN
  EXECUTE format('CREATE FOREIGN TABLE limits_wide (%s) SERVER regress_limits '
                 'OPTIONS (endpoint %L)',
                 (SELECT string_agg(format('c%s int', i), ', ' ORDER BY i)
                    FROM generate_series(1, 1600) i),
                 '/limits/60000/empty_rows');
END
$$;
SELECT count(*) AS columns FROM pg_attribute
  WHERE attrelid = 'limits_wide'::regclass AND attnum > 0;
-- the whole row is needed: every column is asked for; all are NULL
SELECT count(*) AS rows, count(*) FILTER (WHERE w IS NULL) AS all_null
  FROM limits_wide w;
-- the memory of the page, seen while its first row is returned
SELECT page_bytes > 0 AS page_seen, page_bytes < 16 * 1024 * 1024 AS page_under_16mb
  FROM (SELECT (SELECT sum(total_bytes) FROM pg_backend_memory_contexts
                 WHERE name = 'rest_fdw page') AS page_bytes
          FROM limits_wide w WHERE w IS NULL LIMIT 1) s;
-- a column present in some rows only still reads right
ALTER FOREIGN TABLE limits_wide OPTIONS (SET endpoint '/limits/3/duplicate_keys');
ALTER FOREIGN TABLE limits_wide ALTER COLUMN c1 OPTIONS (ADD json_path 'a');
ALTER FOREIGN TABLE limits_wide ALTER COLUMN c1600 OPTIONS (ADD json_path 'b');
ALTER FOREIGN TABLE limits_wide ALTER COLUMN c800 OPTIONS (ADD json_path 'a');
-- a repeated key: the last value wins, for every column with its path
SELECT c1, c2, c800, c1600 FROM limits_wide;
DROP FOREIGN TABLE limits_wide;

-- ===================================================================
-- sampling: names made unique fast, columns bounded, keys bounded
-- ===================================================================
CREATE SCHEMA limits_import;
-- 1,500 keys of 70 bytes that give the same name once cut to 63 bytes
ALTER SERVER regress_limits OPTIONS (ADD rest_sample_path '/limits/1500/colliding');
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_limits INTO limits_import;
SELECT count(*) AS columns, count(DISTINCT attname) AS names,
       max(octet_length(attname)) AS longest
  FROM pg_attribute
  WHERE attrelid = 'limits_import.colliding'::regclass AND attnum > 0;
SELECT attnum, attname, attfdwoptions
  FROM pg_attribute
  WHERE attrelid = 'limits_import.colliding'::regclass AND attnum IN (1, 2, 3, 10, 1500)
  ORDER BY attnum;
-- each column reads its own key: values 1 .. 1500
SELECT count(*) AS values, sum(value::int) AS total
  FROM limits_import.colliding c, json_each_text(row_to_json(c));
DROP FOREIGN TABLE limits_import.colliding;
-- more columns than a table can have: refused, whatever their names.
-- Both take milliseconds now; the timeout only keeps a regression from
-- taking minutes (4,000 keys took 188 s when names were made unique by
-- scanning lists, sampling had no bounds and ignored cancels)
SET statement_timeout = '60s';
ALTER SERVER regress_limits OPTIONS (SET rest_sample_path '/limits/2000/colliding');
SELECT show_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_limits INTO limits_import');
-- 4,000 colliding keys: refused while the sample is read
ALTER SERVER regress_limits OPTIONS (SET rest_sample_path '/limits/4000/colliding');
SELECT show_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_limits INTO limits_import');
RESET statement_timeout;
-- a key whose json_path would take more than 1 kB is skipped
ALTER SERVER regress_limits OPTIONS (SET rest_sample_path '/limits/2000/long_key');
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_limits INTO limits_import;
SELECT attname, format_type(atttypid, atttypmod), attfdwoptions
  FROM pg_attribute
  WHERE attrelid = 'limits_import.long_key'::regclass AND attnum > 0;
-- a key repeated many times in a row is one column
ALTER SERVER regress_limits OPTIONS (SET rest_sample_path '/limits/100000/duplicate_keys');
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_limits INTO limits_import;
SELECT * FROM limits_import.duplicate_keys;

DROP SCHEMA limits_import CASCADE;
DROP SERVER regress_limits;
