--
-- Paging styles, end detection and safety; conditions, IN lists, endpoint
-- placeholders and joins pushed into requests; LIMIT; EXPLAIN.  Requests
-- are asserted through the test server's request log.
--
\getenv port REST_TEST_PORT
\set base_url 'http://127.0.0.1:' :port
\set VERBOSITY default
\set SHOW_CONTEXT never
SET datestyle = 'ISO, YMD';

-- one request at a time, so that the request log shows each style's
-- sequence; concurrency.sql tests pages fetched concurrently and prefetched
CREATE SERVER regress_pages FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', fetch_concurrency '1');
CREATE FOREIGN TABLE api_log (seq int, path text, query text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/log');
-- the requests since the last reset, without the log's own
CREATE VIEW requests AS
  SELECT seq, path, query FROM api_log WHERE path NOT LIKE '/_admin/%' ORDER BY seq;

-- ===================================================================
-- offset paging
-- ===================================================================
CREATE FOREIGN TABLE off25 (id int, name text)
  SERVER regress_pages OPTIONS (endpoint '/open/paged/offset?total=25',
                                rows_path 'items', paging 'offset', page_size '10');
SELECT * FROM api_reset;
SELECT count(*), sum(id), min(id), max(id) FROM off25;
-- three pages and the empty page that ends them
SELECT path, query FROM requests;

-- the total count ends paging without the empty page
ALTER FOREIGN TABLE off25 OPTIONS (ADD total_count_path 'total');
SELECT * FROM api_reset;
SELECT count(*), sum(id) FROM off25;
SELECT count(*) AS requests FROM requests;

-- exactly on a page boundary, and one short of it
CREATE FOREIGN TABLE off20 (id int)
  SERVER regress_pages OPTIONS (endpoint '/open/paged/offset?total=20',
                                rows_path 'items', paging 'offset', page_size '10');
CREATE FOREIGN TABLE off19 (id int)
  SERVER regress_pages OPTIONS (endpoint '/open/paged/offset?total=19',
                                rows_path 'items', paging 'offset', page_size '10');
SELECT * FROM api_reset;
SELECT count(*), sum(id) FROM off20;
SELECT count(*) AS requests FROM requests;
SELECT * FROM api_reset;
SELECT count(*), sum(id) FROM off19;
SELECT count(*) AS requests FROM requests;
-- a short page ends paging when page_end is 'short'
ALTER FOREIGN TABLE off19 OPTIONS (ADD page_end 'short');
SELECT * FROM api_reset;
SELECT count(*), sum(id) FROM off19;
SELECT count(*) AS requests FROM requests;
-- has_more ends paging
ALTER FOREIGN TABLE off20 OPTIONS (ADD has_more_path 'has_more');
SELECT * FROM api_reset;
SELECT count(*), sum(id) FROM off20;
SELECT count(*) AS requests FROM requests;

-- max_pages
ALTER FOREIGN TABLE off25 OPTIONS (ADD max_pages '2');
SELECT * FROM show_error('SELECT count(*) FROM off25');

-- ===================================================================
-- page-number paging
-- ===================================================================
CREATE FOREIGN TABLE pg25 (id int, category text)
  SERVER regress_pages OPTIONS (endpoint '/open/paged/page?total=25', rows_path 'data',
                                paging 'page', page_size '10', page_size_param 'per_page');
SELECT * FROM api_reset;
SELECT count(*), sum(id) FROM pg25;
SELECT path, query FROM requests;
ALTER FOREIGN TABLE pg25 OPTIONS (ADD total_pages_path 'meta.total_pages');
SELECT * FROM api_reset;
SELECT count(*), sum(id) FROM pg25;
SELECT count(*) AS requests FROM requests;
-- pages counted from 0, ended by the total count
CREATE FOREIGN TABLE pg0_20 (id int)
  SERVER regress_pages OPTIONS (endpoint '/open/paged/page0?total=20', rows_path 'data',
                                paging 'page', first_page '0', page_size '10',
                                page_size_param 'per_page', total_count_path 'meta.total_count');
SELECT * FROM api_reset;
SELECT count(*), sum(id) FROM pg0_20;
SELECT path, query FROM requests;

-- one short of a page boundary
CREATE FOREIGN TABLE pg19 (id int)
  SERVER regress_pages OPTIONS (endpoint '/open/paged/page?total=19', rows_path 'data',
                                paging 'page', page_size '10', page_size_param 'per_page');
SELECT count(*), sum(id) FROM pg19;

-- ===================================================================
-- cursor paging
-- ===================================================================
CREATE FOREIGN TABLE cur25 (id int)
  SERVER regress_pages OPTIONS (endpoint '/open/paged/cursor?total=25', rows_path 'results',
                                paging 'cursor', cursor_path 'next_cursor',
                                page_size '10', page_size_param 'limit');
SELECT * FROM api_reset;
SELECT count(*), sum(id) FROM cur25;
SELECT count(*) AS requests, count(*) FILTER (WHERE query LIKE '%cursor=%') AS with_cursor
  FROM requests;
CREATE FOREIGN TABLE cur20 (id int)
  SERVER regress_pages OPTIONS (endpoint '/open/paged/cursor?total=20', rows_path 'results',
                                paging 'cursor', cursor_path 'next_cursor',
                                page_size '10', page_size_param 'limit');
SELECT count(*), sum(id) FROM cur20;
ALTER FOREIGN TABLE cur20 OPTIONS (SET endpoint '/open/paged/cursor?total=19');
SELECT count(*), sum(id) FROM cur20;
-- a cursor that repeats is a loop
CREATE FOREIGN TABLE cur_loop (id int)
  SERVER regress_pages OPTIONS (endpoint '/open/paged/cursor?total=25&loop=1',
                                rows_path 'results', paging 'cursor', cursor_path 'next_cursor');
SELECT * FROM show_error('SELECT count(*) FROM cur_loop');
-- a style that reads the body needs its path
CREATE FOREIGN TABLE cur_nopath (id int)
  SERVER regress_pages OPTIONS (endpoint '/open/paged/cursor', rows_path 'results', paging 'cursor');
SELECT count(*) FROM cur_nopath;  -- ERROR

-- ===================================================================
-- next-URL paging
-- ===================================================================
CREATE FOREIGN TABLE next25 (id int)
  SERVER regress_pages OPTIONS (endpoint '/open/paged/next?total=25', rows_path 'value',
                                paging 'next_url', next_url_path 'next',
                                page_size '10', page_size_param 'limit');
SELECT * FROM api_reset;
SELECT count(*), sum(id) FROM next25;
SELECT path, query FROM requests;
-- relative next URLs
CREATE FOREIGN TABLE next_rel (id int)
  SERVER regress_pages OPTIONS (endpoint '/open/paged/next?total=20&rel=1', rows_path 'value',
                                paging 'next_url', next_url_path 'next');
SELECT count(*), sum(id) FROM next_rel;
ALTER FOREIGN TABLE next_rel OPTIONS (SET endpoint '/open/paged/next?total=19&rel=1');
SELECT count(*), sum(id) FROM next_rel;
-- a loop, another origin, a malformed URL
CREATE FOREIGN TABLE next_loop (id int)
  SERVER regress_pages OPTIONS (endpoint '/open/paged/next?total=50&loop=1', rows_path 'value',
                                paging 'next_url', next_url_path 'next');
SELECT * FROM show_error('SELECT count(*) FROM next_loop');
CREATE FOREIGN TABLE next_foreign (id int)
  SERVER regress_pages OPTIONS (endpoint '/open/paged/next?total=50&foreign=1', rows_path 'value',
                                paging 'next_url', next_url_path 'next');
SELECT * FROM show_error('SELECT count(*) FROM next_foreign');
CREATE FOREIGN TABLE next_bad (id int)
  SERVER regress_pages OPTIONS (endpoint '/open/paged/next?total=50&badnext=1', rows_path 'value',
                                paging 'next_url', next_url_path 'next');
SELECT * FROM show_error('SELECT count(*) FROM next_bad');

-- ===================================================================
-- Link header paging
-- ===================================================================
CREATE FOREIGN TABLE link25 (id int)
  SERVER regress_pages OPTIONS (endpoint '/open/paged/link?total=25', paging 'link_header',
                                page_size '10', page_size_param 'per_page');
SELECT * FROM api_reset;
SELECT count(*), sum(id) FROM link25;
SELECT path, query FROM requests;
CREATE FOREIGN TABLE link20 (id int)
  SERVER regress_pages OPTIONS (endpoint '/open/paged/link?total=20', paging 'link_header',
                                page_size '10', page_size_param 'per_page');
SELECT count(*), sum(id) FROM link20;
ALTER FOREIGN TABLE link20 OPTIONS (SET endpoint '/open/paged/link?total=19');
SELECT count(*), sum(id) FROM link20;
CREATE FOREIGN TABLE link_loop (id int)
  SERVER regress_pages OPTIONS (endpoint '/open/paged/link?total=50&loop=1', paging 'link_header');
SELECT * FROM show_error('SELECT count(*) FROM link_loop');

-- server-level paging defaults, overridden per table
CREATE SERVER regress_pages2 FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', paging 'offset', page_size '7', max_pages '100',
           fetch_concurrency '1');
CREATE FOREIGN TABLE off_default (id int)
  SERVER regress_pages2 OPTIONS (endpoint '/open/paged/offset?total=25', rows_path 'items');
SELECT * FROM api_reset;
SELECT count(*), sum(id) FROM off_default;
SELECT count(*) AS requests FROM requests;

-- ===================================================================
-- Conditions as request parameters
-- ===================================================================
CREATE FOREIGN TABLE items (
  id int OPTIONS (param 'id', param_lt 'id_lt', param_le 'id_le', param_gt 'id_gt',
                  param_ge 'id_ge', param_ne 'id_ne'),
  name text,
  category text OPTIONS (param 'category'),
  price numeric OPTIONS (param_ge 'price_ge'),
  created date OPTIONS (param_ge 'created_ge')
) SERVER regress_pages OPTIONS (endpoint '/open/paged/offset?total=30', rows_path 'items',
                                paging 'offset', page_size '100', total_count_path 'total');
SELECT * FROM api_reset;
SELECT id FROM items WHERE id = 7;
SELECT count(*), min(id), max(id) FROM items WHERE id < 5;
SELECT count(*), min(id), max(id) FROM items WHERE id <= 5;
SELECT count(*), min(id), max(id) FROM items WHERE id > 25;
SELECT count(*), min(id), max(id) FROM items WHERE 25 <= id;
SELECT count(*) FROM items WHERE id <> 3;
SELECT count(*) FROM items WHERE price >= 30 AND created >= '2024-01-20';
SELECT id, category FROM items WHERE category IN ('a', 'b') AND id < 7 ORDER BY id;
SELECT path, query FROM requests;

-- IN as a comma-joined list
ALTER FOREIGN TABLE items ALTER COLUMN category OPTIONS (ADD in_style 'comma');
SELECT * FROM api_reset;
SELECT count(*) FROM items WHERE category = ANY (ARRAY['a', 'c']);
SELECT query FROM requests;

-- an API that ignores the parameters: the rows are still filtered here
CREATE FOREIGN TABLE loose_items (id int OPTIONS (param_lt 'id_lt'))
  SERVER regress_pages OPTIONS (endpoint '/open/paged/offset?total=30&loose=1', rows_path 'items',
                                paging 'offset', page_size '100', total_count_path 'total');
SELECT count(*), max(id) FROM loose_items WHERE id < 5;

-- values from prepared statements, with a generic plan
SET plan_cache_mode = force_generic_plan;
PREPARE by_id(int) AS SELECT id, name FROM items WHERE id = $1;
SELECT * FROM api_reset;
EXECUTE by_id(12);
EXECUTE by_id(13);
-- a NULL value matches nothing: no request at all
EXECUTE by_id(NULL);
SELECT query FROM requests;
RESET plan_cache_mode;

-- ===================================================================
-- Endpoint placeholders and joins
-- ===================================================================
CREATE FOREIGN TABLE cust_orders (order_id int, customer_id int, amount numeric,
                                  status text OPTIONS (param 'status'))
  SERVER regress_pages OPTIONS (endpoint '/open/customers/{customer_id}/orders');
SELECT * FROM api_reset;
SELECT * FROM cust_orders WHERE customer_id = 3 ORDER BY order_id;
SELECT order_id FROM cust_orders WHERE customer_id = 5 AND status = 'open' ORDER BY order_id;
SELECT path, query FROM requests;
SELECT * FROM cust_orders;  -- ERROR

-- the same orders, all at once, with nothing pushed
CREATE FOREIGN TABLE all_orders (order_id int, customer_id int, amount numeric, status text)
  SERVER regress_pages OPTIONS (endpoint '/open/orders');

CREATE TABLE vip (id int PRIMARY KEY, name text);
INSERT INTO vip VALUES (2, 'Bea'), (3, 'Carl'), (7, 'Gus');
ANALYZE vip;
-- a nested loop with one request per customer
SELECT * FROM explain_filter('(COSTS OFF)
  SELECT v.name, o.order_id, o.amount FROM vip v JOIN cust_orders o ON o.customer_id = v.id');
SELECT * FROM api_reset;
SELECT v.name, o.order_id, o.amount FROM vip v JOIN cust_orders o ON o.customer_id = v.id
  ORDER BY o.order_id;
SELECT path FROM requests;
-- the same rows as a plan that pushes nothing
SELECT count(*) AS differences FROM (
  (SELECT v.name, o.order_id, o.amount FROM vip v JOIN cust_orders o ON o.customer_id = v.id
   EXCEPT ALL
   SELECT v.name, o.order_id, o.amount FROM vip v JOIN all_orders o ON o.customer_id = v.id)
  UNION ALL
  (SELECT v.name, o.order_id, o.amount FROM vip v JOIN all_orders o ON o.customer_id = v.id
   EXCEPT ALL
   SELECT v.name, o.order_id, o.amount FROM vip v JOIN cust_orders o ON o.customer_id = v.id)) d;
-- a parameter column joined: reading the small endpoint once is cheaper ...
CREATE FOREIGN TABLE orders_by_param (order_id int, customer_id int OPTIONS (param 'customer_id'),
                                      status text)
  SERVER regress_pages OPTIONS (endpoint '/open/orders');
SELECT * FROM api_reset;
SELECT v.id, count(o.order_id) FROM vip v LEFT JOIN orders_by_param o ON o.customer_id = v.id
  GROUP BY v.id ORDER BY v.id;
SELECT path, query FROM requests;
-- ... than asking per customer; for a large one it is not
ALTER FOREIGN TABLE orders_by_param OPTIONS (ADD rows '100000');
SELECT * FROM explain_filter('(COSTS OFF)
  SELECT v.id, count(o.order_id) FROM vip v LEFT JOIN orders_by_param o ON o.customer_id = v.id
  GROUP BY v.id ORDER BY v.id');
SELECT * FROM api_reset;
SELECT v.id, count(o.order_id) FROM vip v LEFT JOIN orders_by_param o ON o.customer_id = v.id
  GROUP BY v.id ORDER BY v.id;
SELECT path, query FROM requests;

-- ===================================================================
-- LIMIT
-- ===================================================================
CREATE FOREIGN TABLE big (id int, name text)
  SERVER regress_pages OPTIONS (endpoint '/open/paged/offset?total=100000', rows_path 'items',
                                paging 'offset', page_size '100', max_pages '2000');
SELECT * FROM api_reset;
SELECT id FROM big LIMIT 10;
-- one request, asking for 10 rows
SELECT path, query FROM requests;
SELECT * FROM api_reset;
SELECT id FROM big OFFSET 150 LIMIT 3;
SELECT count(*) AS requests FROM requests;
SELECT * FROM explain_filter('(COSTS OFF) SELECT id FROM big LIMIT 10');
-- with a local condition the LIMIT cannot be passed down, but paging still
-- stops once enough rows came
SELECT * FROM api_reset;
SELECT id FROM big WHERE name LIKE 'item-1%' LIMIT 3;
SELECT count(*) AS requests FROM requests;

-- ===================================================================
-- EXPLAIN
-- ===================================================================
SELECT * FROM explain_filter('(VERBOSE, COSTS OFF)
  SELECT id FROM items WHERE id >= 10 AND category IN (''a'', ''b'') AND name <> ''x''');
ALTER FOREIGN TABLE off25 OPTIONS (SET max_pages '10');
SELECT * FROM explain_filter('(ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
  SELECT count(*) FROM off25');

-- exact: pushed conditions are not checked again
ALTER FOREIGN TABLE items OPTIONS (ADD exact 'true');
SELECT * FROM explain_filter('(COSTS OFF) SELECT id FROM items WHERE id < 3 LIMIT 2');
SELECT id FROM items WHERE id < 3 LIMIT 2;

-- ===================================================================
-- Option validation
-- ===================================================================
ALTER FOREIGN TABLE items OPTIONS (SET paging 'keyset');  -- ERROR
ALTER FOREIGN TABLE items OPTIONS (SET page_size '0');  -- ERROR
ALTER FOREIGN TABLE items OPTIONS (ADD first_page '-1');  -- ERROR
ALTER FOREIGN TABLE items OPTIONS (ADD page_end 'never');  -- ERROR
ALTER FOREIGN TABLE items OPTIONS (SET exact 'maybe');  -- ERROR
ALTER FOREIGN TABLE items OPTIONS (ADD rows 'many');  -- ERROR
ALTER FOREIGN TABLE items ALTER COLUMN id OPTIONS (SET param 'a&b');  -- ERROR
ALTER FOREIGN TABLE items ALTER COLUMN category OPTIONS (SET in_style 'pipe');  -- ERROR
CREATE FOREIGN TABLE bad_placeholder (id int)
  SERVER regress_pages OPTIONS (endpoint '/x/{nope}');
SELECT * FROM bad_placeholder;  -- ERROR

-- ===================================================================
-- Clean up
-- ===================================================================
DROP TABLE vip;
DROP VIEW requests;
DROP FOREIGN TABLE api_log;
DROP SERVER regress_pages, regress_pages2 CASCADE;
