--
-- Google Sheets: GET /v4/spreadsheets/<id>/values/<range>, {"values":
-- [[...], ...]} rows of cells, the first one the header; trailing empty
-- cells are left out and empty cells before a value are "", and an empty
-- range has no "values" at all.  An API key is sent as a query parameter.
-- The figures are those of the data the test API generates
-- (test/api/apis.py).
--
\getenv port REST_TEST_PORT
\getenv api_key REST_TEST_API_KEY
\set base_url 'http://127.0.0.1:' :port '/param'
\set VERBOSITY default
\set SHOW_CONTEXT never
-- its own schema, and ISO dates
CREATE SCHEMA api_sheets;
SET search_path = api_sheets, public;
SET DateStyle = ISO;

CREATE SERVER sheets FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'url_parameter', auth_param 'api_key',
           rest_sample_path '/sheets/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/values/Members?valueRenderOption=UNFORMATTED_VALUE&dateTimeRenderOption=FORMATTED_STRING');
CREATE USER MAPPING FOR CURRENT_USER SERVER sheets OPTIONS (api_key :'api_key');
CREATE FOREIGN TABLE sheets_log (seq int, method text, path text, query text, body text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/log');
SELECT coalesce(max(seq), 0) AS seen FROM sheets_log \gset

-- the range without its header row, each column by position
CREATE FOREIGN TABLE sheet_members (
  id int OPTIONS (json_path '0'),
  name text OPTIONS (json_path '1'),
  joined date OPTIONS (json_path '2'),
  score numeric OPTIONS (json_path '3'),
  note text OPTIONS (json_path '4')
) SERVER sheets OPTIONS (
  endpoint '/sheets/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/values/Members!A2:E',
  rows_path 'values', rows_path_optional 'true');
-- 42 members, 7 without a score ("" or a cell left out), 8 with a note
SELECT count(*), count(*) - count(score) AS no_score, count(note) AS notes, sum(score),
       min(joined), max(joined)
  FROM sheet_members;
-- one request, the key masked in the test API's log
SELECT path, query FROM sheets_log WHERE seq > :seen ORDER BY seq;
SELECT coalesce(max(seq), 0) AS seen FROM sheets_log \gset
SELECT id, name, joined, score, note FROM sheet_members WHERE id <= 6 ORDER BY id;

-- the names from the header row: IMPORT FOREIGN SCHEMA samples the sheet,
-- with numbers as numbers (UNFORMATTED_VALUE) and dates as text
CREATE SCHEMA sheets_import;
IMPORT FOREIGN SCHEMA rest FROM SERVER sheets INTO sheets_import OPTIONS (header_row 'true');
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attfdwoptions
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
  WHERE c.relnamespace = 'sheets_import'::regnamespace AND a.attnum > 0
  ORDER BY c.relname, a.attnum;
SELECT ftoptions FROM pg_foreign_table
  WHERE ftrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'sheets_import'::regnamespace);
-- the header row is not a row
SELECT count(*), sum(score), count(*) - count(score) AS no_score FROM sheets_import.members;
SELECT id, name, score FROM sheets_import.members ORDER BY score DESC NULLS LAST, id LIMIT 3;
SELECT coalesce(max(seq), 0) AS seen FROM sheets_log \gset

-- with empty_as_null 'false' "" is a string, and a column holding one text
ALTER SERVER sheets OPTIONS (ADD empty_as_null 'false');
CREATE SCHEMA sheets_strict;
IMPORT FOREIGN SCHEMA rest FROM SERVER sheets INTO sheets_strict OPTIONS (header_row 'true');
SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_attribute a WHERE a.attrelid = 'sheets_strict.members'::regclass AND a.attnum > 0
  ORDER BY a.attnum;
DROP SCHEMA sheets_strict CASCADE;
ALTER SERVER sheets OPTIONS (DROP empty_as_null);

-- an empty range: no "values", no rows
CREATE FOREIGN TABLE sheet_empty (a text OPTIONS (json_path '0')) SERVER sheets OPTIONS (
  endpoint '/sheets/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/values/Empty',
  rows_path 'values', rows_path_optional 'true');
SELECT count(*) FROM sheet_empty;
-- Google's own error for a range it cannot parse
ALTER FOREIGN TABLE sheet_empty OPTIONS (
  SET endpoint '/sheets/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/values/Members!5A:1');
SELECT * FROM show_error('SELECT count(*) FROM sheet_empty');

DROP SCHEMA sheets_import CASCADE;
DROP SERVER sheets CASCADE;
DROP FOREIGN TABLE sheets_log;
DROP SCHEMA api_sheets;
RESET search_path;
RESET DateStyle;
