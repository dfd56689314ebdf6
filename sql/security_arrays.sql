--
-- JSON arrays to PostgreSQL arrays: what the elements become, and the
-- memory it takes.  An array is converted as it is parsed, into the final
-- array's bytes, so a row with a huge array costs about that array, not
-- twenty times its JSON.  The bodies come from test/api/arrays.py.
--
\getenv port REST_TEST_PORT
\set base_url 'http://127.0.0.1:' :port

CREATE SERVER regress_arrays FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url');

-- ===================================================================
-- elements: NULLs, escapes, nested arrays and objects, empty arrays
-- ===================================================================
CREATE FOREIGN TABLE arrays_mixed (id int, a text[], n int[])
  SERVER regress_arrays OPTIONS (endpoint '/arrays/mixed');
SELECT id, a, n, array_length(a, 1) AS len, a[2] IS NULL AS a2_null
  FROM arrays_mixed ORDER BY id;
-- de-escaped elements
SELECT a[3] = E'tab\there' AS tab, a[4] = 'été' AS accents,
       a[5] = 'q"uote' AS quote, a[6] = '' AS empty
  FROM arrays_mixed WHERE id = 1;
-- nested arrays and objects are elements of their JSON text
CREATE FOREIGN TABLE arrays_mixed_jsonb (id int, a jsonb[])
  SERVER regress_arrays OPTIONS (endpoint '/arrays/mixed');
SELECT id, a FROM arrays_mixed_jsonb ORDER BY id;
-- every width and alignment, with NULLs between the elements
CREATE FOREIGN TABLE arrays_typed (id int, i2 smallint[], i8 bigint[],
                                   f8 float8[], nu numeric[], b boolean[])
  SERVER regress_arrays OPTIONS (endpoint '/arrays/typed');
SELECT i2, i8, f8, nu, b FROM arrays_typed;
SELECT i2 = '{1,NULL,-32768}' AS i2, i8 = '{NULL,9007199254740993,-1}' AS i8,
       f8 = '{1.5,-2000,NULL,0.1}' AS f8, b = '{t,NULL,f,t}' AS b
  FROM arrays_typed;

-- ===================================================================
-- elements that do not convert
-- ===================================================================
-- the column and the row are named, and the array's value
CREATE FOREIGN TABLE arrays_mixed_int (id int, a int[])
  SERVER regress_arrays OPTIONS (endpoint '/arrays/mixed');
SELECT show_error('SELECT id, a FROM arrays_mixed_int');
CREATE FOREIGN TABLE arrays_nested (id int, n int[])
  SERVER regress_arrays OPTIONS (endpoint '/arrays/nested');
SELECT show_error('SELECT n FROM arrays_nested');
-- an escape that does not convert is reported before the element "abc"
ALTER FOREIGN TABLE arrays_nested OPTIONS (SET endpoint '/arrays/bad_escape');
SELECT show_error('SELECT n FROM arrays_nested');
ALTER FOREIGN TABLE arrays_nested ALTER COLUMN n TYPE text[];
SELECT show_error('SELECT n FROM arrays_nested');

-- ===================================================================
-- the memory of a row with a large array
-- ===================================================================
-- the backend's peak resident memory so far, in kB
CREATE FUNCTION arrays_peak_kb() RETURNS bigint LANGUAGE sql AS $$
  SELECT (regexp_match(pg_read_file('/proc/self/status'),
                       'VmHWM:\s+(\d+) kB'))[1]::bigint
$$;
SELECT arrays_peak_kb() AS peak_before \gset
-- 1,000,000 strings "x" (a body of 4 MB): the array takes 8 MB.  Keeping
-- every element's token and value before building the array took 82 MB.
CREATE FOREIGN TABLE arrays_text (id int, a text[])
  SERVER regress_arrays OPTIONS (endpoint '/arrays/1000000/text');
SELECT cardinality(a), a[1], a[1000000],
       (SELECT count(*) FROM unnest(a) x WHERE x = 'x') AS all_x,
       row_bytes < 12 * 1024 * 1024 AS row_under_12mb
  FROM (SELECT a, (SELECT sum(total_bytes) FROM pg_backend_memory_contexts
                    WHERE name = 'rest_fdw row') AS row_bytes
          FROM arrays_text) s;
SELECT count(*) AS rows FROM arrays_text;
-- 1,000,000 integers (a body of 7 MB): the array takes 4 MB, not 54 MB
CREATE FOREIGN TABLE arrays_int (id int, a int[])
  SERVER regress_arrays OPTIONS (endpoint '/arrays/1000000/int');
SELECT cardinality(a), a[1], a[500000], a[1000000],
       (SELECT sum(x) FROM unnest(a) x) AS sum,
       row_bytes < 6 * 1024 * 1024 AS row_under_6mb
  FROM (SELECT a, (SELECT sum(total_bytes) FROM pg_backend_memory_contexts
                    WHERE name = 'rest_fdw row') AS row_bytes
          FROM arrays_int) s;
-- the peak, while converting, stays near the array and the body too
-- (it grew by 14 MB for both arrays; 85 MB when elements were kept)
SELECT arrays_peak_kb() - :peak_before < 40 * 1024 AS peak_growth_under_40mb;
-- 100,000 escaped strings, a NULL every tenth
CREATE FOREIGN TABLE arrays_escaped (id int, a text[])
  SERVER regress_arrays OPTIONS (endpoint '/arrays/100000/escaped');
SELECT cardinality(a),
       (SELECT count(*) FILTER (WHERE x IS NULL) FROM unnest(a) x) AS nulls,
       (SELECT count(DISTINCT x) FROM unnest(a) x) AS distinct_values,
       (SELECT min(x) FROM unnest(a) x) AS value
  FROM arrays_escaped;
SELECT a[9], a[10], a[11] FROM arrays_escaped;

DROP FUNCTION arrays_peak_kb();
DROP SERVER regress_arrays CASCADE;
