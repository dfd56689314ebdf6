--
-- Child tables: rows inside arrays of arrays.  A rows_path goes through
-- every element of an array with "*" ("orders.*.lines"); a column reaches
-- the element its row is in with leading "^" segments ("^.id") and a
-- position with "#".  The endpoints under /open/c/ are nested.py's.
--
\getenv port REST_TEST_PORT
\set base_url 'http://127.0.0.1:' :port
\set VERBOSITY default
\set SHOW_CONTEXT never
SET datestyle = 'ISO, YMD';
SET timezone = 'UTC';

CREATE SERVER regress_children FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url');
CREATE FOREIGN TABLE children_log (seq int, path text, query text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/log');
CREATE VIEW children_requests AS
  SELECT path, query FROM children_log WHERE path NOT LIKE '/_admin/%' ORDER BY seq;

-- ===================================================================
-- One level: order lines, with the order's columns
-- ===================================================================
CREATE FOREIGN TABLE order_lines (
  order_id int OPTIONS (json_path '^.id', param 'id'),
  customer text OPTIONS (json_path '^.customer', param 'customer'),
  order_pos int OPTIONS (json_path '^.#'),
  line_pos int OPTIONS (json_path '#'),
  sku text,
  qty int,
  serials jsonb
) SERVER regress_children OPTIONS (
  endpoint '/open/c/orders/{order_id} | /open/c/orders',
  rows_path 'orders.*.lines');
SELECT * FROM api_reset;
-- order 1 writes its id after its lines; orders 3 (null), 4 (no lines)
-- and 5 (empty) have no rows
SELECT order_id, customer, order_pos, line_pos, sku, qty, serials
  FROM order_lines ORDER BY order_id, line_pos;
-- the parent's most specific path, from a condition on the child
SELECT * FROM api_reset;
SELECT order_id, line_pos, sku FROM order_lines WHERE order_id = 2;
SELECT order_id, sku FROM order_lines WHERE customer = 'zeta' ORDER BY 1, 2;
SELECT * FROM children_requests;
SELECT * FROM explain_filter('(COSTS OFF) SELECT sku FROM order_lines WHERE order_id = 2');
-- joined with a local table of orders
CREATE TABLE local_orders (id int PRIMARY KEY, note text);
INSERT INTO local_orders VALUES (1, 'urgent'), (6, 'gift');
SELECT o.id, o.note, l.sku, l.qty
  FROM local_orders o JOIN order_lines l ON l.order_id = o.id ORDER BY 1, 3;

-- ===================================================================
-- Two levels: the serials of each line, with the line's and the order's
-- columns; elements that are not objects
-- ===================================================================
CREATE FOREIGN TABLE line_serials (
  order_id int OPTIONS (json_path '^.^.id'),
  sku text OPTIONS (json_path '^.sku'),
  line_pos int OPTIONS (json_path '^.#'),
  pos int OPTIONS (json_path '#'),
  serial text OPTIONS (json_path '$')
) SERVER regress_children OPTIONS (
  endpoint '/open/c/orders/1', rows_path 'orders.*.lines.*.serials');
-- serials are strings or objects: json_path '$' is the row itself
SELECT * FROM line_serials;
-- without a '$' column, a row that is a string is an error
CREATE FOREIGN TABLE line_serial_strings (sku text OPTIONS (json_path '^.sku'))
  SERVER regress_children OPTIONS (
  endpoint '/open/c/orders/1', rows_path 'orders.*.lines.*.serials');
SELECT * FROM line_serial_strings;  -- ERROR
-- lines whose serials are objects: one row per object
CREATE FOREIGN TABLE line_serial_objects (
  order_id int OPTIONS (json_path '^.^.id'),
  sku text OPTIONS (json_path '^.sku'),
  sn text
) SERVER regress_children OPTIONS (
  endpoint '/open/c/orders/2', rows_path 'orders.*.lines.*.serials');
SELECT * FROM line_serial_objects;

-- ===================================================================
-- Maps: a "*" over an object goes through its members, and "#" is the
-- member's key
-- ===================================================================
CREATE FOREIGN TABLE series (
  at timestamp OPTIONS (json_path '#'),
  open numeric OPTIONS (json_path '1\. open'),
  volume int OPTIONS (json_path '5\. volume')
) SERVER regress_children OPTIONS (
  endpoint '/open/c/series', rows_path 'Time Series (5min).*');
SELECT * FROM series ORDER BY at;
-- a map of ancestors (regions by name), and of scalars (stock by fruit);
-- "^.^.#" is the region's key; a member that is null has no rows
CREATE FOREIGN TABLE stock (
  region text OPTIONS (json_path '^.^.#'),
  store int OPTIONS (json_path '^.id'),
  store_pos int OPTIONS (json_path '^.#'),
  fruit text OPTIONS (json_path '#'),
  qty int OPTIONS (json_path '$')
) SERVER regress_children OPTIONS (
  endpoint '/open/c/stores', rows_path 'regions.*.stores.*.stock.*');
SELECT * FROM stock ORDER BY region, store, fruit;
-- "*" first over an object: the response is the one element
CREATE FOREIGN TABLE series_first (
  symbol text OPTIONS (json_path '^.Meta Data.2\. Symbol'),
  at text OPTIONS (json_path '#')
) SERVER regress_children OPTIONS (
  endpoint '/open/c/series', rows_path '*.Time Series (5min).*');
SELECT * FROM series_first ORDER BY at;

-- ===================================================================
-- Paging counts the parents: offset paging over orders, 2 at a time
-- ===================================================================
CREATE FOREIGN TABLE paged_lines (
  order_id int OPTIONS (json_path '^.id'),
  sku text
) SERVER regress_children OPTIONS (
  endpoint '/open/c/orders', rows_path 'orders.*.lines',
  paging 'offset', page_size '2', page_size_param 'limit',
  total_count_path 'total', fetch_concurrency '1');
SELECT * FROM api_reset;
SELECT count(*), count(DISTINCT order_id), min(sku), max(sku) FROM paged_lines;
-- a LIMIT is not sent as the page size: it counts lines, the API orders
SELECT * FROM paged_lines LIMIT 3;
SELECT * FROM children_requests;

-- ===================================================================
-- A large array: 100,000 rows from one element
-- ===================================================================
CREATE FOREIGN TABLE big_items (
  g int OPTIONS (json_path '^.g'),
  pos int OPTIONS (json_path '#'),
  i int,
  v text
) SERVER regress_children OPTIONS (
  endpoint '/open/c/big', rows_path 'groups.*.items');
SELECT count(*), count(DISTINCT g), sum(i), max(pos), min(v), max(v)
  FROM big_items;
SELECT g, pos, i, v FROM big_items WHERE pos = 100000 OR g = 2;

-- ===================================================================
-- Options: where "*", "^" and "#" may stand; keys named so
-- ===================================================================
CREATE FOREIGN TABLE bad_paths (a int) SERVER regress_children
  OPTIONS (endpoint '/open/c/orders', rows_path 'orders.^.lines');  -- ERROR
CREATE FOREIGN TABLE bad_paths (a int) SERVER regress_children
  OPTIONS (rows_path 'a.*.b.*.c.*.d.*.e.*.f.*.g.*.h.*.i.*.j');  -- ERROR: 9 arrays
CREATE FOREIGN TABLE bad_paths (a int) SERVER regress_children
  OPTIONS (endpoint '/open/c/orders orders.#');  -- ERROR
CREATE FOREIGN TABLE bad_paths (a int OPTIONS (json_path 'a.*')) SERVER regress_children
  OPTIONS (endpoint '/open/c/orders');  -- ERROR
CREATE FOREIGN TABLE bad_paths (a int OPTIONS (json_path 'a.^.b')) SERVER regress_children
  OPTIONS (endpoint '/open/c/orders');  -- ERROR
CREATE FOREIGN TABLE bad_paths (a int OPTIONS (json_path '#.a')) SERVER regress_children
  OPTIONS (endpoint '/open/c/orders');  -- ERROR
CREATE FOREIGN TABLE bad_paths (a int OPTIONS (json_path '^')) SERVER regress_children
  OPTIONS (endpoint '/open/c/orders');  -- ERROR
CREATE FOREIGN TABLE bad_paths (a int OPTIONS (json_path '^.$')) SERVER regress_children
  OPTIONS (endpoint '/open/c/orders');  -- ERROR
CREATE FOREIGN TABLE bad_paths (a int OPTIONS (json_path 'a.\*.\^.\#.\$')) SERVER regress_children
  OPTIONS (endpoint '/open/c/orders', rows_path 'x.\*.y');
DROP FOREIGN TABLE bad_paths;
-- too many levels up, and a column reaching into the rows' way
CREATE FOREIGN TABLE climb (a int OPTIONS (json_path '^.^.id'))
  SERVER regress_children OPTIONS (endpoint '/open/c/orders', rows_path 'orders.*.lines');
SELECT * FROM climb;  -- ERROR
CREATE FOREIGN TABLE into_rows (a jsonb OPTIONS (json_path '^.lines'))
  SERVER regress_children OPTIONS (endpoint '/open/c/orders', rows_path 'orders.*.lines');
SELECT * FROM into_rows;  -- ERROR
-- "^" without a "*" in the rows_path
CREATE FOREIGN TABLE no_star (a int OPTIONS (json_path '^.total'))
  SERVER regress_children OPTIONS (endpoint '/open/c/orders', rows_path 'orders');
SELECT * FROM no_star;  -- ERROR
-- a "*" where the response has an object
CREATE FOREIGN TABLE not_array (a int)
  SERVER regress_children OPTIONS (endpoint '/open/c/orders/2', rows_path 'orders.0.*.x');
SELECT * FROM not_array;  -- ERROR
-- rows_path without "*" still reads positions
CREATE FOREIGN TABLE order_pos (pos int OPTIONS (json_path '#'), id int)
  SERVER regress_children OPTIONS (endpoint '/open/c/orders', rows_path 'orders');
SELECT * FROM order_pos;
-- '$' on object rows: the row as JSON, beside its columns
CREATE FOREIGN TABLE order_json (id int, doc jsonb OPTIONS (json_path '$'))
  SERVER regress_children OPTIONS (endpoint '/open/c/orders/4', rows_path 'orders');
SELECT id, doc FROM order_json;

-- ===================================================================
-- Model files: arrays ("name[]") become child tables
-- ===================================================================
\getenv configdir REST_TEST_CONFIG_DIR
\set cfg :configdir '/orders.rest'
CREATE SERVER regress_orders_model FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'cfg');
CREATE SCHEMA shop;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_orders_model INTO shop;
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type,
       array_to_string(a.attfdwoptions, ', ') AS options
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'shop' AND a.attnum > 0 ORDER BY c.relname, a.attnum;
SELECT c.relname, array_to_string(t.ftoptions, ', ') AS options
  FROM pg_foreign_table t JOIN pg_class c ON c.oid = t.ftrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'shop' ORDER BY 1;
SELECT * FROM api_reset;
SELECT * FROM shop.orders_lines WHERE orders_id = 2 ORDER BY position;
SELECT * FROM shop.orders_lines_serials WHERE orders_id = 1 ORDER BY orders_lines_position, position;
SELECT count(*), sum(i) FROM shop.group_items;
SELECT * FROM shop.groups;
SELECT * FROM shop.series;
SELECT * FROM shop.series_time_series_5min ORDER BY at;
SELECT * FROM children_requests;
-- every imported column has values somewhere
SELECT count(orders_id) > 0 AS orders_id, count(position) > 0 AS position,
       count(sku) > 0 AS sku, count(qty) > 0 AS qty FROM shop.orders_lines;
