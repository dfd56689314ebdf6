--
-- http_rules: what an API's HTTP statuses mean.  /open/fault/status answers
-- code with {"error": "fault", "attempt": n} for the first times requests
-- of its key, then 200 [{"id": 1, "attempts": n}]: attempts counts the
-- requests the API saw.
--
\getenv port REST_TEST_PORT
\set base_url 'http://127.0.0.1:' :port
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE SERVER regress_rules FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', max_retry_wait '5');
SELECT * FROM api_reset;

-- 404 means no rows: the scan ends without an error
CREATE FOREIGN TABLE r404 (id int, attempts int) SERVER regress_rules
  OPTIONS (endpoint '/open/fault/status?code=404&times=1&key=r404',
           http_rules '404 zero_rows');
SELECT * FROM r404;
SELECT * FROM r404;                                     -- the API's second answer is 200
-- without the rule, the same answer is an error
CREATE FOREIGN TABLE r404_plain (id int) SERVER regress_rules
  OPTIONS (endpoint '/open/fault/status?code=404&times=1&key=r404p');
SELECT * FROM show_error('SELECT * FROM r404_plain');
-- a server's rules are the default of its tables; a table's replace them
ALTER SERVER regress_rules OPTIONS (ADD http_rules '4xx zero_rows');
CREATE FOREIGN TABLE r410 (id int) SERVER regress_rules
  OPTIONS (endpoint '/open/fault/status?code=410&times=1&key=r410');
SELECT count(*) FROM r410;
CREATE FOREIGN TABLE r410_own (id int) SERVER regress_rules
  OPTIONS (endpoint '/open/fault/status?code=410&times=1&key=r410o',
           http_rules '404 zero_rows');
SELECT * FROM show_error('SELECT * FROM r410_own');
ALTER SERVER regress_rules OPTIONS (DROP http_rules);

-- retry_once: one more request, and only one
CREATE FOREIGN TABLE r500 (id int, attempts int) SERVER regress_rules
  OPTIONS (endpoint '/open/fault/status?code=500&times=1&key=r500',
           http_rules '500 match ''"fault"'' retry_once');
SELECT * FROM r500;                                     -- attempts 2
CREATE FOREIGN TABLE r500_twice (id int) SERVER regress_rules
  OPTIONS (endpoint '/open/fault/status?code=500&times=2&key=r500t',
           http_rules '5xx retry_once');
SELECT * FROM show_error('SELECT * FROM r500_twice');    -- attempt 2 fails
-- match: the first rule whose text the body holds decides
CREATE FOREIGN TABLE r500_msg (id int) SERVER regress_rules
  OPTIONS (endpoint '/open/fault/status?code=500&times=5&key=r500m',
           http_rules '500 match ''busy'' retry_once;
                       500 fail message ''the API failed with "{/error}" on attempt {/attempt}{/missing}''');
SELECT * FROM show_error('SELECT * FROM r500_msg');
-- fail without a message: the usual error, also for a 2xx the body condemns
CREATE FOREIGN TABLE r200_fail (id int) SERVER regress_rules
  OPTIONS (endpoint '/open/fault/status?code=500&times=0&key=r200f',
           http_rules '200 match ''"attempts": 1'' fail');
SELECT * FROM show_error('SELECT * FROM r200_fail');
SELECT * FROM r200_fail;                                -- attempts 2: not matched
-- ok: the body of a 400 is read as the response's rows
CREATE FOREIGN TABLE r400_ok (error text, attempt int) SERVER regress_rules
  OPTIONS (endpoint '/open/fault/status?code=400&times=1&key=r400',
           http_rules '400 ok');
SELECT * FROM r400_ok;
-- reauthenticate without credentials that can be refreshed: the error
CREATE FOREIGN TABLE r500_auth (id int) SERVER regress_rules
  OPTIONS (endpoint '/open/fault/status?code=500&times=1&key=r500a',
           http_rules '500 reauthenticate');
SELECT * FROM show_error('SELECT * FROM r500_auth');
-- rules are for statuses no rule names: others are as without the option
CREATE FOREIGN TABLE r502 (id int, attempts int) SERVER regress_rules
  OPTIONS (endpoint '/open/fault/status?code=502&times=1&key=r502',
           http_rules '404 zero_rows');
SELECT * FROM r502;                                     -- 502 is retried as always

-- bad rules are refused when written
CREATE FOREIGN TABLE r_bad (id int) SERVER regress_rules OPTIONS (endpoint '/x');
ALTER FOREIGN TABLE r_bad OPTIONS (ADD http_rules '');
ALTER FOREIGN TABLE r_bad OPTIONS (ADD http_rules ';');
ALTER FOREIGN TABLE r_bad OPTIONS (ADD http_rules '99 ok');
ALTER FOREIGN TABLE r_bad OPTIONS (ADD http_rules '404');
ALTER FOREIGN TABLE r_bad OPTIONS (ADD http_rules '404 explode');
ALTER FOREIGN TABLE r_bad OPTIONS (ADD http_rules '404 retry_after');
ALTER FOREIGN TABLE r_bad OPTIONS (ADD http_rules '404 zero_rows message ''x''');
ALTER FOREIGN TABLE r_bad OPTIONS (ADD http_rules '404 zero_rows 500 ok');
ALTER FOREIGN TABLE r_bad OPTIONS (ADD http_rules '404 match ''x zero_rows');
ALTER FOREIGN TABLE r_bad OPTIONS (ADD http_rules '404 match x zero_rows');
ALTER FOREIGN TABLE r_bad OPTIONS (ADD http_rules '404 match '''' zero_rows');
ALTER FOREIGN TABLE r_bad OPTIONS (ADD http_rules '404 fail message ''{oops}''');
ALTER FOREIGN TABLE r_bad OPTIONS (ADD http_rules E'404 match ''a\nb'' fail');
-- bounded: rules, texts and placeholders
DO $$ BEGIN EXECUTE format('ALTER FOREIGN TABLE r_bad OPTIONS (ADD http_rules %L)',
                           repeat('404 ok; ', 65)); END $$;
DO $$ BEGIN EXECUTE format('ALTER FOREIGN TABLE r_bad OPTIONS (ADD http_rules %L)',
                           '404 match ''' || repeat('x', 1001) || ''' ok'); END $$;
DO $$ BEGIN EXECUTE format('ALTER FOREIGN TABLE r_bad OPTIONS (ADD http_rules %L)',
                           '404 fail message ''' || repeat('{/a}', 9) || ''''); END $$;
-- 64 rules and a quote inside a text are fine
DO $$ BEGIN EXECUTE format('ALTER FOREIGN TABLE r_bad OPTIONS (ADD http_rules %L)',
                           repeat('404 ok; ', 63) || '404 match ''it''''s'' fail'); END $$;
ALTER FOREIGN TABLE r_bad OPTIONS (DROP http_rules);
-- a column cannot have it
ALTER FOREIGN TABLE r_bad ALTER COLUMN id OPTIONS (ADD http_rules '404 ok');

DROP SERVER regress_rules CASCADE;

-- ===================================================================
-- a model file's #http entries become http_rules
-- ===================================================================
\getenv configdir REST_TEST_CONFIG_DIR
\set cfg :configdir '/rules.rest'
CREATE SERVER regress_rules_model FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'cfg');
CREATE SCHEMA rules_model;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_rules_model INTO rules_model;
SELECT c.relname, opt
  FROM pg_foreign_table t JOIN pg_class c ON c.oid = t.ftrelid,
       unnest(t.ftoptions) opt
  WHERE c.relnamespace = 'rules_model'::regnamespace AND opt LIKE 'http_rules=%'
  ORDER BY 1;
SELECT * FROM rules_model.missing;                      -- 404: no rows
SELECT * FROM rules_model.broken;                       -- once more: attempts 2
-- bad entries are errors of the file
SET regress.configdir = :'configdir';
\set bad :configdir '/rules_bad.rest'
CREATE SERVER regress_rules_bad FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'bad');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#http": [{"#code": 418, "#action": "RESET"}], "id": "Integer"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_rules_bad INTO rules_model');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#http": [{"#code": 400, "#action": "RETRY_FIXED"}], "id": "Integer"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_rules_bad INTO rules_model');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#http": {"#code": 400}, "id": "Integer"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_rules_bad INTO rules_model');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#http": [{"#code": 400, "#action": "FAIL", "#when": 1}], "id": "Integer"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_rules_bad INTO rules_model');
SELECT write_model(:'bad', '{"t": {"#path": "/x", "#http": [{"#code": 400, "#action": "FAIL", "#message": "{oops}"}], "id": "Integer"}}');
SELECT model_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_rules_bad INTO rules_model');
DROP SERVER regress_rules_bad;
DROP SERVER regress_rules_model CASCADE;
DROP SCHEMA rules_model;
