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
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (grant_type 'implicit');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (client_auth 'jwt');  -- ERROR

-- integers
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (timeout 'ten');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (timeout '0');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (connect_timeout '-1');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (connect_timeout '99999999999');  -- ERROR
-- every integer option has its limits, and none overflows
ALTER SERVER regress_s OPTIONS (ADD max_retry_wait '2147483');  -- seconds, as milliseconds in an int
ALTER SERVER regress_s OPTIONS (SET max_retry_wait '2147484');  -- ERROR
ALTER SERVER regress_s OPTIONS (ADD max_retries '-1');  -- ERROR
ALTER SERVER regress_s OPTIONS (ADD low_speed_limit '2147483648');  -- ERROR
ALTER SERVER regress_s OPTIONS (ADD sample_rows '2147483648');  -- ERROR
ALTER SERVER regress_s OPTIONS (ADD sample_rows '99999999999999999999');  -- ERROR
ALTER SERVER regress_s OPTIONS (ADD page_size '2147483647');
ALTER SERVER regress_s OPTIONS (SET page_size '2147483648');  -- ERROR
ALTER SERVER regress_s OPTIONS (ADD first_offset '-2147483649');  -- ERROR
ALTER SERVER regress_s OPTIONS (ADD fetch_concurrency '33');  -- ERROR
ALTER SERVER regress_s OPTIONS (ADD request_cost '1e15');  -- ERROR
ALTER SERVER regress_s OPTIONS (DROP max_retry_wait, DROP page_size);

-- sizes: bytes or a unit, from 1kB to 1GB
ALTER SERVER regress_s OPTIONS (ADD max_response_size '1GB');
ALTER SERVER regress_s OPTIONS (SET max_response_size '1024');
ALTER SERVER regress_s OPTIONS (SET max_response_size '64 MB');
ALTER SERVER regress_s OPTIONS (SET max_response_size '1025MB');  -- ERROR
ALTER SERVER regress_s OPTIONS (SET max_response_size '1TB');  -- ERROR
ALTER SERVER regress_s OPTIONS (SET max_response_size '1023');  -- ERROR
ALTER SERVER regress_s OPTIONS (SET max_response_size '-1kB');  -- ERROR
ALTER SERVER regress_s OPTIONS (DROP max_response_size);

-- header names and other strings
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (auth_header 'X-Key: injected');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (user_agent E'agent\r\nX-Injected: 1');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (ssl_ca_file 'relative/ca.pem');  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (client_id '');  -- ERROR

-- ALTER SERVER is validated the same way
ALTER SERVER regress_s OPTIONS (SET authentication_method 'kerberos');  -- ERROR
ALTER SERVER regress_s OPTIONS (SET authentication_method 'http_header', ADD auth_header 'X-API-Key');
ALTER SERVER regress_s OPTIONS (SET authentication_method 'url_parameter', ADD auth_param 'key');
ALTER SERVER regress_s OPTIONS (SET authentication_method 'BASIC');
ALTER SERVER regress_s OPTIONS (SET authentication_method 'none');

-- a server needs base_url: every endpoint of its tables is relative to it
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw;  -- ERROR
CREATE SERVER regress_bad FOREIGN DATA WRAPPER rest_fdw OPTIONS (timeout '5');  -- ERROR
ALTER SERVER regress_s OPTIONS (DROP base_url);  -- ERROR

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

-- Boolean options take every spelling PostgreSQL reads as a Boolean
CREATE FOREIGN TABLE regress_bool (id int OPTIONS (virtual 'yes'), name text)
  SERVER regress_s OPTIONS (endpoint '/people', exact 'on');
ALTER FOREIGN TABLE regress_bool OPTIONS (SET exact '1');
ALTER FOREIGN TABLE regress_bool ALTER COLUMN name OPTIONS (ADD virtual 'f');
EXPLAIN (COSTS OFF) SELECT * FROM regress_bool;
ALTER FOREIGN TABLE regress_bool OPTIONS (SET exact 'maybe');  -- ERROR

-- paging that reads elements of the response needs rows_path: a table that
-- sets both is refused when it is created or altered
CREATE FOREIGN TABLE regress_bad (id int) SERVER regress_s
  OPTIONS (endpoint '/x', paging 'cursor', cursor_path 'next');  -- ERROR
CREATE FOREIGN TABLE regress_bad (id int) SERVER regress_s
  OPTIONS (endpoint '/x data | /y', paging 'offset', has_more_path 'more');  -- ERROR
CREATE FOREIGN TABLE regress_paged (id int) SERVER regress_s
  OPTIONS (endpoint '/x data | /y items', paging 'next_url', next_url_path 'next');
ALTER FOREIGN TABLE regress_paged OPTIONS (SET endpoint '/x');  -- ERROR
ALTER FOREIGN TABLE regress_paged OPTIONS (SET paging 'none', SET endpoint '/x');
-- where the server's defaults decide, a query checks it
CREATE FOREIGN TABLE regress_cursor (id int) SERVER regress_s
  OPTIONS (endpoint '/x', rows_path 'data', paging 'cursor');
EXPLAIN (COSTS OFF) SELECT * FROM regress_cursor;  -- ERROR
ALTER SERVER regress_s OPTIONS (ADD cursor_path 'meta.next');
EXPLAIN (COSTS OFF) SELECT * FROM regress_cursor;
ALTER SERVER regress_s OPTIONS (DROP cursor_path);

-- ===================================================================
-- Queries report options that are missing where they are needed
-- ===================================================================
-- options set while the wrapper had no validator (or under an older one)
-- are read with the validator's rules and messages
ALTER FOREIGN DATA WRAPPER rest_fdw NO VALIDATOR;
CREATE SERVER regress_nourl FOREIGN DATA WRAPPER rest_fdw;
CREATE SERVER regress_unchecked FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url 'http://127.0.0.1:9', timeout 'soon');
ALTER FOREIGN DATA WRAPPER rest_fdw VALIDATOR rest_fdw_validator;
CREATE FOREIGN TABLE regress_nourl_t (id int) SERVER regress_nourl;
SELECT * FROM regress_nourl_t;  -- ERROR
CREATE FOREIGN TABLE regress_unchecked_t (id int) SERVER regress_unchecked;
SELECT * FROM regress_unchecked_t;  -- ERROR

CREATE SERVER regress_nomap FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url 'http://127.0.0.1:9', authentication_method 'basic');
CREATE FOREIGN TABLE regress_nomap_t (id int) SERVER regress_nomap;
SELECT * FROM regress_nomap_t;  -- ERROR
-- EXPLAIN needs no credentials and makes no request
EXPLAIN (COSTS OFF) SELECT * FROM regress_nomap_t;

-- ===================================================================
-- Clean up
-- ===================================================================
DROP SERVER regress_s, regress_nourl, regress_unchecked, regress_nomap CASCADE;
