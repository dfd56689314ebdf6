--
-- INSERT as API requests: json-server (a real REST server that stores
-- what it receives) and the test API's /open/w/ endpoints, which count
-- the requests of each idempotency key and can lose a response.
--
\getenv port REST_TEST_PORT
\getenv jport REST_TEST_JSON_SERVER_PORT
\getenv configdir REST_TEST_CONFIG_DIR
\set base_url 'http://127.0.0.1:' :port
\set json_url 'http://127.0.0.1:' :jport
\set VERBOSITY default
\set SHOW_CONTEXT never

-- ===================================================================
-- json-server: INSERT ... RETURNING, nested columns, several rows
-- ===================================================================
CREATE SERVER regress_json FOREIGN DATA WRAPPER rest_fdw OPTIONS (base_url :'json_url');
CREATE FOREIGN TABLE people (
  id int,
  name text,
  city text OPTIONS (json_path 'address.city'),
  active boolean
) SERVER regress_json OPTIONS (endpoint '/people', insert 'POST /people');
-- json-server keeps what earlier runs wrote: ids are shown from the first new one
INSERT INTO people (name, city, active) VALUES ('Grace', 'New York', true)
  RETURNING id AS first, id > 1 AS new_id, name, city, active \gset
SELECT :'new_id' AS new_id, :'name' AS name, :'city' AS city, :'active' AS active;
INSERT INTO people (name, city)
  SELECT 'person ' || g, 'city ' || g FROM generate_series(1, 3) g
  RETURNING id - :first AS n, name, city, active;
INSERT INTO people (name) VALUES ('Alan');            -- no RETURNING
-- what json-server stored, read back through the same table
SELECT id - :first AS n, name, city, active FROM people WHERE id >= :first ORDER BY id;
SELECT * FROM explain_filter('(COSTS OFF) INSERT INTO people (name) VALUES (''x'')');

-- ===================================================================
-- UPDATE and DELETE: rows identified by their key
-- ===================================================================
ALTER FOREIGN TABLE people ALTER COLUMN id OPTIONS (ADD key 'true', ADD param 'id');
ALTER FOREIGN TABLE people OPTIONS (ADD update 'PATCH /people/{id}', ADD delete 'DELETE /people/{id}');
-- PATCH /people/<id> {"address":{"city":"Paris"},"active":null}: only what the UPDATE sets
UPDATE people SET city = 'Paris', active = NULL WHERE id = :first + 1
  RETURNING id - :first AS n, name, city, active;
UPDATE people SET name = name || '!' WHERE id IN (:first + 2, :first + 3);
DELETE FROM people WHERE id = :first + 4;
SELECT id - :first AS n, name, city, active FROM people WHERE id >= :first ORDER BY id;
SELECT * FROM explain_filter('(COSTS OFF) UPDATE people SET name = ''y'' WHERE id = 1');
SELECT * FROM explain_filter('(COSTS OFF) DELETE FROM people WHERE id = 1');
-- without a condition on the key that the API applies, the whole
-- collection would change: refused unless allow_full_update says so
SELECT * FROM show_error($$UPDATE people SET active = false$$);
SELECT * FROM show_error($$DELETE FROM people WHERE name = 'Ada'$$);
ALTER FOREIGN TABLE people OPTIONS (ADD allow_full_update 'true');
UPDATE people SET active = true WHERE name LIKE 'person%' AND id >= :first;
ALTER FOREIGN TABLE people OPTIONS (DROP allow_full_update);
SELECT id - :first AS n, name, active FROM people WHERE id >= :first ORDER BY id;
-- UPDATE ... FROM a local table: the scan is sent each key the join gives
CREATE TEMP TABLE people_ids (id int);
INSERT INTO people_ids VALUES (:first + 2), (:first + 3);
ANALYZE people_ids;
-- (the Filter line, which versions write in either order, left out)
SELECT e FROM explain_filter('(COSTS OFF) UPDATE people SET active = false FROM people_ids WHERE people.id = people_ids.id') e
  WHERE e !~ 'Filter:';
UPDATE people SET active = false FROM people_ids WHERE people.id = people_ids.id;
SELECT id - :first AS n, name, active FROM people WHERE id >= :first ORDER BY id;
-- no key column; DELETE ... RETURNING; methods the options refuse
ALTER FOREIGN TABLE people ALTER COLUMN id OPTIONS (DROP key);
SELECT * FROM show_error($$UPDATE people SET name = 'z' WHERE id = 1$$);
ALTER FOREIGN TABLE people ALTER COLUMN id OPTIONS (ADD key 'true');
SELECT * FROM show_error($$DELETE FROM people WHERE id = 1 RETURNING id$$);
SELECT * FROM show_error($$ALTER FOREIGN TABLE people OPTIONS (SET update 'GET /people/{id}')$$);
SELECT * FROM show_error($$ALTER FOREIGN TABLE people OPTIONS (SET delete 'GET /people/{id}')$$);

-- PUT replaces the resource: every column is sent, the ones the UPDATE
-- does not set as the scan read them (json-server keeps only what it gets)
ALTER FOREIGN TABLE people OPTIONS (SET update 'PUT /people/{id}');
UPDATE people SET name = 'Grace Hopper' WHERE id = :first
  RETURNING id - :first AS n, name, city, active;
SELECT id - :first AS n, name, city, active FROM people WHERE id = :first;
SELECT * FROM explain_filter('(VERBOSE, COSTS OFF) UPDATE people SET name = ''y'' WHERE id = 1');
ALTER FOREIGN TABLE people OPTIONS (SET update 'PATCH /people/{id}');
-- read_only columns are the API's: not sent, and not to be set
ALTER FOREIGN TABLE people ALTER COLUMN id OPTIONS (ADD read_only 'true');
SELECT * FROM show_error($$INSERT INTO people (id, name) VALUES (1000, 'x')$$);
SELECT * FROM show_error($$UPDATE people SET id = 1000 WHERE id = 1$$);
INSERT INTO people (name) VALUES ('Edsger') RETURNING id > :first AS new_id, name;
ALTER FOREIGN TABLE people ALTER COLUMN id OPTIONS (DROP read_only);

-- ===================================================================
-- Idempotency keys: a POST is retried only with one
-- ===================================================================
CREATE SERVER regress_writes FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', max_retry_wait '2');
-- the context line of a failed write that names its rows (the line of
-- the request before it holds the port)
CREATE FUNCTION write_context(query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  ctx text;
BEGIN
  EXECUTE query;
  RETURN NULL;
EXCEPTION WHEN fdw_error THEN
  GET STACKED DIAGNOSTICS ctx = PG_EXCEPTION_CONTEXT;
  RETURN (SELECT string_agg(l, ' / ') FROM regexp_split_to_table(ctx, E'\n') l
          WHERE l ~ '^rows? ');
END
$$;
CREATE FOREIGN TABLE w_reset (reset boolean)
  SERVER regress_admin OPTIONS (endpoint '/_admin/reset_writes');
SELECT * FROM w_reset;
CREATE FOREIGN TABLE w_orders (
  id int,
  ref text,
  qty int,
  attempts int,
  key boolean
) SERVER regress_writes OPTIONS (endpoint '/open/w/orders/list', insert 'POST /open/w/orders');
INSERT INTO w_orders (ref, qty) VALUES ('r1', 2) RETURNING ref, qty, attempts, key;
-- the gateway loses the first response: the POST is sent again with its
-- key, and the API answers it as the first, storing the order once
INSERT INTO w_orders (ref) VALUES ('fail-once-1') RETURNING ref, attempts, key;
SELECT ref, attempts FROM w_orders WHERE ref LIKE 'fail-once%';
SELECT * FROM explain_filter($$(ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) INSERT INTO w_orders (ref) VALUES ('fail-once-3'), ('e2')$$);
-- without a key the lost response is an error, not a second order
ALTER FOREIGN TABLE w_orders OPTIONS (ADD idempotency_header '');
SELECT * FROM show_error($$INSERT INTO w_orders (ref) VALUES ('fail-once-2')$$);
SELECT ref, attempts, key FROM w_orders WHERE ref LIKE 'fail-once%' ORDER BY id;
ALTER FOREIGN TABLE w_orders OPTIONS (DROP idempotency_header);

-- a failed row, the third of five: the error names it, and the rows
-- before it stay written
SELECT * FROM show_error($$INSERT INTO w_orders (ref) VALUES ('ok-1'), ('ok-2'), ('bad'), ('ok-4'), ('ok-5')$$);
SELECT write_context($$INSERT INTO w_orders (ref) VALUES ('ok-6'), ('bad'), ('ok-8')$$);
SELECT ref FROM w_orders WHERE ref LIKE 'ok-%' ORDER BY id;
-- on_error 'skip': a refused row is a WARNING, and the next rows are sent
ALTER FOREIGN TABLE w_orders OPTIONS (ADD on_error 'skip');
INSERT INTO w_orders (ref) VALUES ('s-1'), ('s-2'), ('bad'), ('s-4'), ('s-5') RETURNING ref;
DO $$
DECLARE n bigint;
BEGIN
  INSERT INTO w_orders (ref) VALUES ('s-6'), ('bad'), ('s-8');
  GET DIAGNOSTICS n = ROW_COUNT;
  RAISE NOTICE 'rows inserted: %', n;
END
$$;
SELECT ref FROM w_orders WHERE ref LIKE 's-%' ORDER BY id;
SELECT * FROM explain_filter($$(ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) INSERT INTO w_orders (ref) VALUES ('s-9'), ('bad')$$);
-- a lost response is an answer too: skipped, though the API may have
-- stored the row (this one it did)
ALTER FOREIGN TABLE w_orders OPTIONS (ADD idempotency_header '');
INSERT INTO w_orders (ref) VALUES ('fail-once-4'), ('s-10') RETURNING ref;
ALTER FOREIGN TABLE w_orders OPTIONS (DROP idempotency_header, DROP on_error);
-- an API that cannot be reached stops the statement, whatever on_error says
CREATE SERVER regress_writes_down FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url 'http://127.0.0.1:1', max_retries '0', on_error 'skip');
CREATE FOREIGN TABLE w_down (ref text)
  SERVER regress_writes_down OPTIONS (insert 'POST /orders');
SELECT * FROM show_error($$INSERT INTO w_down VALUES ('x')$$);
DROP SERVER regress_writes_down CASCADE;
SELECT * FROM show_error($$ALTER FOREIGN TABLE w_orders OPTIONS (ADD on_error 'ignore')$$);

-- DELETE through the test API: a row the API refuses is named by its key
CREATE FOREIGN TABLE w_deletable (id int OPTIONS (key 'true'), ref text)
  SERVER regress_writes OPTIONS (endpoint '/open/w/orders/list',
    delete 'DELETE /open/w/orders/{id}', allow_full_update 'true');
INSERT INTO w_orders (ref) VALUES ('del-1'), ('keep'), ('del-3');
SELECT write_context($$DELETE FROM w_deletable WHERE ref IN ('del-1', 'keep', 'del-3')$$);
ALTER FOREIGN TABLE w_deletable OPTIONS (ADD on_error 'skip');
DELETE FROM w_deletable WHERE ref IN ('del-1', 'keep', 'del-3');
SELECT ref FROM w_deletable WHERE ref IN ('del-1', 'keep', 'del-3');

-- batch_size: rows sent together, one array a request
CREATE FOREIGN TABLE w_batch (id int, ref text, batch int, key boolean)
  SERVER regress_writes OPTIONS (endpoint '/open/w/orders/list',
                                 insert 'POST /open/w/batch', batch_size '2');
INSERT INTO w_batch (ref) SELECT 'b-' || g FROM generate_series(1, 5) g;
SELECT ref, batch, key FROM w_batch WHERE ref LIKE 'b-%' ORDER BY id;
-- RETURNING needs each row back: one request a row
INSERT INTO w_batch (ref) VALUES ('e-1'), ('e-2') RETURNING ref, batch;
SELECT * FROM explain_filter($$(ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) INSERT INTO w_batch (ref) VALUES ('c-1'), ('c-2'), ('c-3')$$);
-- a refused batch: its rows are named together, those before stay written
SELECT write_context($$INSERT INTO w_batch (ref) VALUES ('d-1'), ('d-2'), ('d-3'), ('bad'), ('d-5')$$);
SELECT ref, batch FROM w_batch WHERE ref LIKE 'd-%' ORDER BY id;
SELECT * FROM show_error($$ALTER FOREIGN TABLE w_batch OPTIONS (SET batch_size '1001')$$);

-- write_wrap: an API that wants {"order": {...}}, and answers alike
CREATE FOREIGN TABLE w_wrapped (id int, ref text, qty int)
  SERVER regress_writes OPTIONS (insert 'POST /open/w/wrapped', write_wrap 'order');
INSERT INTO w_wrapped (ref, qty) VALUES ('w-1', 3) RETURNING id > 0 AS has_id, ref, qty;
ALTER FOREIGN TABLE w_wrapped OPTIONS (DROP write_wrap);
SELECT * FROM show_error($$INSERT INTO w_wrapped (ref) VALUES ('w-2')$$);

-- COPY sends each row as INSERT does; ON CONFLICT has nothing to decide by
COPY w_orders (ref, qty) FROM STDIN;
copy-1	1
copy-2	2
\.
SELECT ref, qty, key FROM w_orders WHERE ref LIKE 'copy-%' ORDER BY id;
SELECT * FROM show_error($$INSERT INTO w_orders (ref) VALUES ('x') ON CONFLICT DO NOTHING$$);

-- the path's placeholders from the row; a response without a body
CREATE FOREIGN TABLE w_customer_orders (customer_id text, ref text, customer text, id int)
  SERVER regress_writes OPTIONS (insert 'POST /open/w/customers/{customer_id}/orders');
INSERT INTO w_customer_orders (customer_id, ref) VALUES ('c/7', 'r2') RETURNING customer, ref;
SELECT * FROM show_error($$INSERT INTO w_customer_orders (ref) VALUES ('r3')$$);
SELECT * FROM show_error($$INSERT INTO w_customer_orders (customer_id, ref) VALUES ('..', 'r3')$$);
CREATE FOREIGN TABLE w_empty (ref text, id int)
  SERVER regress_writes OPTIONS (insert 'POST /open/w/empty');
INSERT INTO w_empty (ref) VALUES ('r4') RETURNING ref, id;
-- 201 Created without a body: the key is the Location's last segment
-- (/open/w/orders/%31%37?view=full), converted as a scan converts it
CREATE FOREIGN TABLE w_located (id int OPTIONS (key 'true', read_only 'true'), ref text)
  SERVER regress_writes OPTIONS (insert 'POST /open/w/located');
INSERT INTO w_located (ref) VALUES ('l-1') RETURNING id = (SELECT max(id) FROM w_orders) AS same_id, ref;
SELECT * FROM show_error($$INSERT INTO w_located (ref) VALUES ('no-number') RETURNING id$$);
ALTER FOREIGN TABLE w_located ALTER COLUMN id TYPE text;
INSERT INTO w_located (ref) VALUES ('no-number') RETURNING id, ref;
INSERT INTO w_located (ref) VALUES ('l-2');     -- without RETURNING, nothing to read
SELECT * FROM show_error($$INSERT INTO w_located (id, ref) VALUES ('5', 'l-3')$$);

-- ===================================================================
-- What may be written
-- ===================================================================
-- a table without the insert option, or updatable 'false', is read-only
CREATE FOREIGN TABLE w_read_only (ref text) SERVER regress_writes
  OPTIONS (endpoint '/open/w/orders/list');
SELECT * FROM show_error($$INSERT INTO w_read_only VALUES ('x')$$);
ALTER FOREIGN TABLE w_orders OPTIONS (ADD updatable 'false');
SELECT * FROM show_error($$INSERT INTO w_orders (ref) VALUES ('x')$$);
ALTER FOREIGN TABLE w_orders OPTIONS (DROP updatable);
ALTER SERVER regress_writes OPTIONS (ADD updatable 'false');
SELECT * FROM show_error($$INSERT INTO w_orders (ref) VALUES ('x')$$);
ALTER SERVER regress_writes OPTIONS (DROP updatable);
-- privileges are PostgreSQL's: INSERT on the table, as the role that runs it
CREATE ROLE regress_writer;
GRANT SELECT ON w_orders TO regress_writer;
SET ROLE regress_writer;
SELECT * FROM show_error($$INSERT INTO w_orders (ref) VALUES ('by-writer')$$);
RESET ROLE;
GRANT INSERT ON w_orders TO regress_writer;
SET ROLE regress_writer;
INSERT INTO w_orders (ref) VALUES ('by-writer') RETURNING ref, key;
RESET ROLE;
REVOKE ALL ON w_orders FROM regress_writer;
DROP ROLE regress_writer;
-- the option's values
SELECT * FROM show_error($$ALTER FOREIGN TABLE w_read_only OPTIONS (ADD insert 'GET /open/w/orders')$$);
SELECT * FROM show_error($$ALTER FOREIGN TABLE w_read_only OPTIONS (ADD insert 'POST http://127.0.0.2/x')$$);
SELECT * FROM show_error($$ALTER FOREIGN TABLE w_read_only OPTIONS (ADD insert 'POST /a | /b')$$);
SELECT * FROM show_error($$ALTER FOREIGN TABLE w_read_only OPTIONS (ADD insert 'POST')$$);
SELECT * FROM show_error($$ALTER FOREIGN TABLE w_read_only OPTIONS (ADD idempotency_header 'Authorization')$$);
SELECT * FROM show_error($$ALTER FOREIGN TABLE w_read_only OPTIONS (ADD updatable 'maybe')$$);

-- ===================================================================
-- A REST config file's #insert, #update, #delete, #key and #readonly
-- ===================================================================
SET regress.configdir = :'configdir';
\set model :configdir '/writes.rest'
SELECT write_model(:'model', '{
  "orders": {
    "#path": "/open/w/orders/list",
    "#insert": "post /open/w/orders",
    "#delete": "DELETE /open/w/orders/{id}",
    "id": "Integer,#key,#readonly",
    "ref": "VarChar(20)",
    "qty": "Integer"
  },
  "bulk": {
    "#path": "/open/w/orders/list",
    "#insert": "POST ' || :'base_url' || '/open/w/batch[]",
    "#update": "PATCH /open/w/batch[]",
    "id": {"#type": "Integer", "#key": true},
    "ref": "VarChar"
  },
  "elsewhere": {
    "#path": "/open/w/orders/list",
    "#insert": "POST https://other.example.com/orders",
    "id": "Integer"
  },
  "reads": {"#path": "/open/w/orders/list", "id": "Integer,#key", "ref": "VarChar"}
}');
CREATE SERVER regress_writes_model FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'model');
CREATE SCHEMA writes_model;
-- the NOTICEs name the file, in a directory of its own each run: bulk is
-- imported without #update, which sends an array, and elsewhere skipped
SET client_min_messages = warning;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_writes_model INTO writes_model;
RESET client_min_messages;
SELECT * FROM imported_tables('writes_model');
SELECT * FROM imported_columns('writes_model');
INSERT INTO writes_model.orders (ref, qty) VALUES ('m-1', 4) RETURNING ref, qty;
INSERT INTO writes_model.bulk (ref) VALUES ('m-2'), ('m-3');
SELECT ref FROM writes_model.bulk WHERE ref LIKE 'm-%' ORDER BY id;
ALTER FOREIGN TABLE writes_model.orders OPTIONS (ADD allow_full_update 'true');
DELETE FROM writes_model.orders WHERE ref LIKE 'm-%';
SELECT ref FROM writes_model.bulk WHERE ref LIKE 'm-%';
-- a write to another host: the table is not imported
CREATE SCHEMA writes_elsewhere;
SET client_min_messages = warning;
SELECT * FROM model_error('IMPORT FOREIGN SCHEMA rest LIMIT TO (elsewhere) FROM SERVER regress_writes_model INTO writes_elsewhere');
RESET client_min_messages;
DROP SCHEMA writes_elsewhere;
\set bad :configdir '/writes_bad.rest'
CREATE SERVER regress_writes_bad FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'bad');
CREATE SCHEMA writes_bad;
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#insert": "GET /x", "id": "Integer"}}');
SELECT * FROM model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_writes_bad INTO writes_bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#insert": "/x", "id": "Integer"}}');
SELECT * FROM model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_writes_bad INTO writes_bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#update": {"PATCH": "/x"}, "id": "Integer"}}');
SELECT * FROM model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_writes_bad INTO writes_bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#delete": "DELETE /x/../../admin", "id": "Integer"}}');
SELECT * FROM model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_writes_bad INTO writes_bad');
DROP SCHEMA writes_model, writes_bad CASCADE;
DROP SERVER regress_writes_model, regress_writes_bad;

DROP SERVER regress_json, regress_writes CASCADE;
DROP FOREIGN TABLE w_reset;
DROP FUNCTION write_context(text);
