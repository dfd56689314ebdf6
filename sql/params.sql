--
-- Where a query's values go besides the query string: a column sent as a
-- request header (param_in 'header'), a LIKE '%text%' sent as a search
-- parameter (param_contains), and the fields the query reads
-- (fields_param); and the model-file settings that give them: #header,
-- #contains, #queryParameter and #fieldListParameter.  /open/v/regional
-- picks contacts by its X-Region header, /open/v/search by ?q= (without
-- regard to case) and ?fields=; both show what they received.
--
\getenv port REST_TEST_PORT
\getenv configdir REST_TEST_CONFIG_DIR
\set base_url 'http://127.0.0.1:' :port
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE FOREIGN TABLE params_log (seq int, method text, path text, query text, body text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/log');
SELECT coalesce(max(seq), 0) AS seen FROM params_log \gset
CREATE SERVER regress_params FOREIGN DATA WRAPPER rest_fdw OPTIONS (base_url :'base_url');

-- a column sent as a request header
CREATE FOREIGN TABLE regional (
  id int,
  "fullName" text,
  region text OPTIONS (param 'X-Region', param_in 'header'),
  tenant text
) SERVER regress_params OPTIONS (endpoint '/open/v/regional');
SELECT id, "fullName", region FROM regional WHERE region = 'eu' ORDER BY id;
-- an IN list is one header, its values comma-joined
SELECT id, region FROM regional WHERE region IN ('us', 'eu') ORDER BY id;
SELECT * FROM explain_filter('(COSTS OFF) SELECT id FROM regional WHERE region = ''eu''');
-- the API requires the header: without a condition, its error
SELECT * FROM show_error('SELECT * FROM regional');
-- the header is sent, never the query parameter
SELECT path, query FROM params_log WHERE seq > :seen AND path LIKE '/open/v/%' ORDER BY seq;

-- a default; and a column's header replaces the table's of the same name
CREATE FOREIGN TABLE regional2 (
  id int,
  region text OPTIONS (param 'X-Region', param_in 'header', param_default 'us'),
  tenant text OPTIONS (param 'X-Tenant', param_in 'header')
) SERVER regress_params
  OPTIONS (endpoint '/open/v/regional', headers '{"X-Tenant": "from-table"}');
SELECT id, region, tenant FROM regional2 ORDER BY id;
SELECT id, region, tenant FROM regional2 WHERE tenant = 'acme' ORDER BY id;
SELECT * FROM explain_filter('(COSTS OFF) SELECT id FROM regional2 WHERE tenant = ''acme''');

-- a value must stay one header line, of a size servers accept
SELECT * FROM show_error($$SELECT * FROM regional WHERE region = E'eu\r\nX-Admin: yes'$$);
SELECT * FROM show_error($$SELECT * FROM regional WHERE region = E'eu\nus'$$);
SELECT * FROM show_error($$SELECT * FROM regional WHERE region = repeat('e', 9000)$$);
-- headers an option may not set, for a column as for the headers option
CREATE FOREIGN TABLE bad_header (v text) SERVER regress_params OPTIONS (endpoint '/open/v/regional');
SELECT * FROM show_error($$ALTER FOREIGN TABLE bad_header ALTER COLUMN v OPTIONS (ADD param 'Authorization', param_in 'header')$$);
SELECT * FROM show_error($$ALTER FOREIGN TABLE bad_header ALTER COLUMN v OPTIONS (ADD param 'Host', param_in 'header')$$);
SELECT * FROM show_error($$ALTER FOREIGN TABLE bad_header ALTER COLUMN v OPTIONS (ADD param 'X-Forwarded-For', param_in 'header')$$);
SELECT * FROM show_error($$ALTER FOREIGN TABLE bad_header ALTER COLUMN v OPTIONS (ADD param 'X-HTTP-Method-Override', param_in 'header')$$);
SELECT * FROM show_error($$ALTER FOREIGN TABLE bad_header ALTER COLUMN v OPTIONS (ADD param 'X-Api-Key', param_in 'header')$$);
SELECT * FROM show_error($$ALTER FOREIGN TABLE bad_header ALTER COLUMN v OPTIONS (ADD param 'X:Y', param_in 'header')$$);
SELECT * FROM show_error($$ALTER FOREIGN TABLE bad_header ALTER COLUMN v OPTIONS (ADD param_in 'header')$$);
SELECT * FROM show_error($$ALTER FOREIGN TABLE bad_header ALTER COLUMN v OPTIONS (ADD param 'X-Since', param_gt 'X-Since', param_in 'header')$$);
SELECT * FROM show_error($$ALTER FOREIGN TABLE bad_header ALTER COLUMN v OPTIONS (ADD param_in 'body')$$);
SELECT * FROM show_error($$ALTER FOREIGN TABLE bad_header OPTIONS (ADD param_in 'header')$$);
-- param_in 'query' is the default, and may be said
ALTER FOREIGN TABLE bad_header ALTER COLUMN v OPTIONS (ADD param 'X-Region', param_in 'query');
DROP FOREIGN TABLE bad_header;

-- LIKE '%text%' as a search parameter; PostgreSQL still checks the LIKE
CREATE FOREIGN TABLE search (
  id int,
  "fullName" text OPTIONS (param_contains 'q'),
  nickname varchar(10) OPTIONS (param_contains 'nick'),
  query text
) SERVER regress_params OPTIONS (endpoint '/open/v/search');
SELECT coalesce(max(seq), 0) AS seen FROM params_log \gset
SELECT id, "fullName", query FROM search WHERE "fullName" LIKE '%act 3%';
SELECT * FROM explain_filter('(COSTS OFF) SELECT id FROM search WHERE "fullName" LIKE ''%act 3%''');
-- the API matches without regard to case: it sends five contacts, LIKE keeps none
SELECT id FROM search WHERE "fullName" LIKE '%contact%';
-- an escaped wildcard is the character; a varchar column is pushed too
SELECT id FROM search WHERE "fullName" LIKE '%t 4\%%';
SELECT id, nickname FROM search WHERE nickname LIKE '%c2%';
-- not pushed: other patterns, ILIKE, NOT LIKE, a pattern only known at run time
SELECT id FROM search WHERE "fullName" LIKE 'Contact 1%';
SELECT id FROM search WHERE "fullName" LIKE '%t_2%';
SELECT id FROM search WHERE "fullName" LIKE '%%';
SELECT id FROM search WHERE "fullName" ILIKE '%CONTACT 5%';
SELECT id FROM search WHERE "fullName" NOT LIKE '%1%' ORDER BY id;
PREPARE by_pattern(text) AS SELECT id FROM search WHERE "fullName" LIKE $1;
EXECUTE by_pattern('%ct 2%');
DEALLOCATE by_pattern;
SELECT query FROM params_log WHERE seq > :seen AND path = '/open/v/search' ORDER BY seq;

-- fields_param: the query's fields only
CREATE FOREIGN TABLE search_fields (
  id int,
  "fullName" text,
  score int,
  nick text OPTIONS (json_path 'nickname'),
  query text
) SERVER regress_params OPTIONS (endpoint '/open/v/search', fields_param 'fields');
SELECT coalesce(max(seq), 0) AS seen FROM params_log \gset
SELECT id, "fullName" FROM search_fields ORDER BY id;
SELECT id, nick FROM search_fields WHERE score > 60 ORDER BY id;
SELECT count(*) FROM search_fields;
SELECT s FROM search_fields s WHERE id = 2;
SELECT query FROM params_log WHERE seq > :seen AND path = '/open/v/search' ORDER BY seq;
SELECT * FROM explain_filter('(COSTS OFF) SELECT nick FROM search_fields WHERE score > 60');
-- a server default; rows inside arrays send no list (the outer objects' fields are needed)
CREATE SERVER regress_params_fields FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', fields_param 'fields');
CREATE FOREIGN TABLE search_default (id int) SERVER regress_params_fields
  OPTIONS (endpoint '/open/v/search');
SELECT * FROM explain_filter('(COSTS OFF) SELECT id FROM search_default');
CREATE FOREIGN TABLE search_nested (id int) SERVER regress_params_fields
  OPTIONS (endpoint '/open/v/search', rows_path '*');
SELECT * FROM explain_filter('(COSTS OFF) SELECT id FROM search_nested');
SELECT * FROM show_error($$ALTER FOREIGN TABLE search_default OPTIONS (ADD fields_param 'a&b')$$);
DROP SERVER regress_params_fields CASCADE;

-- a placeholder's param_default: its value when no condition gives one,
-- and only when no alternative of the endpoint can do without it
CREATE FOREIGN TABLE cust_orders (
  customer_id int OPTIONS (param_default '3'),
  order_id int,
  status text
) SERVER regress_params OPTIONS (endpoint '/open/customers/{customer_id}/orders');
SELECT coalesce(max(seq), 0) AS seen FROM params_log \gset
SELECT * FROM cust_orders ORDER BY order_id;
SELECT * FROM cust_orders WHERE customer_id = 2 ORDER BY order_id;
SELECT * FROM explain_filter('(COSTS OFF) SELECT * FROM cust_orders');
ALTER FOREIGN TABLE cust_orders OPTIONS (SET endpoint '/open/customers/{customer_id}/orders | /open/orders');
SELECT count(*) FROM cust_orders;                      -- /open/orders: no default needed
SELECT * FROM cust_orders WHERE customer_id = 1;
SELECT path FROM params_log WHERE seq > :seen AND path LIKE '/open/%' ORDER BY seq;
-- a default that would change the path's structure is refused like a value
ALTER FOREIGN TABLE cust_orders OPTIONS (SET endpoint '/open/customers/{customer_id}/orders');
ALTER FOREIGN TABLE cust_orders ALTER COLUMN customer_id TYPE text;
ALTER FOREIGN TABLE cust_orders ALTER COLUMN customer_id OPTIONS (SET param_default '..');
SELECT * FROM show_error('SELECT * FROM cust_orders');
DROP FOREIGN TABLE cust_orders;

-- the model-file settings (and a next page's URL in a "Next" header)
SET regress.configdir = :'configdir';
\set model :configdir '/params.rest'
SELECT write_model(:'model', '{
  "contacts": {
    "#path": "/open/v/search",
    "#fieldListParameter": "fields",
    "id": "Integer",
    "fullName": {"#type": "VarChar(64)", "#contains": "q"},
    "score": "Integer"
  },
  "regional": {
    "#path": "/open/v/regional",
    "id": "Integer",
    "region": {"#type": "VarChar(8)", "#header": true, "#eq": "X-Region", "#default": "eu"}
  },
  "found": {
    "#path": "/open/v/search",
    "id": "Integer",
    "q": {"#type": "VarChar(64)", "#queryParameter": "q", "#default": "contact 1"}
  },
  "paged": {
    "#path": "/open/v/nexthdr",
    "#nextPageResponseHeader": "Next",
    "id": "Integer"
  },
  "tokens_header": {
    "#path": "/open/v/tokens",
    "#nextPageResponseHeader": "X-Next-Token",
    "#nextPageParameter": "page_token",
    "id": "Integer", "got": "VarChar(20)"
  },
  "tokens_body": {
    "#path": "/open/v/tokens?in=body items",
    "#nextPageElement": "next",
    "#nextPageRequestHeader": "X-Page-Token",
    "id": "Integer", "got": "VarChar(20)"
  },
  "post_filtered": {
    "#path": "/open/t/search?total=9 items",
    "#post": {"filter": {"category": "sample"}, "limit": 20},
    "id": "Integer",
    "category": "VarChar(1)",
    "cat": {"#type": "VarChar(1)", "#postParameter": "filter/category", "#default": "b"}
  },
  "post_json": {
    "#path": "/open/t/search?total=9 items",
    "#post": {"limit": 20},
    "id": "Integer",
    "filter": {"#type": "JSON", "#postParameter": true}
  },
  "body_paged": {
    "#path": "/open/t/search?total=7 items",
    "#post": {"filter": {}},
    "#postBodyPaging": true,
    "#rowOffsetParameter": "offset",
    "#pageSizeParameter": "limit",
    "#maximumPageSize": 3,
    "#pageSizeElement": "limit",
    "id": "Integer"
  }
}');
CREATE SERVER regress_params_model FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'model');
CREATE SCHEMA params_model;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_params_model INTO params_model;
SELECT c.relname, a.attname, array_to_string(a.attfdwoptions, ', ') AS options
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE c.relnamespace = 'params_model'::regnamespace AND a.attnum > 0
ORDER BY c.relname, a.attnum;
SELECT c.relname, array_to_string(t.ftoptions, ', ') AS options
FROM pg_foreign_table t JOIN pg_class c ON c.oid = t.ftrelid
WHERE c.relnamespace = 'params_model'::regnamespace ORDER BY c.relname;
SELECT coalesce(max(seq), 0) AS seen FROM params_log \gset
SELECT id, full_name FROM params_model.contacts WHERE full_name LIKE '%t 2%';
SELECT * FROM params_model.regional ORDER BY id;
SELECT * FROM params_model.found;
SELECT * FROM params_model.found WHERE q = 'act 5';
SELECT count(*) FROM params_model.paged;               -- three pages
SELECT * FROM params_model.tokens_header ORDER BY id;
SELECT * FROM params_model.tokens_body ORDER BY id;
SELECT count(*), sum(id) FROM params_model.body_paged;  -- the paging in the body
-- #postParameter: the value goes into the body; the default when no condition gives one
SELECT id, category, cat FROM params_model.post_filtered ORDER BY id;
SELECT id, category, cat FROM params_model.post_filtered WHERE cat = 'c' ORDER BY id;
SELECT id, filter FROM params_model.post_json WHERE filter = '{"category": "a", "id": 3}' ORDER BY id;
SELECT count(*) FROM params_model.post_json;
SELECT path, query, body FROM params_log
WHERE seq > :seen AND (path LIKE '/open/v/%' OR path LIKE '/open/t/%') ORDER BY seq;
-- what the file may not say
\set bad :configdir '/params_bad.rest'
CREATE SERVER regress_params_bad FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'bad');
CREATE SCHEMA params_bad;
SELECT write_model(:'bad', '{"t": {"#path": "/x", "a": {"#type": "VarChar", "#header": true, "#eq": "X-Custom-Auth", "#default": "scott/tiger"}}}');
SELECT * FROM model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_params_bad INTO params_bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "a": {"#type": "VarChar", "#header": true}}}');
SELECT * FROM model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_params_bad INTO params_bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "a": {"#type": "VarChar", "#header": true, "#eq": "X-Since", "#gt": "X-After"}}}');
SELECT * FROM model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_params_bad INTO params_bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "a": {"#type": "VarChar", "#header": "yes", "#eq": "X-Since"}}}');
SELECT * FROM model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_params_bad INTO params_bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#fieldListParameter": "a b", "id": "Integer"}}');
SELECT * FROM model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_params_bad INTO params_bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#nextPageElement": "n", "#nextPageParameter": "p", "#nextPageRequestHeader": "X-P", "id": "Integer"}}');
SELECT * FROM model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_params_bad INTO params_bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#nextPageElement": "n", "#nextPageRequestHeader": "Cookie", "id": "Integer"}}');
SELECT * FROM model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_params_bad INTO params_bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#nextPageRequestHeader": "X-P", "id": "Integer"}}');
SELECT * FROM model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_params_bad INTO params_bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#nextPageElement": "n", "#nextPageResponseHeader": "Next", "id": "Integer"}}');
SELECT * FROM model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_params_bad INTO params_bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "a": {"#type": "VarChar", "#postParameter": "f/g"}}}');
SELECT * FROM model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_params_bad INTO params_bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#post": {"f": 1}, "a": {"#type": "VarChar", "#postParameter": "f/g"}}}');
SELECT * FROM model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_params_bad INTO params_bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#post": {}, "a": {"#type": "VarChar", "#postParameter": 3}}}');
SELECT * FROM model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_params_bad INTO params_bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#post": {}, "a": {"#type": "VarChar", "#postParameter": true, "#eq": "a"}}}');
SELECT * FROM model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_params_bad INTO params_bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#postBodyPaging": "yes", "id": "Integer"}}');
SELECT * FROM model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_params_bad INTO params_bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#postBodyPaging": true, "#rowOffsetParameter": "o", "id": "Integer"}}');
SELECT * FROM model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_params_bad INTO params_bad');

-- "#options" are connection properties: a NOTICE says what they stand for
SELECT write_model(:'bad', '{"#options": {"AuthenticationMethod": "OAuth2", "TokenURI": "POST https://auth.example.com/token", "Scope": "read", "WSFetchSize": 100, "Colour": "blue"}, "t": {"#path": "/open/v/search", "id": "Integer"}}');
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_params_bad INTO params_bad;
ALTER SERVER regress_params_bad OPTIONS (ADD authentication_method 'oauth2', ADD scope 'write');
DROP FOREIGN TABLE params_bad.t;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_params_bad INTO params_bad;
DROP FOREIGN TABLE params_bad.t;
ALTER SERVER regress_params_bad OPTIONS (DROP authentication_method, DROP scope);
-- custom authentication: the tables are still imported
SELECT write_model(:'bad', '{"#options": {"AuthenticationMethod": "Custom"}, "t": {"#path": "/open/v/search", "id": "Integer"}}');
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_params_bad INTO params_bad;
SELECT count(*) FROM params_bad.t;
DROP SERVER regress_params_bad, regress_params_model CASCADE;
DROP SCHEMA params_bad, params_model;
RESET regress.configdir;
DROP SERVER regress_params CASCADE;
DROP FOREIGN TABLE params_log;
