--
-- The response cache (cache_ttl): per user mapping, revalidated with
-- ETag and Last-Modified, emptied by writes, ALTER and
-- rest_fdw_cache_clear().  The test API's c/items counts its answers.
--
\getenv port REST_TEST_PORT
\set base_url 'http://127.0.0.1:' :port
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE SERVER regress_cache FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', authentication_method 'http_header');
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_cache OPTIONS (api_key 'key-of-the-owner');
CREATE FOREIGN TABLE cache_seen (ok int, not_modified int, conditional int)
  SERVER regress_admin OPTIONS (endpoint '/_admin/cache?series=a');
CREATE FOREIGN TABLE cache_reset (ok int)
  SERVER regress_admin OPTIONS (endpoint '/_admin/cache?series=a&reset=1');
SELECT rest_fdw_cache_clear() >= 0 AS cleared;
SELECT ok FROM cache_reset;
CREATE FOREIGN TABLE cached (id int, version int, caller text)
  SERVER regress_cache OPTIONS (endpoint '/open/c/items?series=a', cache_ttl '300');

-- the second scan is answered from the cache: one request in all
SELECT id, version FROM cached ORDER BY id;
SELECT id, version FROM cached ORDER BY id;
SELECT * FROM cache_seen;
SELECT * FROM explain_filter('(ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM cached');
-- conditions the API is not sent make the same request: the same entry
SELECT count(*) FROM cached WHERE id > 0;
SELECT count(*) FROM cached WHERE version > 0;
SELECT * FROM cache_seen;

-- a write through rest_fdw empties the cache, as what it kept may change
CREATE FOREIGN TABLE cache_writes (ref text)
  SERVER regress_cache OPTIONS (insert 'POST /open/w/orders');
INSERT INTO cache_writes VALUES ('cache-1');
SELECT count(*) FROM cached;
SELECT count(*) FROM cached;
SELECT * FROM cache_seen;

-- rest_fdw_cache_clear() forgets: the next scan asks again
SELECT rest_fdw_cache_clear() AS entries_dropped;
SELECT count(*) FROM cached;
SELECT * FROM cache_seen;

-- never shared between user mappings: another role, with its own key,
-- asks the API itself and sees its own answer
CREATE ROLE regress_cache_other;
GRANT USAGE ON FOREIGN SERVER regress_cache TO regress_cache_other;
GRANT SELECT ON cached TO regress_cache_other;
CREATE USER MAPPING FOR regress_cache_other SERVER regress_cache OPTIONS (api_key 'key-of-the-other');
-- (a new mapping empties the cache: read it into the cache again)
SELECT count(*) FROM cached;
SELECT DISTINCT caller AS owner_caller FROM cached \gset
SET ROLE regress_cache_other;
SELECT DISTINCT caller <> :'owner_caller' AS own_answer FROM cached;
SELECT DISTINCT caller <> :'owner_caller' AS own_answer FROM cached;
RESET ROLE;
SELECT DISTINCT caller = :'owner_caller' AS owner_answer FROM cached;
SELECT * FROM cache_seen;

-- a stale entry with an ETag is revalidated: 304, the body kept
CREATE FOREIGN TABLE cache_change (ok int)
  SERVER regress_admin OPTIONS (endpoint '/_admin/cache?series=a&change=1');
ALTER FOREIGN TABLE cached OPTIONS (SET cache_ttl '1');
SELECT rest_fdw_cache_clear() > 0 AS cleared;
SELECT count(*) FROM cached;
SELECT pg_sleep(1.2);
SELECT * FROM explain_filter('(ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM cached');
SELECT * FROM cache_seen;
-- a new version: the conditional request gets the new rows
SELECT pg_sleep(1.2);
SELECT ok FROM cache_change;
SELECT DISTINCT version FROM cached;
SELECT * FROM cache_seen;

-- Last-Modified is a validator too
CREATE FOREIGN TABLE cached_lm (id int, version int)
  SERVER regress_cache OPTIONS (endpoint '/open/c/items?series=a&modified=1', cache_ttl '1');
SELECT count(*) FROM cached_lm;
SELECT pg_sleep(1.2);
SELECT count(*) FROM cached_lm;
SELECT * FROM cache_seen;

-- without cache_ttl (the default) every scan asks
ALTER FOREIGN TABLE cached OPTIONS (DROP cache_ttl);
SELECT count(*) FROM cached;
SELECT count(*) FROM cached;
SELECT * FROM cache_seen;

-- rest_fdw.cache_size bounds the memory: a response larger than a
-- quarter of it is not kept
ALTER FOREIGN TABLE cached OPTIONS (ADD cache_ttl '300');
ALTER FOREIGN TABLE cached OPTIONS (SET endpoint '/open/c/items?series=a&big=400');
SET rest_fdw.cache_size = '64kB';
SELECT count(*) FROM cached;
SELECT count(*) FROM cached;
SELECT * FROM cache_seen;
RESET rest_fdw.cache_size;
SELECT count(*) FROM cached;
SELECT count(*) FROM cached;
SELECT * FROM cache_seen;
-- only superusers set it, as it is memory of the server
SET ROLE regress_cache_other;
SELECT * FROM show_error($$SET rest_fdw.cache_size = '1GB'$$);
RESET ROLE;
SELECT * FROM show_error($$ALTER FOREIGN TABLE cached OPTIONS (SET cache_ttl '-1')$$);

DROP USER MAPPING FOR regress_cache_other SERVER regress_cache;
REVOKE ALL ON cached FROM regress_cache_other;
REVOKE ALL ON FOREIGN SERVER regress_cache FROM regress_cache_other;
DROP ROLE regress_cache_other;
DROP SERVER regress_cache CASCADE;
DROP FOREIGN TABLE cache_seen, cache_reset, cache_change;
