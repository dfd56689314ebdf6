--
-- Paging conventions of real APIs: totals in headers (json-server,
-- PostgREST), Stripe's cursor from the last row, errors inside a 200
-- (Slack, GraphQL) and a 401-like error message that refreshes the OAuth
-- 2.0 token.  The test server counts each series' requests
-- (test/api/apis_paging.py).
--
\getenv port REST_TEST_PORT
\getenv api_key REST_TEST_API_KEY
\getenv client_secret REST_TEST_CLIENT_SECRET
\getenv refresh_token REST_TEST_REFRESH_TOKEN
\set base_url 'http://127.0.0.1:' :port
\set token_uri :base_url '/oauth/token'
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE SERVER regress_more FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url');
CREATE FOREIGN TABLE more_stats (series text OPTIONS (param 'series'), requests int)
  SERVER regress_admin OPTIONS (endpoint '/_admin/concurrency');

-- ===================================================================
-- Totals from headers
-- ===================================================================
-- json-server: a bare array, X-Total-Count: 25
CREATE FOREIGN TABLE hdr_items (id int, tag text)
  SERVER regress_more OPTIONS (endpoint '/open/hdr/list?total=25&series=xtc',
                               paging 'offset', page_size '10',
                               total_count_header 'X-Total-Count');
SELECT count(*), sum(id), min(id), max(id) FROM hdr_items;
-- three pages, no empty fourth one
SELECT requests FROM more_stats WHERE series = 'xtc';
-- Content-Range: items 0-9/25
ALTER FOREIGN TABLE hdr_items OPTIONS (SET total_count_header 'content-range',
  SET endpoint '/open/hdr/list?total=25&header=range&series=range');
SELECT count(*), sum(id) FROM hdr_items;
SELECT requests FROM more_stats WHERE series = 'range';
-- PostgREST: 0-9/20; exactly two pages
ALTER FOREIGN TABLE hdr_items OPTIONS (
  SET endpoint '/open/hdr/list?total=20&header=postgrest&series=postgrest');
SELECT count(*), sum(id) FROM hdr_items;
SELECT requests FROM more_stats WHERE series = 'postgrest';
-- an empty list: */0
ALTER FOREIGN TABLE hdr_items OPTIONS (
  SET endpoint '/open/hdr/list?total=0&header=postgrest&series=postgrest0');
SELECT count(*) FROM hdr_items;
SELECT requests FROM more_stats WHERE series = 'postgrest0';
-- 0-9/*: the total is not known, the empty page ends paging
ALTER FOREIGN TABLE hdr_items OPTIONS (
  SET endpoint '/open/hdr/list?total=25&header=range_star&series=star');
SELECT count(*), sum(id) FROM hdr_items;
SELECT requests FROM more_stats WHERE series = 'star';
-- no such header in the response: the same
ALTER FOREIGN TABLE hdr_items OPTIONS (
  SET endpoint '/open/hdr/list?total=25&header=none&series=nohdr');
SELECT count(*), sum(id) FROM hdr_items;
SELECT requests FROM more_stats WHERE series = 'nohdr';
-- page numbers, one page at a time: the total ends paging after page 3
ALTER FOREIGN TABLE hdr_items OPTIONS (SET total_count_header 'X-Total-Count',
  SET paging 'page', ADD page_size_param 'per_page', ADD fetch_concurrency '1',
  SET endpoint '/open/hdr/list?total=25&page=1&series=xtc_pages');
SELECT count(*), sum(id) FROM hdr_items;
SELECT requests FROM more_stats WHERE series = 'xtc_pages';
-- the option takes a header name
ALTER FOREIGN TABLE hdr_items OPTIONS (SET total_count_header 'X Total');  -- ERROR
ALTER FOREIGN TABLE hdr_items OPTIONS (SET total_count_header 'X-Total-Count: 5');  -- ERROR
ALTER FOREIGN TABLE hdr_items OPTIONS (SET total_count_header '');  -- ERROR
ALTER SERVER regress_more OPTIONS (ADD total_count_header
  'X-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789');  -- ERROR

-- ===================================================================
-- Stripe: the cursor is the id of the page's last row
-- ===================================================================
-- GET /v1/customers?limit=3&starting_after=cus_0003 -> {"data": [...], "has_more": true}
CREATE FOREIGN TABLE stripe_customers (id text, email text, created bigint)
  SERVER regress_more OPTIONS (endpoint '/open/p/stripe/v1/customers?total=10&series=stripe',
                               rows_path 'data', paging 'cursor', cursor_row_path 'id',
                               cursor_param 'starting_after', has_more_path 'has_more',
                               page_size '3', page_size_param 'limit');
SELECT * FROM stripe_customers;
-- four pages: the fourth says has_more false
SELECT requests FROM more_stats WHERE series = 'stripe';
-- the cursor is read also when the query does not select it
ALTER FOREIGN TABLE stripe_customers OPTIONS (
  SET endpoint '/open/p/stripe/v1/customers?total=10&series=stripe_email');
SELECT count(*), min(email), max(email) FROM stripe_customers;
SELECT count(*) FROM stripe_customers WHERE created > 1700000000 + 5 * 86400;
-- two scans of four pages
SELECT requests FROM more_stats WHERE series = 'stripe_email';
-- without has_more_path the empty page ends paging
ALTER FOREIGN TABLE stripe_customers OPTIONS (DROP has_more_path,
  SET endpoint '/open/p/stripe/v1/customers?total=9&series=stripe_empty');
SELECT count(*) FROM stripe_customers;
SELECT requests FROM more_stats WHERE series = 'stripe_empty';
-- LIMIT: no request beyond the rows needed
ALTER FOREIGN TABLE stripe_customers OPTIONS (ADD has_more_path 'has_more',
  SET endpoint '/open/p/stripe/v1/customers?total=10&series=stripe_limit');
SELECT email FROM stripe_customers LIMIT 4;
SELECT requests FROM more_stats WHERE series = 'stripe_limit';
-- an API that answers the same page again: a loop
ALTER FOREIGN TABLE stripe_customers OPTIONS (
  SET endpoint '/open/p/stripe/v1/customers?total=10&loop=1');
SELECT * FROM show_error('SELECT count(*) FROM stripe_customers');
-- rows without the element
ALTER FOREIGN TABLE stripe_customers OPTIONS (SET cursor_row_path 'customer_id',
  SET endpoint '/open/p/stripe/v1/customers?total=10');
SELECT * FROM show_error('SELECT count(*) FROM stripe_customers');
-- paging 'cursor' needs cursor_path or cursor_row_path
ALTER FOREIGN TABLE stripe_customers OPTIONS (DROP cursor_row_path);
SELECT * FROM show_error('SELECT count(*) FROM stripe_customers');

-- ===================================================================
-- Errors inside a 200: Slack's {"ok": false, "error": "..."}
-- ===================================================================
CREATE FOREIGN TABLE slack_channels (id text, name text)
  SERVER regress_more OPTIONS (endpoint '/open/slack/conversations.list?total=25&series=slack',
                               rows_path 'channels', paging 'cursor',
                               cursor_path 'response_metadata.next_cursor',
                               page_size '10', page_size_param 'limit',
                               success_path 'ok', error_path 'error');
SELECT count(*), min(id), max(id) FROM slack_channels;
SELECT requests FROM more_stats WHERE series = 'slack';
-- the first page fails (it has no "channels"): the API's message
ALTER FOREIGN TABLE slack_channels OPTIONS (
  SET endpoint '/open/slack/conversations.list?total=25&error=missing_scope&error_page=1');
SELECT * FROM show_error('SELECT count(*) FROM slack_channels');
-- the second page fails: no row of it is returned
CREATE FUNCTION rows_before_error(query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  n int := 0;
  r record;
BEGIN
  FOR r IN EXECUTE query LOOP
    n := n + 1;
  END LOOP;
  RETURN n || ' rows, no error';
EXCEPTION WHEN OTHERS THEN
  RETURN n || ' rows, then ' || SQLERRM || ' (' || SQLSTATE || ')';
END
$$;
ALTER FOREIGN TABLE slack_channels OPTIONS (
  SET endpoint '/open/slack/conversations.list?total=25&error=ratelimited&error_page=2');
SELECT rows_before_error('SELECT id FROM slack_channels');
-- with only success_path, the message says which element
ALTER FOREIGN TABLE slack_channels OPTIONS (DROP error_path);
SELECT * FROM show_error('SELECT count(*) FROM slack_channels');
-- without either option the body is read as rows: "channels" is missing
ALTER FOREIGN TABLE slack_channels OPTIONS (DROP success_path);
SELECT * FROM show_error('SELECT count(*) FROM slack_channels');
-- an error message listed in auth_error_values, without OAuth 2.0 to
-- refresh: the ERROR says to check the credentials
ALTER FOREIGN TABLE slack_channels OPTIONS (ADD success_path 'ok', ADD error_path 'error',
  ADD auth_error_values 'invalid_auth, token_expired',
  SET endpoint '/open/slack/conversations.list?total=25&error=invalid_auth&error_page=1');
SELECT * FROM show_error('SELECT count(*) FROM slack_channels');

-- a message that quotes the credentials sent is shown without them
CREATE SERVER regress_more_key FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'http_header',
           auth_header 'X-API-Key', success_path 'ok', error_path 'error');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_more_key
  OPTIONS (api_key :'api_key');
CREATE FOREIGN TABLE slack_keyed (id text)
  SERVER regress_more_key OPTIONS (endpoint '/header/slack/conversations.list?error=echo_key',
                                   rows_path 'channels');
SELECT * FROM show_error('SELECT count(*) FROM slack_keyed');
SELECT position(:'api_key' IN e) = 0 AS key_not_shown
  FROM show_error('SELECT count(*) FROM slack_keyed') e;

-- GraphQL: {"data": null, "errors": [{"message": "..."}]}
CREATE FOREIGN TABLE graphql_customers (id int, name text)
  SERVER regress_more OPTIONS (endpoint '/open/graphql/errors',
                               rows_path 'data.customers', error_path 'errors');
SELECT * FROM show_error('SELECT * FROM graphql_customers');
ALTER FOREIGN TABLE graphql_customers OPTIONS (SET error_path 'errors.0.locations');
SELECT * FROM show_error('SELECT * FROM graphql_customers');

-- ===================================================================
-- A 401-like message: one new OAuth 2.0 token, the page again
-- ===================================================================
CREATE SERVER regress_more_oauth FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', client_id 'regress_client',
           success_path 'ok', error_path 'error',
           auth_error_values 'invalid_auth,token_expired');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_more_oauth
  OPTIONS (client_secret :'client_secret', refresh_token :'refresh_token');
CREATE FOREIGN TABLE slack_oauth (id text, name text)
  SERVER regress_more_oauth OPTIONS (endpoint '/slack/oauth/conversations.list?total=25&series=slack_oauth',
                                     rows_path 'channels', paging 'cursor',
                                     cursor_path 'response_metadata.next_cursor',
                                     page_size '10', page_size_param 'limit');
SELECT count(*) FROM slack_oauth;
-- the API now answers 200 {"ok": false, "error": "token_expired"}
SELECT expired > 0 AS expired FROM api_expire_tokens;
SELECT * FROM api_reset;
SELECT count(*), min(id), max(id) FROM slack_oauth;
SELECT token_requests, refresh_grants, unauthorized FROM api_stats;
-- without auth_error_values it is an ERROR that shows the message
SELECT expired > 0 AS expired FROM api_expire_tokens;
ALTER SERVER regress_more_oauth OPTIONS (DROP auth_error_values);
SELECT * FROM show_error('SELECT count(*) FROM slack_oauth');

-- ===================================================================
-- Clean up
-- ===================================================================
-- A paged table whose response is one object, not an array: one page
-- ===================================================================
CREATE FOREIGN TABLE more_log (seq int, path text, query text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/log');
SELECT * FROM api_reset;
CREATE FOREIGN TABLE one_object (id int, name text)
  SERVER regress_more OPTIONS (endpoint '/open/single', paging 'offset', page_size '10');
SELECT * FROM one_object;
ALTER FOREIGN TABLE one_object OPTIONS (SET paging 'page');
SELECT * FROM one_object;
-- one request each, not max_pages of them
SELECT path, query FROM more_log WHERE path NOT LIKE '/_admin/%' ORDER BY seq;
DROP FOREIGN TABLE one_object, more_log;

-- ===================================================================
-- The next page's URL in a response header of another name than Link
-- ===================================================================
CREATE FOREIGN TABLE more_log (seq int, path text, query text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/log');
SELECT * FROM api_reset;
CREATE FOREIGN TABLE next_hdr (id int, "fullName" text)
  SERVER regress_more OPTIONS (endpoint '/open/v/nexthdr', paging 'next_url',
                               next_url_header 'Next');
SELECT * FROM next_hdr ORDER BY id;
SELECT * FROM next_hdr LIMIT 1;                         -- one request
ALTER FOREIGN TABLE next_hdr OPTIONS (SET endpoint '/open/v/nexthdr?to=relative');
SELECT count(*) FROM next_hdr;
SELECT path, query FROM more_log WHERE path NOT LIKE '/_admin/%' ORDER BY seq;
SELECT * FROM explain_filter('(COSTS OFF) SELECT * FROM next_hdr');
-- the next URL must keep the first request's origin, and be a URL
ALTER FOREIGN TABLE next_hdr OPTIONS (SET endpoint '/open/v/nexthdr?to=foreign');
SELECT * FROM show_error('SELECT count(*) FROM next_hdr');
ALTER FOREIGN TABLE next_hdr OPTIONS (SET endpoint '/open/v/nexthdr?to=bad');
SELECT * FROM show_error('SELECT count(*) FROM next_hdr');
-- one place for the next URL; a header name
ALTER FOREIGN TABLE next_hdr OPTIONS (ADD rows_path '*', ADD next_url_path 'next');
SELECT * FROM show_error('SELECT count(*) FROM next_hdr');
ALTER FOREIGN TABLE next_hdr OPTIONS (DROP rows_path, DROP next_url_path, DROP next_url_header);
SELECT * FROM show_error('SELECT count(*) FROM next_hdr');
SELECT * FROM show_error($$ALTER FOREIGN TABLE next_hdr OPTIONS (ADD next_url_header 'Next: x')$$);
DROP FOREIGN TABLE next_hdr, more_log;

-- ===================================================================
-- A next-page token in a response header, or sent as a request header
-- ===================================================================
CREATE FOREIGN TABLE tok_hdr (id int, got text)
  SERVER regress_more OPTIONS (endpoint '/open/v/tokens', paging 'cursor',
                               cursor_header 'X-Next-Token', cursor_param 'page_token');
SELECT * FROM tok_hdr ORDER BY id;
ALTER FOREIGN TABLE tok_hdr OPTIONS (ADD cursor_request_header 'X-Page-Token');
SELECT * FROM tok_hdr ORDER BY id;
CREATE FOREIGN TABLE tok_body (id int, got text)
  SERVER regress_more OPTIONS (endpoint '/open/v/tokens?in=body', rows_path 'items',
                               paging 'cursor', cursor_path 'next',
                               cursor_request_header 'X-Page-Token');
SELECT * FROM tok_body ORDER BY id;
SELECT * FROM explain_filter('(COSTS OFF) SELECT * FROM tok_body');
-- a token that would end the header line and start another is refused
ALTER FOREIGN TABLE tok_body OPTIONS (SET endpoint '/open/v/tokens?in=body&evil=1');
SELECT * FROM show_error('SELECT count(*) FROM tok_body');
-- one place for the next cursor; headers an option may not set
ALTER FOREIGN TABLE tok_body OPTIONS (ADD cursor_header 'X-Next-Token');
SELECT * FROM show_error('SELECT count(*) FROM tok_body');
SELECT * FROM show_error($$ALTER FOREIGN TABLE tok_hdr OPTIONS (SET cursor_request_header 'Authorization')$$);
SELECT * FROM show_error($$ALTER FOREIGN TABLE tok_hdr OPTIONS (SET cursor_request_header 'X-Forwarded-Host')$$);
SELECT * FROM show_error($$ALTER FOREIGN TABLE tok_hdr OPTIONS (SET cursor_header 'X Next')$$);
DROP FOREIGN TABLE tok_hdr, tok_body;

-- ===================================================================
\set VERBOSITY terse
DROP FUNCTION rows_before_error(text);
DROP SERVER regress_more, regress_more_key, regress_more_oauth CASCADE;
DROP FOREIGN TABLE more_stats;
