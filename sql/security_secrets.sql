--
-- Secrets against hostile APIs and hostile token endpoints: an API key
-- echoed in URLs and bodies, token endpoint answers that quote tokens or
-- the request, access tokens that would inject header lines, and token
-- sizes.  The API and token endpoints are test/api/secrets_api.py.
--
-- Errors are printed (secrets show as ***), and each is checked against
-- the secrets of the run with position(), which prints nothing secret.
--
\getenv port REST_TEST_PORT
\getenv api_key REST_TEST_API_KEY
\getenv client_secret REST_TEST_CLIENT_SECRET
\getenv refresh_token REST_TEST_REFRESH_TOKEN
\getenv static_token REST_TEST_STATIC_TOKEN
\set base_url 'http://127.0.0.1:' :port
\set token_uri :base_url '/oauth/token'
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE FOREIGN TABLE sec_stats (requests int, key_once int, key_missing int,
  key_repeated int, key_wrong int, injected int, bearer_ok int, bearer_bad int)
  SERVER regress_admin OPTIONS (endpoint '/secrets/stats');
CREATE FOREIGN TABLE sec_reset (reset boolean)
  SERVER regress_admin OPTIONS (endpoint '/secrets/reset');

-- whether the errors of a statement hold none of the secrets
CREATE TABLE sec_secrets (s text);
INSERT INTO sec_secrets VALUES (:'api_key'), (:'client_secret'),
  (:'refresh_token'), (:'static_token');
CREATE FUNCTION sec_clean(query text) RETURNS boolean
LANGUAGE sql AS $$
  SELECT bool_and(position(s IN e) = 0)
    FROM show_error(query) e, sec_secrets
$$;

-- ===================================================================
-- url_parameter: the key is masked by its auth_param name and sent once
-- ===================================================================
CREATE SERVER regress_sec_key FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'url_parameter',
           auth_param 'appid');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_sec_key
  OPTIONS (api_key :'api_key');

-- a next-page URL that echoes the query string, key included
CREATE FOREIGN TABLE sec_next (id int) SERVER regress_sec_key
  OPTIONS (endpoint '/secrets/api/next?p=1', rows_path 'items',
           paging 'next_url', next_url_path 'next');
SELECT * FROM sec_reset;
SELECT id FROM sec_next ORDER BY id;
SELECT requests, key_once, key_missing, key_repeated, key_wrong FROM sec_stats;

-- the same with a Link header
CREATE FOREIGN TABLE sec_link (id int) SERVER regress_sec_key
  OPTIONS (endpoint '/secrets/api/link?p=1', rows_path 'items',
           paging 'link_header');
SELECT * FROM sec_reset;
SELECT id FROM sec_link ORDER BY id;
SELECT requests, key_once, key_missing, key_repeated, key_wrong FROM sec_stats;

-- a redirect whose Location echoes it
CREATE FOREIGN TABLE sec_redirect (id int) SERVER regress_sec_key
  OPTIONS (endpoint '/secrets/api/redirect?p=1', rows_path 'items');
SELECT * FROM sec_reset;
SELECT id FROM sec_redirect ORDER BY id;
SELECT requests, key_once, key_missing, key_repeated, key_wrong FROM sec_stats;

-- error bodies, WWW-Authenticate, next URLs and redirects that echo the
-- key: never in an error
CREATE FOREIGN TABLE sec_error (id int) SERVER regress_sec_key
  OPTIONS (endpoint '/secrets/api/error?p=1');
SELECT * FROM show_error('SELECT * FROM sec_error');
SELECT sec_clean('SELECT * FROM sec_error');
CREATE FOREIGN TABLE sec_unauthorized (id int) SERVER regress_sec_key
  OPTIONS (endpoint '/secrets/api/unauthorized?p=1');
SELECT * FROM show_error('SELECT * FROM sec_unauthorized');
SELECT sec_clean('SELECT * FROM sec_unauthorized');
CREATE FOREIGN TABLE sec_slow_down (id int) SERVER regress_sec_key
  OPTIONS (endpoint '/secrets/api/slow_down?p=1');
SELECT * FROM show_error('SELECT * FROM sec_slow_down');
SELECT sec_clean('SELECT * FROM sec_slow_down');
CREATE FOREIGN TABLE sec_keypath (id int) SERVER regress_sec_key
  OPTIONS (endpoint '/secrets/api/keypath', rows_path 'items',
           paging 'next_url', next_url_path 'next');
SELECT * FROM show_error('SELECT * FROM sec_keypath');
SELECT sec_clean('SELECT * FROM sec_keypath');
CREATE FOREIGN TABLE sec_foreign_next (id int) SERVER regress_sec_key
  OPTIONS (endpoint '/secrets/api/foreign_next?p=1', rows_path 'items',
           paging 'next_url', next_url_path 'next');
SELECT * FROM show_error('SELECT * FROM sec_foreign_next');
SELECT sec_clean('SELECT * FROM sec_foreign_next');
CREATE FOREIGN TABLE sec_bad_next (id int) SERVER regress_sec_key
  OPTIONS (endpoint '/secrets/api/bad_next?p=1', rows_path 'items',
           paging 'next_url', next_url_path 'next');
SELECT * FROM show_error('SELECT * FROM sec_bad_next');
SELECT sec_clean('SELECT * FROM sec_bad_next');
CREATE FOREIGN TABLE sec_foreign_redirect (id int) SERVER regress_sec_key
  OPTIONS (endpoint '/secrets/api/foreign_redirect?p=1', rows_path 'items');
SELECT * FROM show_error('SELECT * FROM sec_foreign_redirect');
SELECT sec_clean('SELECT * FROM sec_foreign_redirect');
-- a 200 answer whose body echoes the key: invalid JSON, a value that
-- does not convert, a sample that is not JSON
CREATE FOREIGN TABLE sec_badjson (id int) SERVER regress_sec_key
  OPTIONS (endpoint '/secrets/api/badjson?p=1', rows_path 'items');
SELECT * FROM show_error('SELECT * FROM sec_badjson');
SELECT sec_clean('SELECT * FROM sec_badjson');
-- the lexer's DETAIL quotes the bad token whole: one that holds the key is not shown
CREATE FOREIGN TABLE sec_badtoken (id int) SERVER regress_sec_key
  OPTIONS (endpoint '/secrets/api/badtoken?p=1', rows_path 'items');
SELECT * FROM show_error('SELECT * FROM sec_badtoken');
SELECT sec_clean('SELECT * FROM sec_badtoken');
CREATE FOREIGN TABLE sec_badvalue (id int) SERVER regress_sec_key
  OPTIONS (endpoint '/secrets/api/badvalue?p=1', rows_path 'items');
SELECT * FROM show_error('SELECT * FROM sec_badvalue');
SELECT sec_clean('SELECT * FROM sec_badvalue');
-- echoes escaped as JSON (\u0041, \u002d) or percent-encoded, an echo
-- in a value whose input function fails otherwise than with a data
-- exception, and an echo cut by the length limit of a header
CREATE FOREIGN TABLE sec_escaped (id int) SERVER regress_sec_key
  OPTIONS (endpoint '/secrets/api/escaped?p=1');
SELECT * FROM show_error('SELECT * FROM sec_escaped');
SELECT sec_clean('SELECT * FROM sec_escaped');
CREATE FOREIGN TABLE sec_keyvalue (r regclass) SERVER regress_sec_key
  OPTIONS (endpoint '/secrets/api/keyvalue?p=1', rows_path 'items');
SELECT * FROM show_error('SELECT * FROM sec_keyvalue');
SELECT sec_clean('SELECT * FROM sec_keyvalue');
CREATE SERVER regress_sec_long FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2');
SELECT :'static_token' || repeat('abcdefghij', 100) AS long_token \gset
INSERT INTO sec_secrets VALUES (:'long_token');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_sec_long
  OPTIONS (access_token :'long_token');
CREATE FOREIGN TABLE sec_long_challenge (id int) SERVER regress_sec_long
  OPTIONS (endpoint '/secrets/api/echo_challenge');
SELECT sec_clean('SELECT * FROM sec_long_challenge');
SELECT * FROM show_error('SELECT * FROM sec_long_challenge');
-- no part of it either: the header is kept cut, and the cut token is hidden
SELECT bool_and(position(left(:'long_token', 40) IN e) = 0) AS no_part
  FROM show_error('SELECT * FROM sec_long_challenge') e;
CREATE SCHEMA sec_import;
ALTER SERVER regress_sec_key OPTIONS (ADD rest_sample_path '/secrets/api/badsample?p=1');
SELECT * FROM show_error('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_sec_key INTO sec_import');
SELECT sec_clean('IMPORT FOREIGN SCHEMA rest FROM SERVER regress_sec_key INTO sec_import');
ALTER SERVER regress_sec_key OPTIONS (DROP rest_sample_path);
DROP SCHEMA sec_import;

-- ===================================================================
-- token endpoints: only the RFC 6749 error code and a scrubbed
-- description are shown, never a token of the answer or a secret of the
-- request
-- ===================================================================
CREATE SERVER regress_sec_tok FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri 'http://127.0.0.1:1/', client_id 'regress_client');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_sec_tok
  OPTIONS (client_secret :'client_secret', refresh_token :'refresh_token');
CREATE FOREIGN TABLE sec_tok (ok boolean) SERVER regress_sec_tok
  OPTIONS (endpoint '/secrets/api/bearer');
CREATE FUNCTION sec_token_uri(kind text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER SERVER regress_sec_tok OPTIONS (SET token_uri %L)',
                 'http://127.0.0.1:' || current_setting('sec.port') || '/secrets/token/' || kind);
END
$$;
SELECT set_config('sec.port', :'port', false) IS NOT NULL AS set;
-- the failure rest_fdw_token_status() keeps holds no secret either
CREATE FUNCTION sec_status_clean() RETURNS boolean
LANGUAGE sql AS $$
  SELECT bool_and(position(s IN last_error) = 0)
    FROM rest_fdw_token_status(), sec_secrets
   WHERE server_name = 'regress_sec_tok'
$$;

-- a complete token response with status 201 is an error that shows none of it
SELECT sec_token_uri('201');
SELECT * FROM show_error('SELECT * FROM sec_tok');
SELECT sec_clean('SELECT * FROM sec_tok'), sec_status_clean();
-- an error_description that echoes the request body and the Basic header
SELECT sec_token_uri('echo');
SELECT * FROM show_error('SELECT * FROM sec_tok');
SELECT sec_clean('SELECT * FROM sec_tok'), sec_status_clean();
SELECT state, last_error FROM rest_fdw_token_status()
 WHERE server_name = 'regress_sec_tok';
-- the same with the client secret in the form (client_auth 'post')
ALTER SERVER regress_sec_tok OPTIONS (ADD client_auth 'post');
SELECT * FROM show_error('SELECT * FROM sec_tok');
SELECT sec_clean('SELECT * FROM sec_tok'), sec_status_clean();
-- an error code that echoes the request
SELECT sec_token_uri('echo_error');
SELECT * FROM show_error('SELECT * FROM sec_tok');
SELECT sec_clean('SELECT * FROM sec_tok'), sec_status_clean();
-- a text body that echoes it: a short, scrubbed snippet
SELECT sec_token_uri('echo_text');
SELECT * FROM show_error('SELECT * FROM sec_tok');
SELECT sec_clean('SELECT * FROM sec_tok'), sec_status_clean();
-- a JSON body that echoes them \u-escaped, without an error code
SELECT sec_token_uri('echo_escaped');
SELECT * FROM show_error('SELECT * FROM sec_tok');
SELECT sec_clean('SELECT * FROM sec_tok'), sec_status_clean();
ALTER SERVER regress_sec_tok OPTIONS (DROP client_auth);
-- bodies that hold token fields without an error code are not quoted
SELECT sec_token_uri('json_tokens');
SELECT * FROM show_error('SELECT * FROM sec_tok');
SELECT sec_clean('SELECT * FROM sec_tok'), sec_status_clean();
SELECT sec_token_uri('form_tokens');
SELECT * FROM show_error('SELECT * FROM sec_tok');
SELECT sec_clean('SELECT * FROM sec_tok'), sec_status_clean();

-- ===================================================================
-- access tokens that are not RFC 6750 b64token, token types, sizes
-- ===================================================================
SELECT * FROM sec_reset;
SELECT sec_token_uri('crlf');
SELECT * FROM show_error('SELECT * FROM sec_tok');
SELECT sec_token_uri('space');
SELECT * FROM show_error('SELECT * FROM sec_tok');
SELECT sec_token_uri('nonascii');
SELECT * FROM show_error('SELECT * FROM sec_tok');
-- no request reached the API, none with an injected header
SELECT requests, injected, bearer_ok, bearer_bad FROM sec_stats;

-- "Bearer" in any case, or no token_type, is a bearer token; others are not
SELECT sec_token_uri('dpop');
SELECT * FROM show_error('SELECT * FROM sec_tok');
SELECT sec_token_uri('lower');
SELECT * FROM sec_tok;
SELECT rest_fdw_forget_tokens('regress_sec_tok') AS forgotten;
SELECT sec_token_uri('notype');
SELECT * FROM sec_tok;
SELECT rest_fdw_forget_tokens('regress_sec_tok') AS forgotten;
SELECT requests, injected, bearer_ok, bearer_bad FROM sec_stats;

-- tokens over 64 kB, a token response over 1 MB
SELECT sec_token_uri('big_access');
SELECT * FROM show_error('SELECT * FROM sec_tok');
SELECT sec_token_uri('big_refresh');
SELECT * FROM show_error('SELECT * FROM sec_tok');
SELECT sec_token_uri('huge');
SELECT * FROM show_error('SELECT * FROM sec_tok');

-- a static access_token from the user mapping is checked the same way
CREATE SERVER regress_sec_static FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_sec_static
  OPTIONS (access_token 'abc def');
CREATE FOREIGN TABLE sec_static (ok boolean) SERVER regress_sec_static
  OPTIONS (endpoint '/secrets/api/bearer');
SELECT * FROM sec_reset;
SELECT * FROM show_error('SELECT * FROM sec_static');
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_sec_static
  OPTIONS (SET access_token 'abc,def');
SELECT * FROM show_error('SELECT * FROM sec_static');
SELECT requests FROM sec_stats;

-- ===================================================================
-- a failure to record a failed token request does not replace its error
-- ===================================================================
-- the mapping's token store file cannot be written: the store's directory
-- is made read-only (the cluster's owner runs the commands, in the data
-- directory); reading it still works
CREATE SERVER regress_sec_store FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', client_id 'regress_client');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_sec_store
  OPTIONS (client_secret :'client_secret', refresh_token 'not-a-refresh-token');
CREATE FOREIGN TABLE sec_store (id int) SERVER regress_sec_store
  OPTIONS (endpoint '/api/customers');
SELECT format('rest_fdw/%s_%s.json', d.oid, m.umid) AS store_file
  FROM pg_database d, pg_user_mappings m
 WHERE d.datname = current_database() AND m.srvname = 'regress_sec_store' \gset
\set cmd 'cat >/dev/null; chmod 500 rest_fdw'
COPY (SELECT 1) TO PROGRAM :'cmd';
SET client_min_messages = error;
SELECT * FROM show_error('SELECT * FROM sec_store');
RESET client_min_messages;
\set cmd 'cat >/dev/null; chmod 700 rest_fdw; rm -f ' :store_file ' ' :store_file '.tmp.*'
COPY (SELECT 1) TO PROGRAM :'cmd';

-- ===================================================================
-- clean up
-- ===================================================================
DROP SERVER regress_sec_key, regress_sec_tok, regress_sec_static, regress_sec_long,
  regress_sec_store CASCADE;
DROP FUNCTION sec_token_uri(text), sec_status_clean(), sec_clean(text);
DROP TABLE sec_secrets;
DROP FOREIGN TABLE sec_stats, sec_reset;
