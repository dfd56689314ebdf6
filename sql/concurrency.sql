--
-- Pages fetched concurrently (fetch_concurrency) and prefetched: rows in
-- the API's order, LIMIT, errors on one page, cancellation, 401 on pages
-- in flight, and the option.  The test server counts the requests of each
-- series and the most that were in progress at once (a count, not a timing).
--
\getenv port REST_TEST_PORT
\getenv client_secret REST_TEST_CLIENT_SECRET
\getenv refresh_token REST_TEST_REFRESH_TOKEN
\set base_url 'http://127.0.0.1:' :port
\set token_uri :base_url '/oauth/token'
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE SERVER regress_conc FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', paging 'page', page_size '10',
           page_size_param 'per_page', fetch_concurrency '4');
-- requests and most in progress at once, per series
CREATE FOREIGN TABLE conc_stats (series text OPTIONS (param 'series'), requests int,
                                 max_in_flight int)
  SERVER regress_admin OPTIONS (endpoint '/_admin/concurrency');
CREATE FOREIGN TABLE conc_reset (series text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/concurrency?reset=1');
SELECT count(*) FROM conc_reset;

-- ===================================================================
-- Rows in the API's order, while later pages finish first
-- ===================================================================
-- page 1 alone, then pages 2-5 together: page 2 waits 400 ms, 3 300 ms,
-- 4 200 ms, later ones 100 ms
CREATE FOREIGN TABLE conc_order (id int, tag text)
  SERVER regress_conc OPTIONS (endpoint '/open/conc/pages?total=100&delays=0,400,300,200,100&series=order',
                               rows_path 'data', total_pages_path 'meta.total_pages');
SELECT count(*), sum(id), min(id), max(id) FROM conc_order;
SELECT array_agg(id) = array(SELECT generate_series(1, 100)) AS in_order,
       array_agg(tag) = array(SELECT 'row-' || i FROM generate_series(1, 100) i) AS tags_in_order
  FROM conc_order;
-- ten pages each time, never more: the end is known from the first page
SELECT requests, max_in_flight > 1 AS concurrent, max_in_flight <= 4 AS at_most_4
  FROM conc_stats WHERE series = 'order';

-- one at a time
ALTER FOREIGN TABLE conc_order OPTIONS (ADD fetch_concurrency '1',
  SET endpoint '/open/conc/pages?total=100&delays=0,40,30,20,10&series=order1');
SELECT array_agg(id) = array(SELECT generate_series(1, 100)) AS in_order FROM conc_order;
SELECT requests, max_in_flight FROM conc_stats WHERE series = 'order1';

-- offset paging, end known from the total count
CREATE FOREIGN TABLE conc_offset (id int)
  SERVER regress_conc OPTIONS (endpoint '/open/conc/offset?total=95&delays=0,200,150,100,50&series=offset',
                               paging 'offset', page_size '10', rows_path 'items',
                               total_count_path 'total');
SELECT array_agg(id) = array(SELECT generate_series(1, 95)) AS in_order FROM conc_offset;
SELECT requests, max_in_flight > 1 AS concurrent FROM conc_stats WHERE series = 'offset';

-- an end that is not known in advance: pages past it are requested and
-- dropped, the result is the same
ALTER FOREIGN TABLE conc_offset OPTIONS (DROP total_count_path,
  SET endpoint '/open/conc/offset?total=95&delays=0,50&series=probe');
SELECT array_agg(id) = array(SELECT generate_series(1, 95)) AS in_order FROM conc_offset;
SELECT requests >= 10 AS requests, max_in_flight > 1 AS concurrent
  FROM conc_stats WHERE series = 'probe';
ALTER FOREIGN TABLE conc_order OPTIONS (DROP total_pages_path, DROP fetch_concurrency,
  SET endpoint '/open/conc/pages?total=100&series=probe_pages');
SELECT array_agg(id) = array(SELECT generate_series(1, 100)) AS in_order FROM conc_order;

-- a short page in the middle (an API that returned fewer rows than asked
-- for): the pages requested after it are asked for again from the right
-- offset, so no row is lost or repeated
ALTER FOREIGN TABLE conc_offset OPTIONS (
  SET endpoint '/open/conc/offset?total=95&short_page=3&series=short');
SELECT count(*), count(DISTINCT id), sum(id) FROM conc_offset;
SELECT array_agg(id) = array(SELECT generate_series(1, 95)) AS in_order FROM conc_offset;

-- ===================================================================
-- Cursor, next URL: the next page is prefetched, one at a time
-- ===================================================================
CREATE FOREIGN TABLE conc_cursor (id int)
  SERVER regress_conc OPTIONS (endpoint '/open/conc/cursor?total=55&delays=0,50&series=cursor',
                               paging 'cursor', cursor_path 'next_cursor',
                               page_size_param 'limit', rows_path 'results');
SELECT array_agg(id) = array(SELECT generate_series(1, 55)) AS in_order FROM conc_cursor;
SELECT requests, max_in_flight FROM conc_stats WHERE series = 'cursor';

-- ===================================================================
-- LIMIT: no request beyond the rows needed
-- ===================================================================
CREATE FOREIGN TABLE conc_big (id int)
  SERVER regress_conc OPTIONS (endpoint '/open/conc/pages?total=100000&series=limit',
                               rows_path 'data', page_size '100', max_pages '2000');
SELECT id FROM conc_big LIMIT 10;
SELECT requests FROM conc_stats WHERE series = 'limit';
SELECT count(*) FROM conc_reset WHERE series = 'limit';
-- 250 rows: the first page, then the two more that hold the rest
SELECT count(*), max(id) FROM (SELECT id FROM conc_big LIMIT 250) s;
SELECT requests FROM conc_stats WHERE series = 'limit';
SELECT * FROM explain_filter('(COSTS OFF) SELECT id FROM conc_big LIMIT 250');

-- ===================================================================
-- An error on one page ends the scan; the next query works
-- ===================================================================
CREATE FOREIGN TABLE conc_fail (id int)
  SERVER regress_conc OPTIONS (endpoint '/open/conc/pages?total=100&fail_page=3&series=fail',
                               rows_path 'data');
SELECT * FROM show_error('SELECT count(*) FROM conc_fail');
ALTER FOREIGN TABLE conc_fail OPTIONS (SET endpoint '/open/conc/pages?total=100&fail_page=3&fail=404');
SELECT * FROM show_error('SELECT count(*) FROM conc_fail');
ALTER FOREIGN TABLE conc_fail OPTIONS (SET endpoint '/open/conc/pages?total=100&fail_page=3&fail=badjson');
SELECT * FROM show_error('SELECT count(*) FROM conc_fail');
ALTER FOREIGN TABLE conc_fail OPTIONS (SET endpoint '/open/conc/pages?total=100&fail_page=3&fail=truncated');
SELECT * FROM show_error('SELECT count(*) FROM conc_fail');
ALTER FOREIGN TABLE conc_fail OPTIONS (SET endpoint '/open/conc/pages?total=100&fail_page=6&fail=html');
SELECT * FROM show_error('SELECT count(*) FROM conc_fail');
-- a failure past the end of the data is never seen
ALTER FOREIGN TABLE conc_fail OPTIONS (SET endpoint '/open/conc/pages?total=100&fail_page=12');
SELECT count(*) FROM conc_fail;
SELECT count(*), sum(id) FROM conc_order;

-- a transient failure (503) of one page in flight is retried without
-- holding up the others
CREATE FOREIGN TABLE conc_flaky (id int)
  SERVER regress_conc OPTIONS (endpoint '/open/conc/pages?total=100&flaky_page=4&delays=0,20&series=flaky',
                               rows_path 'data', total_pages_path 'meta.total_pages');
SELECT * FROM explain_filter('(ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
  SELECT array_agg(id) = array(SELECT generate_series(1, 100)) FROM conc_flaky');
SELECT array_agg(id) = array(SELECT generate_series(1, 100)) AS in_order FROM conc_flaky;

-- max_pages: the same error as one page at a time, after the same pages
ALTER FOREIGN TABLE conc_order OPTIONS (ADD max_pages '3');
SELECT * FROM show_error('SELECT count(*) FROM conc_order');
ALTER FOREIGN TABLE conc_order OPTIONS (DROP max_pages);

-- a repeated cursor is a loop also when the next page is prefetched
CREATE FOREIGN TABLE conc_cur_loop (id int)
  SERVER regress_conc OPTIONS (endpoint '/open/paged/cursor?total=25&loop=1',
                               rows_path 'results', paging 'cursor', cursor_path 'next_cursor');
SELECT * FROM show_error('SELECT count(*) FROM conc_cur_loop');

-- ===================================================================
-- Cancellation with several slow requests in flight
-- ===================================================================
CREATE FOREIGN TABLE conc_slow (id int)
  SERVER regress_conc OPTIONS (endpoint '/open/conc/pages?total=100&delays=0,30000&series=slow',
                               rows_path 'data', total_pages_path 'meta.total_pages');
SET statement_timeout = '1s';
SELECT count(*) FROM conc_slow;  -- ERROR
RESET statement_timeout;
SELECT requests, max_in_flight FROM conc_stats WHERE series = 'slow';
SELECT count(*), sum(id) FROM conc_order;

-- ===================================================================
-- OAuth 2.0: pages in flight rejected together need one new token
-- ===================================================================
CREATE SERVER regress_conc_oauth FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', client_id 'regress_client',
           paging 'page', page_size '10', page_size_param 'per_page');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_conc_oauth
  OPTIONS (client_secret :'client_secret', refresh_token :'refresh_token');
CREATE FOREIGN TABLE conc_oauth (id int)
  SERVER regress_conc_oauth OPTIONS (endpoint '/api/conc/pages?total=60&delays=0,100&expire_at_page=1&series=oauth',
                                     rows_path 'data', total_pages_path 'meta.total_pages');
SELECT count(*) FROM conc_oauth;
SELECT * FROM api_reset;
-- page 1 expires the token; pages 2-6, in flight at once (the default
-- fetch_concurrency, 8, and the 6 pages the first one announced), are all
-- rejected: one new token
SELECT array_agg(id) = array(SELECT generate_series(1, 60)) AS in_order FROM conc_oauth;
SELECT token_requests, refresh_grants, unauthorized FROM api_stats;

-- ===================================================================
-- Requests counted at the server: 1,003 rows in pages of 100 (11 pages,
-- the last one short), the default fetch_concurrency (8)
-- ===================================================================
-- With a total (an element of the body or a header) the end is known
-- from the first page: exactly 11 requests.  Without one, pages are
-- requested in generations of 1, 2, 4, 8 that grow while they come back
-- full; a short page stops the growth: 11 pages plus the 4 of the last
-- generation past the end, and, unless page_end 'short' ends the scan
-- there, the one empty page sequential paging asks for too.
CREATE SERVER regress_frugal FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', page_size '100');
CREATE FOREIGN TABLE frugal_offset (id int)
  SERVER regress_frugal OPTIONS (endpoint '/open/conc/offset?total=1003&series=f_offset',
                                 paging 'offset', rows_path 'items');
SELECT count(*), sum(id) FROM frugal_offset;
ALTER FOREIGN TABLE frugal_offset OPTIONS (ADD page_end 'short',
  SET endpoint '/open/conc/offset?total=1003&series=f_offset_short');
SELECT count(*), sum(id) FROM frugal_offset;
ALTER FOREIGN TABLE frugal_offset OPTIONS (DROP page_end, ADD fetch_concurrency '1',
  SET endpoint '/open/conc/offset?total=1003&series=f_offset_c1');
SELECT count(*), sum(id) FROM frugal_offset;
ALTER FOREIGN TABLE frugal_offset OPTIONS (DROP fetch_concurrency, ADD total_count_path 'total',
  SET endpoint '/open/conc/offset?total=1003&series=f_offset_total');
SELECT count(*), sum(id) FROM frugal_offset;
-- 1,000 rows: ten full pages, the end is the empty eleventh
ALTER FOREIGN TABLE frugal_offset OPTIONS (DROP total_count_path,
  SET endpoint '/open/conc/offset?total=1000&series=f_offset_1000');
SELECT count(*), sum(id) FROM frugal_offset;
-- LIMIT: the rows needed bound the requests
ALTER FOREIGN TABLE frugal_offset OPTIONS (
  SET endpoint '/open/conc/offset?total=1003&series=f_offset_limit');
SELECT count(*) FROM (SELECT id FROM frugal_offset LIMIT 250) s;
-- a bare array with the total in a header (json-server, PostgREST)
CREATE FOREIGN TABLE frugal_header (id int)
  SERVER regress_frugal OPTIONS (endpoint '/open/hdr/list?total=1003&series=f_xtc',
                                 paging 'offset', total_count_header 'X-Total-Count');
SELECT count(*), sum(id) FROM frugal_header;
ALTER FOREIGN TABLE frugal_header OPTIONS (SET total_count_header 'Content-Range',
  SET endpoint '/open/hdr/list?total=1003&header=range&series=f_range');
SELECT count(*), sum(id) FROM frugal_header;
-- "0-99/*": no total, as without the option
ALTER FOREIGN TABLE frugal_header OPTIONS (
  SET endpoint '/open/hdr/list?total=1003&header=range_star&series=f_range_star');
SELECT count(*), sum(id) FROM frugal_header;
-- page numbers
CREATE FOREIGN TABLE frugal_pages (id int)
  SERVER regress_frugal OPTIONS (endpoint '/open/conc/pages?total=1003&series=f_page',
                                 paging 'page', page_size_param 'per_page', rows_path 'data');
SELECT count(*), sum(id) FROM frugal_pages;
ALTER FOREIGN TABLE frugal_pages OPTIONS (ADD page_end 'short',
  SET endpoint '/open/conc/pages?total=1003&series=f_page_short');
SELECT count(*), sum(id) FROM frugal_pages;
ALTER FOREIGN TABLE frugal_pages OPTIONS (DROP page_end, ADD fetch_concurrency '1',
  SET endpoint '/open/conc/pages?total=1003&series=f_page_c1');
SELECT count(*), sum(id) FROM frugal_pages;
ALTER FOREIGN TABLE frugal_pages OPTIONS (DROP fetch_concurrency, ADD total_count_path 'meta.total_count',
  SET endpoint '/open/conc/pages?total=1003&series=f_page_total');
SELECT count(*), sum(id) FROM frugal_pages;
ALTER FOREIGN TABLE frugal_pages OPTIONS (DROP total_count_path, DROP rows_path,
  ADD total_count_header 'x-total-count',
  SET endpoint '/open/hdr/list?total=1003&page=1&series=f_page_xtc');
SELECT count(*), sum(id) FROM frugal_pages;
SELECT series, requests, max_in_flight <= 8 AS at_most_8
  FROM conc_stats WHERE series LIKE 'f\_%' ORDER BY series;
-- the requests that returned no rows: the pages past the end
ALTER FOREIGN TABLE frugal_offset OPTIONS (
  SET endpoint '/open/conc/offset?total=1003&series=f_explain');
SELECT * FROM explain_filter('(ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
  SELECT count(*) FROM frugal_offset');
-- a long scan without a total: generations of 1, 2, 4 and 8 pages, then
-- 8 pages in flight as with a total: when the empty 101st page is
-- consumed, pages 102-108 are in flight
ALTER FOREIGN TABLE frugal_offset OPTIONS (ADD page_size '10',
  SET endpoint '/open/conc/offset?total=1000&series=f_long');
SELECT count(*), sum(id) FROM frugal_offset;
-- at most one window (8) past the 101 pages; how many of the aborted ones reach
-- the server depends on timing
SELECT requests BETWEEN 101 AND 109 AS requests_ok, max_in_flight <= 8 AS at_most_8
  FROM conc_stats WHERE series = 'f_long';

-- ===================================================================
-- The option
-- ===================================================================
ALTER SERVER regress_conc OPTIONS (SET fetch_concurrency '0');  -- ERROR
ALTER SERVER regress_conc OPTIONS (SET fetch_concurrency '33');  -- ERROR
ALTER FOREIGN TABLE conc_big OPTIONS (ADD fetch_concurrency 'many');  -- ERROR
ALTER FOREIGN TABLE conc_big OPTIONS (ADD fetch_concurrency '-1');  -- ERROR
ALTER FOREIGN TABLE conc_big OPTIONS (ADD fetch_concurrency '32');
SELECT * FROM explain_filter('(COSTS OFF) SELECT id FROM conc_big');
SELECT * FROM explain_filter('(COSTS OFF) SELECT id FROM conc_cursor');

-- ===================================================================
-- Clean up
-- ===================================================================
\set VERBOSITY terse
DROP SERVER regress_conc, regress_conc_oauth, regress_frugal CASCADE;
DROP FOREIGN TABLE conc_stats, conc_reset;
