--
-- Notion: POST /v1/databases/<id>/query with the page size and the cursor
-- in the JSON body ("start_cursor" absent on the first page: Notion
-- refuses null), "next_cursor" and "has_more" in the response, a
-- Notion-Version header, and an integration token as the bearer token.
-- The figures are those of the data the test API generates
-- (test/api/apis.py), computed from the data, not from rest_fdw.
--
\getenv port REST_TEST_PORT
\getenv static_token REST_TEST_STATIC_TOKEN
\set base_url 'http://127.0.0.1:' :port '/api'
\set bearer 'Bearer ' :static_token
\set VERBOSITY default
\set SHOW_CONTEXT never
-- its own schema, and ISO dates
CREATE SCHEMA api_notion;
SET search_path = api_notion, public;
SET DateStyle = ISO;
SET TimeZone = 'UTC';

CREATE SERVER notion FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'http_header',
           headers '{"Notion-Version": "2022-06-28"}');
CREATE USER MAPPING FOR CURRENT_USER SERVER notion OPTIONS (api_key :'bearer');
-- every request the API saw, bodies included
CREATE FOREIGN TABLE notion_log (seq int, method text, path text, query text, body text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/log');
SELECT coalesce(max(seq), 0) AS seen FROM notion_log \gset

CREATE FOREIGN TABLE notion_products (
  id uuid,
  name text OPTIONS (json_path 'properties.Name.title.0.plain_text'),
  price numeric OPTIONS (json_path 'properties.Price.number'),
  category text OPTIONS (json_path 'properties.Category.select.name'),
  in_stock boolean OPTIONS (json_path 'properties.In stock.checkbox'),
  released date OPTIONS (json_path 'properties.Released.date.start'),
  tags jsonb OPTIONS (json_path 'properties.Tags.multi_select'),
  created_time timestamptz
) SERVER notion OPTIONS (
  endpoint '/notion/v1/databases/a8aec43384f447ed84390e8e42c2e089/query',
  method 'POST', body '{"page_size": {limit}, "start_cursor": {cursor}}', body_null 'omit',
  rows_path 'results', paging 'cursor', cursor_path 'next_cursor', has_more_path 'has_more',
  page_size '25');

-- 57 pages, 3 without a price, 43 in stock (kept in scan order)
CREATE TEMP TABLE notion_scan AS SELECT row_number() OVER () AS n, * FROM notion_products;
SELECT count(*), count(DISTINCT id), sum(price), count(*) FILTER (WHERE in_stock) AS in_stock,
       count(*) - count(price) AS no_price, min(released), max(created_time)
  FROM notion_scan;
-- three requests: no start_cursor on the first, then each page's
-- next_cursor, the id of the next page's first row
SELECT l.method, regexp_replace(l.body, '"start_cursor":"[0-9a-f-]{36}"', '"start_cursor":"<id>"') AS body,
       s.n AS cursor_is_row
  FROM notion_log l LEFT JOIN notion_scan s ON s.id::text = l.body::jsonb ->> 'start_cursor'
  WHERE l.seq > :seen ORDER BY l.seq;
SELECT coalesce(max(seq), 0) AS seen FROM notion_log \gset

-- LIMIT 5 asks for 5 rows in one request
SELECT name, price, category FROM notion_products LIMIT 5;
SELECT body FROM notion_log WHERE seq > :seen ORDER BY seq;
SELECT coalesce(max(seq), 0) AS seen FROM notion_log \gset

-- tags: an array of select options
SELECT name, jsonb_path_query_array(tags, '$[*].name') AS tags
  FROM notion_products WHERE name IN ('Product 01', 'Product 15') ORDER BY name;
SELECT coalesce(max(seq), 0) AS seen FROM notion_log \gset

-- a filter in the body from the query's condition
CREATE FOREIGN TABLE notion_in_category (
  id uuid,
  name text OPTIONS (json_path 'properties.Name.title.0.plain_text'),
  category text OPTIONS (json_path 'properties.Category.select.name')
) SERVER notion OPTIONS (
  endpoint '/notion/v1/databases/a8aec43384f447ed84390e8e42c2e089/query', method 'POST',
  body '{"filter": {"property": "Category", "select": {"equals": {category}}},
         "page_size": {limit}, "start_cursor": {cursor}}', body_null 'omit',
  rows_path 'results', paging 'cursor', cursor_path 'next_cursor', has_more_path 'has_more',
  page_size '100');
SELECT category, count(*) FROM notion_in_category WHERE category = 'Books' GROUP BY category;
SELECT body FROM notion_log WHERE seq > :seen ORDER BY seq;
-- without the condition the filter is incomplete, and Notion says so
SELECT regexp_replace(e, '"request_id": "[^"]*"', '"request_id": "..."')
  FROM show_error('SELECT count(*) FROM notion_in_category') e;
SELECT coalesce(max(seq), 0) AS seen FROM notion_log \gset
-- a value cannot leave its JSON string
SELECT count(*) FROM notion_in_category WHERE category = 'Books"}}, "page_size": 1, "x": {"';
SELECT body::jsonb #> '{filter,select,equals}' AS equals, body::jsonb -> 'page_size' AS page_size
  FROM notion_log WHERE seq > :seen ORDER BY seq;
SELECT coalesce(max(seq), 0) AS seen FROM notion_log \gset

-- Notion's own error for a request without Notion-Version
ALTER SERVER notion OPTIONS (DROP headers);
SELECT regexp_replace(e, '"request_id": "[^"]*"', '"request_id": "..."')
  FROM show_error('SELECT count(*) FROM notion_products') e;

-- joined with a local table: the price list of one category
CREATE TEMP TABLE featured (name text PRIMARY KEY);
INSERT INTO featured VALUES ('Product 03'), ('Product 06'), ('Product 30');
ALTER SERVER notion OPTIONS (ADD headers '{"Notion-Version": "2022-06-28"}');
SELECT f.name, p.price, p.category FROM featured f JOIN notion_products p USING (name) ORDER BY 1;

DROP SERVER notion CASCADE;
DROP FOREIGN TABLE notion_log;
DROP SCHEMA api_notion;
RESET search_path;
RESET DateStyle;
RESET TimeZone;
