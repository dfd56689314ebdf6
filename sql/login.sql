--
-- Logging in from psql: rest_fdw_login() (the device flow, RFC 8628) and
-- rest_fdw_authorize_url() / rest_fdw_authorize_finish() (the
-- authorization code flow with PKCE, RFC 7636).  What needs a real
-- authorization server and a user is in test/t/017_login.pl; this file
-- checks the options, the preconditions and the authorization URL.
--
\getenv port REST_TEST_PORT
\set base_url 'http://127.0.0.1:' :port
\set token_uri :base_url '/oauth/token'
\set VERBOSITY default
\set SHOW_CONTEXT never

-- ===================================================================
-- options: URLs, on the server only
-- ===================================================================
CREATE SERVER regress_login FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2', token_uri :'token_uri',
           device_authorization_uri 'not a url');  -- ERROR
CREATE SERVER regress_login FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2', token_uri :'token_uri',
           authorization_uri 'ftp://example.com/auth');  -- ERROR
CREATE SERVER regress_login FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2', token_uri :'token_uri',
           redirect_uri '');  -- ERROR
CREATE SERVER regress_login FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2', token_uri :'token_uri',
           client_id 'regress_login', scope 'items offline_access');
\set VERBOSITY terse
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_login
  OPTIONS (device_authorization_uri 'https://example.com/device');  -- ERROR
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_login
  OPTIONS (authorization_uri 'https://example.com/auth');  -- ERROR
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_login
  OPTIONS (redirect_uri 'http://127.0.0.1/callback');  -- ERROR
\set VERBOSITY default

-- ===================================================================
-- what a login needs
-- ===================================================================
-- no device_authorization_uri: says what to set
SELECT * FROM rest_fdw_login('regress_login', wait => false);  -- ERROR
-- no authorization_uri, no redirect_uri
SELECT rest_fdw_authorize_url('regress_login');  -- ERROR
ALTER SERVER regress_login OPTIONS (ADD authorization_uri 'https://login.example.com/authorize');
SELECT rest_fdw_authorize_url('regress_login');  -- ERROR
-- nothing pending yet
SELECT * FROM rest_fdw_authorize_finish('regress_login', 'http://127.0.0.1/callback?code=x&state=y');  -- ERROR
-- a server that does not use refresh tokens
CREATE SERVER regress_login_none FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', device_authorization_uri 'https://example.com/device');
SELECT * FROM rest_fdw_login('regress_login_none');  -- ERROR
ALTER SERVER regress_login_none OPTIONS (ADD authentication_method 'oauth2');
-- no token_uri, then no client_id
SELECT * FROM rest_fdw_login('regress_login_none');  -- ERROR
ALTER SERVER regress_login_none OPTIONS (ADD token_uri :'token_uri');
SELECT * FROM rest_fdw_login('regress_login_none');  -- ERROR
-- not a rest_fdw server, or none at all
SELECT * FROM rest_fdw_login('no_such_server');  -- ERROR
SELECT * FROM rest_fdw_login(NULL);  -- ERROR

-- ===================================================================
-- the authorization URL: PKCE S256, a random state
-- ===================================================================
ALTER SERVER regress_login OPTIONS (ADD redirect_uri 'http://127.0.0.1/callback');
SELECT rest_fdw_authorize_url('regress_login') AS url \gset
SELECT regexp_replace(regexp_replace(:'url', 'state=[A-Za-z0-9_-]+', 'state=STATE'),
                      'code_challenge=[A-Za-z0-9_-]+', 'code_challenge=CHALLENGE') AS url;
-- the challenge is 43 base64url characters (SHA-256), the state 32
SELECT length(substring(:'url' FROM 'code_challenge=([A-Za-z0-9_-]+)')) AS challenge_length,
       length(substring(:'url' FROM 'state=([A-Za-z0-9_-]+)')) AS state_length;
-- a redirect_uri argument wins over the option; each call starts afresh
SELECT rest_fdw_authorize_url('regress_login', 'http://localhost:8080/cb') AS url2 \gset
SELECT substring(:'url2' FROM 'redirect_uri=([^&]+)') AS redirect_uri,
       substring(:'url' FROM 'state=([^&]+)') <> substring(:'url2' FROM 'state=([^&]+)') AS new_state,
       substring(:'url' FROM 'code_challenge=([^&]+)') <> substring(:'url2' FROM 'code_challenge=([^&]+)') AS new_challenge;
-- a redirect with another state (CSRF), without one, with an error, without a code
SELECT * FROM rest_fdw_authorize_finish('regress_login', 'http://localhost:8080/cb?code=abc&state=forged');  -- ERROR
SELECT * FROM rest_fdw_authorize_finish('regress_login', 'http://localhost:8080/cb?code=abc');  -- ERROR
SELECT * FROM rest_fdw_authorize_finish('regress_login', 'com.example.app:/cb?code=abc&state=forged');  -- ERROR
SELECT * FROM rest_fdw_authorize_finish('regress_login', '?code=abc&state=forged#fragment');  -- ERROR
SELECT * FROM rest_fdw_authorize_finish('regress_login', 'http://localhost:8080/cb');  -- ERROR
SELECT * FROM rest_fdw_authorize_finish('regress_login',
  'http://localhost:8080/cb?state=' || substring(:'url2' FROM 'state=([^&]+)'));  -- ERROR
SELECT * FROM rest_fdw_authorize_finish('regress_login',
  'http://localhost:8080/cb?error=access_denied&error_description=The+user+said+no&state='
  || substring(:'url2' FROM 'state=([^&]+)'));  -- ERROR
-- the denial ended it
SELECT * FROM rest_fdw_authorize_finish('regress_login', 'abc');  -- ERROR

-- ===================================================================
-- the device endpoint must be one the server may reach
-- ===================================================================
ALTER SERVER regress_login OPTIONS (ADD device_authorization_uri 'http://192.0.2.1/device');
SELECT * FROM rest_fdw_login('regress_login', wait => false);  -- ERROR

DROP SERVER regress_login_none;
DROP SERVER regress_login;
