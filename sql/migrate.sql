--
-- Migrating from the DataDirect Autonomous REST Connector:
-- rest_fdw_import_connection() turns a connection string or an odbc.ini
-- data source into a server and a user mapping.  Secrets come from the
-- environment and are never printed: user mappings are shown as option
-- names, and compared with the secrets as booleans.
--
\getenv port REST_TEST_PORT
\getenv client_secret REST_TEST_CLIENT_SECRET
\getenv refresh_token REST_TEST_REFRESH_TOKEN
\getenv static_token REST_TEST_STATIC_TOKEN
\getenv api_key REST_TEST_API_KEY
\getenv api_password REST_TEST_PASSWORD
\getenv aws_secret REST_TEST_AWS_SECRET
\getenv configdir REST_TEST_CONFIG_DIR
\set base_url 'http://127.0.0.1:' :port
\set VERBOSITY default
\set SHOW_CONTEXT never

SET regress.port = :'port';

-- the rows of rest_fdw_import_connection() with the port masked
CREATE FUNCTION migrate(conn text, server name, user_mapping boolean DEFAULT true,
                        base_url text DEFAULT NULL)
RETURNS TABLE (property text, option text, target text, value text)
LANGUAGE sql AS $$
  SELECT property, option, target,
         replace(value, current_setting('regress.port'), 'PORT')
  FROM rest_fdw_import_connection(conn, server, user_mapping, base_url)
$$;
-- a server's options, port masked
CREATE FUNCTION server_options(server name) RETURNS SETOF text
LANGUAGE sql AS $$
  SELECT replace(o, current_setting('regress.port'), 'PORT')
  FROM pg_foreign_server s, unnest(s.srvoptions) WITH ORDINALITY AS u(o, n)
  WHERE s.srvname = server ORDER BY n
$$;
-- the option names of the current user's user mapping, never the values
CREATE FUNCTION mapping_keys(server name) RETURNS text
LANGUAGE sql AS $$
  SELECT string_agg(split_part(o, '=', 1), ', ' ORDER BY n)
  FROM pg_user_mappings m, unnest(m.umoptions) WITH ORDINALITY AS u(o, n)
  WHERE m.srvname = server AND m.usename = current_user
$$;
-- does the current user's user mapping hold option = value?
CREATE FUNCTION mapping_has(server name, option text, value text) RETURNS boolean
LANGUAGE sql AS $$
  SELECT coalesce(bool_or(o = option || '=' || value), false)
  FROM pg_user_mappings m, unnest(m.umoptions) o
  WHERE m.srvname = server AND m.usename = current_user
$$;

-- ===================================================================
-- OAuth2-RefreshToken: case-insensitive names, a secret in braces
-- ===================================================================
SELECT * FROM migrate(format(
  'AuthenticationMethod=OAuth2-RefreshToken; hostname = %s ;clientid=regress_client;'
  'CLIENTSECRET={%s};RefreshToken=%s;TokenURI=POST %s/oauth/token;Scope={read write};',
  :'base_url', :'client_secret', :'refresh_token', :'base_url'), 'dd_oauth');
SELECT * FROM server_options('dd_oauth');
SELECT mapping_keys('dd_oauth');
SELECT mapping_has('dd_oauth', 'client_secret', :'client_secret') AS secret_kept,
       mapping_has('dd_oauth', 'refresh_token', :'refresh_token') AS refresh_kept;
-- it works
CREATE FOREIGN TABLE dd_oauth_customers (id int, name text)
  SERVER dd_oauth OPTIONS (endpoint '/api/customers');
SELECT count(*) > 0 AS rows FROM dd_oauth_customers;

-- braces: a value with semicolons and braces, "}" followed by ";" ends it
SELECT property, option, target, value FROM migrate(
  'HostName=api.example.com;PortNumber=8443;AuthenticationMethod=Basic;'
  'User={ spaced ;user };Password={{a;b}};AuthHeader=X-Auth', 'dd_braces');
SELECT * FROM server_options('dd_braces');
SELECT mapping_keys('dd_braces'),
       mapping_has('dd_braces', 'user', ' spaced ;user ') AS user_kept,
       mapping_has('dd_braces', 'password', '{a;b}') AS password_kept;

-- ===================================================================
-- an odbc.ini data source: comments, ODBC numbers, short names,
-- driver-only and unknown properties (one NOTICE each)
-- ===================================================================
SELECT * FROM migrate(format(E'# exported from odbc.ini\n'
  '[ODBC Data Sources]\n'
  'MyBearer=DataDirect 8.0 Autonomous REST Connector\n'
  '\n'
  '[MyBearer]\n'
  'Driver=/opt/datadirect/lib/ddautorest28.so\n'
  'Description=customers\n'
  '; the token\n'
  'AuthenticationMethod = 34\n'
  'host=%s\n'
  'SecurityToken=%s\n'
  'LogConfigFile=ddlogging.properties\n'
  'WSTimeout=30\n'
  'LoginTimeout=0\n'
  'FavouriteColour=blue\n', :'base_url', :'static_token'), 'dd_bearer');
SELECT * FROM server_options('dd_bearer');
SELECT mapping_keys('dd_bearer'),
       mapping_has('dd_bearer', 'access_token', :'static_token') AS token_kept;
CREATE FOREIGN TABLE dd_bearer_customers (id int, name text)
  SERVER dd_bearer OPTIONS (endpoint '/api/customers');
SELECT count(*) > 0 AS rows FROM dd_bearer_customers;

-- ===================================================================
-- the other method families
-- ===================================================================
-- HTTP header and URL parameter: SecurityToken is the api_key
SELECT * FROM migrate(format('AuthenticationMethod=HTTPHeader;HostName=%s;AuthHeader=X-Api-Key;SecurityToken=%s',
  :'base_url', :'api_key'), 'dd_header');
SELECT mapping_keys('dd_header'), mapping_has('dd_header', 'api_key', :'api_key') AS key_kept;
SELECT * FROM migrate(format('AuthenticationMethod=14;HostName=%s;AuthParam=key;SecurityToken=%s',
  :'base_url', :'api_key'), 'dd_param');
SELECT * FROM server_options('dd_param');
-- AWS
SELECT * FROM migrate(format('AuthenticationMethod=AWS;HostName=%s;AccessKey=AKIDEXAMPLE;'
  'SecretKey=%s;Region=eu-central-1;ServiceName=execute-api', :'base_url', :'aws_secret'), 'dd_aws');
SELECT * FROM server_options('dd_aws');
SELECT mapping_keys('dd_aws'), mapping_has('dd_aws', 'aws_secret_access_key', :'aws_secret') AS secret_kept;
-- OAuth2 (legacy): the grant follows from the properties; client
-- credentials sent in the body; a proxy
SELECT * FROM migrate(format('AuthenticationMethod=OAuth2;HostName=%s;ClientID=c1;ClientSecret=%s;'
  'TokenURI=%s/oauth/token;ClientCredentialsMode=Post;ProxyHost=proxy.internal;ProxyPort=3128;ProxyUser=pu',
  :'base_url', :'client_secret', :'base_url'), 'dd_cc');
SELECT * FROM server_options('dd_cc');
SELECT mapping_keys('dd_cc');
-- PKCE: the refresh token grant, the first token from psql
SELECT * FROM migrate(format('AuthenticationMethod=OAuth2-PKCE;HostName=%s;ClientID=c2;'
  'AuthURI=%s/authorize;RedirectURI=http://localhost/cb;TokenURI=%s/oauth/token;OAuthCode=abc',
  :'base_url', :'base_url', :'base_url'), 'dd_pkce');
SELECT * FROM server_options('dd_pkce');
-- JWT bearer, and OAuth2 (24) inferring the password grant
SELECT * FROM migrate('AuthenticationMethod=OAuth2-JWTBearer;HostName=api.example.com;ClientID=c3;'
  'ClaimsIssuer=iss@example.com;ClaimsSubject=sub;ClaimsAudience=https://auth.example.com;'
  'TokenURI=https://auth.example.com/token', 'dd_jwt', user_mapping => false);
SELECT * FROM migrate('AuthenticationMethod=24;HostName=api.example.com;TokenURI=https://auth.example.com/token;'
  'User=jsmith;Password=not-a-test-secret', 'dd_ropc', user_mapping => false);
-- Digest, without a user mapping: its properties are not kept
SELECT * FROM migrate(format('AuthenticationMethod=Digest;HostName=%s;User=jsmith;Password=%s',
  :'base_url', :'api_password'), 'dd_digest', user_mapping => false);
SELECT count(*) AS mappings FROM pg_user_mappings WHERE srvname = 'dd_digest';

-- ===================================================================
-- sampling: a Sample URL gives base_url and rest_sample_path; a JDBC URL
-- ===================================================================
SELECT * FROM migrate(format('jdbc:datadirect:autorest:Sample=''%s/open/m/sample/single'';CreateMap=session',
  :'base_url'), 'dd_sample');
SELECT * FROM server_options('dd_sample');
CREATE SCHEMA dd_sampled;
IMPORT FOREIGN SCHEMA rest FROM SERVER dd_sample INTO dd_sampled;
SELECT count(*) > 0 AS tables FROM pg_foreign_table ft JOIN pg_class c ON c.oid = ft.ftrelid
  WHERE c.relnamespace = 'dd_sampled'::regnamespace;
SELECT * FROM migrate(format('jdbc:datadirect:autorest:%s/;Sample=/open/m/sample/single', :'base_url'),
  'dd_jdbc', user_mapping => false);
-- base_url for a string that names no host
SELECT * FROM migrate('Sample=/open/m/sample/single', 'dd_arg', false, 'https://api.example.com');

-- ===================================================================
-- rest_fdw_sample_model(): the model sampling infers, and its round trip
-- ===================================================================
-- what IMPORT created: tables with their options, columns with types and options
CREATE FUNCTION imported(schema_name text)
RETURNS TABLE (table_name name, col name, type text, not_null boolean, options text)
LANGUAGE sql AS $$
  SELECT c.relname, NULL, NULL, NULL, array_to_string(t.ftoptions, ', ')
  FROM pg_foreign_table t JOIN pg_class c ON c.oid = t.ftrelid
  WHERE c.relnamespace = schema_name::regnamespace
  UNION ALL
  SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
         array_to_string(a.attfdwoptions, ', ')
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  WHERE c.relnamespace = schema_name::regnamespace AND c.relkind = 'f'
    AND a.attnum > 0 AND NOT a.attisdropped
$$;
-- import from both servers and show what differs (nothing, when the model
-- says what sampling found), with the number of columns compared
CREATE FUNCTION round_trip(src name, dst name)
RETURNS TABLE (side text, table_name name, col name, type text, options text)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('client_min_messages', 'warning', true);
  EXECUTE 'DROP SCHEMA IF EXISTS rt_src, rt_dst CASCADE';
  EXECUTE 'CREATE SCHEMA rt_src';
  EXECUTE 'CREATE SCHEMA rt_dst';
  EXECUTE format('IMPORT FOREIGN SCHEMA rest FROM SERVER %I INTO rt_src', src);
  EXECUTE format('IMPORT FOREIGN SCHEMA rest FROM SERVER %I INTO rt_dst', dst);
  RETURN QUERY
    (SELECT 'sampled only', i.table_name, i.col, i.type, i.options FROM imported('rt_src') i
     EXCEPT SELECT 'sampled only', i.table_name, i.col, i.type, i.options FROM imported('rt_dst') i)
    UNION ALL
    (SELECT 'model only', i.table_name, i.col, i.type, i.options FROM imported('rt_dst') i
     EXCEPT SELECT 'model only', i.table_name, i.col, i.type, i.options FROM imported('rt_src') i)
    UNION ALL
    SELECT 'compared', NULL, NULL, count(*)::text, NULL FROM imported('rt_src')
    ORDER BY 1, 2, 3;
END
$$;

-- a sampled path: nested objects, renamed and numbered names, types
CREATE SERVER dd_model_src FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_sample_path '/open/m/sample/mixed');
CREATE USER MAPPING FOR CURRENT_USER SERVER dd_model_src;
SELECT rest_fdw_sample_model('dd_model_src');
\set model :configdir '/dd_model.rest'
SELECT write_model(:'model', rest_fdw_sample_model('dd_model_src'));
CREATE SERVER dd_model_dst FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'model');
CREATE USER MAPPING FOR CURRENT_USER SERVER dd_model_dst;
SELECT * FROM round_trip('dd_model_src', 'dd_model_dst');

-- a model file: declared columns are written back, sampled tables sampled
\set cfg :configdir '/helpdesk.json'
CREATE SERVER dd_model_cfg FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', rest_config_file :'cfg');
CREATE USER MAPPING FOR CURRENT_USER SERVER dd_model_cfg;
SELECT rest_fdw_sample_model('dd_model_cfg');
SELECT write_model(:'model', rest_fdw_sample_model('dd_model_cfg'));
SELECT * FROM round_trip('dd_model_cfg', 'dd_model_dst');

-- hostile names in the sample: what the grammar would misread is left out,
-- with a NOTICE each; a rows path under an object
ALTER SERVER dd_model_src OPTIONS (SET rest_sample_path '/open/mg/hostile');
SELECT rest_fdw_sample_model('dd_model_src');
SELECT write_model(:'model', rest_fdw_sample_model('dd_model_src'));
SELECT * FROM round_trip('dd_model_src', 'dd_model_dst');
ALTER SERVER dd_model_src OPTIONS (SET rest_sample_path '/open/m/sample/mixed');
SET client_min_messages = warning;
DROP SCHEMA rt_src, rt_dst CASCADE;
RESET client_min_messages;

-- privileges: USAGE on the server; sampling as IMPORT samples, as the caller
CREATE ROLE regress_modeller;
SET ROLE regress_modeller;
SELECT * FROM show_error($$SELECT rest_fdw_sample_model('dd_model_src')$$);
RESET ROLE;
GRANT USAGE ON FOREIGN SERVER dd_model_src TO regress_modeller;
SET ROLE regress_modeller;
SELECT * FROM show_error($$SELECT rest_fdw_sample_model('dd_model_src')$$);
RESET ROLE;
DROP OWNED BY regress_modeller;
DROP ROLE regress_modeller;
-- no such server, and a server without anything to sample
SELECT * FROM show_error($$SELECT rest_fdw_sample_model('no_such_server')$$);
CREATE SERVER dd_model_none FOREIGN DATA WRAPPER rest_fdw OPTIONS (base_url :'base_url');
SELECT * FROM show_error($$SELECT rest_fdw_sample_model('dd_model_none')$$);
DROP SERVER dd_model_none;

-- ===================================================================
-- errors
-- ===================================================================
\set VERBOSITY default
SELECT * FROM show_error($$SELECT * FROM migrate('HostName=h;Password={abc;def', 'dd_bad')$$);
SELECT * FROM show_error($$SELECT * FROM migrate('HostName=h;=x', 'dd_bad')$$);
SELECT * FROM show_error($$SELECT * FROM migrate('HostName=h;Password', 'dd_bad')$$);
SELECT * FROM show_error($$SELECT * FROM migrate('HostName=h;User=a;user=b', 'dd_bad')$$);
SELECT * FROM show_error($$SELECT * FROM migrate('Config=/a.rest;RestConfigFile=/b.rest;HostName=h', 'dd_bad')$$);
SELECT * FROM show_error($$SELECT * FROM migrate('jdbc:datadirect:autorest://a.example;HostName=b.example', 'dd_bad')$$);
SELECT * FROM show_error($$SELECT * FROM migrate('HostName=h;AuthenticationMethod=Kerberos', 'dd_bad')$$);
SELECT * FROM show_error($$SELECT * FROM migrate('HostName=h;AuthenticationMethod=Custom', 'dd_bad')$$);
SELECT * FROM show_error($$SELECT * FROM migrate('HostName=h;PortNumber=99999', 'dd_bad')$$);
-- a port given twice: in the host (IPv6 too) and as its own property
SELECT * FROM show_error($$SELECT * FROM migrate('HostName=[::1]:8080;PortNumber=443', 'dd_bad')$$);
SELECT * FROM show_error($$SELECT * FROM migrate('HostName=h;ProxyHost=p:3128;ProxyPort=8080', 'dd_bad')$$);
SELECT * FROM show_error($$SELECT * FROM migrate('AuthenticationMethod=None', 'dd_bad')$$);
SELECT * FROM show_error($$SELECT * FROM migrate(E'[a]\nHostName=h\n[b]\nHostName=i', 'dd_bad')$$);
SELECT * FROM show_error($$SELECT * FROM migrate(E'[a]\nHostName=h\nnot a property', 'dd_bad')$$);
SELECT * FROM show_error($$SELECT * FROM migrate(repeat('a', 70000), 'dd_bad')$$);
SELECT * FROM show_error($$SELECT * FROM migrate('HostName=h;' ||
  (SELECT string_agg('P' || i || '=1', ';') FROM generate_series(1, 300) i), 'dd_bad')$$);
-- hostile shapes: empty properties are skipped, a name that may be a piece
-- of a value is not shown, a lone brace is unterminated
SELECT property, option, target FROM migrate(';;HostName=h;;; ;' || repeat('k', 200) || '=1;pass word=x;{=y', 'dd_odd', user_mapping => false);
SELECT * FROM show_error($$SELECT * FROM migrate('HostName={', 'dd_bad')$$);
SELECT * FROM show_error($$SELECT * FROM migrate('=', 'dd_bad')$$);
SELECT * FROM show_error($$SELECT * FROM migrate('', 'dd_bad')$$);
DROP SERVER dd_odd;
-- a hostile value: the error names the property, never the value
SELECT * FROM show_error($$SELECT * FROM migrate('HostName=h;ClientSecret=not-so-secret;ClientSecret=other', 'dd_bad')$$);
-- the validator checks every option; a bad secret is not shown
SELECT * FROM show_error($$SELECT * FROM migrate('HostName=h;Password=', 'dd_bad')$$);
-- the server exists already
SELECT * FROM show_error($$SELECT * FROM migrate('HostName=h', 'dd_oauth')$$);
-- nothing is left behind by a failed call (the server of the call that
-- failed at its user mapping neither)
SELECT count(*) AS servers FROM pg_foreign_server WHERE srvname = 'dd_bad';

-- ===================================================================
-- privileges: PostgreSQL's own
-- ===================================================================
CREATE ROLE regress_migrator;
SET ROLE regress_migrator;
-- no USAGE on the foreign data wrapper
SELECT * FROM show_error($$SELECT * FROM migrate('HostName=h', 'dd_nouse')$$);
RESET ROLE;
GRANT USAGE ON FOREIGN DATA WRAPPER rest_fdw TO regress_migrator;
SET ROLE regress_migrator;
-- a model file is the server's file: refused as CREATE SERVER refuses it
SELECT * FROM show_error($$SELECT * FROM migrate('HostName=h;RestConfigFile=/etc/passwd', 'dd_file')$$);
SELECT * FROM show_error($$CREATE SERVER dd_file FOREIGN DATA WRAPPER rest_fdw OPTIONS (base_url 'https://h', rest_config_file '/etc/passwd')$$);
-- certificate checks off: superusers only
SELECT * FROM show_error($$SELECT * FROM migrate('HostName=h;ValidateServerCertificate=0', 'dd_verify')$$);
-- allowed: the server and the role's own user mapping
SELECT property, option, target FROM migrate('HostName=h;User=me;Password={p;w}', 'dd_own');
SELECT srvname, usename FROM pg_user_mappings WHERE srvname = 'dd_own';
RESET ROLE;

-- ===================================================================
-- clean up
-- ===================================================================
\set VERBOSITY terse
DROP USER MAPPING FOR regress_migrator SERVER dd_own;
DROP SERVER dd_own;
REVOKE USAGE ON FOREIGN DATA WRAPPER rest_fdw FROM regress_migrator;
DROP ROLE regress_migrator;
DROP SCHEMA dd_sampled CASCADE;
DROP SERVER dd_oauth, dd_braces, dd_bearer, dd_header, dd_param, dd_aws, dd_cc,
  dd_pkce, dd_jwt, dd_ropc, dd_digest, dd_sample, dd_jdbc, dd_arg CASCADE;
DROP SERVER dd_model_src, dd_model_dst, dd_model_cfg CASCADE;
DROP FUNCTION migrate, server_options, mapping_keys, mapping_has, imported, round_trip;
