--
-- Signed JWTs: the private_key option and the jwt_* options of the JWT
-- bearer grant (grant_type 'jwt_bearer') and of client authentication by
-- private_key_jwt and client_secret_jwt.  What is checked here happens
-- before anything is sent (test/t/016_jwt.pl has the real authorization
-- server).  Keys come from the environment (test/lib.sh), and no message
-- may quote them.
--
\getenv port REST_TEST_PORT
\getenv rsa_key REST_TEST_CLIENT_KEY
\getenv encrypted_key REST_TEST_CLIENT_KEY_ENCRYPTED
\getenv ec_key REST_TEST_JWT_EC_KEY
\getenv p384_key REST_TEST_JWT_P384_KEY
\getenv rsa1024_key REST_TEST_JWT_RSA1024_KEY
\set base_url 'http://127.0.0.1:' :port
\set token_uri :base_url '/oauth/token'
\set VERBOSITY default
\set SHOW_CONTEXT never

-- whether the errors of a statement hold none of the keys' base64 text
CREATE TABLE jwt_secrets (s text);
INSERT INTO jwt_secrets
  SELECT (regexp_split_to_array(k, E'\n'))[2]
    FROM (VALUES (:'rsa_key'), (:'encrypted_key'), (:'ec_key'), (:'p384_key'),
                 (:'rsa1024_key')) AS v(k);
CREATE FUNCTION jwt_clean(query text) RETURNS boolean
LANGUAGE sql AS $$
  SELECT bool_and(position(s IN e) = 0)
    FROM show_error(query) e, jwt_secrets
$$;

-- ===================================================================
-- Option validation
-- ===================================================================
CREATE SERVER regress_jwt FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2', token_uri :'token_uri',
           grant_type 'jwt_bearer', client_id 'regress_client');
CREATE FOREIGN TABLE jwt_customers (id int, name text)
  SERVER regress_jwt OPTIONS (endpoint '/api/customers');

-- Statements that fail are logged with their text (log_min_error_statement),
-- which here holds keys: not these
SET log_min_error_statement = panic;
-- a private key is a secret: user mappings only
ALTER SERVER regress_jwt OPTIONS (ADD private_key :'rsa_key');  -- ERROR
-- not PEM text, nor a key file; its text is not shown
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_jwt
  OPTIONS (private_key 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-not-a-key');  -- ERROR
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_jwt
  OPTIONS (private_key E'-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n');  -- ERROR
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_jwt
  OPTIONS (private_key '{"type": "service_account", "client_email": "a@b"}');  -- ERROR
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_jwt
  OPTIONS (private_key '{"private_key": ');  -- ERROR
-- keys that cannot sign RS256 or ES256
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_jwt
  OPTIONS (private_key :'encrypted_key');  -- ERROR
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_jwt
  OPTIONS (private_key :'p384_key');  -- ERROR
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_jwt
  OPTIONS (private_key :'rsa1024_key');  -- ERROR
RESET log_min_error_statement;
-- an RSA key, an EC P-256 key, and a service-account JSON key file
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_jwt
  OPTIONS (private_key :'ec_key');
SELECT json_build_object('type', 'service_account', 'private_key', :'rsa_key',
                         'client_email', 'regress@example.iam.gserviceaccount.com',
                         'private_key_id', 'k1', 'token_uri', :'token_uri') AS json_key \gset
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_jwt
  OPTIONS (SET private_key :'json_key');
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_jwt
  OPTIONS (SET private_key :'rsa_key');

-- jwt_algorithm: RS256 or ES256 (HS256 is client_secret_jwt's own)
ALTER SERVER regress_jwt OPTIONS (ADD jwt_algorithm 'HS256');  -- ERROR
ALTER SERVER regress_jwt OPTIONS (ADD jwt_algorithm 'none');  -- ERROR
ALTER SERVER regress_jwt OPTIONS (ADD jwt_algorithm 'es256');
-- jwt_lifetime: seconds, at most an hour
ALTER SERVER regress_jwt OPTIONS (ADD jwt_lifetime '0');  -- ERROR
ALTER SERVER regress_jwt OPTIONS (ADD jwt_lifetime '3601');  -- ERROR
ALTER SERVER regress_jwt OPTIONS (ADD jwt_lifetime '60');
-- jwt_x5t: a base64url thumbprint
ALTER SERVER regress_jwt OPTIONS (ADD jwt_x5t 'hOBcHZi846VCHSJbFAs26Go9VTQ=');  -- ERROR
ALTER SERVER regress_jwt OPTIONS (ADD jwt_x5t 'hOBcHZi846VCHSJbFAs26Go9VTQ');
-- the audience belongs to the server, the subject may be the user's
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_jwt
  OPTIONS (ADD jwt_audience 'https://login.example.com');  -- ERROR
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_jwt
  OPTIONS (ADD jwt_subject 'regress_alice@example.com', ADD jwt_key_id 'k1');
-- new grant types and client authentication methods
ALTER SERVER regress_jwt OPTIONS (SET grant_type 'jwt');  -- ERROR
ALTER SERVER regress_jwt OPTIONS (ADD client_auth 'private_key');  -- ERROR

-- ===================================================================
-- Checked when a token is requested, before anything is sent
-- ===================================================================
SELECT * FROM api_reset;
-- ES256 asked of an RSA key
SELECT * FROM show_error('SELECT count(*) FROM jwt_customers');
SELECT jwt_clean('SELECT count(*) FROM jwt_customers');
ALTER SERVER regress_jwt OPTIONS (SET jwt_algorithm 'RS256');
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_jwt
  OPTIONS (SET private_key :'ec_key');
SELECT * FROM show_error('SELECT count(*) FROM jwt_customers');
-- nothing reached the token endpoint
SELECT token_requests FROM api_stats;

-- private_key_jwt needs private_key, client_secret_jwt a client_secret
CREATE SERVER regress_pkjwt FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2', token_uri :'token_uri',
           grant_type 'client_credentials', client_id 'regress_client',
           client_auth 'private_key_jwt');
CREATE FOREIGN TABLE pkjwt_customers (id int) SERVER regress_pkjwt
  OPTIONS (endpoint '/api/customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_pkjwt OPTIONS (jwt_key_id 'k1');
SELECT * FROM show_error('SELECT count(*) FROM pkjwt_customers');
ALTER SERVER regress_pkjwt OPTIONS (SET client_auth 'client_secret_jwt');
SELECT * FROM show_error('SELECT count(*) FROM pkjwt_customers');
-- jwt_bearer without client_id, jwt_issuer or a key file naming one
ALTER SERVER regress_jwt OPTIONS (DROP client_id);
SELECT * FROM show_error('SELECT count(*) FROM jwt_customers');
SELECT token_requests FROM api_stats;

-- ===================================================================
-- Nothing of the keys in the catalogs readable by everyone, nor in EXPLAIN
-- ===================================================================
SELECT count(*) FROM pg_foreign_server, jwt_secrets
  WHERE array_to_string(srvoptions, ' ') LIKE '%' || s || '%';
SELECT jwt_clean('EXPLAIN (VERBOSE) SELECT * FROM jwt_customers');

DROP SERVER regress_jwt, regress_pkjwt CASCADE;
DROP FUNCTION jwt_clean(text);
DROP TABLE jwt_secrets;
