--
-- Stripe: GET /v1/customers?limit=N&starting_after=<id of the last row of
-- the page before>, "has_more" saying whether a page follows, "created"
-- in epoch seconds, also in conditions (created[gte]=1695000000).  The
-- secret key is the HTTP Basic user name.  The figures are those of the
-- data the test API generates (test/api/apis.py).
--
\getenv port REST_TEST_PORT
\getenv api_user REST_TEST_USER
\getenv api_password REST_TEST_PASSWORD
\set base_url 'http://127.0.0.1:' :port '/basic'
\set VERBOSITY default
\set SHOW_CONTEXT never
-- its own schema, and ISO dates
CREATE SCHEMA api_stripe;
SET search_path = api_stripe, public;
SET DateStyle = ISO;
SET TimeZone = 'UTC';

CREATE SERVER stripe FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'basic');
CREATE USER MAPPING FOR CURRENT_USER SERVER stripe
  OPTIONS ("user" :'api_user', password :'api_password');
CREATE FOREIGN TABLE stripe_log (seq int, method text, path text, query text, body text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/log');
SELECT coalesce(max(seq), 0) AS seen FROM stripe_log \gset

CREATE FOREIGN TABLE stripe_customers (
  id text, email text, name text, currency text, delinquent boolean, balance bigint,
  metadata jsonb,
  created timestamptz OPTIONS (format 'epoch', param_ge 'created[gte]', param_gt 'created[gt]',
                               param_le 'created[lte]', param_lt 'created[lt]')
) SERVER stripe OPTIONS (
  endpoint '/stripe/v1/customers', rows_path 'data',
  paging 'cursor', cursor_row_path 'id', cursor_param 'starting_after',
  has_more_path 'has_more', page_size '100', page_size_param 'limit');

-- 137 customers, newest first (kept in scan order)
CREATE TEMP TABLE stripe_scan AS SELECT row_number() OVER () AS n, * FROM stripe_customers;
SELECT count(*), count(DISTINCT id), count(*) - count(currency) AS no_currency,
       count(*) FILTER (WHERE delinquent) AS delinquent, min(created), max(created)
  FROM stripe_scan;
-- two requests: the second starts after the 100th customer
SELECT l.query ~ '^starting_after=cus_[0-9A-Za-z]{14}&limit=100$' AS cursor_sent,
       regexp_replace(l.query, 'cus_[0-9A-Za-z]{14}', 'cus_<id>') AS query, s.n AS after_row
  FROM stripe_log l
  LEFT JOIN stripe_scan s ON s.id = substring(l.query FROM 'starting_after=([^&]+)')
  WHERE l.seq > :seen ORDER BY l.seq;
SELECT coalesce(max(seq), 0) AS seen FROM stripe_log \gset

-- conditions on created are sent in epoch seconds
SELECT count(*), min(created), max(created) FROM stripe_customers
  WHERE created >= '2023-09-18 01:20:00+00' AND created < to_timestamp(1697000000);
SELECT query FROM stripe_log WHERE seq > :seen ORDER BY seq;
SELECT coalesce(max(seq), 0) AS seen FROM stripe_log \gset

-- LIMIT 3 asks for 3
SELECT name, email, created FROM stripe_customers LIMIT 3;
SELECT query FROM stripe_log WHERE seq > :seen ORDER BY seq;
SELECT coalesce(max(seq), 0) AS seen FROM stripe_log \gset

-- the gold tier (metadata.tier), for a report
SELECT count(*) AS gold, sum(balance) AS balance FROM stripe_customers
  WHERE metadata ->> 'tier' = 'gold';

-- Stripe's own error for a page size it does not allow
ALTER FOREIGN TABLE stripe_customers OPTIONS (SET page_size '200');
SELECT regexp_replace(e, 'req_[0-9]+', 'req_...')
  FROM show_error('SELECT count(*) FROM stripe_customers') e;

DROP SERVER stripe CASCADE;
DROP FOREIGN TABLE stripe_log;
DROP SCHEMA api_stripe;
RESET search_path;
RESET DateStyle;
RESET TimeZone;
