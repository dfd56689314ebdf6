--
-- QuickBooks Online: GET /v3/company/<realm>/query?query=<statement>, the
-- paging inside the statement (STARTPOSITION, 1-based, and MAXRESULTS),
-- the rows in QueryResponse.Customer, which is absent when no row is left,
-- and a page with fewer rows than asked for the last.  An OAuth 2.0 access
-- token is the bearer token.  The figures are those of the data the test
-- API generates (test/api/apis.py).
--
\getenv port REST_TEST_PORT
\getenv static_token REST_TEST_STATIC_TOKEN
\set base_url 'http://127.0.0.1:' :port '/api'
\set VERBOSITY default
\set SHOW_CONTEXT never
-- its own schema, and ISO dates
CREATE SCHEMA api_quickbooks;
SET search_path = api_quickbooks, public;
SET DateStyle = ISO;
SET TimeZone = 'UTC';

CREATE SERVER quickbooks FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2');
CREATE USER MAPPING FOR CURRENT_USER SERVER quickbooks OPTIONS (access_token :'static_token');
CREATE FOREIGN TABLE qbo_log (seq int, method text, path text, query text, body text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/log');
SELECT coalesce(max(seq), 0) AS seen FROM qbo_log \gset

-- an Active condition goes into the statement; without one, every customer
CREATE FOREIGN TABLE qbo_customers (
  id int OPTIONS (json_path 'Id'),
  display_name text OPTIONS (json_path 'DisplayName'),
  balance numeric OPTIONS (json_path 'Balance'),
  active boolean OPTIONS (json_path 'Active'),
  email text OPTIONS (json_path 'PrimaryEmailAddr.Address'),
  city text OPTIONS (json_path 'BillAddr.City'),
  created timestamptz OPTIONS (json_path 'MetaData.CreateTime')
) SERVER quickbooks OPTIONS (
  endpoint '/qbo/v3/company/9341452000000000/query?query=select%20*%20from%20Customer%20where%20Active%20%3D%20{active}%20STARTPOSITION%20{offset}%20MAXRESULTS%20{limit} | /qbo/v3/company/9341452000000000/query?query=select%20*%20from%20Customer%20STARTPOSITION%20{offset}%20MAXRESULTS%20{limit}',
  rows_path 'QueryResponse.Customer', rows_path_optional 'true',
  paging 'offset', first_offset '1', page_size '50', page_end 'short');

-- 123 customers, 11 inactive, 30 without an e-mail address
SELECT count(*), sum(balance), count(*) FILTER (WHERE NOT active) AS inactive,
       count(*) - count(email) AS no_email, min(created), max(id)
  FROM qbo_customers;
-- three pages: the third has 23 rows, fewer than 50, and is the last
SELECT method, query FROM qbo_log WHERE seq > :seen
  ORDER BY substring(query FROM 'STARTPOSITION%20([0-9]+)')::int;
SELECT coalesce(max(seq), 0) AS seen FROM qbo_log \gset

-- the condition in the statement
SELECT count(*), sum(balance) FROM qbo_customers WHERE active = false;
SELECT query FROM qbo_log WHERE seq > :seen ORDER BY seq;
SELECT coalesce(max(seq), 0) AS seen FROM qbo_log \gset
-- WHERE active is active = true
SELECT * FROM explain_filter('(COSTS OFF) SELECT * FROM qbo_customers WHERE active');
SELECT count(*) FROM qbo_customers WHERE active;
SELECT query FROM qbo_log WHERE seq > :seen
  ORDER BY substring(query FROM 'STARTPOSITION%20([0-9]+)')::int;
SELECT coalesce(max(seq), 0) AS seen FROM qbo_log \gset

-- balances by city, largest first
SELECT city, count(*) AS customers, sum(balance) AS balance
  FROM qbo_customers WHERE active GROUP BY city ORDER BY balance DESC;
SELECT coalesce(max(seq), 0) AS seen FROM qbo_log \gset

-- without page_end 'short', the page past the end (no "Customer") ends it
ALTER FOREIGN TABLE qbo_customers OPTIONS (DROP page_end);
SELECT count(*) FROM qbo_customers;
SELECT count(*) AS requests,
       count(*) FILTER (WHERE query LIKE '%STARTPOSITION%20124%') AS past_the_end
  FROM qbo_log WHERE seq > :seen;
SELECT coalesce(max(seq), 0) AS seen FROM qbo_log \gset

-- QuickBooks' own error for a statement it cannot parse
CREATE FOREIGN TABLE qbo_bad (id int OPTIONS (json_path 'Id')) SERVER quickbooks
  OPTIONS (endpoint '/qbo/v3/company/9341452000000000/query?query=selec%20*%20from%20Customer',
           rows_path 'QueryResponse.Customer', rows_path_optional 'true');
SELECT * FROM show_error('SELECT * FROM qbo_bad');

DROP SERVER quickbooks CASCADE;
DROP FOREIGN TABLE qbo_log;
DROP SCHEMA api_quickbooks;
RESET search_path;
RESET DateStyle;
RESET TimeZone;
