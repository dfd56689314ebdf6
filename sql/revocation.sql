--
-- Token revocation (RFC 7009): rest_fdw_forget_tokens(..., revoke => true)
-- revokes the grant's newest refresh token (or, without one, its access
-- tokens) at the server's revocation_uri before forgetting them.
--
\getenv port REST_TEST_PORT
\getenv client_secret REST_TEST_CLIENT_SECRET
\set base_url 'http://127.0.0.1:' :port
\set token_uri :base_url '/oauth/token'
\set revocation_uri :base_url '/oauth/revoke'
\set VERBOSITY default
\set SHOW_CONTEXT never

-- revocation_uri is a URL, on the server only
CREATE SERVER regress_revoke FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2', token_uri :'token_uri',
           client_id 'regress_revoke', revocation_uri 'not a url');  -- ERROR
CREATE SERVER regress_revoke FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2', token_uri :'token_uri',
           client_id 'regress_revoke', revocation_uri :'revocation_uri');
CREATE FOREIGN TABLE revoke_customers (id int) SERVER regress_revoke
  OPTIONS (endpoint '/api/customers');
CREATE FOREIGN TABLE revoke_new_grant (refresh_token text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/new_grant?client=regress_revoke');
CREATE FOREIGN TABLE revoke_client (revoked boolean, revocations int, refresh_grants int,
                                    client_id text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/clients');
SELECT refresh_token AS seed FROM revoke_new_grant \gset
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_revoke
  OPTIONS (client_secret :'client_secret', refresh_token :'seed');
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_revoke
  OPTIONS (ADD revocation_uri :'revocation_uri');  -- ERROR: a server option

SELECT count(*) FROM revoke_customers;
SELECT state, refresh_count FROM rest_fdw_token_status() WHERE server_name = 'regress_revoke';

-- the revocation endpoint refuses the client: an ERROR, the tokens are kept
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_revoke
  OPTIONS (SET client_secret 'wrong-secret');
SELECT * FROM show_error($$SELECT rest_fdw_forget_tokens('regress_revoke', current_user, revoke => true)$$);
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_revoke
  OPTIONS (SET client_secret :'client_secret');
SELECT state FROM rest_fdw_token_status() WHERE server_name = 'regress_revoke';
SELECT revoked, revocations FROM revoke_client WHERE client_id = 'regress_revoke';

-- revoked, then forgotten
SELECT rest_fdw_forget_tokens('regress_revoke', current_user, revoke => true);
SELECT revoked, revocations FROM revoke_client WHERE client_id = 'regress_revoke';
SELECT state FROM rest_fdw_token_status() WHERE server_name = 'regress_revoke';
-- the grant is over: the provider refuses the seed
SELECT * FROM show_error('SELECT count(*) FROM revoke_customers');

-- forgetting without revoking sends nothing
SELECT refresh_token AS seed FROM revoke_new_grant \gset
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_revoke OPTIONS (SET refresh_token :'seed');
SELECT count(*) FROM revoke_customers;
SELECT rest_fdw_forget_tokens('regress_revoke', current_user);
SELECT revoked, revocations FROM revoke_client WHERE client_id = 'regress_revoke';

-- without revocation_uri: an ERROR that says what to set, nothing forgotten
SELECT refresh_token AS seed FROM revoke_new_grant \gset
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_revoke OPTIONS (SET refresh_token :'seed');
SELECT count(*) FROM revoke_customers;
ALTER SERVER regress_revoke OPTIONS (DROP revocation_uri);
SELECT * FROM show_error($$SELECT rest_fdw_forget_tokens('regress_revoke', current_user, revoke => true)$$);
SELECT state FROM rest_fdw_token_status() WHERE server_name = 'regress_revoke';

-- client_credentials: its access tokens are revoked
CREATE SERVER regress_revoke_cc FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2', token_uri :'token_uri',
           grant_type 'client_credentials', client_id 'regress_revoke',
           revocation_uri :'revocation_uri');
CREATE FOREIGN TABLE revoke_cc_customers (id int) SERVER regress_revoke_cc
  OPTIONS (endpoint '/api/customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_revoke_cc
  OPTIONS (client_secret :'client_secret');
SELECT count(*) FROM revoke_cc_customers;
SELECT rest_fdw_forget_tokens('regress_revoke_cc', NULL, true);
SELECT revocations FROM revoke_client WHERE client_id = 'regress_revoke';

-- only OAuth 2.0 tokens can be revoked
CREATE SERVER regress_revoke_basic FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'basic');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_revoke_basic
  OPTIONS ("user" 'u', password 'p');
SELECT * FROM show_error($$SELECT rest_fdw_forget_tokens('regress_revoke_basic', NULL, true)$$);

DROP SERVER regress_revoke, regress_revoke_cc, regress_revoke_basic CASCADE;
DROP FOREIGN TABLE revoke_new_grant, revoke_client;
