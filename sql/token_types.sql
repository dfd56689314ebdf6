--
-- Token endpoints as DataDirect writes them and as some providers need:
-- token_uri after "POST ", token types other than Bearer (token_types),
-- and client credentials in the token endpoint's URL (client_auth 'url').
--
\getenv port REST_TEST_PORT
\getenv client_secret REST_TEST_CLIENT_SECRET
\getenv refresh_token REST_TEST_REFRESH_TOKEN
\set base_url 'http://127.0.0.1:' :port
\set token_uri :base_url '/oauth/token'
\set post_token_uri 'POST ' :token_uri
\set get_token_uri 'GET ' :token_uri
\set VERBOSITY default
\set SHOW_CONTEXT never

-- "POST <url>" is the URL; another method is refused
CREATE SERVER regress_tt FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2', token_uri :'get_token_uri',
           client_id 'regress_bot');  -- ERROR
CREATE SERVER regress_tt FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2', token_uri 'POST ',
           client_id 'regress_bot');  -- ERROR
CREATE SERVER regress_tt FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2', token_uri :'post_token_uri',
           client_id 'regress_bot');
CREATE FOREIGN TABLE tt_customers (id int) SERVER regress_tt OPTIONS (endpoint '/api/customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_tt
  OPTIONS (client_secret :'client_secret', refresh_token :'refresh_token');

-- a token_type of "bot" is refused unless the server lists it
SELECT * FROM show_error('SELECT count(*) FROM tt_customers');
ALTER SERVER regress_tt OPTIONS (ADD token_types 'bot;user');  -- ERROR
ALTER SERVER regress_tt OPTIONS (ADD token_types ',');  -- ERROR
ALTER SERVER regress_tt OPTIONS (ADD token_types 'user, Bot');
-- and then sent as a bearer token, which the API takes
SELECT count(*) FROM tt_customers;
SELECT state FROM rest_fdw_token_status() WHERE server_name = 'regress_tt';

-- client credentials in the token endpoint's URL
CREATE SERVER regress_url FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2', token_uri :'token_uri',
           client_id 'regress_url', client_auth 'url');
CREATE FOREIGN TABLE url_customers (id int) SERVER regress_url OPTIONS (endpoint '/api/customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_url
  OPTIONS (client_secret :'client_secret', refresh_token :'refresh_token');
SELECT count(*) FROM url_customers;
-- a refused one: the secret of the URL is shown as ***
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_url OPTIONS (SET client_secret 'wrong-secret');
SELECT * FROM show_error('SELECT count(*) FROM url_customers');
-- a client that may not authenticate this way
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_url OPTIONS (SET client_secret :'client_secret');
ALTER SERVER regress_url OPTIONS (SET client_id 'regress_client');
SELECT * FROM show_error('SELECT count(*) FROM url_customers');

DROP SERVER regress_tt, regress_url CASCADE;
