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
