--
-- The DataDirect model-file grammar: a model file written from the
-- connector's documentation (test/config/crm.rest) imported and read,
-- and the grammar's errors.
--
\getenv port REST_TEST_PORT
\getenv configdir REST_TEST_CONFIG_DIR
\set base_url 'http://127.0.0.1:' :port
\set VERBOSITY default
\set SHOW_CONTEXT never
SET datestyle = 'ISO, YMD';
SET timezone = 'UTC';

CREATE FOREIGN TABLE model_log (seq int, method text, path text, query text, body text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/log');
CREATE VIEW model_requests AS
  SELECT method, path, query, body FROM model_log
  WHERE path NOT LIKE '/_admin/%' ORDER BY seq;

SET regress.configdir = :'configdir';
CREATE FUNCTION model_columns(schema_name text)
RETURNS TABLE (table_name name, col name, type text, not_null boolean, options text)
LANGUAGE sql AS $$
  SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
         array_to_string(a.attfdwoptions, ', ')
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  WHERE c.relnamespace = schema_name::regnamespace AND c.relkind = 'f'
    AND a.attnum > 0 AND NOT a.attisdropped
  ORDER BY c.relname, a.attnum
$$;
CREATE FUNCTION model_tables(schema_name text)
RETURNS TABLE (table_name name, options text)
LANGUAGE sql AS $$
  SELECT c.relname, regexp_replace(array_to_string(t.ftoptions, ', '),
                                   '127\.0\.0\.1:[0-9]+', '127.0.0.1:PORT', 'g')
  FROM pg_foreign_table t JOIN pg_class c ON c.oid = t.ftrelid
  WHERE c.relnamespace = schema_name::regnamespace
  ORDER BY c.relname
$$;

-- ===================================================================
-- a whole model file
-- ===================================================================
\set cfg :configdir '/crm.rest'
CREATE SERVER regress_crm FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'cfg');
CREATE SCHEMA crm;
SELECT * FROM api_reset;
-- the table on another host is skipped, with a NOTICE naming it
SET client_min_messages = warning;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_crm INTO crm;
RESET client_min_messages;
SELECT * FROM model_tables('crm');
SELECT * FROM model_columns('crm');
-- only the string table was sampled, with its placeholder's sample value
SELECT method, path, query FROM model_requests;

-- types, flags and date formats read as the file says
SELECT * FROM api_reset;
SELECT id, full_name, photo, born, created, score, active, ratio, region
  FROM crm.people ORDER BY id;
-- {OFFSET} and {LIMIT} in the query string page the table; the total ends it
SELECT method, path, query FROM model_requests;
-- #notnull is kept: a row without the value is an error, not a NULL, even
-- when a condition checked afterwards would drop the row; columns the
-- query does not read are not checked
SELECT id, nickname FROM crm.people ORDER BY id;  -- ERROR
SELECT id, nickname FROM crm.people WHERE id < 5 ORDER BY id;  -- ERROR
SELECT count(*) FROM crm.people;
-- "#eq" still pushes
SELECT id FROM crm.people WHERE region = 'us' ORDER BY id;

-- "#get" parameters go with every request
SELECT * FROM api_reset;
SELECT * FROM crm.us_contacts ORDER BY id;
SELECT method, path, query FROM model_requests;

-- "#mandatory": a query without the value is refused before any request
SELECT * FROM api_reset;
SELECT id FROM crm.regional;  -- ERROR
SELECT id FROM crm.regional WHERE region = 'eu' ORDER BY id;
-- a "#default" on a column with only "#ge": sent until a condition replaces it
SELECT id FROM crm.regional WHERE region = 'us' AND created >= '2024-03-01' ORDER BY id;
SELECT method, path, query FROM model_requests;

-- "POST ..." and "#post": the body from the file
SELECT * FROM api_reset;
SELECT id, name, category, price FROM crm.found_items ORDER BY id;
SELECT method, path, body FROM model_requests;

-- the sampled table's placeholder became a virtual column
SELECT * FROM api_reset;
SELECT id, full_name FROM crm.region_contacts WHERE region = 'us' ORDER BY id;
SELECT method, path, query FROM model_requests;

-- LIMIT TO naming the table of another host is an error
CREATE SCHEMA crm2;
SELECT model_error('IMPORT FOREIGN SCHEMA rest LIMIT TO (elsewhere) FROM SERVER regress_crm INTO crm2');
-- VarChar lengths kept when asked
IMPORT FOREIGN SCHEMA rest LIMIT TO (us_contacts) FROM SERVER regress_crm INTO crm2
  OPTIONS (keep_lengths 'true');
SELECT * FROM model_columns('crm2');

-- ===================================================================
-- verify_columns: declared columns that the sample never fills
-- ===================================================================
-- the file lives in the data directory, so that messages show its name only
SELECT write_model('model_verify.rest', '{
  "contacts": {"#path": "/open/v/contacts?locator=start:{offset},count:{limit} results",
               "#maximumPageSize": 5,
               "id": "Integer", "fullname": "VarChar(40)", "nickname": "Text",
               "address": {"city": "Text"}, "region": "Text"},
  "found_items": {"#path": "POST /open/t/search items", "id": "Integer"}
}');
CREATE SERVER regress_verify FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file 'model_verify.rest');
CREATE SCHEMA verify;
SELECT * FROM api_reset;
\set VERBOSITY terse
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_verify INTO verify
  OPTIONS (verify_columns 'true');
\set VERBOSITY default
-- one request: the sample of the GET table
SELECT method, path, query FROM model_requests;
-- the model file written from the documentation passes
CREATE SCHEMA crm3;
IMPORT FOREIGN SCHEMA rest LIMIT TO (people, us_contacts) FROM SERVER regress_crm INTO crm3
  OPTIONS (verify_columns 'true');
SELECT count(*) FROM model_tables('crm3');

-- ===================================================================
-- bytes in base64url, by hand
-- ===================================================================
CREATE FOREIGN TABLE crm.thumbs (id int, thumb bytea OPTIONS (format 'base64url'),
                                 photo bytea OPTIONS (format 'base64'))
  SERVER regress_crm OPTIONS (endpoint '/open/v/contacts results');
SELECT id, thumb, thumb = photo AS same FROM crm.thumbs ORDER BY id;
SELECT * FROM crm.thumbs WHERE thumb = '\x0100fffb'::bytea;
CREATE FOREIGN TABLE crm.bad_thumbs (id int, name text OPTIONS (json_path 'fullName', format 'base64'))
  SERVER regress_crm OPTIONS (endpoint '/open/v/contacts results');
SELECT * FROM crm.bad_thumbs;  -- ERROR
CREATE FOREIGN TABLE crm.bad_bytes (id int, born bytea OPTIONS (format 'base64'))
  SERVER regress_crm OPTIONS (endpoint '/open/v/contacts results');
SELECT * FROM crm.bad_bytes;  -- ERROR

-- ===================================================================
-- errors of the grammar
-- ===================================================================
\set bad :configdir '/bad.rest'
CREATE SERVER regress_bad_model FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'bad');
CREATE SCHEMA bad;
SELECT write_model(:'bad', '{"t": {"#path": "/x", "born": "Date,d-M-y-G"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_model INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "born": "Date,dd/MM/yy"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_model INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "n": "Integer,d-M-y"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_model INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "n": "Integer,#primary"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_model INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "n": "Timestamp(9)"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_model INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "n": {"$ref": "#/nowhere"}}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_model INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "n": {"$ref": "/etc/passwd"}}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_model INTO bad');
-- a cycle of references ends with an error
SELECT write_model(:'bad', '{"#components": {"a": {"x": {"$ref": "#/components/b"}}, "b": {"y": {"$ref": "#/components/a"}}}, "t": {"#path": "/x", "n": {"$ref": "#/components/a"}}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_model INTO bad');
SELECT write_model(:'bad', '{"#options": {"ClientSecret": "s3"}, "t": "/x"}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_model INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": ["POST /x", "/y"], "n": "Integer"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_model INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#post": "text", "n": "Integer"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_model INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#get": {"a": "{b}"}, "n": "Integer"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_model INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#firstRow": 1, "#firstRowNumber": 2, "n": "Integer"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_model INTO bad');
SELECT write_model(:'bad', '{"#hostname": "https://a.example.com", "t": {"#path": "/x", "#hostname": "b", "n": "Integer"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_model INTO bad');
-- arrays become child tables (sql/children.sql); one described wrongly,
-- and maps, are refused, not misread
SELECT write_model(:'bad', '{"t": {"#path": "/x", "id": "Integer", "lines[]": 5}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_model INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "n": "Integer", "Time Series (5min){}": {"open": "Double"}}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_model INTO bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "id": {"#type": "Integer", "#mandatory": true}}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_model INTO bad');
SELECT write_model(:'bad', '{"t<>": "/x"}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_bad_model INTO bad');
SELECT count(*) FROM model_tables('bad');

-- ===================================================================
-- Clean up
-- ===================================================================
\set VERBOSITY terse
DROP SCHEMA crm, crm2, crm3, verify, bad CASCADE;
DROP SERVER regress_crm, regress_bad_model, regress_verify CASCADE;
DROP FUNCTION model_columns(text), model_tables(text);
RESET regress.configdir;
DROP VIEW model_requests;
DROP FOREIGN TABLE model_log;
