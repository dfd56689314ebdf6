--
-- Google Analytics Data API: POST /v1beta/properties/<id>:runReport with
-- the report, "limit" and "offset" in the JSON body; rows of positional
-- values (dimensionValues.0.value ...), dates as YYYYMMDD, "rowCount" the
-- total, and no "rows" element at all when a page or the report is empty.
-- A Google OAuth 2.0 access token is the bearer token.  The figures are
-- those of the data the test API generates (test/api/apis.py).
--
\getenv port REST_TEST_PORT
\getenv static_token REST_TEST_STATIC_TOKEN
\set base_url 'http://127.0.0.1:' :port '/api'
\set VERBOSITY default
\set SHOW_CONTEXT never
-- its own schema, and ISO dates
CREATE SCHEMA api_ga4;
SET search_path = api_ga4, public;
SET DateStyle = ISO;

CREATE SERVER ga4 FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2');
CREATE USER MAPPING FOR CURRENT_USER SERVER ga4 OPTIONS (access_token :'static_token');
CREATE FOREIGN TABLE ga4_log (seq int, method text, path text, query text, body text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/log');
SELECT coalesce(max(seq), 0) AS seen FROM ga4_log \gset

-- January 2024 by day and country
CREATE FOREIGN TABLE ga4_daily (
  day date OPTIONS (json_path 'dimensionValues.0.value', format '%Y%m%d'),
  country text OPTIONS (json_path 'dimensionValues.1.value'),
  active_users int OPTIONS (json_path 'metricValues.0.value'),
  revenue numeric OPTIONS (json_path 'metricValues.1.value')
) SERVER ga4 OPTIONS (
  endpoint '/ga4/v1beta/properties/314159265:runReport', method 'POST',
  body '{"dateRanges": [{"startDate": "2024-01-01", "endDate": "2024-01-31"}],
         "dimensions": [{"name": "date"}, {"name": "country"}],
         "metrics": [{"name": "activeUsers"}, {"name": "totalRevenue"}],
         "limit": {limit}, "offset": {offset}}',
  rows_path 'rows', rows_path_optional 'true', total_count_path 'rowCount',
  paging 'offset', page_size '50');

-- 31 days x 5 countries
SELECT count(*), count(DISTINCT day), sum(active_users), sum(revenue), min(day), max(day)
  FROM ga4_daily;
-- the first page gives rowCount 155: four pages, none past the end
SELECT method, body::jsonb -> 'offset' AS "offset", body::jsonb -> 'limit' AS "limit"
  FROM ga4_log WHERE seq > :seen ORDER BY (body::jsonb ->> 'offset')::int;
SELECT coalesce(max(seq), 0) AS seen FROM ga4_log \gset

-- a report of the whole quarter, by country, for the psql reader
SELECT country, sum(active_users) AS users, sum(revenue) AS revenue,
       round(sum(revenue) / sum(active_users), 2) AS revenue_per_user
  FROM ga4_daily GROUP BY country ORDER BY revenue DESC;
SELECT coalesce(max(seq), 0) AS seen FROM ga4_log \gset

-- the date range from the query's conditions, inside the body's strings
CREATE FOREIGN TABLE ga4_devices (
  start_date date OPTIONS (virtual 'true'),
  end_date date OPTIONS (virtual 'true'),
  device text OPTIONS (json_path 'dimensionValues.0.value'),
  sessions int OPTIONS (json_path 'metricValues.0.value')
) SERVER ga4 OPTIONS (
  endpoint '/ga4/v1beta/properties/314159265:runReport', method 'POST',
  body '{"dateRanges": [{"startDate": "{start_date}", "endDate": "{end_date}"}],
         "dimensions": [{"name": "deviceCategory"}], "metrics": [{"name": "sessions"}],
         "limit": {limit}, "offset": {offset}}',
  rows_path 'rows', rows_path_optional 'true', total_count_path 'rowCount',
  paging 'offset', page_size '1000');
SELECT start_date, end_date, device, sessions FROM ga4_devices
  WHERE start_date = '2024-03-01' AND end_date = '2024-03-31' ORDER BY device;
SELECT body::jsonb -> 'dateRanges' AS date_ranges FROM ga4_log WHERE seq > :seen ORDER BY seq;
SELECT coalesce(max(seq), 0) AS seen FROM ga4_log \gset
-- a range without data: no "rows" and no "rowCount", no rows, one request
SELECT count(*) FROM ga4_devices WHERE start_date = '2025-01-01' AND end_date = '2025-01-31';
SELECT count(*) AS requests FROM ga4_log WHERE seq > :seen;
-- without the conditions the dates are empty strings, and Google says why
SELECT * FROM show_error('SELECT count(*) FROM ga4_devices');
-- rows_path_optional 'false': the absent element is an error
ALTER FOREIGN TABLE ga4_devices OPTIONS (SET rows_path_optional 'false');
SELECT * FROM show_error($$SELECT count(*) FROM ga4_devices
                            WHERE start_date = '2025-01-01' AND end_date = '2025-01-31'$$);

DROP SERVER ga4 CASCADE;
DROP FOREIGN TABLE ga4_log;
DROP SCHEMA api_ga4;
RESET search_path;
RESET DateStyle;
