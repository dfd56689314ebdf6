--
-- Authentication methods done by libcurl or sent as they are: bearer
-- (a static token), digest and aws_sigv4 (ntlm: auth_ntlm.sql), and the OAuth 2.0
-- password grant.  The test API checks every scheme against the known
-- secrets (test/api/authschemes.py): Digest responses (RFC 7616, MD5 and
-- SHA-256), NTLMv2 responses, and SigV4 signatures are recomputed and
-- compared; api_auth_events shows which checks ran and how they ended.
--
\getenv port REST_TEST_PORT
\getenv client_secret REST_TEST_CLIENT_SECRET
\getenv static_token REST_TEST_STATIC_TOKEN
\getenv api_user REST_TEST_USER
\getenv api_password REST_TEST_PASSWORD
\getenv aws_secret REST_TEST_AWS_SECRET
\getenv aws_session_token REST_TEST_AWS_SESSION_TOKEN
\set base_url 'http://127.0.0.1:' :port
\set token_uri :base_url '/oauth/token'
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE FOREIGN TABLE api_auth_events (seq int, scheme text, step text,
  algorithm text, ok boolean, "user" text, detail text, signed_headers text,
  session_token boolean)
  SERVER regress_admin OPTIONS (endpoint '/_admin/auth_events');
CREATE FOREIGN TABLE api_password_grants (password_grants int, token_requests int)
  SERVER regress_admin OPTIONS (endpoint '/_admin/stats');

-- whether the errors of a statement hold none of this file's secrets
CREATE TABLE am_secrets (s text);
INSERT INTO am_secrets VALUES (:'static_token'), (:'api_password'),
  (:'aws_secret'), (:'aws_session_token'), (:'client_secret');
CREATE FUNCTION am_clean(query text) RETURNS boolean
LANGUAGE sql AS $$
  SELECT bool_and(position(s IN e) = 0)
    FROM show_error(query) e, am_secrets
$$;

-- ===================================================================
-- bearer: a static access_token, sent as it is, never refreshed
-- ===================================================================
CREATE SERVER regress_bearer FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'bearer');
CREATE FOREIGN TABLE bearer_customers (id int, name text)
  SERVER regress_bearer OPTIONS (endpoint '/api/customers');
-- no user mapping, then one without the token
SELECT * FROM show_error('SELECT count(*) FROM bearer_customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_bearer OPTIONS (user 'x');
SELECT * FROM show_error('SELECT count(*) FROM bearer_customers');
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_bearer
  OPTIONS (DROP user, ADD access_token :'static_token');
SELECT * FROM api_reset;
SELECT count(*) FROM bearer_customers;
SELECT name FROM bearer_customers WHERE id = 2;
-- no token endpoint is ever asked
SELECT token_requests, api_requests, unauthorized FROM api_stats;
-- a rejected token is an error that says it is not refreshed
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_bearer
  OPTIONS (SET access_token 'at-revoked-token');
SELECT * FROM show_error('SELECT count(*) FROM bearer_customers');
SELECT token_requests FROM api_stats;
-- a token that would add header lines is refused before it is sent
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_bearer
  OPTIONS (SET access_token E'tok\u00e9n');
SELECT * FROM show_error('SELECT count(*) FROM bearer_customers');
-- the token is a secret: not on a server
ALTER SERVER regress_bearer OPTIONS (ADD access_token 'x');  -- ERROR

-- ===================================================================
-- digest (RFC 7616): MD5 and SHA-256, qop=auth
-- ===================================================================
CREATE SERVER regress_digest FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'digest');
CREATE FOREIGN TABLE digest_customers (id int, name text)
  SERVER regress_digest OPTIONS (endpoint '/digest/customers?sort=id');
CREATE FOREIGN TABLE digest256_customers (id int, name text)
  SERVER regress_digest OPTIONS (endpoint '/digest256/customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_digest
  OPTIONS ("user" :'api_user');
SELECT * FROM show_error('SELECT count(*) FROM digest_customers');
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_digest
  OPTIONS (ADD password :'api_password');
SELECT * FROM api_reset;
SELECT count(*) FROM digest_customers;
SELECT name FROM digest256_customers WHERE id = 5;
SELECT scheme, algorithm, ok, "user" FROM api_auth_events ORDER BY seq;
-- a wrong password: the server's second challenge is the error
SELECT * FROM api_reset;
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_digest
  OPTIONS (SET password 'wrong-password');
-- (the challenge's nonce changes from run to run)
SELECT regexp_replace(e, '(nonce|opaque)="[0-9a-z]+"', '\1="..."', 'g')
  FROM show_error('SELECT count(*) FROM digest256_customers') e;
SELECT scheme, algorithm, ok, detail FROM api_auth_events ORDER BY seq;
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_digest
  OPTIONS (SET password :'api_password');
SELECT am_clean('SELECT count(*) FROM digest_customers') AS digest_clean;

-- ===================================================================
-- aws_sigv4: libcurl signs, the test API recomputes the signature
-- ===================================================================
CREATE SERVER regress_sigv4 FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'aws_sigv4');
CREATE FOREIGN TABLE sigv4_customers (id int, name text)
  SERVER regress_sigv4 OPTIONS (endpoint '/sigv4/customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_sigv4
  OPTIONS (aws_access_key_id 'AKIDREGRESSEXAMPLE',
           aws_secret_access_key :'aws_secret');
-- the region and the service are the server's
SELECT * FROM show_error('SELECT count(*) FROM sigv4_customers');
ALTER SERVER regress_sigv4 OPTIONS (ADD aws_region 'eu-central-1');
SELECT * FROM show_error('SELECT count(*) FROM sigv4_customers');
ALTER SERVER regress_sigv4 OPTIONS (ADD aws_service 'execute-api');
SELECT * FROM api_reset;
SELECT count(*) FROM sigv4_customers;
-- (a query string with encoded characters: auth_sigv4_query.sql)
SELECT scheme, ok, signed_headers FROM api_auth_events ORDER BY seq;
-- a wrong secret: AWS-style 403, and a hint that names the options
SELECT * FROM api_reset;
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_sigv4
  OPTIONS (SET aws_secret_access_key 'wrong-secret');
SELECT * FROM show_error('SELECT count(*) FROM sigv4_customers');
SELECT am_clean('SELECT count(*) FROM sigv4_customers') AS sigv4_clean;
SELECT scheme, ok, detail FROM api_auth_events ORDER BY seq;
-- temporary credentials: the session token is sent and signed
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_sigv4
  OPTIONS (SET aws_access_key_id 'ASIAREGRESSEXAMPLE',
           SET aws_secret_access_key :'aws_secret');
SELECT * FROM show_error('SELECT count(*) FROM sigv4_customers');
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_sigv4
  OPTIONS (ADD aws_session_token :'aws_session_token');
SELECT * FROM api_reset;
SELECT count(*) FROM sigv4_customers;
SELECT scheme, ok, signed_headers, session_token FROM api_auth_events ORDER BY seq;
-- a service that quotes the session token back: shown as ***
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_sigv4
  OPTIONS (SET aws_access_key_id 'AKIDHOSTILEEXAMPLE');
SELECT regexp_replace(e, '[0-9]{8}|[0-9a-f]{64}', 'X', 'g')
  FROM show_error('SELECT count(*) FROM sigv4_customers') e;
SELECT am_clean('SELECT count(*) FROM sigv4_customers') AS sigv4_echo_clean;
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_sigv4
  OPTIONS (SET aws_access_key_id 'ASIAREGRESSEXAMPLE');
-- EXPLAIN shows neither the key nor the token
SELECT * FROM explain_filter('(COSTS OFF) SELECT * FROM sigv4_customers');
-- option checks
ALTER SERVER regress_sigv4 OPTIONS (SET aws_region 'eu:central');  -- ERROR
ALTER SERVER regress_sigv4 OPTIONS (ADD aws_secret_access_key 'x');  -- ERROR
ALTER SERVER regress_sigv4 OPTIONS (ADD aws_session_token 'x');  -- ERROR
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_sigv4
  OPTIONS (SET aws_access_key_id 'AKID/EXAMPLE');  -- ERROR
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_sigv4
  OPTIONS (SET aws_session_token E'a\nX-Injected: 1');  -- ERROR

-- ===================================================================
-- oauth2 with grant_type 'password' (RFC 6749 4.3; discouraged)
-- ===================================================================
CREATE SERVER regress_ropc FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           grant_type 'password', token_uri :'token_uri',
           client_id 'regress_ropc');
CREATE FOREIGN TABLE ropc_customers (id int, name text)
  SERVER regress_ropc OPTIONS (endpoint '/api/customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_ropc
  OPTIONS (client_secret :'client_secret', "user" :'api_user');
SELECT * FROM show_error('SELECT count(*) FROM ropc_customers');
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_ropc
  OPTIONS (ADD password :'api_password');
SELECT * FROM api_reset;
SELECT count(*) FROM ropc_customers;
SELECT count(*) FROM ropc_customers;
SELECT password_grants, token_requests FROM api_password_grants;
-- an expired token is replaced by asking again with the password
SELECT expired > 0 AS expired FROM api_expire_tokens;
SELECT count(*) FROM ropc_customers;
SELECT password_grants, token_requests FROM api_password_grants;
-- a new password is a new grant: a wrong one gets invalid_grant, and a
-- hint that names the options
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_ropc
  OPTIONS (SET password 'wrong-password');
SELECT * FROM show_error('SELECT count(*) FROM ropc_customers');
SELECT am_clean('SELECT count(*) FROM ropc_customers') AS ropc_clean;
-- a token endpoint that quotes the request body: the password is hidden
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_ropc
  OPTIONS (SET password :'api_password');
\set echo_uri :base_url '/secrets/token/echo'
\set echo_text_uri :base_url '/secrets/token/echo_text'
ALTER SERVER regress_ropc OPTIONS (SET token_uri :'echo_uri');
SELECT * FROM show_error('SELECT count(*) FROM ropc_customers');
SELECT am_clean('SELECT count(*) FROM ropc_customers') AS ropc_echo_clean;
ALTER SERVER regress_ropc OPTIONS (SET token_uri :'echo_text_uri');
SELECT * FROM show_error('SELECT count(*) FROM ropc_customers');
SELECT am_clean('SELECT count(*) FROM ropc_customers') AS ropc_echo_text_clean;

-- ===================================================================
-- clean up
-- ===================================================================
\set VERBOSITY terse
DROP SERVER regress_bearer, regress_digest, regress_sigv4,
  regress_ropc CASCADE;
DROP FUNCTION am_clean(text);
DROP TABLE am_secrets;
DROP FOREIGN TABLE api_auth_events, api_password_grants;
\set VERBOSITY default
