--
-- Faults and bad input: retries, timeouts, size limits, redirects,
-- responses that are not what they should be, malformed token responses,
-- and the host allow-list.  Every failure is a clear ERROR.
--
\getenv port REST_TEST_PORT
\getenv client_secret REST_TEST_CLIENT_SECRET
\getenv refresh_token REST_TEST_REFRESH_TOKEN
\set base_url 'http://127.0.0.1:' :port
\set token_uri :base_url '/oauth/token'
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE SERVER regress_faults FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', max_retry_wait '5');
CREATE FOREIGN TABLE api_attempts (key text, attempts int)
  SERVER regress_admin OPTIONS (endpoint '/_admin/attempts?key=k429');

-- ===================================================================
-- Retries
-- ===================================================================
SELECT * FROM api_reset;
CREATE FOREIGN TABLE f429 (id int, attempts int)
  SERVER regress_faults OPTIONS (endpoint '/open/fault/status?code=429&times=2&key=k429&retry_after=0');
SELECT * FROM f429;
SELECT attempts FROM api_attempts;
CREATE FOREIGN TABLE f429b (id int)
  SERVER regress_faults OPTIONS (endpoint '/open/fault/status?code=429&times=1&key=k429b&retry_after=0');
SELECT * FROM explain_filter('(ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM f429b');
CREATE FOREIGN TABLE f503 (id int, attempts int)
  SERVER regress_faults OPTIONS (endpoint '/open/fault/status?code=503&times=1&key=k503');
SELECT * FROM f503;
CREATE FOREIGN TABLE f502 (id int, attempts int)
  SERVER regress_faults OPTIONS (endpoint '/open/fault/status?code=502&times=1&key=k502');
SELECT * FROM f502;
CREATE FOREIGN TABLE f504 (id int, attempts int)
  SERVER regress_faults OPTIONS (endpoint '/open/fault/status?code=504&times=1&key=k504');
SELECT * FROM f504;
-- a dropped connection is retried too
CREATE FOREIGN TABLE fclose (id int, attempts int)
  SERVER regress_faults OPTIONS (endpoint '/open/fault/close?times=1&key=kclose&partial=1');
SELECT * FROM fclose;
-- Retry-After as an HTTP date
CREATE FOREIGN TABLE fdate (id int, attempts int)
  SERVER regress_faults OPTIONS (endpoint '/open/fault/status?code=429&times=1&key=kdate&retry_after=date1');
SELECT * FROM fdate;
-- 500 is not transient: no retry
CREATE FOREIGN TABLE f500 (id int)
  SERVER regress_faults OPTIONS (endpoint '/open/fault/status?code=500&times=1&key=k500');
SELECT * FROM show_error('SELECT * FROM f500');
-- more failures than max_retries
CREATE FOREIGN TABLE f503many (id int)
  SERVER regress_faults OPTIONS (endpoint '/open/fault/status?code=503&times=10&key=kmany&retry_after=0');
ALTER SERVER regress_faults OPTIONS (ADD max_retries '2');
SELECT * FROM show_error('SELECT * FROM f503many');
-- a Retry-After beyond max_retry_wait is not waited for
CREATE FOREIGN TABLE flong (id int)
  SERVER regress_faults OPTIONS (endpoint '/open/fault/status?code=429&times=1&key=klong&retry_after=3600');
SELECT * FROM show_error('SELECT * FROM flong');
ALTER SERVER regress_faults OPTIONS (DROP max_retries);

-- ===================================================================
-- Timeouts and limits
-- ===================================================================
CREATE SERVER regress_slow FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', timeout '1', max_retries '0');
-- a server that never accepts the connection
\getenv blackhole_port REST_TEST_BLACKHOLE_PORT
\set blackhole_url 'http://127.0.0.1:' :blackhole_port
CREATE SERVER regress_hole FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'blackhole_url', connect_timeout '1', max_retries '0');
CREATE FOREIGN TABLE hole (id int) SERVER regress_hole;
-- libcurl words the DETAIL one of two ways, depending on whether the
-- timeout is noticed while connecting or between polls of a slow backend
SELECT regexp_replace(e, 'Failed to connect to \S+ port N after N ms: Timeout was reached',
                      'Connection timeout after N ms')
  FROM show_error('SELECT * FROM hole') e;
DROP SERVER regress_hole CASCADE;
CREATE FOREIGN TABLE stall_headers (id int)
  SERVER regress_slow OPTIONS (endpoint '/open/stall/headers?seconds=5');
SELECT * FROM show_error('SELECT * FROM stall_headers');
CREATE FOREIGN TABLE stall_body (id int)
  SERVER regress_slow OPTIONS (endpoint '/open/stall/body?seconds=5');
SELECT * FROM show_error('SELECT * FROM stall_body');
ALTER SERVER regress_slow OPTIONS (SET timeout '60', ADD low_speed_limit '1000', ADD low_speed_time '1');
CREATE FOREIGN TABLE trickle (pad text)
  SERVER regress_slow OPTIONS (endpoint '/open/stall/trickle?bytes_per_second=20&total=2000');
SELECT * FROM show_error('SELECT * FROM trickle');
SET statement_timeout = '500ms';
SELECT * FROM stall_body;  -- ERROR
RESET statement_timeout;

CREATE SERVER regress_small FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', max_response_size '1MB');
CREATE FOREIGN TABLE huge (id int)
  SERVER regress_small OPTIONS (endpoint '/open/bad/huge_value?mb=5');
SELECT * FROM show_error('SELECT * FROM huge');
-- the limit applies to the decompressed body
CREATE FOREIGN TABLE gzip_ok (id int)
  SERVER regress_small OPTIONS (endpoint '/open/bad/gzip');
SELECT * FROM gzip_ok;
CREATE FOREIGN TABLE bomb (blob text)
  SERVER regress_small OPTIONS (endpoint '/open/bad/bomb?mb=50');
SELECT * FROM show_error('SELECT * FROM bomb');

-- ===================================================================
-- Bad responses
-- ===================================================================
CREATE FOREIGN TABLE bad_utf8 (name text) SERVER regress_faults OPTIONS (endpoint '/open/bad/invalid_utf8');
SELECT * FROM show_error('SELECT * FROM bad_utf8');
CREATE FOREIGN TABLE bad_empty (id int) SERVER regress_faults OPTIONS (endpoint '/open/bad/empty');
SELECT * FROM show_error('SELECT * FROM bad_empty');
CREATE FOREIGN TABLE bad_204 (id int) SERVER regress_faults OPTIONS (endpoint '/open/bad/no_content');
SELECT * FROM show_error('SELECT * FROM bad_204');
CREATE FOREIGN TABLE bad_xml (id int) SERVER regress_faults OPTIONS (endpoint '/open/bad/xml');
SELECT * FROM show_error('SELECT * FROM bad_xml');
CREATE FOREIGN TABLE bad_html (id int) SERVER regress_faults OPTIONS (endpoint '/open/bad/html_error');
SELECT * FROM show_error('SELECT * FROM bad_html');
CREATE FOREIGN TABLE bad_deep (id int) SERVER regress_faults OPTIONS (endpoint '/open/bad/deep?depth=100000');
SELECT * FROM show_error('SELECT * FROM bad_deep');
CREATE FOREIGN TABLE bad_deep_object (a jsonb) SERVER regress_faults OPTIONS (endpoint '/open/bad/deep_object?depth=100000');
SELECT * FROM show_error('SELECT * FROM bad_deep_object');
CREATE FOREIGN TABLE bad_scalars (id int) SERVER regress_faults OPTIONS (endpoint '/open/bad/scalar_rows');
SELECT * FROM show_error('SELECT * FROM bad_scalars');
CREATE FOREIGN TABLE bad_null_row (id int) SERVER regress_faults OPTIONS (endpoint '/open/bad/null_row');
SELECT * FROM show_error('SELECT * FROM bad_null_row');
CREATE FOREIGN TABLE big_number (n bigint, n_num numeric OPTIONS (json_path 'n'))
  SERVER regress_faults OPTIONS (endpoint '/open/bad/big_number');
SELECT n_num FROM big_number;
SELECT * FROM show_error('SELECT n FROM big_number');
CREATE FOREIGN TABLE bad_link (id int)
  SERVER regress_faults OPTIONS (endpoint '/open/bad/link_malformed', paging 'link_header');
SELECT * FROM show_error('SELECT * FROM bad_link');

-- ===================================================================
-- Redirects: followed within the origin only, http and https only
-- ===================================================================
CREATE FOREIGN TABLE redir_same (id int)
  SERVER regress_faults OPTIONS (endpoint '/open/redirect/same?to=/open/customers');
SELECT count(*) FROM redir_same;
CREATE FOREIGN TABLE redir_rel (id int)
  SERVER regress_faults OPTIONS (endpoint '/open/redirect/relative?to=/open/customers');
SELECT count(*) FROM redir_rel;
CREATE FOREIGN TABLE redir_other (id int)
  SERVER regress_faults OPTIONS (endpoint '/open/redirect/other?to=/open/customers');
SELECT * FROM show_error('SELECT count(*) FROM redir_other');
CREATE FOREIGN TABLE redir_ftp (id int)
  SERVER regress_faults OPTIONS (endpoint '/open/redirect/ftp');
SELECT * FROM show_error('SELECT count(*) FROM redir_ftp');
CREATE FOREIGN TABLE redir_loop (id int)
  SERVER regress_faults OPTIONS (endpoint '/open/redirect/loop');
SELECT * FROM show_error('SELECT count(*) FROM redir_loop');

-- ===================================================================
-- Malformed token responses
-- ===================================================================
CREATE SERVER regress_badtok FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2', token_uri :'token_uri');
CREATE FOREIGN TABLE badtok (id int) SERVER regress_badtok OPTIONS (endpoint '/api/customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_badtok
  OPTIONS (client_id 'regress_no_access_token', client_secret :'client_secret',
           refresh_token :'refresh_token');
SELECT * FROM show_error('SELECT * FROM badtok');
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_badtok OPTIONS (SET client_id 'regress_mac');
SELECT * FROM show_error('SELECT * FROM badtok');
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_badtok OPTIONS (SET client_id 'regress_html_token');
SELECT * FROM show_error('SELECT * FROM badtok');
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_badtok OPTIONS (SET client_id 'regress_bad_expires');
SELECT * FROM show_error('SELECT * FROM badtok');

-- ===================================================================
-- Servers of non-superusers and rest_fdw.allowed_hosts
-- ===================================================================
CREATE ROLE regress_owner;
GRANT USAGE ON FOREIGN DATA WRAPPER rest_fdw TO regress_owner;
CREATE SCHEMA regress_owned AUTHORIZATION regress_owner;
SET ROLE regress_owner;
CREATE SERVER regress_user_srv FOREIGN DATA WRAPPER rest_fdw OPTIONS (base_url :'base_url');
CREATE FOREIGN TABLE regress_owned.user_customers (id int) SERVER regress_user_srv
  OPTIONS (endpoint '/open/customers');
-- by default only public addresses: not the loopback address of the test API
SELECT * FROM show_error('SELECT count(*) FROM regress_owned.user_customers');
SET rest_fdw.allowed_hosts = 'api.example.com';  -- ERROR
RESET ROLE;
SET rest_fdw.allowed_hosts = 'api.example.com, *.example.org';
SET ROLE regress_owner;
SELECT * FROM show_error('SELECT count(*) FROM regress_owned.user_customers');
RESET ROLE;
-- a superuser's server is not limited
SELECT count(*) FROM redir_same;
SET rest_fdw.allowed_hosts = 'api.example.com, 127.0.0.1';
SET ROLE regress_owner;
SELECT count(*) FROM regress_owned.user_customers;
RESET ROLE;
RESET rest_fdw.allowed_hosts;
DROP SERVER regress_user_srv CASCADE;
DROP SCHEMA regress_owned;
REVOKE USAGE ON FOREIGN DATA WRAPPER rest_fdw FROM regress_owner;
DROP ROLE regress_owner;

-- ===================================================================
-- TLS: certificate and host name verification are always on
-- ===================================================================
\getenv tls_port REST_TEST_TLS_PORT
\getenv ca_file REST_TEST_CA_FILE
\set tls_url 'https://127.0.0.1:' :tls_port
\set tls_localhost 'https://localhost:' :tls_port
CREATE SERVER regress_tls FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'tls_url', max_retries '0');
CREATE FOREIGN TABLE tls_customers (id int) SERVER regress_tls
  OPTIONS (endpoint '/open/customers');
-- a certificate from a CA the server does not trust
SELECT * FROM show_error('SELECT count(*) FROM tls_customers');
ALTER SERVER regress_tls OPTIONS (ADD ssl_ca_file :'ca_file');
SELECT count(*) FROM tls_customers;
-- the certificate is for 127.0.0.1, not for localhost
ALTER SERVER regress_tls OPTIONS (SET base_url :'tls_localhost');
SELECT * FROM show_error('SELECT count(*) FROM tls_customers');
DROP SERVER regress_tls CASCADE;

-- ===================================================================
-- Option validation
-- ===================================================================
ALTER SERVER regress_faults OPTIONS (ADD max_retries '-1');  -- ERROR
ALTER SERVER regress_faults OPTIONS (SET max_retry_wait '0');  -- ERROR
ALTER SERVER regress_faults OPTIONS (ADD max_response_size '2GB');  -- ERROR
ALTER SERVER regress_faults OPTIONS (ADD max_response_size '12 apples');  -- ERROR
ALTER SERVER regress_faults OPTIONS (ADD low_speed_limit 'fast');  -- ERROR

DROP SERVER regress_faults, regress_slow, regress_small, regress_badtok CASCADE;
DROP FOREIGN TABLE api_attempts;
