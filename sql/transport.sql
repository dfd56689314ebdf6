--
-- The transport: TLS client certificates, HTTP(S) proxies, ssl_verify and
-- ssl_min_version, against the test API's HTTPS listeners (one requires a
-- client certificate of the test CA, one offers at most TLS 1.2) and its
-- HTTP proxy (test/api/proxy.py), all on 127.0.0.1.
--
\getenv port REST_TEST_PORT
\getenv tls_port REST_TEST_TLS_PORT
\getenv mtls_port REST_TEST_MTLS_PORT
\getenv tls12_port REST_TEST_TLS12_PORT
\getenv proxy_port REST_TEST_PROXY_PORT
\getenv ca_file REST_TEST_CA_FILE
\getenv client_cert REST_TEST_CLIENT_CERT
\getenv client_key REST_TEST_CLIENT_KEY
\getenv client_key_enc REST_TEST_CLIENT_KEY_ENCRYPTED
\getenv key_password REST_TEST_CLIENT_KEY_PASSWORD
\getenv cert_file REST_TEST_CLIENT_CERT_FILE
\getenv key_file REST_TEST_CLIENT_KEY_FILE
\getenv proxy_user REST_TEST_PROXY_USER
\getenv proxy_password REST_TEST_PROXY_PASSWORD
\getenv client_secret REST_TEST_CLIENT_SECRET
\set base_url 'http://127.0.0.1:' :port
\set tls_url 'https://127.0.0.1:' :tls_port
\set mtls_url 'https://127.0.0.1:' :mtls_port
\set tls12_url 'https://127.0.0.1:' :tls12_port
\set proxy_url 'http://127.0.0.1:' :proxy_port
\set token_uri :base_url '/oauth/token'
\set VERBOSITY default
\set SHOW_CONTEXT never

-- show_error, with only the OpenSSL error code of a TLS error's detail
-- (the text around it differs between libcurl and OpenSSL versions)
CREATE FUNCTION tls_error(query text) RETURNS SETOF text
LANGUAGE sql AS $$
  SELECT regexp_replace(regexp_replace(e, 'OpenSSL/[0-9][0-9a-z.]*: ', ''),
                        '^DETAIL:  (TLS connect error: )?(error:[0-9A-F]{8}):.*$', 'DETAIL:  \2')
    FROM show_error(query) AS e
$$;

-- a statement's rows or error with the secrets of this run replaced, so
-- that the expected output proves none of them is shown
CREATE FUNCTION no_secrets(query text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  ln text;
  secrets text[] := ARRAY[current_setting('regress.key_password'),
                          current_setting('regress.proxy_password'),
                          current_setting('regress.key_line')];
  s text;
BEGIN
  FOR ln IN SELECT * FROM tls_error(query) LOOP
    FOREACH s IN ARRAY secrets LOOP
      IF position(s IN ln) > 0 THEN
        ln := replace(ln, s, '<SECRET>');
      END IF;
    END LOOP;
    RETURN NEXT ln;
  END LOOP;
END
$$;
SELECT set_config('regress.key_password', :'key_password', false) IS NOT NULL AS set;
SELECT set_config('regress.proxy_password', :'proxy_password', false) IS NOT NULL AS set;
SELECT set_config('regress.key_line', split_part(:'client_key', E'\n', 3), false) IS NOT NULL AS set;

-- ===================================================================
-- TLS client certificates
-- ===================================================================
CREATE SERVER regress_mtls FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'mtls_url', ssl_ca_file :'ca_file', max_retries '0');
CREATE FOREIGN TABLE mtls_customers (id int, name text)
  SERVER regress_mtls OPTIONS (endpoint '/open/customers');
-- the host asks for a certificate, and there is none
SELECT * FROM tls_error('SELECT count(*) FROM mtls_customers');
-- the certificate and its key as PEM text in the user mapping
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_mtls
  OPTIONS (ssl_cert :'client_cert', ssl_key :'client_key');
SELECT count(*) FROM mtls_customers;
SELECT id, name FROM mtls_customers ORDER BY id LIMIT 2;
SELECT * FROM explain_filter('SELECT id FROM mtls_customers');
-- an encrypted key, with its passphrase
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_mtls
  OPTIONS (SET ssl_key :'client_key_enc', ADD ssl_key_password :'key_password');
SELECT count(*) FROM mtls_customers;
-- ... and with a wrong one
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_mtls
  OPTIONS (SET ssl_key_password 'not-the-passphrase');
SELECT * FROM no_secrets('SELECT count(*) FROM mtls_customers');
-- the encrypted key without its passphrase
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_mtls
  OPTIONS (DROP ssl_key_password);
SELECT * FROM no_secrets('SELECT count(*) FROM mtls_customers');
-- a certificate without its key, a key without its certificate
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_mtls OPTIONS (DROP ssl_key);
SELECT * FROM tls_error('SELECT count(*) FROM mtls_customers');
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_mtls
  OPTIONS (DROP ssl_cert, ADD ssl_key :'client_key');
SELECT * FROM tls_error('SELECT count(*) FROM mtls_customers');
-- files the server reads, on the server; the user mapping's PEM text wins
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_mtls OPTIONS (DROP ssl_key);
ALTER SERVER regress_mtls
  OPTIONS (ADD ssl_cert_file :'cert_file', ADD ssl_key_file :'key_file');
SELECT count(*) FROM mtls_customers;
SELECT regexp_replace(ln, '/\S+/', '/DIR/') AS plan
  FROM explain_filter('SELECT id FROM mtls_customers') AS ln;
-- a user without a user mapping uses the server's files too
CREATE ROLE regress_transport_user;
GRANT USAGE ON FOREIGN DATA WRAPPER rest_fdw TO regress_transport_user;
CREATE SCHEMA regress_transport AUTHORIZATION regress_transport_user;
GRANT SELECT ON mtls_customers TO regress_transport_user;
SET ROLE regress_transport_user;
SELECT count(*) FROM mtls_customers;
RESET ROLE;
-- another user's handles: the connection made with the file's
-- certificate is not reused for a user mapping without access to it
ALTER SERVER regress_mtls OPTIONS (DROP ssl_cert_file, DROP ssl_key_file);
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_mtls
  OPTIONS (ADD ssl_cert :'client_cert', ADD ssl_key :'client_key');
SELECT count(*) FROM mtls_customers;
SET ROLE regress_transport_user;
SELECT * FROM tls_error('SELECT count(*) FROM mtls_customers');
RESET ROLE;
SELECT count(*) FROM mtls_customers;

-- validation
CREATE USER MAPPING FOR PUBLIC SERVER regress_mtls
  OPTIONS (ssl_cert 'not a certificate');  -- ERROR
CREATE USER MAPPING FOR PUBLIC SERVER regress_mtls
  OPTIONS (ssl_key E'-----BEGIN PRIVATE KEY-----\x01\n-----END PRIVATE KEY-----');  -- ERROR
ALTER SERVER regress_mtls OPTIONS (ADD ssl_key 'x');  -- ERROR
ALTER SERVER regress_mtls OPTIONS (ADD ssl_cert 'x');  -- ERROR
ALTER SERVER regress_mtls OPTIONS (ADD ssl_key_password 'x');  -- ERROR
ALTER SERVER regress_mtls OPTIONS (ADD ssl_cert_file 'relative.pem');  -- ERROR
-- the file options name files the server reads: privileged
SET ROLE regress_transport_user;
CREATE SERVER regress_transport_own FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'mtls_url', ssl_cert_file '/etc/passwd');  -- ERROR
CREATE SERVER regress_transport_own FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'mtls_url');
ALTER SERVER regress_transport_own OPTIONS (ADD ssl_key_file '/etc/passwd');  -- ERROR
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_transport_own
  OPTIONS (ssl_key_file '/etc/passwd');  -- ERROR
RESET ROLE;

-- ===================================================================
-- ssl_verify
-- ===================================================================
CREATE SERVER regress_noverify FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'tls_url', max_retries '0');
CREATE FOREIGN TABLE noverify_customers (id int)
  SERVER regress_noverify OPTIONS (endpoint '/open/customers');
-- the test CA is not trusted by default
SELECT * FROM tls_error('SELECT count(*) FROM noverify_customers');
ALTER SERVER regress_noverify OPTIONS (ADD ssl_verify 'false');
-- one WARNING per query
SELECT count(*) FROM noverify_customers;
SELECT count(*) FROM noverify_customers a, noverify_customers b WHERE a.id = b.id;
SELECT * FROM explain_filter('SELECT id FROM noverify_customers');
ALTER SERVER regress_noverify OPTIONS (SET ssl_verify 'true');
SELECT * FROM tls_error('SELECT count(*) FROM noverify_customers');
ALTER SERVER regress_noverify OPTIONS (SET ssl_verify 'maybe');  -- ERROR
-- only superusers may set it
SET ROLE regress_transport_user;
ALTER SERVER regress_transport_own OPTIONS (ADD ssl_verify 'false');  -- ERROR
CREATE SERVER regress_transport_own2 FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'tls_url', ssl_verify 'false');  -- ERROR
RESET ROLE;

-- ===================================================================
-- ssl_min_version
-- ===================================================================
CREATE SERVER regress_tlsver FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'tls_url', ssl_ca_file :'ca_file', ssl_min_version '1.3',
           max_retries '0');
CREATE FOREIGN TABLE tlsver_customers (id int)
  SERVER regress_tlsver OPTIONS (endpoint '/open/customers');
SELECT count(*) FROM tlsver_customers;
SELECT * FROM explain_filter('SELECT id FROM tlsver_customers');
-- a host that offers at most TLS 1.2
ALTER SERVER regress_tlsver OPTIONS (SET base_url :'tls12_url');
SELECT * FROM tls_error('SELECT count(*) FROM tlsver_customers');
ALTER SERVER regress_tlsver OPTIONS (SET ssl_min_version '1.2');
SELECT count(*) FROM tlsver_customers;
ALTER SERVER regress_tlsver OPTIONS (SET ssl_min_version '1.1');  -- ERROR
ALTER SERVER regress_tlsver OPTIONS (SET ssl_min_version 'TLSv1.3');  -- ERROR

-- ===================================================================
-- Proxies
-- ===================================================================
-- the proxy's counters, read from the proxy itself
CREATE SERVER regress_proxy_admin FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'proxy_url');
CREATE FOREIGN TABLE proxy_stats (connects int, forwards int, denied int)
  SERVER regress_proxy_admin OPTIONS (endpoint '/_proxy/stats');
CREATE FOREIGN TABLE proxy_reset (reset boolean)
  SERVER regress_proxy_admin OPTIONS (endpoint '/_proxy/reset');
SELECT * FROM proxy_reset;

CREATE SERVER regress_proxied FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', proxy :'proxy_url', max_retries '0');
CREATE FOREIGN TABLE proxied_customers (id int, name text)
  SERVER regress_proxied OPTIONS (endpoint '/open/customers');
-- the proxy wants a login
SELECT * FROM tls_error('SELECT count(*) FROM proxied_customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_proxied
  OPTIONS (proxy_user :'proxy_user', proxy_password :'proxy_password');
-- http://: the request, forwarded
SELECT count(*) FROM proxied_customers;
SELECT * FROM proxy_stats;
SELECT * FROM explain_filter('SELECT id FROM proxied_customers');
-- https://: through a CONNECT tunnel
ALTER SERVER regress_proxied OPTIONS (SET base_url :'tls_url', ADD ssl_ca_file :'ca_file');
SELECT id, name FROM proxied_customers ORDER BY id LIMIT 2;
SELECT * FROM proxy_stats;
-- a wrong password: the CONNECT, then a forwarded request, refused
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_proxied
  OPTIONS (SET proxy_password 'not-the-password');
SELECT * FROM no_secrets('SELECT count(*) FROM proxied_customers');
ALTER SERVER regress_proxied OPTIONS (SET base_url :'base_url');
SELECT * FROM no_secrets('SELECT count(*) FROM proxied_customers');
SELECT * FROM proxy_stats;
-- no_proxy: these hosts are reached directly
ALTER SERVER regress_proxied OPTIONS (ADD no_proxy 'localhost, 127.0.0.1');
SELECT count(*) FROM proxied_customers;
SELECT * FROM proxy_stats;
SELECT * FROM explain_filter('SELECT id FROM proxied_customers');
ALTER SERVER regress_proxied OPTIONS (SET no_proxy '.0.0.1');
SELECT count(*) FROM proxied_customers;
ALTER SERVER regress_proxied OPTIONS (SET no_proxy 'example.com');
SELECT * FROM tls_error('SELECT count(*) FROM proxied_customers');
ALTER SERVER regress_proxied OPTIONS (DROP no_proxy);
ALTER USER MAPPING FOR CURRENT_USER SERVER regress_proxied
  OPTIONS (SET proxy_password :'proxy_password');
SELECT count(*) FROM proxied_customers;

-- the token requests of oauth2 go through the proxy too
SELECT * FROM proxy_reset;
CREATE SERVER regress_proxied_cc FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'oauth2',
           token_uri :'token_uri', grant_type 'client_credentials',
           scope 'read', proxy :'proxy_url');
CREATE FOREIGN TABLE proxied_cc_customers (id int)
  SERVER regress_proxied_cc OPTIONS (endpoint '/api/customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_proxied_cc
  OPTIONS (client_id 'regress_cc', client_secret :'client_secret',
           proxy_user :'proxy_user', proxy_password :'proxy_password');
SELECT count(*) FROM proxied_cc_customers;
SELECT * FROM proxy_stats;

-- the proxy password goes in plain text over http:// only to a loopback
-- proxy (192.0.2.1, TEST-NET-1, is refused before any connection)
CREATE SERVER regress_proxy_far FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'tls_url', proxy 'http://192.0.2.1:3128', max_retries '0');
CREATE FOREIGN TABLE proxy_far (id int) SERVER regress_proxy_far
  OPTIONS (endpoint '/open/customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_proxy_far
  OPTIONS (proxy_user :'proxy_user', proxy_password :'proxy_password');
SELECT * FROM tls_error('SELECT count(*) FROM proxy_far');

-- validation
CREATE SERVER regress_proxy_bad FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', proxy 'http://someone:hunter2@127.0.0.1:3128');  -- ERROR
CREATE SERVER regress_proxy_bad FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', proxy 'socks5://127.0.0.1:1080');  -- ERROR
CREATE SERVER regress_proxy_bad FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', proxy 'http://127.0.0.1:3128/path');  -- ERROR
CREATE SERVER regress_proxy_bad FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', proxy 'http://127.0.0.1:99999');  -- ERROR
CREATE SERVER regress_proxy_bad FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', no_proxy 'a.example.com b.example.com');  -- ERROR
CREATE SERVER regress_proxy_bad FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', no_proxy '10.0.0.0/8');  -- ERROR
CREATE SERVER regress_proxy_bad FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', no_proxy 'a.example.com,,b');  -- ERROR
ALTER SERVER regress_proxied OPTIONS (ADD proxy_password 'x');  -- ERROR
ALTER SERVER regress_proxied OPTIONS (ADD proxy_user 'x');  -- ERROR
CREATE SERVER regress_proxy_ok FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', proxy 'https://[::1]:3129/', no_proxy '*');
DROP SERVER regress_proxy_ok;

-- ===================================================================
-- The network policy with a proxy: a server owned by a non-superuser
-- reaches the destination only where rest_fdw.allowed_hosts permits
-- it, and the proxy only where it permits the proxy
-- ===================================================================
SET ROLE regress_transport_user;
CREATE SERVER regress_proxied_user FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', proxy :'proxy_url', max_retries '0');
CREATE FOREIGN TABLE regress_transport.proxied_user (id int) SERVER regress_proxied_user
  OPTIONS (endpoint '/open/customers');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_proxied_user
  OPTIONS (proxy_user :'proxy_user', proxy_password :'proxy_password');
-- by default, loopback addresses are refused: the destination's first
SELECT * FROM tls_error('SELECT count(*) FROM regress_transport.proxied_user');
RESET ROLE;
-- the destination is permitted, the proxy is not
SELECT set_config('rest_fdw.allowed_hosts', '127.0.0.1:' || :'port', false) IS NOT NULL AS set;
SET ROLE regress_transport_user;
SELECT * FROM tls_error('SELECT count(*) FROM regress_transport.proxied_user');
RESET ROLE;
-- the proxy is permitted, the destination is not
SELECT set_config('rest_fdw.allowed_hosts', '127.0.0.1:' || :'proxy_port', false) IS NOT NULL AS set;
SET ROLE regress_transport_user;
SELECT * FROM tls_error('SELECT count(*) FROM regress_transport.proxied_user');
RESET ROLE;
-- both
SELECT set_config('rest_fdw.allowed_hosts',
                  '127.0.0.1:' || :'proxy_port' || ', 127.0.0.1:' || :'port', false) IS NOT NULL AS set;
SET ROLE regress_transport_user;
SELECT count(*) FROM regress_transport.proxied_user;
RESET ROLE;
RESET rest_fdw.allowed_hosts;

-- ===================================================================
-- Clean up
-- ===================================================================
SET ROLE regress_transport_user;
SET client_min_messages = warning;
DROP SERVER regress_transport_own, regress_proxied_user CASCADE;
RESET client_min_messages;
DROP SCHEMA regress_transport;
RESET ROLE;
REVOKE SELECT ON mtls_customers FROM regress_transport_user;
SET client_min_messages = warning;
DROP SERVER regress_mtls, regress_noverify, regress_tlsver, regress_proxy_admin,
  regress_proxied, regress_proxied_cc, regress_proxy_far CASCADE;
REVOKE USAGE ON FOREIGN DATA WRAPPER rest_fdw FROM regress_transport_user;
DROP ROLE regress_transport_user;
RESET client_min_messages;
DROP FUNCTION no_secrets(text), tls_error(text);
