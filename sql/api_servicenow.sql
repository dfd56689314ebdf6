--
-- ServiceNow Table API: GET /api/now/table/incident?sysparm_offset=N&
-- sysparm_limit=M, the total in X-Total-Count, every value a JSON string
-- and "" when empty (numbers, dates, booleans and references alike), a
-- reference {"link": ..., "value": <sys_id>} or "".  HTTP Basic
-- authentication.  The figures are those of the data the test API
-- generates (test/api/apis.py).
--
\getenv port REST_TEST_PORT
\getenv api_user REST_TEST_USER
\getenv api_password REST_TEST_PASSWORD
\set base_url 'http://127.0.0.1:' :port '/basic'
\set VERBOSITY default
\set SHOW_CONTEXT never
-- its own schema, and ISO dates
CREATE SCHEMA api_servicenow;
SET search_path = api_servicenow, public;
SET DateStyle = ISO;

CREATE SERVER servicenow FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'basic');
CREATE USER MAPPING FOR CURRENT_USER SERVER servicenow
  OPTIONS ("user" :'api_user', password :'api_password');
CREATE FOREIGN TABLE sn_log (seq int, method text, path text, query text, body text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/log');
SELECT coalesce(max(seq), 0) AS seen FROM sn_log \gset

-- "" is NULL in the columns that are not text (empty_as_null, the default)
CREATE FOREIGN TABLE sn_incidents (
  sys_id text, number text, short_description text, priority int, state int, active boolean,
  opened_at timestamp, resolved_at timestamp, reassignment_count int,
  business_duration timestamp, u_estimate numeric,
  assigned_to text OPTIONS (json_path 'assigned_to.value'),
  caller_id text OPTIONS (json_path 'caller_id.value')
) SERVER servicenow OPTIONS (
  endpoint '/servicenow/api/now/table/incident?sysparm_query=priority%3D{priority} | /servicenow/api/now/table/incident',
  rows_path 'result', paging 'offset', offset_param 'sysparm_offset',
  page_size_param 'sysparm_limit', page_size '20', total_count_header 'X-Total-Count');

-- 73 incidents, 24 resolved, 10 without reassignment_count, 14 without an
-- estimate, 18 unassigned ("" instead of a reference)
SELECT count(*), count(resolved_at) AS resolved, count(*) - count(reassignment_count) AS no_count,
       count(*) - count(u_estimate) AS no_estimate, sum(u_estimate),
       count(*) - count(assigned_to) AS unassigned, count(caller_id) AS with_caller,
       count(*) FILTER (WHERE NOT active) AS inactive, count(*) FILTER (WHERE state = 6) AS state_6
  FROM sn_incidents;
-- X-Total-Count 73: four pages, none past the end
SELECT query FROM sn_log WHERE seq > :seen
  ORDER BY substring(query FROM 'sysparm_offset=([0-9]+)')::int;
SELECT coalesce(max(seq), 0) AS seen FROM sn_log \gset

-- three incidents: "" read as NULL in the columns that are not text
SELECT number, priority, resolved_at, reassignment_count, u_estimate,
       assigned_to IS NULL AS unassigned, business_duration
  FROM sn_incidents WHERE number IN ('INC0010003', 'INC0010004', 'INC0010007') ORDER BY number;
SELECT coalesce(max(seq), 0) AS seen FROM sn_log \gset

-- an integer condition goes into sysparm_query
SELECT count(*), min(number), max(number) FROM sn_incidents WHERE priority = 1;
SELECT query FROM sn_log WHERE seq > :seen ORDER BY seq;
SELECT coalesce(max(seq), 0) AS seen FROM sn_log \gset

-- the time to resolve by priority, for a psql report
SELECT priority, count(*) AS resolved, avg(resolved_at - opened_at) AS mean_time_to_resolve
  FROM sn_incidents WHERE resolved_at IS NOT NULL GROUP BY priority ORDER BY priority;

-- empty_as_null 'false': "" in an integer column is an error
ALTER FOREIGN TABLE sn_incidents ALTER COLUMN reassignment_count OPTIONS (ADD empty_as_null 'false');
SELECT * FROM show_error('SELECT sum(reassignment_count) FROM sn_incidents');

DROP SERVER servicenow CASCADE;
DROP FOREIGN TABLE sn_log;
DROP SCHEMA api_servicenow;
RESET search_path;
RESET DateStyle;
