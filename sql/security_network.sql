--
-- Where servers may connect: rest_fdw.allowed_hosts for servers owned by
-- non-superusers (loopback, private and link-local addresses refused by
-- default, checked by name and again by the address connected to), the
-- privilege of ssl_ca_file, and credentials over plain http://.
--
\getenv port REST_TEST_PORT
\getenv client_secret REST_TEST_CLIENT_SECRET
\getenv api_key REST_TEST_API_KEY
\getenv ca_file REST_TEST_CA_FILE
\set base_url 'http://127.0.0.1:' :port
\set localhost_url 'http://localhost:' :port
\set token_uri :base_url '/oauth/token'
\set host_port '127.0.0.1:' :port
\set VERBOSITY default
\set SHOW_CONTEXT never
-- the setting is known once the library is loaded
LOAD 'rest_fdw';

-- show_error, with the ports of [::1] and localhost. hidden as well; a
-- refusal of "localhost" at ::1 is shown as at 127.0.0.1 (libcurl 8
-- resolves "localhost" itself and tries ::1 first, 7.88 only 127.0.0.1)
CREATE FUNCTION net_error(query text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  e text;
  localhost_v6 boolean := false;
BEGIN
  FOR e IN SELECT * FROM show_error(query) LOOP
    e := regexp_replace(regexp_replace(e, '\[::1\]:[0-9]+', '[::1]:PORT', 'g'),
                        'localhost\.:[0-9]+', 'localhost.:PORT', 'g');
    localhost_v6 := localhost_v6 OR e LIKE 'ERROR:  % "localhost:PORT" at address [::1]:PORT %';
    IF localhost_v6 THEN
      e := replace(e, '[::1]:PORT', '127.0.0.1:PORT');
    END IF;
    RETURN NEXT e;
  END LOOP;
END
$$;

-- the request count of the test API, before and after a refused query
CREATE FUNCTION api_requests() RETURNS int
LANGUAGE sql SECURITY DEFINER AS $$ SELECT api_requests FROM api_stats $$;

CREATE ROLE regress_net_user;
GRANT USAGE ON FOREIGN DATA WRAPPER rest_fdw TO regress_net_user;
CREATE SCHEMA regress_net AUTHORIZATION regress_net_user;
GRANT USAGE ON SCHEMA regress_net TO PUBLIC;

-- the user's server pointed at url, and the error (or rows) of a scan
CREATE FUNCTION net_try(url text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER SERVER regress_net_srv OPTIONS (SET base_url %L)', url);
  RETURN QUERY SELECT * FROM net_error('SELECT count(*) FROM regress_net.customers');
END
$$;

-- ===================================================================
-- The default: any host, but public addresses only
-- ===================================================================
SHOW rest_fdw.allowed_hosts;
SET ROLE regress_net_user;
CREATE SERVER regress_net_srv FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', max_retries '0', connect_timeout '5');
CREATE FOREIGN TABLE regress_net.customers (id int) SERVER regress_net_srv
  OPTIONS (endpoint '/open/customers');
SELECT api_requests() AS before \gset
-- loopback by address: refused before anything is sent
SELECT * FROM net_error('SELECT count(*) FROM regress_net.customers');
SELECT api_requests() - :before AS requests_sent;
-- only a superuser may change the list, in every way
SET rest_fdw.allowed_hosts = '*, 127.0.0.1';  -- ERROR
SELECT set_config('rest_fdw.allowed_hosts', '127.0.0.1', false);  -- ERROR
RESET rest_fdw.allowed_hosts;  -- ERROR
CREATE FUNCTION regress_net.f() RETURNS int LANGUAGE sql
  SET rest_fdw.allowed_hosts = '127.0.0.1' AS 'SELECT 1';  -- ERROR
ALTER ROLE regress_net_user SET rest_fdw.allowed_hosts = '127.0.0.1';  -- ERROR
SHOW rest_fdw.allowed_hosts;
RESET ROLE;

-- other non-public addresses, refused before any connection attempt (a
-- connection to most of them would hang until connect_timeout)
SET ROLE regress_net_user;
SELECT net_try('http://169.254.169.254/latest/meta-data');
SELECT net_try('http://10.1.2.3');
SELECT net_try('http://172.16.0.1');
SELECT net_try('http://192.168.1.1');
SELECT net_try('http://100.64.0.1');
SELECT net_try('http://0.0.0.0');
SELECT net_try('http://224.0.0.1');
SELECT net_try('http://255.255.255.255');
SELECT net_try('http://[::1]:' || :'port');
SELECT net_try('http://[::ffff:127.0.0.1]');
SELECT net_try('http://[::ffff:169.254.169.254]');
SELECT net_try('http://[fe80::1]');
SELECT net_try('http://[fd00::1]');
SELECT net_try('http://[64:ff9b::a9fe:a9fe]');
SELECT net_try('http://[2002:a00:1::]');
SELECT net_try(:'base_url');
SELECT api_requests() - :before AS requests_sent;
RESET ROLE;

-- ===================================================================
-- Names are checked again by the address connected to
-- ===================================================================
-- "localhost" passes "*" by name, and is refused at its address
SET ROLE regress_net_user;
SELECT net_try(:'localhost_url');
SELECT api_requests() - :before AS requests_sent;
RESET ROLE;
SET rest_fdw.allowed_hosts = 'api.example.com';
SET ROLE regress_net_user;
SELECT net_try(:'localhost_url');
RESET ROLE;
-- an entry naming the host permits its loopback address
SET rest_fdw.allowed_hosts = 'localhost';
SET ROLE regress_net_user;
SELECT net_try(:'localhost_url');
RESET ROLE;
-- and so does one naming the address, whatever name resolves to it
SET rest_fdw.allowed_hosts = '*, 127.0.0.1';
SET ROLE regress_net_user;
SELECT net_try(:'localhost_url');
RESET ROLE;

-- ===================================================================
-- Entries with and without ports, blocks, domains
-- ===================================================================
SET rest_fdw.allowed_hosts = '127.0.0.1';
SET ROLE regress_net_user;
SELECT net_try(:'base_url');
RESET ROLE;
SET rest_fdw.allowed_hosts = :'host_port';
SET ROLE regress_net_user;
SELECT net_try(:'base_url');
RESET ROLE;
-- the wrong port
SET rest_fdw.allowed_hosts = '127.0.0.1:1, localhost:1';
SET ROLE regress_net_user;
SELECT net_try(:'base_url');
SELECT net_try(:'localhost_url');
RESET ROLE;
SET rest_fdw.allowed_hosts = '127.0.0.0/8';
SET ROLE regress_net_user;
SELECT net_try(:'base_url');
SELECT net_try(:'localhost_url');
RESET ROLE;
-- blocks: a name may resolve into one, so it is judged at its address
SET rest_fdw.allowed_hosts = '10.0.0.0/8, [fd00::/8]:443';
SET ROLE regress_net_user;
SELECT net_try(:'base_url');
SELECT net_try(:'localhost_url');
SELECT net_try('http://[fd00::1]/');
RESET ROLE;
-- domains and names
SET rest_fdw.allowed_hosts = '*.example.com, api.example.org:443';
SET ROLE regress_net_user;
SELECT net_try(:'localhost_url');
SELECT net_try('http://example.com');
SELECT net_try('http://api.example.org');
SELECT net_try('http://api.example.org.evil.test');
RESET ROLE;
-- nothing at all
SET rest_fdw.allowed_hosts = '';
SET ROLE regress_net_user;
SELECT net_try(:'base_url');
RESET ROLE;
-- malformed lists are refused
SET rest_fdw.allowed_hosts = 'api.example.com:http';  -- ERROR
SET rest_fdw.allowed_hosts = '*.';  -- ERROR
SET rest_fdw.allowed_hosts = '10.0.0.0/33';  -- ERROR
SET rest_fdw.allowed_hosts = 'http://api.example.com';  -- ERROR
-- an IPv4-mapped block shorter than /96 would be every IPv4 address
SET rest_fdw.allowed_hosts = '::ffff:10.0.0.0/8';  -- ERROR
SET rest_fdw.allowed_hosts = '*, [::ffff:0.0.0.0/0]:80';  -- ERROR
SHOW rest_fdw.allowed_hosts;
-- one of 96 bits or more is the IPv4 block: ::ffff:10.0.0.0/104 is 10.0.0.0/8
SET rest_fdw.allowed_hosts = '::ffff:10.0.0.0/104';
SET ROLE regress_net_user;
SELECT net_try(:'base_url');
SELECT net_try(:'localhost_url');
RESET ROLE;
SET rest_fdw.allowed_hosts = '::ffff:127.0.0.0/104';
SET ROLE regress_net_user;
SELECT net_try(:'base_url');
RESET ROLE;
-- a superuser's server is not limited
CREATE SERVER regress_net_su FOREIGN DATA WRAPPER rest_fdw OPTIONS (base_url :'localhost_url');
CREATE FOREIGN TABLE net_su_customers (id int) SERVER regress_net_su
  OPTIONS (endpoint '/open/customers');
SELECT count(*) FROM net_su_customers;
RESET rest_fdw.allowed_hosts;

-- ===================================================================
-- An owner who loses superuser loses the pooled connections too
-- ===================================================================
CREATE ROLE regress_net_owner SUPERUSER;
SET ROLE regress_net_owner;
CREATE SERVER regress_net_demoted FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'localhost_url', max_retries '0');
CREATE FOREIGN TABLE net_demoted (id int) SERVER regress_net_demoted
  OPTIONS (endpoint '/open/customers');
RESET ROLE;
-- a keep-alive connection to 127.0.0.1 stays in the pool
SELECT count(*) FROM net_demoted;
ALTER ROLE regress_net_owner NOSUPERUSER;
-- not reused: the new connection is checked, and refused
SELECT * FROM net_error('SELECT count(*) FROM net_demoted');
ALTER ROLE regress_net_owner SUPERUSER;
SELECT count(*) FROM net_demoted;

-- ===================================================================
-- token_uri, redirects and next pages go through the same check
-- ===================================================================
SET ROLE regress_net_user;
CREATE SERVER regress_net_oauth FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url 'https://api.example.com', authentication_method 'oauth2',
           grant_type 'client_credentials', token_uri :'token_uri', max_retries '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_net_oauth
  OPTIONS (client_id 'regress_cc', client_secret :'client_secret');
CREATE FOREIGN TABLE regress_net.oauth_customers (id int) SERVER regress_net_oauth
  OPTIONS (endpoint '/api/customers');
RESET ROLE;
SELECT token_requests AS tokens_before FROM api_stats \gset
SET ROLE regress_net_user;
SELECT * FROM net_error('SELECT count(*) FROM regress_net.oauth_customers');
RESET ROLE;
-- the token endpoint saw no request
SELECT token_requests - :tokens_before AS token_requests_sent FROM api_stats;

-- a redirect to a host the list does not name
SET rest_fdw.allowed_hosts = :'host_port';
SET ROLE regress_net_user;
SELECT net_try(:'base_url');
CREATE FOREIGN TABLE regress_net.redir_other (id int) SERVER regress_net_srv
  OPTIONS (endpoint '/open/redirect/other');
CREATE FOREIGN TABLE regress_net.redir_same (id int) SERVER regress_net_srv
  OPTIONS (endpoint '/open/redirect/same');
SELECT * FROM net_error('SELECT count(*) FROM regress_net.redir_other');
SELECT count(*) FROM regress_net.redir_same;
RESET ROLE;
RESET rest_fdw.allowed_hosts;

-- ===================================================================
-- ssl_ca_file names a file the server reads: privileged
-- ===================================================================
SET ROLE regress_net_user;
CREATE SERVER regress_net_tls FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url 'https://127.0.0.1:1', ssl_ca_file '/etc/passwd');  -- ERROR
CREATE SERVER regress_net_tls FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url 'https://127.0.0.1:1');
ALTER SERVER regress_net_tls OPTIONS (ADD ssl_ca_file '/etc/passwd');  -- ERROR
RESET ROLE;
GRANT pg_read_server_files TO regress_net_user;
SET ROLE regress_net_user;
ALTER SERVER regress_net_tls OPTIONS (ADD ssl_ca_file :'ca_file');
DROP SERVER regress_net_tls;
RESET ROLE;
REVOKE pg_read_server_files FROM regress_net_user;

-- ===================================================================
-- Credentials are not sent in plain text over the network
-- ===================================================================
-- 192.0.2.1 (TEST-NET-1) never answers: the errors come before any
-- connection attempt, not after connect_timeout
CREATE SERVER regress_net_plain FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url 'http://192.0.2.1:8080', authentication_method 'http_header',
           auth_header 'X-API-Key', connect_timeout '3', max_retries '0');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_net_plain
  OPTIONS (api_key :'api_key');
CREATE FOREIGN TABLE net_plain (id int) SERVER regress_net_plain
  OPTIONS (endpoint '/header/customers');
SELECT clock_timestamp() AS t0 \gset
SELECT * FROM net_error('SELECT count(*) FROM net_plain');
ALTER SERVER regress_net_plain OPTIONS (SET authentication_method 'url_parameter');
SELECT * FROM net_error('SELECT count(*) FROM net_plain');
ALTER SERVER regress_net_plain OPTIONS (SET authentication_method 'basic');
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_net_plain
  OPTIONS (DROP api_key, ADD user 'regress_api_user', ADD password 'not-a-real-password');
SELECT * FROM net_error('SELECT count(*) FROM net_plain');
-- an http:// token endpoint, with an https:// API
ALTER SERVER regress_net_plain OPTIONS (SET base_url 'https://192.0.2.1',
  SET authentication_method 'oauth2', ADD grant_type 'client_credentials',
  ADD token_uri 'http://192.0.2.1/oauth/token');
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_net_plain
  OPTIONS (DROP user, DROP password, ADD client_id 'regress_cc',
           ADD client_secret :'client_secret');
SELECT * FROM net_error('SELECT count(*) FROM net_plain');
SELECT clock_timestamp() - :'t0' < interval '2 seconds' AS without_connecting;
-- the opt-in: now the connection is attempted (and fails)
ALTER SERVER regress_net_plain OPTIONS (ADD allow_insecure_http 'maybe');  -- ERROR
ALTER SERVER regress_net_plain OPTIONS (ADD allow_insecure_http 'true', SET connect_timeout '1');
SELECT e LIKE 'ERROR:  could not connect to server "regress_net_plain"%' AS connect_attempted
  FROM net_error('SELECT count(*) FROM net_plain') AS e LIMIT 1;
-- loopback hosts keep working over http://
CREATE SERVER regress_net_local FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'localhost_url', authentication_method 'http_header',
           auth_header 'X-API-Key');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_net_local
  OPTIONS (api_key :'api_key');
CREATE FOREIGN TABLE net_local (id int) SERVER regress_net_local
  OPTIONS (endpoint '/header/customers');
SELECT count(*) FROM net_local;
-- exactly "localhost": "localhost." is a DNS name, which may resolve anywhere
\set localhost_dot_url 'http://localhost.:' :port
ALTER SERVER regress_net_local OPTIONS (SET base_url :'localhost_dot_url');
SELECT * FROM net_error('SELECT count(*) FROM net_local');
\set localhost_upper_url 'http://LocalHost:' :port
ALTER SERVER regress_net_local OPTIONS (SET base_url :'localhost_upper_url');
SELECT count(*) FROM net_local;
-- a host too long to be checked is refused, not waved through
SELECT 'http://' || repeat('abcdefghi.', 30) || 'example' AS long_url \gset
ALTER SERVER regress_net_plain OPTIONS (SET base_url :'long_url',
  SET authentication_method 'basic', DROP grant_type, DROP token_uri,
  DROP allow_insecure_http);
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_net_plain
  OPTIONS (DROP client_id, DROP client_secret, ADD user 'regress_api_user',
           ADD password 'not-a-real-password');
SELECT * FROM net_error('SELECT count(*) FROM net_plain');

-- ===================================================================
-- Headers a reverse proxy would trust are not for the headers option
-- ===================================================================
SET ROLE regress_net_user;
SELECT h, net_error(format(
    'CREATE FOREIGN TABLE regress_net.spoof (id int) SERVER regress_net_srv OPTIONS (headers %L)',
    json_build_object(h, '127.0.0.1')::text))
  FROM unnest(ARRAY['X-Forwarded-For', 'x-forwarded-host', 'X-Forwarded-Proto',
                    'X-Forwarded-Prefix', 'X-Real-IP', 'Forwarded',
                    'X-Original-Method']) AS h;
-- other headers are still fine
CREATE FOREIGN TABLE regress_net.spoof (id int) SERVER regress_net_srv
  OPTIONS (headers '{"X-Request-Source": "reporting"}');
DROP FOREIGN TABLE regress_net.spoof;
RESET ROLE;

-- ===================================================================
-- Clean up
-- ===================================================================
DROP SERVER regress_net_plain, regress_net_local, regress_net_su CASCADE;
DROP SERVER regress_net_demoted CASCADE;
DROP ROLE regress_net_owner;
DROP SERVER regress_net_srv, regress_net_oauth CASCADE;
DROP SCHEMA regress_net;
REVOKE USAGE ON FOREIGN DATA WRAPPER rest_fdw FROM regress_net_user;
DROP ROLE regress_net_user;
DROP FUNCTION net_try(text), net_error(text), api_requests();
