--
-- Option validation: every option is checked at CREATE/ALTER time.
--
\set VERBOSITY default
\set SHOW_CONTEXT never

-- ===================================================================
-- Foreign data wrapper: no options
-- ===================================================================
ALTER FOREIGN DATA WRAPPER rest_fdw OPTIONS (base_url 'http://x');  -- ERROR

-- ===================================================================
-- Server options
-- ===================================================================
CREATE SERVER regress_s FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url 'https://api.example.com/v1',
           authentication_method 'OAuth2',     -- case-insensitive
           token_uri 'https://auth.example.com/oauth/token',
           scope 'read write',
           grant_type 'refresh_token',
           client_id 'public-client-id',
           client_auth 'post',
           connect_timeout '5',
           timeout '60',
           ssl_ca_file '/etc/ssl/certs/ca-certificates.crt',
           user_agent 'regress-agent/1.0');
SELECT srvname, srvoptions FROM pg_foreign_server WHERE srvname = 'regress_s';

-- unknown and misplaced options list the valid ones
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (base_uri 'http://x');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (endpoint '/x');  -- ERROR

-- secrets are refused on a server, whose options every user can read
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (client_secret 'not-a-real-secret');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (refresh_token 'x');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (password 'x');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (api_key 'x');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (access_token 'x');  -- ERROR
ALTER SERVER regress_s OPTIONS (ADD client_secret 'x');  -- ERROR

-- URLs must be http or https and name a host
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (base_url 'ftp://example.com');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (base_url 'file:///etc/passwd');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (base_url 'https://');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (base_url 'http://exa mple.com');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (token_uri 'example.com/token');  -- ERROR

-- enumerations
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (authentication_method 'kerberos');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (grant_type 'password');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (client_auth 'jwt');  -- ERROR

-- integers
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (timeout 'ten');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (timeout '0');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (connect_timeout '-1');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (connect_timeout '99999999999');  -- ERROR

-- header names and other strings
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (auth_header 'X-Key: injected');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (user_agent E'agent\r\nX-Injected: 1');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (ssl_ca_file 'relative/ca.pem');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (client_id '');  -- ERROR

-- ALTER SERVER is validated the same way
ALTER SERVER regress_s OPTIONS (SET authentication_method 'digest');  -- ERROR
ALTER SERVER regress_s OPTIONS (SET authentication_method 'http_header', ADD auth_header 'X-API-Key');
ALTER SERVER regress_s OPTIONS (SET authentication_method 'url_parameter', ADD auth_param 'key');
ALTER SERVER regress_s OPTIONS (SET authentication_method 'BASIC');
ALTER SERVER regress_s OPTIONS (SET authentication_method 'none');

-- ===================================================================
-- User mapping options
-- ===================================================================
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_s
  OPTIONS (client_id 'id', client_secret 'not-a-real-secret', refresh_token 'not-a-real-token',
           "user" 'u', password 'not-a-real-password', api_key 'not-a-real-key',
           access_token 'not-a-real-token');
CREATE USER MAPPING FOR PUBLIC SERVER regress_s OPTIONS (base_url 'http://x');  -- ERROR
CREATE USER MAPPING FOR PUBLIC SERVER regress_s OPTIONS (scope 'read');  -- ERROR
CREATE USER MAPPING FOR PUBLIC SERVER regress_s OPTIONS (api_key E'a\nb');  -- ERROR
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_s OPTIONS (ADD token 'x');  -- ERROR

-- ===================================================================
-- Foreign table and column options
-- ===================================================================
CREATE FOREIGN TABLE regress_t (id int, city text OPTIONS (json_path 'address.city'))
  SERVER regress_s OPTIONS (endpoint '/customers?active=true', rows_path 'data.items');
SELECT ftoptions FROM pg_foreign_table WHERE ftrelid = 'regress_t'::regclass;
SELECT attname, attfdwoptions FROM pg_attribute
  WHERE attrelid = 'regress_t'::regclass AND attnum > 0 ORDER BY attnum;

CREATE FOREIGN TABLE regress_bad (id int) SERVER regress_s OPTIONS (path '/x');  -- ERROR
CREATE FOREIGN TABLE regress_bad (id int) SERVER regress_s OPTIONS (endpoint 'https://other.example.com/x');  -- ERROR
CREATE FOREIGN TABLE regress_bad (id int) SERVER regress_s OPTIONS (endpoint '/a b c');  -- ERROR
CREATE FOREIGN TABLE regress_bad (id int) SERVER regress_s OPTIONS (rows_path 'data..items');  -- ERROR
CREATE FOREIGN TABLE regress_bad (id int) SERVER regress_s OPTIONS (rows_path '.data');  -- ERROR
CREATE FOREIGN TABLE regress_bad (id int OPTIONS (json_path '')) SERVER regress_s;  -- ERROR
CREATE FOREIGN TABLE regress_bad (id int OPTIONS (path 'x')) SERVER regress_s;  -- ERROR
CREATE FOREIGN TABLE regress_bad (id int) SERVER regress_s OPTIONS (json_path 'x');  -- ERROR
ALTER FOREIGN TABLE regress_t ALTER COLUMN id OPTIONS (ADD json_path 'ident');
ALTER FOREIGN TABLE regress_t OPTIONS (SET rows_path 'items.');  -- ERROR

-- ===================================================================
-- Queries report options that are missing where they are needed
-- ===================================================================
CREATE SERVER regress_nourl FOREIGN DATA WRAPPER rest_fdw;
CREATE FOREIGN TABLE regress_nourl_t (id int) SERVER regress_nourl;
SELECT * FROM regress_nourl_t;  -- ERROR

CREATE SERVER regress_nomap FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url 'http://127.0.0.1:9', authentication_method 'basic');
CREATE FOREIGN TABLE regress_nomap_t (id int) SERVER regress_nomap;
SELECT * FROM regress_nomap_t;  -- ERROR
-- EXPLAIN needs no credentials and makes no request
EXPLAIN (COSTS OFF) SELECT * FROM regress_nomap_t;

-- ===================================================================
-- Clean up
-- ===================================================================
DROP SERVER regress_s, regress_nourl, regress_nomap CASCADE;
