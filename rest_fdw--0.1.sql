/* rest_fdw--0.1.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION rest_fdw" to load this file. \quit

CREATE FUNCTION rest_fdw_handler()
RETURNS fdw_handler
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FUNCTION rest_fdw_validator(text[], oid)
RETURNS void
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FOREIGN DATA WRAPPER rest_fdw
  HANDLER rest_fdw_handler
  VALIDATOR rest_fdw_validator;

COMMENT ON FOREIGN DATA WRAPPER rest_fdw IS 'REST/JSON APIs as foreign tables';

-- The shared OAuth 2.0 token state of the user mappings the caller may see.
-- Never shows a token.
CREATE FUNCTION rest_fdw_token_status(
  OUT server_name text,
  OUT user_name text,
  OUT state text,
  OUT expires_at timestamptz,
  OUT last_refresh timestamptz,
  OUT refresh_count bigint,
  OUT last_error text,
  OUT grant_id text)
RETURNS SETOF record
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT VOLATILE;

-- Forget the stored tokens of a server's user mapping (or of all of them
-- the caller may manage); the next query starts from the seed refresh token.
-- With revoke, the tokens are first revoked at the server's revocation_uri.
CREATE FUNCTION rest_fdw_forget_tokens(server_name text, user_name text DEFAULT NULL,
                                       revoke boolean DEFAULT false)
RETURNS integer
AS 'MODULE_PATHNAME'
LANGUAGE C VOLATILE;

-- Log in with the OAuth 2.0 device flow (RFC 8628) at the server's
-- device_authorization_uri and store the refresh token obtained in the
-- caller's own user mapping (altered, or created), with the privilege checks
-- of ALTER and CREATE USER MAPPING.  With wait false, returns the user code
-- and the verification URI at once (status 'pending'); with wait true,
-- continues the caller's pending login (or starts one, showing the code in a
-- NOTICE) until the user approves it (status 'authorized').  Never shows the
-- device code or a token.
CREATE FUNCTION rest_fdw_login(server_name text, wait boolean DEFAULT true,
  OUT status text,
  OUT verification_uri text,
  OUT verification_uri_complete text,
  OUT user_code text,
  OUT expires_at timestamptz,
  OUT user_mapping text)
RETURNS record
AS 'MODULE_PATHNAME'
LANGUAGE C VOLATILE;

-- The URL of the server's authorization_uri to open in a browser, for the
-- authorization code flow with PKCE (RFC 7636); the state and the code
-- verifier stay in this session for rest_fdw_authorize_finish().
CREATE FUNCTION rest_fdw_authorize_url(server_name text, redirect_uri text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME'
LANGUAGE C VOLATILE;

-- Finish the authorization code flow with the URL the browser was sent back
-- to (or the bare code): checks its state, exchanges the code, and stores the
-- refresh token as rest_fdw_login() does.
CREATE FUNCTION rest_fdw_authorize_finish(server_name text, redirect text,
  OUT status text,
  OUT user_mapping text)
RETURNS record
AS 'MODULE_PATHNAME'
LANGUAGE C VOLATILE;

-- Migrating from the DataDirect Autonomous REST Connector: create a server
-- (and, with user_mapping, the caller's user mapping) from a DataDirect
-- connection string or odbc.ini data source section.  Secrets go into the
-- user mapping only; one row per property says where it went, with the
-- value masked for a secret.  base_url, for a connection string that names
-- no host (only a model file).
CREATE FUNCTION rest_fdw_import_connection(connection_string text, server_name name,
  user_mapping boolean DEFAULT true,
  base_url text DEFAULT NULL,
  OUT property text,
  OUT option text,
  OUT target text,
  OUT value text)
RETURNS SETOF record
AS 'MODULE_PATHNAME'
LANGUAGE C VOLATILE;

-- The model file (REST config file, pretty JSON) of the tables IMPORT
-- FOREIGN SCHEMA would create from the server, their columns sampled: the
-- DataDirect connector's _CONFIGURATION table.  Save it and name it in
-- rest_config_file to import the same tables and columns.
CREATE FUNCTION rest_fdw_sample_model(server_name name)
RETURNS text
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT VOLATILE;

-- empty this backend's response cache (the cache_ttl option)
CREATE FUNCTION rest_fdw_cache_clear()
RETURNS bigint
AS 'MODULE_PATHNAME', 'rest_fdw_cache_clear'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;
