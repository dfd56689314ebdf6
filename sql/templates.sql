--
-- Request bodies and templates: method and body, the paging variables
-- {limit} {offset} {page} {cursor} and column placeholders in the body,
-- the endpoint's path and its query string, GraphQL, retries and
-- redirects of a POST, and what a value cannot do.  Requests are
-- asserted through the test server's request log, which keeps each
-- request's method and body.
--
\getenv port REST_TEST_PORT
\getenv api_key REST_TEST_API_KEY
\set base_url 'http://127.0.0.1:' :port
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE SERVER regress_post FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', method 'POST', fetch_concurrency '1');
CREATE FOREIGN TABLE tpl_log (seq int, method text, path text, query text, body text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/log');
CREATE VIEW tpl_requests AS
  SELECT seq, method, path, query, body FROM tpl_log
  WHERE path NOT LIKE '/_admin/%' ORDER BY seq;

-- ===================================================================
-- Options: what the validator refuses, and says where
-- ===================================================================
CREATE FOREIGN TABLE bad (id int) SERVER regress_post
  OPTIONS (endpoint '/open/t/search', body '{"limit": {limit}, "offset": }');  -- ERROR
CREATE FOREIGN TABLE bad (id int) SERVER regress_post
  OPTIONS (endpoint '/open/t/search', body E'{"a": 1,\n "b": {b}, {c}: 2}');  -- ERROR
CREATE FOREIGN TABLE bad (id int) SERVER regress_post
  OPTIONS (endpoint '/open/t/search', body '{"unterminated": "abc}');  -- ERROR
-- at most 64 kB
SELECT '{"a": "' || repeat('x', 65536) || '"}' AS big_body \gset
CREATE FOREIGN TABLE bad (id int) SERVER regress_post
  OPTIONS (endpoint '/open/t/search', body :'big_body');  -- ERROR
CREATE FOREIGN TABLE bad (id int) SERVER regress_post
  OPTIONS (method 'GET', body '{"a": 1}');  -- ERROR
CREATE FOREIGN TABLE bad (id int) SERVER regress_post
  OPTIONS (method 'PUT');  -- ERROR
CREATE FOREIGN TABLE bad (id int) SERVER regress_post
  OPTIONS (body '{}', body_null 'drop');  -- ERROR
-- a server's body with method GET (the default) on the same server
CREATE SERVER bad_srv FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', method 'GET', body '{}');  -- ERROR
-- a body on a table whose server sends GET: refused by the query
CREATE SERVER regress_get FOREIGN DATA WRAPPER rest_fdw OPTIONS (base_url :'base_url');
CREATE FOREIGN TABLE get_body (id int) SERVER regress_get
  OPTIONS (endpoint '/open/t/search', body '{}');
SELECT * FROM show_error('SELECT * FROM get_body');
DROP FOREIGN TABLE get_body;

-- names the planner refuses
CREATE FOREIGN TABLE tpl_unknown (id int) SERVER regress_post
  OPTIONS (endpoint '/open/t/search', body '{"q": {nosuch}}');
SELECT * FROM show_error('SELECT * FROM tpl_unknown');
CREATE FOREIGN TABLE tpl_unknown_str (id int) SERVER regress_post
  OPTIONS (endpoint '/open/t/search', body '{"q": "name is {nosuch}"}');
SELECT * FROM show_error('SELECT * FROM tpl_unknown_str');
CREATE FOREIGN TABLE tpl_both (id int, "limit" int) SERVER regress_post
  OPTIONS (endpoint '/open/t/search', body '{"limit": {limit}}', paging 'offset');
SELECT * FROM show_error('SELECT * FROM tpl_both');
CREATE FOREIGN TABLE tpl_cursor_path (id int) SERVER regress_get
  OPTIONS (endpoint '/open/c/{cursor}/items', rows_path 'results',
           paging 'cursor', cursor_path 'next_cursor');
SELECT * FROM show_error('SELECT * FROM tpl_cursor_path');
CREATE FOREIGN TABLE tpl_style (id int) SERVER regress_post
  OPTIONS (endpoint '/open/t/search', body '{"offset": {offset}}', paging 'page');
SELECT * FROM show_error('SELECT * FROM tpl_style');
-- a literal {name} inside a string is written \u007bname}: not a placeholder
CREATE FOREIGN TABLE tpl_literal (method text, body text) SERVER regress_post
  OPTIONS (endpoint '/open/t/echo', body '{"q": "\u007bnosuch} stays"}');
SELECT method, body, (body::jsonb)->>'q' AS q FROM tpl_literal;

-- ===================================================================
-- Offset paging in the body
-- ===================================================================
CREATE FOREIGN TABLE search_off (id int, name text, category text) SERVER regress_post
  OPTIONS (endpoint '/open/t/search?total=25', rows_path 'items',
           body '{"limit": {limit}, "offset": {offset}, "sort": ["id", 1.50]}',
           paging 'offset', page_size '10');
SELECT * FROM api_reset;
SELECT count(*), sum(id), min(id), max(id) FROM search_off;
-- POST with the body; no offset or limit parameters in the query string,
-- literal numbers kept as written
SELECT method, path, query, body FROM tpl_requests;
-- a LIMIT asks for fewer rows
SELECT * FROM api_reset;
SELECT id FROM search_off LIMIT 3;
SELECT body FROM tpl_requests;
SELECT * FROM explain_filter('(COSTS OFF) SELECT * FROM search_off');

-- the request carries Content-Type: application/json, unless headers set one
CREATE FOREIGN TABLE tpl_echo (method text, content_type text, body text) SERVER regress_post
  OPTIONS (endpoint '/open/t/echo', body '{"x": 1}');
SELECT * FROM tpl_echo;
ALTER FOREIGN TABLE tpl_echo OPTIONS (ADD headers '{"Content-Type": "application/vnd.api+json"}');
SELECT * FROM tpl_echo;

-- ===================================================================
-- Cursor paging in the body: null or omitted on the first page
-- ===================================================================
CREATE FOREIGN TABLE search_cur (id int) SERVER regress_post
  OPTIONS (endpoint '/open/t/search?total=7', rows_path 'items',
           body '{"limit": {limit}, "cursor": {cursor}, "tags": [{cursor}, 1]}',
           paging 'cursor', cursor_path 'next', page_size '3');
SELECT * FROM api_reset;
SELECT count(*), sum(id) FROM search_cur;
SELECT query, body FROM tpl_requests;
ALTER FOREIGN TABLE search_cur OPTIONS (ADD body_null 'omit');
SELECT * FROM api_reset;
SELECT count(*), sum(id) FROM search_cur;
SELECT query, body FROM tpl_requests;

-- ===================================================================
-- Column placeholders in the body: the values of pushed equalities
-- ===================================================================
CREATE FOREIGN TABLE search_flt (id int, name text, category text, price numeric) SERVER regress_post
  OPTIONS (endpoint '/open/t/search?total=25', rows_path 'items', body_null 'omit',
           body '{"limit": 100, "filter": {"category": {category}, "id": {id}}, "note": "cat={category}"}');
SELECT * FROM api_reset;
SELECT count(*), min(id) FROM search_flt WHERE category = 'b';
SELECT * FROM search_flt WHERE id = 7;
-- no condition: no filter member at all
SELECT count(*) FROM search_flt;
-- a column's value: a number for numeric types, a string otherwise; a
-- placeholder without value inside a string is ""
SELECT body FROM tpl_requests;
SELECT * FROM explain_filter('(COSTS OFF) SELECT * FROM search_flt WHERE category = ''b''');
-- with body_null 'null', the members without value are null (which this
-- API compares, so that nothing matches)
ALTER FOREIGN TABLE search_flt OPTIONS (DROP body_null);
SELECT * FROM api_reset;
SELECT count(*) FROM search_flt WHERE category = 'b';
SELECT body FROM tpl_requests;
ALTER FOREIGN TABLE search_flt OPTIONS (ADD body_null 'omit');
-- a lateral reference fills the placeholder per outer row
SELECT * FROM api_reset;
SELECT v.c, n FROM (VALUES ('a'), ('c')) v(c),
  LATERAL (SELECT count(*) AS n FROM search_flt s WHERE s.category = v.c) l ORDER BY v.c;
SELECT body FROM tpl_requests;

-- ===================================================================
-- Variables in the endpoint: path and query string
-- ===================================================================
-- a query parameter holding a variable without value is left out
CREATE FOREIGN TABLE qs_cursor (id int) SERVER regress_get
  OPTIONS (endpoint '/open/paged/cursor?total=7&cursor={cursor}&limit={limit}',
           rows_path 'results', paging 'cursor', cursor_path 'next_cursor',
           page_size '3', fetch_concurrency '1');
SELECT * FROM api_reset;
SELECT count(*), sum(id) FROM qs_cursor;
SELECT method, query, body FROM tpl_requests;
CREATE FOREIGN TABLE qs_offset (id int) SERVER regress_get
  OPTIONS (endpoint '/open/paged/offset?start={offset}&offset={offset}&total=12',
           rows_path 'items', paging 'offset', page_size '5', fetch_concurrency '1');
SELECT * FROM api_reset;
SELECT count(*), sum(id) FROM qs_offset;
SELECT query FROM tpl_requests;
-- page numbers in the path
CREATE FOREIGN TABLE path_page (order_id int, customer_id int) SERVER regress_get
  OPTIONS (endpoint '/open/customers/{page}/orders', paging 'page', max_pages '3',
           fetch_concurrency '1');
SELECT * FROM api_reset;
SELECT * FROM show_error('SELECT count(*) FROM path_page');
SELECT path, query FROM tpl_requests;

-- ===================================================================
-- What a value cannot do
-- ===================================================================
-- quotes, backslashes, braces, newlines and "{limit}" stay inside their
-- string, and are not filled again
CREATE FOREIGN TABLE tpl_attack (q text OPTIONS (virtual 'true'), method text, body text) SERVER regress_post
  OPTIONS (endpoint '/open/t/echo',
           body '{"q": {q}, "s": "<{q}>", "n": [{q}], "limit": {limit}}', paging 'none');
SELECT * FROM api_reset;
SELECT (body::jsonb)->>'q' = v AS q_intact, (body::jsonb)->>'s' = '<' || v || '>' AS s_intact,
       (body::jsonb)->'n'->>0 = v AS n_intact, (body::jsonb)->'limit' AS lim,
       jsonb_typeof(body::jsonb) AS typ, (body::jsonb) ? 'evil' AS evil_key
  FROM (VALUES (E'a"}, "evil": true, "x": {"\\\n{limit}{q}')) v(v),
       LATERAL (SELECT body FROM tpl_attack WHERE q = v.v) t;
SELECT body FROM tpl_requests;
-- without paging, {limit} is page_size, or what a LIMIT needs
CREATE FOREIGN TABLE tpl_lim (body text) SERVER regress_post
  OPTIONS (endpoint '/open/t/echo', body '{"n": {limit}}');
SELECT body FROM tpl_lim LIMIT 5;
ALTER FOREIGN TABLE tpl_lim OPTIONS (ADD page_size '20');
SELECT body FROM tpl_lim;
SELECT body FROM tpl_lim LIMIT 5;
-- a number column cannot carry text, a boolean only true or false
CREATE FOREIGN TABLE tpl_types (n numeric OPTIONS (virtual 'true'), f float8 OPTIONS (virtual 'true'),
                                b boolean OPTIONS (virtual 'true'), d date OPTIONS (virtual 'true'),
                                body text) SERVER regress_post
  OPTIONS (endpoint '/open/t/echo', body '{"n": {n}, "f": {f}, "b": {b}, "d": {d}}');
SELECT body FROM tpl_types WHERE n = 12.50 AND f = 'NaN' AND b = (SELECT true) AND d = '2024-02-29';
-- a value cannot add a query parameter or a path segment
CREATE FOREIGN TABLE qs_attack (id int, category text) SERVER regress_get
  OPTIONS (endpoint '/open/paged/offset?category={category}&total=6', rows_path 'items');
SELECT * FROM api_reset;
SELECT count(*) FROM qs_attack WHERE category = 'a&total=1000&loose=1';
SELECT query FROM tpl_requests;
CREATE FOREIGN TABLE path_attack (order_id int, customer_id text) SERVER regress_get
  OPTIONS (endpoint '/open/customers/{customer_id}/orders');
SELECT * FROM show_error($$SELECT * FROM path_attack WHERE customer_id = '1/../../x'$$);
SELECT path FROM tpl_requests ORDER BY seq DESC LIMIT 1;
-- each page's body is built from the template: it does not grow
CREATE FOREIGN TABLE search_many (id int) SERVER regress_post
  OPTIONS (endpoint '/open/t/search?total=200', rows_path 'items',
           body '{"limit": {limit}, "offset": {offset}}', paging 'offset', page_size '10',
           total_count_path 'total');
SELECT * FROM api_reset;
SELECT count(*) FROM search_many;
SELECT count(*) AS requests, max(length(body)) AS longest_body FROM tpl_requests;
-- pages requested concurrently get the bodies of their own offsets
ALTER FOREIGN TABLE search_many OPTIONS (ADD fetch_concurrency '8');
SELECT count(*), count(DISTINCT id), sum(id) FROM search_many;

-- ===================================================================
-- Retries and redirects of a POST
-- ===================================================================
CREATE SERVER regress_post_faults FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', method 'POST', max_retry_wait '5');
CREATE FOREIGN TABLE tpl_attempts (key text, attempts int)
  SERVER regress_admin OPTIONS (endpoint '/_admin/attempts?key=tpl502');
-- 502 and 504 may come after the server acted: a POST is not retried ...
CREATE FOREIGN TABLE post502 (id int, attempts int) SERVER regress_post_faults
  OPTIONS (endpoint '/open/t/fault?code=502&times=1&key=tpl502', body '{}');
SELECT * FROM show_error('SELECT * FROM post502');
SELECT attempts FROM tpl_attempts;
CREATE FOREIGN TABLE post504 (id int, attempts int) SERVER regress_post_faults
  OPTIONS (endpoint '/open/t/fault?code=504&times=1&key=tpl504', body '{}');
SELECT * FROM show_error('SELECT * FROM post504');
-- ... while a GET is
CREATE FOREIGN TABLE get502 (id int, attempts int) SERVER regress_get
  OPTIONS (endpoint '/open/fault/status?code=502&times=1&key=tplget502');
SELECT * FROM get502;
-- 429 with Retry-After and 503 are retried for a POST too
CREATE FOREIGN TABLE post429 (id int, attempts int) SERVER regress_post_faults
  OPTIONS (endpoint '/open/t/fault?code=429&times=1&key=tpl429&retry_after=0', body '{}');
SELECT * FROM post429;
CREATE FOREIGN TABLE post503 (id int, attempts int) SERVER regress_post_faults
  OPTIONS (endpoint '/open/t/fault?code=503&times=1&key=tpl503&retry_after=0', body '{}');
SELECT * FROM post503;

-- 307 and 308 repeat the POST with its body; 301, 302 and 303 continue
-- with a GET without body
CREATE FOREIGN TABLE tpl_redirect (method text, content_type text, body text) SERVER regress_post
  OPTIONS (endpoint '/open/t/redirect?code=307&to=/open/t/echo', body '{"k": "v"}');
SELECT * FROM tpl_redirect;
ALTER FOREIGN TABLE tpl_redirect OPTIONS (SET endpoint '/open/t/redirect?code=308&to=/open/t/echo');
SELECT * FROM tpl_redirect;
ALTER FOREIGN TABLE tpl_redirect OPTIONS (SET endpoint '/open/t/redirect?code=303&to=/open/t/got');
SELECT * FROM tpl_redirect;
ALTER FOREIGN TABLE tpl_redirect OPTIONS (SET endpoint '/open/t/redirect?code=301&to=/open/t/got');
SELECT * FROM tpl_redirect;

-- ===================================================================
-- GraphQL: a query and its variables, Relay cursor paging
-- ===================================================================
CREATE FOREIGN TABLE gql_users (id int, login text, admin boolean) SERVER regress_post
  OPTIONS (endpoint '/open/graphql?total=23', rows_path 'data.users.nodes',
           body '{"query": "query($first: Int, $after: String) { users(first: $first, after: $after) { nodes { id login admin } pageInfo { endCursor hasNextPage } } }",
                  "variables": {"first": {limit}, "after": {cursor}}}',
           paging 'cursor', cursor_path 'data.users.pageInfo.endCursor',
           has_more_path 'data.users.pageInfo.hasNextPage', page_size '10');
SELECT * FROM api_reset;
SELECT count(*), sum(id), count(*) FILTER (WHERE admin) AS admins FROM gql_users;
SELECT count(*) AS requests, count(*) FILTER (WHERE method = 'POST') AS posts,
       count(*) FILTER (WHERE (body::jsonb)->'variables'->'after' = 'null') AS first_pages
  FROM tpl_requests;
SELECT * FROM gql_users ORDER BY id LIMIT 2;

-- ===================================================================
-- Secrets and other users
-- ===================================================================
-- url_parameter authentication: the key is in no EXPLAIN line or error
CREATE SERVER regress_post_key FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', method 'POST', authentication_method 'url_parameter',
           auth_param 'api_key', fetch_concurrency '1');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_post_key OPTIONS (api_key :'api_key');
CREATE FOREIGN TABLE key_search (id int) SERVER regress_post_key
  OPTIONS (endpoint '/param/t/search?total=3', rows_path 'items',
           body '{"limit": {limit}, "offset": {offset}}', paging 'offset', page_size '2');
SELECT count(*) FROM key_search;
SELECT bool_or(position(:'api_key' IN ln) > 0) AS key_shown
  FROM explain_filter('(ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM key_search') ln;
SELECT * FROM explain_filter('(COSTS OFF) SELECT * FROM key_search');
ALTER FOREIGN TABLE key_search OPTIONS (SET endpoint '/param/t/fault?code=500&times=5&key=tplkey');
SELECT bool_or(position(:'api_key' IN e) > 0) AS key_shown FROM show_error('SELECT * FROM key_search') e;
-- a non-superuser's POST table is held to allowed_hosts like any other
CREATE ROLE regress_tpl_user;
GRANT USAGE ON FOREIGN DATA WRAPPER rest_fdw TO regress_tpl_user;
CREATE SCHEMA regress_tpl AUTHORIZATION regress_tpl_user;
SELECT api_requests AS before FROM api_stats \gset
SET ROLE regress_tpl_user;
CREATE SERVER regress_tpl_srv FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', method 'POST', max_retries '0');
CREATE FOREIGN TABLE regress_tpl.t (id int) SERVER regress_tpl_srv
  OPTIONS (endpoint '/open/t/echo', body '{"q": {id}}');
SELECT * FROM show_error('SELECT * FROM regress_tpl.t WHERE id = 1');
RESET ROLE;
SELECT api_requests - :before AS requests_sent FROM api_stats;
DROP SCHEMA regress_tpl CASCADE;
DROP SERVER regress_tpl_srv;
REVOKE USAGE ON FOREIGN DATA WRAPPER rest_fdw FROM regress_tpl_user;
DROP ROLE regress_tpl_user;
