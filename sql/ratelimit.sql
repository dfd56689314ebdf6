--
-- Rate limits: the retry_statuses and rate_limit options, waits until the
-- time a rate limit reset header gives, and a 403 that says the rate
-- limit is used up.  The shared rate_limit itself, with several sessions,
-- is tested by test/t/013_rate_limits.pl (it needs shared_preload_libraries
-- before PostgreSQL 17).
--
\getenv port REST_TEST_PORT
\set base_url 'http://127.0.0.1:' :port
\set VERBOSITY default
\set SHOW_CONTEXT never

-- ===================================================================
-- Options
-- ===================================================================
CREATE SERVER regress_rl FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url :'base_url', max_retry_wait '5', max_retries '2',
           retry_statuses '500, 520,522', rate_limit '0.5/second');
ALTER SERVER regress_rl OPTIONS (SET rate_limit '600/minute');
ALTER SERVER regress_rl OPTIONS (SET rate_limit '5000/hours burst 20');
ALTER SERVER regress_rl OPTIONS (SET rate_limit ' 1 / Day ');
ALTER SERVER regress_rl OPTIONS (SET rate_limit '1000000/second burst 1000000');
ALTER SERVER regress_rl OPTIONS (SET rate_limit '10');                    -- ERROR
ALTER SERVER regress_rl OPTIONS (SET rate_limit '10/week');               -- ERROR
ALTER SERVER regress_rl OPTIONS (SET rate_limit '0/second');              -- ERROR
ALTER SERVER regress_rl OPTIONS (SET rate_limit '-1/second');             -- ERROR
ALTER SERVER regress_rl OPTIONS (SET rate_limit 'inf/second');            -- ERROR
ALTER SERVER regress_rl OPTIONS (SET rate_limit '0.5/day');               -- ERROR
ALTER SERVER regress_rl OPTIONS (SET rate_limit '2000000/second');        -- ERROR
ALTER SERVER regress_rl OPTIONS (SET rate_limit '10/second burst 0');     -- ERROR
ALTER SERVER regress_rl OPTIONS (SET rate_limit '10/second burst');       -- ERROR
ALTER SERVER regress_rl OPTIONS (SET rate_limit '10/second, 100/minute'); -- ERROR
ALTER SERVER regress_rl OPTIONS (SET retry_statuses '500');
ALTER SERVER regress_rl OPTIONS (SET retry_statuses '');                  -- ERROR
ALTER SERVER regress_rl OPTIONS (SET retry_statuses '200');               -- ERROR
ALTER SERVER regress_rl OPTIONS (SET retry_statuses '5000');              -- ERROR
ALTER SERVER regress_rl OPTIONS (SET retry_statuses '500,,502');          -- ERROR
ALTER SERVER regress_rl OPTIONS (SET retry_statuses '500;502');           -- ERROR
ALTER SERVER regress_rl OPTIONS (SET retry_statuses 'all');               -- ERROR
-- server options only
CREATE FOREIGN TABLE rl_bad (id int) SERVER regress_rl
  OPTIONS (rate_limit '1/second');                                       -- ERROR
CREATE USER MAPPING FOR CURRENT_USER SERVER regress_rl
  OPTIONS (retry_statuses '500');                                        -- ERROR
-- EXPLAIN shows the limit, in the first unit that makes it a whole number
-- (plain EXPLAIN sends nothing, so it needs no shared memory)
CREATE FOREIGN TABLE rl_explain (id int) SERVER regress_rl OPTIONS (endpoint '/open/items');
SELECT * FROM explain_filter('(COSTS OFF) SELECT * FROM rl_explain') WHERE explain_filter ~ 'Rate';
ALTER SERVER regress_rl OPTIONS (SET rate_limit '600/minute');
SELECT * FROM explain_filter('(COSTS OFF) SELECT * FROM rl_explain') WHERE explain_filter ~ 'Rate';
ALTER SERVER regress_rl OPTIONS (SET rate_limit '0.5/second');
SELECT * FROM explain_filter('(COSTS OFF) SELECT * FROM rl_explain') WHERE explain_filter ~ 'Rate';
ALTER SERVER regress_rl OPTIONS (SET rate_limit '5000/hour burst 20');
SELECT * FROM explain_filter('(COSTS OFF) SELECT * FROM rl_explain') WHERE explain_filter ~ 'Rate';
ALTER SERVER regress_rl OPTIONS (SET rate_limit '7/day');
SELECT * FROM explain_filter('(COSTS OFF) SELECT * FROM rl_explain') WHERE explain_filter ~ 'Rate';
ALTER SERVER regress_rl OPTIONS (DROP rate_limit);
SELECT count(*) FROM explain_filter('(COSTS OFF) SELECT * FROM rl_explain') WHERE explain_filter ~ 'Rate';

-- ===================================================================
-- Waiting until the rate limit resets
-- ===================================================================
CREATE FOREIGN TABLE rl_attempts (key text OPTIONS (param 'key', virtual 'true'),
                                  times float8[])
  SERVER regress_admin OPTIONS (endpoint '/_admin/ratelimit');
-- the number of requests seen for key, and the seconds between the
-- first and the last (rounded down)
CREATE FUNCTION rl_seen(key text, OUT requests int, OUT seconds int)
LANGUAGE sql AS $$
  SELECT cardinality(times), floor(times[cardinality(times)] - times[1])::int
  FROM rl_attempts WHERE rl_attempts.key = rl_seen.key
$$;

-- X-RateLimit-Reset as a delay: one second (and the time to answer)
CREATE FOREIGN TABLE rl_delta (id int, attempts int) SERVER regress_rl
  OPTIONS (endpoint '/open/ratelimit/limited?times=1&reset=1&key=rl_delta');
SELECT * FROM rl_delta;
SELECT requests, seconds BETWEEN 1 AND 2 AS waited FROM rl_seen('rl_delta');
-- as epoch seconds (1 to 2 seconds ahead, as the header has whole seconds)
CREATE FOREIGN TABLE rl_epoch (id int, attempts int) SERVER regress_rl
  OPTIONS (endpoint '/open/ratelimit/limited?times=1&reset=2&epoch=1&key=rl_epoch');
SELECT * FROM rl_epoch;
SELECT requests, seconds BETWEEN 1 AND 2 AS waited FROM rl_seen('rl_epoch');
-- RateLimit-Reset and X-Rate-Limit-Reset, with 503
CREATE FOREIGN TABLE rl_ietf (id int, attempts int) SERVER regress_rl
  OPTIONS (endpoint '/open/ratelimit/limited?times=1&reset=0&header=ietf&code=503&key=rl_ietf');
SELECT * FROM rl_ietf;
CREATE FOREIGN TABLE rl_twitter (id int, attempts int) SERVER regress_rl
  OPTIONS (endpoint '/open/ratelimit/limited?times=1&reset=0&header=twitter&key=rl_twitter');
SELECT * FROM rl_twitter;
-- a reset later than max_retry_wait is not waited for: the header is named
CREATE FOREIGN TABLE rl_late (id int) SERVER regress_rl
  OPTIONS (endpoint '/open/ratelimit/limited?times=1&reset=3600&key=rl_late');
SELECT * FROM show_error('SELECT * FROM rl_late');
-- Retry-After comes first
CREATE FOREIGN TABLE rl_both (id int, attempts int) SERVER regress_rl
  OPTIONS (endpoint '/open/fault/status?code=429&times=1&key=rl_both&retry_after=0');
SELECT * FROM rl_both;

-- ===================================================================
-- 403 with X-RateLimit-Remaining: 0 (GitHub) is a 429
-- ===================================================================
CREATE FOREIGN TABLE rl_github (id int, attempts int) SERVER regress_rl
  OPTIONS (endpoint '/open/ratelimit/limited?times=1&code=403&remaining=0&reset=1&epoch=1&key=rl_github');
SELECT * FROM rl_github;
-- another 403 is not retried
CREATE FOREIGN TABLE rl_forbidden (id int) SERVER regress_rl
  OPTIONS (endpoint '/open/ratelimit/limited?times=1&code=403&remaining=12&header=none&key=rl_forbidden');
SELECT * FROM show_error('SELECT * FROM rl_forbidden');
SELECT requests FROM rl_seen('rl_forbidden');
-- out of retries: the rate limit was reached, and when it resets
CREATE FOREIGN TABLE rl_exhausted (id int) SERVER regress_rl
  OPTIONS (endpoint '/open/ratelimit/limited?times=9&code=403&remaining=0&reset=0&epoch=1&key=rl_exhausted');
SELECT regexp_replace(e, '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?[+-]\d\d', 'TIME') AS show_error
  FROM show_error('SELECT * FROM rl_exhausted') AS e;
SELECT requests FROM rl_seen('rl_exhausted');
-- no retry at all, and no reset header
ALTER SERVER regress_rl OPTIONS (SET max_retries '0');
CREATE FOREIGN TABLE rl_noretry (id int) SERVER regress_rl
  OPTIONS (endpoint '/open/ratelimit/limited?times=9&code=403&remaining=0&header=none&key=rl_noretry');
SELECT * FROM show_error('SELECT * FROM rl_noretry');
ALTER SERVER regress_rl OPTIONS (SET max_retries '2');

-- ===================================================================
-- retry_statuses: more statuses a GET retries
-- ===================================================================
ALTER SERVER regress_rl OPTIONS (SET retry_statuses '500,520');
CREATE FOREIGN TABLE rl_500 (id int, attempts int) SERVER regress_rl
  OPTIONS (endpoint '/open/fault/status?code=500&times=1&key=rl_500&retry_after=0');
SELECT * FROM rl_500;
CREATE FOREIGN TABLE rl_520 (id int, attempts int) SERVER regress_rl
  OPTIONS (endpoint '/open/fault/status?code=520&times=2&key=rl_520&retry_after=0');
SELECT * FROM rl_520;
-- a status not listed is not retried
CREATE FOREIGN TABLE rl_522 (id int) SERVER regress_rl
  OPTIONS (endpoint '/open/fault/status?code=522&times=1&key=rl_522&retry_after=0');
SELECT * FROM show_error('SELECT * FROM rl_522');
-- nor one listed when out of retries
CREATE FOREIGN TABLE rl_500b (id int) SERVER regress_rl
  OPTIONS (endpoint '/open/fault/status?code=500&times=5&key=rl_500b&retry_after=0');
SELECT * FROM show_error('SELECT * FROM rl_500b');

DROP SERVER regress_rl CASCADE;
DROP FUNCTION rl_seen(text);
DROP FOREIGN TABLE rl_attempts;
