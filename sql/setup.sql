--
-- Shared set-up for the regression tests: the extension, the test API
-- server's admin endpoints as foreign tables, and helpers that hide the
-- server's port (it changes from run to run) in errors and EXPLAIN output.
--
-- The port and every secret come from the environment (test/run-tests.sh),
-- so none of them appears in this file or its expected output.
--
CREATE EXTENSION rest_fdw;

\getenv port REST_TEST_PORT
\set base_url 'http://127.0.0.1:' :port

-- the test server's counters, read through rest_fdw itself
CREATE SERVER regress_admin FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url');
CREATE FOREIGN TABLE api_stats (
  token_requests int,
  token_errors int,
  refresh_grants int,
  client_credentials_grants int,
  api_requests int,
  unauthorized int,
  basic_auth_token_requests int,
  post_auth_token_requests int
) SERVER regress_admin OPTIONS (endpoint '/_admin/stats');
CREATE FOREIGN TABLE api_clients (
  client_id text,
  token_requests int,
  refresh_grants int,
  client_credentials_grants int,
  active_refresh_tokens int,
  revoked boolean,
  last_scope text
) SERVER regress_admin OPTIONS (endpoint '/_admin/clients');
CREATE FOREIGN TABLE api_reset (reset boolean)
  SERVER regress_admin OPTIONS (endpoint '/_admin/reset');
CREATE FOREIGN TABLE api_expire_tokens (expired int)
  SERVER regress_admin OPTIONS (endpoint '/_admin/expire_tokens');
CREATE FOREIGN TABLE api_reset_grants (reset_grants boolean)
  SERVER regress_admin OPTIONS (endpoint '/_admin/reset_grants');

SELECT * FROM api_reset_grants;
SELECT * FROM api_reset;
SELECT token_requests, api_requests FROM api_stats;

-- Run a statement and show its error, with the server's port replaced by
-- PORT; the first CONTEXT line only (the rest is this function's).
CREATE FUNCTION show_error(query text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  state text; msg text; detail text; hint text; ctx text;
BEGIN
  EXECUTE query;
  RETURN NEXT 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
    detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT,
    ctx = PG_EXCEPTION_CONTEXT;
  RETURN NEXT 'ERROR:  ' || regexp_replace(msg, '(127\.0\.0\.[0-9]+|localhost):[0-9]+', '\1:PORT', 'g')
              || ' (' || state || ')';
  IF detail <> '' THEN
    detail := regexp_replace(detail, ' port [0-9]+ after', ' port N after', 'g');
    -- libcurl 8 words some errors differently: show them as 7.88 does
    detail := regexp_replace(detail, '(127\.0\.0\.[0-9]+|localhost):[0-9]+ after', '\1 port N after');
    detail := regexp_replace(regexp_replace(regexp_replace(regexp_replace(detail,
      'Could not connect', 'Couldn''t connect'), 'target hostname', 'target host name'),
      'Connection timed out after ([0-9]+) milliseconds', 'Connection timeout after \1 ms'),
      'SSL certificate OpenSSL verify result: (.*) \([0-9]+\)$', 'SSL certificate problem: \1');
    RETURN NEXT 'DETAIL:  ' || regexp_replace(regexp_replace(detail,
      '(127\.0\.0\.[0-9]+|localhost):[0-9]+', '\1:PORT', 'g'), '[0-9]+ (ms|milliseconds)', 'N \1', 'g');
  END IF;
  IF hint <> '' THEN
    RETURN NEXT 'HINT:  ' || hint;
  END IF;
  ctx := split_part(ctx, E'\n', 1);
  IF ctx <> '' AND ctx NOT LIKE 'SQL statement%' AND ctx NOT LIKE 'PL/pgSQL%' THEN
    RETURN NEXT 'CONTEXT:  ' || regexp_replace(ctx, '(127\.0\.0\.[0-9]+|localhost):[0-9]+', '\1:PORT', 'g');
  END IF;
END
$$;

-- an error of show_error() with the directory of the test's files
-- (regress.configdir) written CONFIGDIR
CREATE FUNCTION model_error(query text) RETURNS SETOF text
LANGUAGE sql AS $$
  SELECT replace(e, current_setting('regress.configdir'), 'CONFIGDIR')
  FROM show_error(query) e
$$;

-- write a file as the server (exactly these bytes, unlike COPY)
CREATE FUNCTION write_model(path text, content text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  lo oid := lo_from_bytea(0, convert_to(content, 'UTF8'));
BEGIN
  PERFORM lo_export(lo, path);
  PERFORM lo_unlink(lo);
END
$$;

-- what IMPORT created: columns with types and options, and table options
CREATE FUNCTION imported_columns(schema_name text)
RETURNS TABLE (table_name name, col name, type text, options text)
LANGUAGE sql AS $$
  SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
         array_to_string(a.attfdwoptions, ', ')
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  WHERE c.relnamespace = schema_name::regnamespace AND c.relkind = 'f'
    AND a.attnum > 0 AND NOT a.attisdropped
  ORDER BY c.relname, a.attnum
$$;
CREATE FUNCTION imported_tables(schema_name text)
RETURNS TABLE (table_name name, options text)
LANGUAGE sql AS $$
  SELECT c.relname, array_to_string(t.ftoptions, ', ')
  FROM pg_foreign_table t JOIN pg_class c ON c.oid = t.ftrelid
  WHERE c.relnamespace = schema_name::regnamespace
  ORDER BY c.relname
$$;

-- EXPLAIN output with the port replaced by PORT, the same on every
-- version: without the "(returns $0)" of an InitPlan (before 17), with
-- whole numbers of actual rows and without buffer counts (18)
CREATE FUNCTION explain_filter(query text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  ln text;
BEGIN
  FOR ln IN EXECUTE 'EXPLAIN ' || query LOOP
    CONTINUE WHEN ln ~ '^\s*(Planning:|Buffers: )';
    ln := regexp_replace(ln, '^(\s*InitPlan [0-9]+) \(returns [$0-9, ]+\)$', '\1');
    ln := regexp_replace(ln, '(actual rows=[0-9]+)\.00 ', '\1 ', 'g');
    RETURN NEXT regexp_replace(ln, '(127\.0\.0\.[0-9]+|localhost):[0-9]+', '\1:PORT', 'g');
  END LOOP;
END
$$;
