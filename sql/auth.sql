--
-- Authentication methods and the OAuth 2.0 token lifecycle, asserted
-- through the test server's counters.
--
\getenv port REST_TEST_PORT
\getenv client_secret REST_TEST_CLIENT_SECRET
\getenv refresh_token REST_TEST_REFRESH_TOKEN
\getenv static_token REST_TEST_STATIC_TOKEN
\getenv api_user REST_TEST_USER
\getenv api_password REST_TEST_PASSWORD
\getenv api_key REST_TEST_API_KEY
\set base_url 'http://127.0.0.1:' :port
\set token_uri :base_url '/oauth/token'
\set VERBOSITY default
\set SHOW_CONTEXT never

-- ===================================================================
-- none
-- ===================================================================
CREATE SERVER regress_open FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'none');
CREATE FOREIGN TABLE open_customers (id int, name text)
  SERVER regress_open OPTIONS (endpoint '/open/customers');
SELECT id, name FROM open_customers ORDER BY id;
-- a protected endpoint without credentials
CREATE FOREIGN TABLE open_protected (id int)
  SERVER regress_open OPTIONS (endpoint '/api/customers');
SELECT * FROM show_error('SELECT * FROM open_protected');

-- ===================================================================
-- basic
-- ===================================================================
CREATE SERVER regress_basic FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'basic');
CREATE FOREIGN TABLE basic_customers (id int, name text)
  SERVER regress_basic OPTIONS (endpoint '/basic/customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_basic
  OPTIONS ("user" :'api_user', password :'api_password');
SELECT count(*) FROM basic_customers;
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_basic
  OPTIONS (SET password 'wrong-password');
SELECT * FROM show_error('SELECT count(*) FROM basic_customers');
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_basic
  OPTIONS (DROP password);
SELECT count(*) FROM basic_customers;  -- ERROR

-- ===================================================================
-- http_header
-- ===================================================================
CREATE SERVER regress_header FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'http_header',
           auth_header 'X-API-Key');
CREATE FOREIGN TABLE header_customers (id int, name text)
  SERVER regress_header OPTIONS (endpoint '/header/customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_header
  OPTIONS (api_key :'api_key');
SELECT count(*) FROM header_customers;
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_header
  OPTIONS (SET api_key 'wrong-key');
SELECT * FROM show_error('SELECT count(*) FROM header_customers');

-- ===================================================================
-- url_parameter
-- ===================================================================
CREATE SERVER regress_param FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'url_parameter',
           auth_param 'api_key');
CREATE FOREIGN TABLE param_customers (id int, name text)
  SERVER regress_param OPTIONS (endpoint '/param/customers?sort=id');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_param
  OPTIONS (api_key :'api_key');
SELECT count(*) FROM param_customers;
-- the key is masked wherever the URL is shown
SELECT * FROM explain_filter('(COSTS OFF) SELECT * FROM param_customers');
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_param
  OPTIONS (SET api_key 'wrong-key');
SELECT * FROM show_error('SELECT count(*) FROM param_customers');

-- ===================================================================
-- oauth2, refresh_token grant, client_secret_basic
-- ===================================================================
CREATE SERVER regress_oauth FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', client_id 'regress_client');
CREATE FOREIGN TABLE oauth_customers (id int, name text)
  SERVER regress_oauth OPTIONS (endpoint '/api/customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_oauth
  OPTIONS (client_secret :'client_secret', refresh_token :'refresh_token');
SELECT * FROM api_reset;
-- one token request serves many queries
SELECT count(*) FROM oauth_customers;
SELECT count(*) FROM oauth_customers;
SELECT name FROM oauth_customers WHERE id = 3;
SELECT token_requests, refresh_grants, basic_auth_token_requests, api_requests, unauthorized
  FROM api_stats;

-- the API rejects the token (401): one refresh, the same request again
SELECT * FROM api_reset;
SELECT expired > 0 AS expired FROM api_expire_tokens;
SELECT count(*) FROM oauth_customers;
SELECT token_requests, api_requests, unauthorized FROM api_stats;
SELECT count(*) FROM oauth_customers;
SELECT token_requests, api_requests, unauthorized FROM api_stats;

-- an endpoint that rejects every token: one refresh, then an error
SELECT * FROM api_reset;
CREATE FOREIGN TABLE oauth_always401 (id int)
  SERVER regress_oauth OPTIONS (endpoint '/api/always401');
SELECT * FROM show_error('SELECT * FROM oauth_always401');
SELECT token_requests, api_requests, unauthorized FROM api_stats;

-- a new scope needs a new access token; an ALTER that changes nothing a
-- token depends on keeps using the shared one
SELECT * FROM api_reset;
ALTER SERVER regress_oauth OPTIONS (ADD scope 'read');
SELECT count(*) FROM oauth_customers;
SELECT count(*) FROM oauth_customers;
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_oauth
  OPTIONS (ADD client_id 'regress_client');
SELECT count(*) FROM oauth_customers;
SELECT token_requests FROM api_stats;
SELECT last_scope FROM api_clients WHERE client_id = 'regress_client';

-- scope the authorization server does not know
ALTER SERVER regress_oauth OPTIONS (SET scope 'read bogus');
SELECT * FROM show_error('SELECT count(*) FROM oauth_customers');
ALTER SERVER regress_oauth OPTIONS (DROP scope);

-- wrong client secret
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_oauth
  OPTIONS (SET client_secret 'wrong-secret');
SELECT * FROM show_error('SELECT count(*) FROM oauth_customers');

-- refresh token the authorization server does not know
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_oauth
  OPTIONS (SET client_secret :'client_secret', SET refresh_token 'not-a-valid-refresh-token');
SELECT * FROM show_error('SELECT count(*) FROM oauth_customers');

-- no refresh token at all
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_oauth OPTIONS (DROP refresh_token);
SELECT count(*) FROM oauth_customers;  -- ERROR
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_oauth
  OPTIONS (ADD refresh_token :'refresh_token');
SELECT count(*) FROM oauth_customers;

-- no token_uri
ALTER SERVER regress_oauth OPTIONS (DROP token_uri);
SELECT count(*) FROM oauth_customers;  -- ERROR
ALTER SERVER regress_oauth OPTIONS (ADD token_uri :'token_uri');

-- ===================================================================
-- oauth2 variants: client_secret_post, encoded client ids, public
-- clients, expires_in absent or a string
-- ===================================================================
CREATE SERVER regress_post FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', client_auth 'post');
CREATE FOREIGN TABLE post_customers (id int)
  SERVER regress_post OPTIONS (endpoint '/api/customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_post
  OPTIONS (client_id 'regress_post', client_secret :'client_secret',
           refresh_token :'refresh_token');
SELECT * FROM api_reset;
SELECT count(*) FROM post_customers;
SELECT token_requests, post_auth_token_requests, basic_auth_token_requests FROM api_stats;
-- this client may not use HTTP Basic
ALTER SERVER regress_post OPTIONS (SET client_auth 'basic');
SELECT * FROM show_error('SELECT count(*) FROM post_customers');

-- client ids are form-urlencoded inside HTTP Basic (RFC 6749 2.3.1)
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_post
  OPTIONS (SET client_id 'regress:colon%client');
SELECT count(*) FROM post_customers;

-- a public client sends its id and no secret
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_post
  OPTIONS (SET client_id 'regress public', DROP client_secret);
SELECT count(*) FROM post_customers;

-- without expires_in the token is kept until the API rejects it
SELECT * FROM api_reset;
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_post
  OPTIONS (SET client_id 'regress_noexp', ADD client_secret :'client_secret');
SELECT count(*) FROM post_customers;
SELECT count(*) FROM post_customers;
SELECT token_requests FROM api_stats;

-- expires_in as a string
SELECT * FROM api_reset;
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_post
  OPTIONS (SET client_id 'regress_strexp');
SELECT count(*) FROM post_customers;
SELECT count(*) FROM post_customers;
SELECT token_requests FROM api_stats;

-- ===================================================================
-- oauth2: refresh before expiry
-- ===================================================================
CREATE SERVER regress_short FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', client_id 'regress_short');
CREATE FOREIGN TABLE short_customers (id int)
  SERVER regress_short OPTIONS (endpoint '/api/customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_short
  OPTIONS (client_secret :'client_secret', refresh_token :'refresh_token');
SELECT * FROM api_reset;
SELECT count(*) FROM short_customers;
SELECT count(*) FROM short_customers;
SELECT pg_sleep(2.2);
-- the token (2 s) has expired: a new one is obtained before the request
SELECT count(*) FROM short_customers;
SELECT token_requests, unauthorized FROM api_stats;

-- ===================================================================
-- oauth2: rotated refresh tokens are used from then on
-- ===================================================================
CREATE SERVER regress_rotate FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', client_id 'regress_rotate');
CREATE FOREIGN TABLE rotate_customers (id int)
  SERVER regress_rotate OPTIONS (endpoint '/api/customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_rotate
  OPTIONS (client_secret :'client_secret', refresh_token :'refresh_token');
SELECT * FROM api_reset;
SELECT count(*) FROM rotate_customers;
SELECT expired > 0 AS expired FROM api_expire_tokens;
-- refreshing again with the seed would revoke the grant
SELECT count(*) FROM rotate_customers;
SELECT expired > 0 AS expired FROM api_expire_tokens;
SELECT count(*) FROM rotate_customers;
-- a new scope needs a new access token, refreshed with the rotated token
ALTER SERVER regress_rotate OPTIONS (ADD scope 'read');
SELECT count(*) FROM rotate_customers;
SELECT refresh_grants, revoked, active_refresh_tokens
  FROM api_clients WHERE client_id = 'regress_rotate';
SELECT token_requests, token_errors, unauthorized FROM api_stats;

-- ===================================================================
-- oauth2: client_credentials grant
-- ===================================================================
CREATE SERVER regress_cc FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', grant_type 'client_credentials',
           scope 'read');
CREATE FOREIGN TABLE cc_customers (id int)
  SERVER regress_cc OPTIONS (endpoint '/api/customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_cc
  OPTIONS (client_id 'regress_cc', client_secret :'client_secret');
SELECT * FROM api_reset;
SELECT count(*) FROM cc_customers;
SELECT count(*) FROM cc_customers;
SELECT expired > 0 AS expired FROM api_expire_tokens;
SELECT count(*) FROM cc_customers;
SELECT token_requests, client_credentials_grants, refresh_grants, unauthorized FROM api_stats;
-- this client may not use the refresh_token grant
ALTER SERVER regress_cc OPTIONS (SET grant_type 'refresh_token');
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_cc
  OPTIONS (ADD refresh_token :'refresh_token');
SELECT * FROM show_error('SELECT count(*) FROM cc_customers');

-- ===================================================================
-- oauth2: a static access token from the user mapping
-- ===================================================================
CREATE SERVER regress_static FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2');
CREATE FOREIGN TABLE static_customers (id int)
  SERVER regress_static OPTIONS (endpoint '/api/customers');
CREATE FOREIGN TABLE static_always401 (id int)
  SERVER regress_static OPTIONS (endpoint '/api/always401');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_static
  OPTIONS (access_token :'static_token');
SELECT * FROM api_reset;
SELECT count(*) FROM static_customers;
SELECT token_requests FROM api_stats;
SELECT * FROM show_error('SELECT * FROM static_always401');

-- ===================================================================
-- The shared token state
-- ===================================================================
SELECT server_name, user_name, state, expires_at > now() AS expires_later,
       last_refresh <= now() AS refreshed_before, refresh_count, last_error
  FROM rest_fdw_token_status() ORDER BY server_name;

-- forgetting the rotated refresh token leaves only the retired seed: the
-- authorization server detects its reuse and revokes the grant
SELECT rest_fdw_forget_tokens('regress_rotate', current_user);
SELECT state FROM rest_fdw_token_status() WHERE server_name = 'regress_rotate';
SELECT * FROM show_error('SELECT count(*) FROM rotate_customers');
SELECT state, last_error FROM rest_fdw_token_status() WHERE server_name = 'regress_rotate';
SELECT revoked FROM api_clients WHERE client_id = 'regress_rotate';
-- the user authorizes again: the new seed starts a new grant
CREATE FOREIGN TABLE api_new_grant (refresh_token text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/new_grant?client=regress_rotate');
SELECT refresh_token AS new_seed FROM api_new_grant \gset
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_rotate
  OPTIONS (SET refresh_token :'new_seed');
SELECT count(*) FROM rotate_customers;
SELECT state, refresh_count FROM rest_fdw_token_status() WHERE server_name = 'regress_rotate';
SELECT refresh_grants, revoked FROM api_clients WHERE client_id = 'regress_rotate';

SELECT rest_fdw_forget_tokens('regress_open');  -- no user mappings: 0
SELECT rest_fdw_forget_tokens('regress_oauth', 'nobody');  -- ERROR
SELECT rest_fdw_forget_tokens('regress_oauth', 'public');  -- ERROR
SELECT rest_fdw_forget_tokens('no_such_server');  -- ERROR

-- other users see only their own and PUBLIC mappings, and may not forget
-- other users' tokens
CREATE ROLE regress_other;
CREATE USER MAPPING FOR PUBLIC SERVER regress_cc
  OPTIONS (client_id 'regress_cc', client_secret 'not-a-real-secret');
SET ROLE regress_other;
SELECT server_name, user_name, state FROM rest_fdw_token_status();
SELECT rest_fdw_forget_tokens('regress_oauth', 'postgres');  -- ERROR
SELECT rest_fdw_forget_tokens('regress_oauth');  -- nothing it may forget: 0
RESET ROLE;
DROP USER MAPPING FOR PUBLIC SERVER regress_cc;
DROP ROLE regress_other;

-- ===================================================================
-- Clean up
-- ===================================================================
DROP SERVER regress_open, regress_basic, regress_header, regress_param,
  regress_oauth, regress_post, regress_short, regress_rotate, regress_cc,
  regress_static CASCADE;
