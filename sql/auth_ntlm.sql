--
-- authentication_method 'ntlm' (libcurl's NTLM, checked as NTLMv2 by the
-- test API).  Runs only where libcurl has NTLM (the Makefile asks
-- curl-config); without it rest_fdw says that "ntlm" is not available.
--
\getenv port REST_TEST_PORT
\getenv api_user REST_TEST_USER
\getenv api_password REST_TEST_PASSWORD
\set base_url 'http://127.0.0.1:' :port
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE FOREIGN TABLE ntlm_events (seq int, scheme text, step text, ok boolean,
                                  "user" text, detail text)
  SERVER regress_admin OPTIONS (endpoint '/_admin/auth_events');

-- ===================================================================
-- ntlm: libcurl's Type 1 / Type 2 / Type 3 handshake, NTLMv2 checked
-- ===================================================================
CREATE SERVER regress_ntlm FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'ntlm');
CREATE FOREIGN TABLE ntlm_customers (id int, name text)
  SERVER regress_ntlm OPTIONS (endpoint '/ntlm/customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_ntlm
  OPTIONS ("user" :'api_user', password :'api_password');
SELECT * FROM api_reset;
SELECT * FROM show_error('SELECT count(*) FROM ntlm_customers');
SELECT scheme, step, ok, "user", detail FROM ntlm_events ORDER BY seq;
SELECT * FROM api_reset;
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_ntlm
  OPTIONS (SET password 'wrong-password');
SELECT * FROM show_error('SELECT count(*) FROM ntlm_customers');
SELECT scheme, step, ok FROM ntlm_events ORDER BY seq;

DROP SERVER regress_ntlm CASCADE;
DROP FOREIGN TABLE ntlm_events;
