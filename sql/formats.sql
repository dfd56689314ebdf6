--
-- Response formats other than JSON: NDJSON (JSON Lines), CSV and XML, decoded
-- to JSON as soon as they arrive, so that json_path, pushdown, paging and
-- IMPORT FOREIGN SCHEMA read them as they read JSON.  The endpoints are
-- under /open/fmt/ (test/api/formats.py).
--
\getenv port REST_TEST_PORT
\set base_url 'http://127.0.0.1:' :port
\set VERBOSITY default
\set SHOW_CONTEXT never
SET datestyle = 'ISO, YMD';
SET extra_float_digits = 0;

-- one request at a time, so that the request log is in order
CREATE SERVER regress_fmt FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', fetch_concurrency '1');

CREATE FOREIGN TABLE fmt_log (seq int, path text, query text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/log');
CREATE VIEW fmt_requests AS
  SELECT path, query FROM fmt_log WHERE path NOT LIKE '/_admin/%' ORDER BY seq;

-- ===================================================================
-- options
-- ===================================================================
CREATE FOREIGN TABLE fmt_opt (id int) SERVER regress_fmt
  OPTIONS (endpoint '/x', response_format 'yaml');	-- ERROR
CREATE FOREIGN TABLE fmt_opt (id int) SERVER regress_fmt
  OPTIONS (endpoint '/x', csv_delimiter ';;');		-- ERROR
CREATE FOREIGN TABLE fmt_opt (id int) SERVER regress_fmt
  OPTIONS (endpoint '/x', csv_quote E'\n');			-- ERROR
CREATE FOREIGN TABLE fmt_opt (id int) SERVER regress_fmt
  OPTIONS (endpoint '/x', csv_header 'maybe');		-- ERROR
CREATE FOREIGN TABLE fmt_opt (id int) SERVER regress_fmt
  OPTIONS (endpoint '/x', response_format 'csv', csv_delimiter E'\t',
           csv_quote '''', csv_header 'false');
DROP FOREIGN TABLE fmt_opt;

-- ===================================================================
-- NDJSON
-- ===================================================================
-- by Content-Type (application/x-ndjson): typed columns, \r\n, a blank line
CREATE FOREIGN TABLE people_nd (
  id int, name text, score numeric, active boolean, joined date, city text
) SERVER regress_fmt OPTIONS (endpoint '/open/fmt/ndjson');
SELECT * FROM people_nd ORDER BY id;
-- a condition pushed into the query string
ALTER FOREIGN TABLE people_nd ALTER COLUMN active OPTIONS (ADD param 'active');
SELECT * FROM api_reset;
SELECT id, name FROM people_nd WHERE active = false ORDER BY id;
SELECT * FROM fmt_requests;
-- offset paging: the page size is the NDJSON's line count
ALTER FOREIGN TABLE people_nd OPTIONS (ADD paging 'offset', ADD page_size '2',
                                       ADD page_size_param 'limit');
SELECT * FROM api_reset;
SELECT id FROM people_nd ORDER BY id;
SELECT * FROM fmt_requests;
-- a rows_path cannot name anything in an NDJSON body
ALTER FOREIGN TABLE people_nd OPTIONS (ADD rows_path 'data');
SELECT id FROM people_nd;							-- ERROR
DROP FOREIGN TABLE people_nd;

-- another Content-Type: not read as JSON, unless response_format says so
CREATE FOREIGN TABLE people_octet (id int, name text)
  SERVER regress_fmt OPTIONS (endpoint '/open/fmt/ndjson_octet');
SELECT * FROM people_octet;							-- ERROR
ALTER FOREIGN TABLE people_octet OPTIONS (ADD response_format 'ndjson');
SELECT * FROM people_octet ORDER BY id;
-- a forced format wins over the Content-Type: CSV read as JSON fails
CREATE FOREIGN TABLE csv_as_json (id int) SERVER regress_fmt
  OPTIONS (endpoint '/open/fmt/csv', response_format 'json');
SELECT * FROM csv_as_json;							-- ERROR
DROP FOREIGN TABLE csv_as_json;
-- and the server's option is the default of its tables
CREATE SERVER regress_fmt_nd FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', response_format 'ndjson');
CREATE FOREIGN TABLE people_octet2 (id int)
  SERVER regress_fmt_nd OPTIONS (endpoint '/open/fmt/ndjson_octet');
SELECT count(*) FROM people_octet2;
DROP FOREIGN TABLE people_octet, people_octet2;

-- bad NDJSON: each an ERROR that names the line
CREATE FOREIGN TABLE bad_nd (id int) SERVER regress_fmt
  OPTIONS (endpoint '/open/fmt/bad/ndjson_line');
SELECT * FROM bad_nd;								-- ERROR
ALTER FOREIGN TABLE bad_nd OPTIONS (SET endpoint '/open/fmt/bad/ndjson_truncated');
SELECT * FROM bad_nd;								-- ERROR
ALTER FOREIGN TABLE bad_nd OPTIONS (SET endpoint '/open/fmt/bad/ndjson_latin1');
SELECT * FROM bad_nd;								-- ERROR
ALTER FOREIGN TABLE bad_nd OPTIONS (SET endpoint '/open/fmt/bad/ndjson_two');
SELECT * FROM bad_nd;								-- ERROR
DROP FOREIGN TABLE bad_nd;

-- ===================================================================
-- CSV
-- ===================================================================
-- by Content-Type (text/csv): every field a string, converted per column;
-- quoted delimiters, doubled quotes, line breaks and spaces kept; an empty
-- field is NULL in a non-text column (empty_as_null), "" in a text column
CREATE FOREIGN TABLE people_csv (
  id int, name text, score numeric, active boolean, joined date, city text
) SERVER regress_fmt OPTIONS (endpoint '/open/fmt/csv');
SELECT id, '[' || name || ']' AS name, score, active, joined, city
  FROM people_csv ORDER BY id;
SELECT id, score IS NULL AS no_score, joined IS NULL AS no_date FROM people_csv
  WHERE id IN (3, 4) ORDER BY id;
-- a condition pushed into the query string
ALTER FOREIGN TABLE people_csv ALTER COLUMN active OPTIONS (ADD param 'active');
SELECT * FROM api_reset;
SELECT id, name FROM people_csv WHERE active ORDER BY id;
SELECT * FROM fmt_requests;
-- page-number paging, two records a page
ALTER FOREIGN TABLE people_csv OPTIONS (ADD paging 'page', ADD page_param 'page',
                                        ADD page_size '2', ADD page_size_param 'per_page');
SELECT * FROM api_reset;
SELECT id, city FROM people_csv ORDER BY id;
SELECT * FROM fmt_requests;
-- a rows_path cannot name anything in a CSV body
ALTER FOREIGN TABLE people_csv OPTIONS (ADD rows_path 'rows');
SELECT id FROM people_csv;							-- ERROR
DROP FOREIGN TABLE people_csv;

-- another delimiter
CREATE FOREIGN TABLE people_semi (id int, city text) SERVER regress_fmt
  OPTIONS (endpoint '/open/fmt/csv?sep=%3B', csv_delimiter ';');
SELECT * FROM people_semi ORDER BY id;
-- the wrong delimiter: a quoted field no longer ends at a delimiter
ALTER FOREIGN TABLE people_semi OPTIONS (DROP csv_delimiter);
SELECT * FROM people_semi ORDER BY id;
DROP FOREIGN TABLE people_semi;

-- without a header record: rows are arrays, read by position
CREATE FOREIGN TABLE people_pos (
  id int OPTIONS (json_path '0'),
  name text OPTIONS (json_path '1'),
  city text OPTIONS (json_path '5')
) SERVER regress_fmt OPTIONS (endpoint '/open/fmt/csv_noheader',
                              csv_header 'false');
SELECT * FROM people_pos ORDER BY id;
-- header_row: the first record holds names and is not a row
ALTER FOREIGN TABLE people_pos OPTIONS (SET endpoint '/open/fmt/csv',
                                         ADD header_row 'true');
SELECT id, name FROM people_pos ORDER BY id;
DROP FOREIGN TABLE people_pos;

-- a header without records: no rows
CREATE FOREIGN TABLE bad_csv (id int, name text) SERVER regress_fmt
  OPTIONS (endpoint '/open/fmt/bad/csv_empty');
SELECT count(*) FROM bad_csv;
-- bad CSV: each an ERROR that names the record
ALTER FOREIGN TABLE bad_csv OPTIONS (SET endpoint '/open/fmt/bad/csv_quote');
SELECT * FROM bad_csv;								-- ERROR
ALTER FOREIGN TABLE bad_csv OPTIONS (SET endpoint '/open/fmt/bad/csv_after_quote');
SELECT * FROM bad_csv;								-- ERROR
ALTER FOREIGN TABLE bad_csv OPTIONS (SET endpoint '/open/fmt/bad/csv_ragged');
SELECT * FROM bad_csv;								-- ERROR
ALTER FOREIGN TABLE bad_csv OPTIONS (SET endpoint '/open/fmt/bad/csv_truncated');
SELECT * FROM bad_csv;								-- ERROR
ALTER FOREIGN TABLE bad_csv OPTIONS (SET endpoint '/open/fmt/bad/csv_latin1');
SELECT * FROM bad_csv;								-- ERROR
ALTER FOREIGN TABLE bad_csv OPTIONS (SET endpoint '/open/fmt/bad/csv_dup');
SELECT * FROM bad_csv;								-- ERROR
-- forced CSV on a body that is not CSV: an error, not rows of garbage
ALTER FOREIGN TABLE bad_csv OPTIONS (SET endpoint '/open/fmt/bad/ndjson_line',
                                     ADD response_format 'csv');
SELECT * FROM bad_csv;								-- ERROR
DROP FOREIGN TABLE bad_csv;

-- a server's response size bounds the decoded JSON too
CREATE SERVER regress_fmt_small FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', max_response_size '1MB');
CREATE FOREIGN TABLE small_csv (id int) SERVER regress_fmt_small
  OPTIONS (endpoint '/open/fmt/wide?rows=20000');
SELECT * FROM small_csv;							-- ERROR

-- an ordinary user may choose the format of its tables
CREATE ROLE regress_fmt_user;
GRANT USAGE ON FOREIGN SERVER regress_fmt TO regress_fmt_user;
GRANT CREATE ON SCHEMA public TO regress_fmt_user;
SET ROLE regress_fmt_user;
CREATE FOREIGN TABLE user_csv (id int, city text) SERVER regress_fmt
  OPTIONS (endpoint '/open/fmt/csv_noheader', response_format 'csv',
           csv_header 'false');
SELECT count(*) FROM user_csv;
ALTER FOREIGN TABLE user_csv ALTER COLUMN id OPTIONS (ADD json_path '0');
ALTER FOREIGN TABLE user_csv ALTER COLUMN city OPTIONS (ADD json_path '5');
SELECT * FROM user_csv WHERE id = 2;
DROP FOREIGN TABLE user_csv;
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM regress_fmt_user;
REVOKE USAGE ON FOREIGN SERVER regress_fmt FROM regress_fmt_user;
DROP ROLE regress_fmt_user;

-- ===================================================================
-- XML
-- ===================================================================
-- by Content-Type (application/atom+xml): the document is an object whose
-- member is the root element, so rows_path names the root too; attributes
-- are "@name", prefixes are dropped, repeated elements are arrays
CREATE FOREIGN TABLE people_xml (
  id int OPTIONS (json_path '@id'),
  name text,
  score numeric,
  active boolean OPTIONS (json_path '@active'),
  joined date,
  city text OPTIONS (json_path 'address.city'),
  kind text OPTIONS (json_path 'address.@kind'),
  tags jsonb OPTIONS (json_path 'tag'),
  note jsonb,
  extra text OPTIONS (json_path '#text')
) SERVER regress_fmt OPTIONS (endpoint '/open/fmt/xml', rows_path 'feed.entry');
SELECT * FROM people_xml ORDER BY id;
-- a condition pushed into the query string, and next-URL paging read from
-- the decoded document (feed.next), with the total (feed.@total)
ALTER FOREIGN TABLE people_xml ALTER COLUMN active OPTIONS (ADD param 'active');
ALTER FOREIGN TABLE people_xml OPTIONS (ADD paging 'next_url',
                                        ADD next_url_path 'feed.next',
                                        ADD total_count_path 'feed.@total');
SELECT * FROM api_reset;
SELECT id, name FROM people_xml WHERE active ORDER BY id;
SELECT * FROM fmt_requests;
SELECT * FROM api_reset;
SELECT count(*) FROM people_xml;
SELECT * FROM fmt_requests;
DROP FOREIGN TABLE people_xml;
-- one entry is still an array of rows
CREATE FOREIGN TABLE one_xml (id int OPTIONS (json_path '@id'), name text)
  SERVER regress_fmt OPTIONS (endpoint '/open/fmt/xml_one', rows_path 'feed.entry');
SELECT * FROM one_xml;
-- the whole document as one row, without rows_path
ALTER FOREIGN TABLE one_xml OPTIONS (ADD response_format 'xml', DROP rows_path);
ALTER FOREIGN TABLE one_xml ALTER COLUMN id OPTIONS (SET json_path 'feed.@total');
-- (one entry outside rows_path is an object, not an array)
ALTER FOREIGN TABLE one_xml ALTER COLUMN name OPTIONS (ADD json_path 'feed.entry.name');
SELECT * FROM one_xml;
DROP FOREIGN TABLE one_xml;
-- the declared encoding is read (ISO-8859-1 here, as text/xml)
CREATE FOREIGN TABLE latin_xml (id int OPTIONS (json_path '@id'), name text)
  SERVER regress_fmt OPTIONS (endpoint '/open/fmt/xml_latin1',
                              rows_path 'people.person');
SELECT * FROM latin_xml;
DROP FOREIGN TABLE latin_xml;

-- hostile and broken XML: each an ERROR, nothing expanded or read
CREATE FOREIGN TABLE bad_xml (id text) SERVER regress_fmt
  OPTIONS (endpoint '/open/fmt/bad/xml_lol', rows_path 'rows.row');
SELECT * FROM bad_xml;								-- ERROR
ALTER FOREIGN TABLE bad_xml OPTIONS (SET endpoint '/open/fmt/bad/xml_xxe');
SELECT * FROM bad_xml;								-- ERROR
ALTER FOREIGN TABLE bad_xml OPTIONS (SET endpoint '/open/fmt/bad/xml_dtd');
SELECT * FROM bad_xml;								-- ERROR
ALTER FOREIGN TABLE bad_xml OPTIONS (SET endpoint '/open/fmt/bad/xml_entity');
SELECT * FROM bad_xml;								-- ERROR
ALTER FOREIGN TABLE bad_xml OPTIONS (SET endpoint '/open/fmt/bad/xml_deep');
SELECT * FROM bad_xml;								-- ERROR
-- the DETAIL of a not well-formed document quotes libxml2, whose wording
-- differs between its versions (Debian 12, 13 and sid): only the message
\set VERBOSITY terse
ALTER FOREIGN TABLE bad_xml OPTIONS (SET endpoint '/open/fmt/bad/xml_truncated');
SELECT * FROM bad_xml;								-- ERROR
ALTER FOREIGN TABLE bad_xml OPTIONS (SET endpoint '/open/fmt/bad/xml_badenc');
SELECT * FROM bad_xml;								-- ERROR
-- forced XML on a body that is not XML
ALTER FOREIGN TABLE bad_xml OPTIONS (SET endpoint '/open/fmt/csv',
                                     ADD response_format 'xml');
SELECT * FROM bad_xml;								-- ERROR
\set VERBOSITY default
ALTER FOREIGN TABLE bad_xml OPTIONS (DROP response_format);
ALTER FOREIGN TABLE bad_xml OPTIONS (SET endpoint '/open/fmt/bad/xml_badutf8');
SELECT * FROM bad_xml;								-- ERROR
DROP FOREIGN TABLE bad_xml;

-- ===================================================================
-- IMPORT FOREIGN SCHEMA: sampling decoded bodies
-- ===================================================================
CREATE SERVER regress_fmt_import_nd FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_sample_path '/open/fmt/ndjson');
CREATE SCHEMA fmt_nd;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_fmt_import_nd INTO fmt_nd;
SELECT table_name, column_name, data_type FROM information_schema.columns
  WHERE table_schema = 'fmt_nd' ORDER BY table_name, ordinal_position;
SELECT id, name, active FROM fmt_nd.ndjson ORDER BY id;

CREATE SERVER regress_fmt_import_csv FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_sample_path '/open/fmt/csv_noheader',
           csv_header 'false');
CREATE SCHEMA fmt_csv;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_fmt_import_csv INTO fmt_csv;
SELECT table_name, column_name, data_type FROM information_schema.columns
  WHERE table_schema = 'fmt_csv' ORDER BY table_name, ordinal_position;
DROP SCHEMA fmt_csv CASCADE;
ALTER SERVER regress_fmt_import_csv OPTIONS (SET rest_sample_path '/open/fmt/csv',
                                              DROP csv_header);
CREATE SCHEMA fmt_csv;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_fmt_import_csv INTO fmt_csv;
SELECT table_name, column_name, data_type FROM information_schema.columns
  WHERE table_schema = 'fmt_csv' ORDER BY table_name, ordinal_position;
SELECT * FROM fmt_csv.csv ORDER BY id;
-- XML, with the rows found by sampling
CREATE SERVER regress_fmt_import_xml FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_sample_path '/open/fmt/xml');
CREATE SCHEMA fmt_xml;
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_fmt_import_xml INTO fmt_xml;
SELECT foreign_table_name, option_name, option_value
  FROM information_schema.foreign_table_options
  WHERE foreign_table_schema = 'fmt_xml' ORDER BY 1, 2;
SELECT table_name, column_name, data_type FROM information_schema.columns
  WHERE table_schema = 'fmt_xml' ORDER BY table_name, ordinal_position;
DROP SCHEMA fmt_xml CASCADE;
-- a bad sample is the same ERROR
ALTER SERVER regress_fmt_import_csv OPTIONS (SET rest_sample_path '/open/fmt/bad/csv_ragged');
IMPORT FOREIGN SCHEMA rest FROM SERVER regress_fmt_import_csv INTO fmt_csv;	-- ERROR

-- ===================================================================
-- clean up
-- ===================================================================
DROP SCHEMA fmt_nd, fmt_csv CASCADE;
DROP VIEW fmt_requests;
DROP FOREIGN TABLE fmt_log;
DROP SERVER regress_fmt, regress_fmt_nd, regress_fmt_small,
  regress_fmt_import_nd, regress_fmt_import_csv, regress_fmt_import_xml CASCADE;
