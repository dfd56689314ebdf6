#!/usr/bin/env python3
"""Scenarios of the rest_fdw benchmark; started by test/bench/run.sh, which
builds and installs the extension, starts nginx, the data server and a
throwaway PostgreSQL cluster, and passes them in the environment.

Every figure is a median over several runs measured in this run, with psql's
\\timing (the client's round trip of each statement); ratios compare figures
of this run only.  Every timed query is

    SELECT count(*) FROM <rows> t WHERE id IS NOT NULL AND ... AND status IS NOT NULL

which makes every source convert all 8 columns of every row (and checks that
none is NULL) at little cost of its own; its result is checked against the
row count, and the sources' checksums over all columns are compared once.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rows  # noqa: E402

ENV = os.environ
WORK = ENV["BENCH_WORK"]
QUICK = ENV.get("BENCH_QUICK") == "1"
PERF = ENV.get("BENCH_PERF") == "1"
NGINX = "http://127.0.0.1:%s" % ENV["BENCH_NGINX_PORT"]
DATA = "http://127.0.0.1:%s" % ENV["BENCH_DATA_PORT"]
TOKEN_URI = "http://127.0.0.1:%s/oauth/token" % ENV["BENCH_TOKEN_PORT"]
BIG_FILE = ENV["BENCH_BIG_FILE"]
BIG_ROWS = int(ENV["BENCH_BIG_ROWS"])
BIG_URL = NGINX + "/" + os.path.basename(BIG_FILE)

RUNS = 2 if QUICK else 5              # scenarios 1, 3, 4
SLOW_RUNS = 1 if QUICK else 3         # scenario 2 (>= 10 s a run sequentially)
MEM_RUNS = 1 if QUICK else 2          # scenario 5
S2_PAGES, S2_SIZE, S2_DELAY = (50 if QUICK else 200), 500, 50
S3_PAGES, S3_SIZE = 1000, 100
S4_QUERIES = 200 if QUICK else 1000
S5_SMALL, S5_LARGE, S5_PAGE = 20000, (500000 if QUICK else 2000000), 5000
S6_ROWS, S6_SIZE = 1003, 100
S7_QUERIES, S7_ROWS, S7_DELAY = (20 if QUICK else 100), 500, 50
# BENCH_SCENARIOS="2,6": only those scenarios
SCENARIOS = set(ENV.get("BENCH_SCENARIOS", "1,2,3,4,5,6,7").split(","))

COLS = rows.COLUMNS_SQL
COUNT = ("SELECT count(*) FROM %s WHERE id IS NOT NULL AND name IS NOT NULL AND "
         "amount IS NOT NULL AND score IS NOT NULL AND flag IS NOT NULL AND day IS NOT NULL "
         "AND created_at IS NOT NULL AND status IS NOT NULL;")
CHECKSUM = ("SELECT count(*), sum(id), sum(amount), round(sum(score)::numeric, 6), "
            "count(*) FILTER (WHERE flag), min(day), max(day), max(created_at), "
            "sum(length(name)), count(DISTINCT status) FROM %s;")

out = sys.stdout


def say(*a):
    print(*a, file=out, flush=True)


def note(msg):
    print("  .. " + msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- plumbing

def psql(script, check=True):
    """Run a psql script in a fresh session; its stdout lines."""
    p = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"],
                       input=script, text=True, capture_output=True)
    if check and p.returncode != 0:
        sys.stderr.write(script[:2000] + "\n---\n" + p.stdout[-2000:] + p.stderr)
        raise SystemExit("psql failed (exit %d)" % p.returncode)
    return p.stdout.splitlines(), p.returncode, p.stderr


STATS_CMD = "\\! sleep 0.3; curl -s %s/_admin/stats\n" % DATA
RESET_CMD = "\\! curl -s -o /dev/null %s/_admin/reset\n" % DATA
TIME_RE = re.compile(r"^Time: ([0-9.]+) ms")
STATS_RE = re.compile(r"^requests=")


def parse_runs(lines):
    """Blocks between "@@run" and "@@end": (ms, result lines, stats)."""
    runs, cur = [], None
    for ln in lines:
        if ln == "@@run":
            cur = [0.0, [], None]
        elif ln == "@@end":
            runs.append(tuple(cur))
            cur = None
        elif cur is not None:
            m = TIME_RE.match(ln)
            if m:
                cur[0] += float(m.group(1))
            elif STATS_RE.match(ln):
                cur[2] = {k: int(v) for k, v in (kv.split("=") for kv in ln.split())}
            else:
                cur[1].append(ln)
    return runs


def timed(setup, body, runs, expect, warmup=True, per_run_reset=False, pre=""):
    """Time body (psql statements) runs times, each after pre (untimed);
    each run's last result line must be expect.  Returns a list of
    (seconds, server counters or None)."""
    def run_block():
        s = pre + "\n" + (RESET_CMD if per_run_reset else "")
        s += "\\echo @@run\n" + body + "\n"
        if per_run_reset:
            s += STATS_CMD
        return s + "\\echo @@end\n"

    def session(n):
        s = setup + "\n"
        if warmup:
            s += pre + "\n" + body + "\n"
        s += "\\timing on\n" + "".join(run_block() for _ in range(n))
        return s

    results = []
    lines, _, _ = psql(session(runs))
    for ms, res, stats in parse_runs(lines):
        if not res or res[-1] != str(expect):
            raise SystemExit("unexpected result %r (expected %r) of:\n%s"
                             % (res[-1:] if res else res, expect, body[:500]))
        results.append((ms / 1000.0, stats))
    if len(results) != runs:
        raise SystemExit("%d runs measured instead of %d of:\n%s" % (len(results), runs, body[:500]))
    return results


def med(results):
    return statistics.median(r[0] for r in results)


def mn(results):
    return min(r[0] for r in results)


def secs(t):
    return "%.3f s" % t if t is not None else "n/a"


def rate(n, t):
    return "{:,.0f}".format(n / t) if t else "n/a"


def ratio(x, y):
    return "%.2fx" % (x / y) if x and y else "n/a"


def verdict(ok):
    return "met" if ok else "NOT MET"


def table(header, body):
    widths = [max(len(str(r[i])) for r in [header] + body) for i in range(len(header))]
    fmt = lambda r: "  " + "  ".join(  # noqa: E731
        (str(c).ljust(w) if i == 0 else str(c).rjust(w)) for i, (c, w) in enumerate(zip(r, widths)))
    say(fmt(header))
    say("  " + "  ".join("-" * w for w in widths))
    for r in body:
        say(fmt(r))


# ---------------------------------------------------------------- setup

def setup():
    cs, rt, cid = ENV["BENCH_CLIENT_SECRET"], ENV["BENCH_REFRESH_TOKEN"], ENV["BENCH_CLIENT_ID"]
    sql = f"""
CREATE EXTENSION rest_fdw;
CREATE EXTENSION plpython3u;
CREATE EXTENSION file_fdw;
CREATE SERVER bench_files FOREIGN DATA WRAPPER file_fdw;
-- baseline (d): the same rows as CSV, read by file_fdw
CREATE FOREIGN TABLE bench_csv ({COLS}) SERVER bench_files
  OPTIONS (filename '{BIG_FILE}.csv', format 'csv', header 'true');
CREATE SERVER bench_static FOREIGN DATA WRAPPER rest_fdw OPTIONS (base_url '{NGINX}');
CREATE SERVER bench_data FOREIGN DATA WRAPPER rest_fdw OPTIONS (base_url '{DATA}');
CREATE SERVER bench_oauth FOREIGN DATA WRAPPER rest_fdw
  OPTIONS (base_url '{DATA}', authentication_method 'oauth2',
           token_uri '{TOKEN_URI}', client_id '{cid}');
CREATE USER MAPPING FOR CURRENT_USER SERVER bench_oauth
  OPTIONS (client_secret '{cs}', refresh_token '{rt}');

-- 1: one {BIG_ROWS}-row response from nginx
CREATE FOREIGN TABLE bench_s1 ({COLS}) SERVER bench_static
  OPTIONS (endpoint '/{os.path.basename(BIG_FILE)}');
-- 2: {S2_PAGES} pages of {S2_SIZE} rows, {S2_DELAY} ms each
CREATE FOREIGN TABLE bench_s2 ({COLS}) SERVER bench_data
  OPTIONS (endpoint '/rows?total={S2_PAGES * S2_SIZE}&delay_ms={S2_DELAY}', rows_path 'items',
           paging 'offset', page_size '{S2_SIZE}', total_count_path 'total');
CREATE FOREIGN TABLE bench_s2_nt ({COLS}) SERVER bench_data
  OPTIONS (endpoint '/rows?total={S2_PAGES * S2_SIZE}&delay_ms={S2_DELAY}', rows_path 'items',
           paging 'offset', page_size '{S2_SIZE}');
CREATE FOREIGN TABLE bench_s2_c1 ({COLS}) SERVER bench_data
  OPTIONS (endpoint '/rows?total={S2_PAGES * S2_SIZE}&delay_ms={S2_DELAY}', rows_path 'items',
           paging 'offset', page_size '{S2_SIZE}', total_count_path 'total');
-- 3: {S3_PAGES} pages of {S3_SIZE} rows, {S2_DELAY} ms each
CREATE FOREIGN TABLE bench_s3 ({COLS}) SERVER bench_data
  OPTIONS (endpoint '/rows?total={S3_PAGES * S3_SIZE}&delay_ms={S2_DELAY}', rows_path 'items',
           paging 'offset', page_size '{S3_SIZE}', total_count_path 'total');
-- 4: a small OAuth2-protected endpoint, one request a query
CREATE FOREIGN TABLE bench_s4 ({COLS}) SERVER bench_oauth
  OPTIONS (endpoint '/secure/rows?total=10&limit=10', rows_path 'items');
-- 5: pages of {S5_PAGE} rows
CREATE FOREIGN TABLE bench_s5_small ({COLS}) SERVER bench_data
  OPTIONS (endpoint '/rows?total={S5_SMALL}', rows_path 'items', paging 'offset',
           page_size '{S5_PAGE}', total_count_path 'total');
CREATE FOREIGN TABLE bench_s5_large ({COLS}) SERVER bench_data
  OPTIONS (endpoint '/rows?total={S5_LARGE}', rows_path 'items', paging 'offset',
           page_size '{S5_PAGE}', total_count_path 'total');
-- 6: {S6_ROWS} rows in pages of {S6_SIZE}, the ways the end can be found
CREATE FOREIGN TABLE bench_s6 ({COLS}) SERVER bench_data
  OPTIONS (endpoint '/rows?total={S6_ROWS}', rows_path 'items', paging 'offset',
           page_size '{S6_SIZE}');
-- 7: one page of {S7_ROWS} rows, {S7_DELAY} ms a request, with and without the cache
CREATE FOREIGN TABLE bench_s7 ({COLS}) SERVER bench_data
  OPTIONS (endpoint '/rows?total={S7_ROWS}&limit={S7_ROWS}&delay_ms={S7_DELAY}', rows_path 'items');
CREATE FOREIGN TABLE bench_s7_cached ({COLS}) SERVER bench_data
  OPTIONS (endpoint '/rows?total={S7_ROWS}&limit={S7_ROWS}&delay_ms={S7_DELAY}', rows_path 'items',
           cache_ttl '3600');
CREATE FOREIGN TABLE bench_tiny ({COLS}) SERVER bench_data
  OPTIONS (endpoint '/rows?total=1', rows_path 'items');

-- baseline (a): the body as one jsonb value
CREATE UNLOGGED TABLE bench_raw (j jsonb);

-- baseline (b): PL/Python, urllib + json
CREATE FUNCTION bench_py_fetch(url text) RETURNS TABLE ({COLS})
LANGUAGE plpython3u AS $$
import json, urllib.request
with urllib.request.urlopen(url) as r:
    return json.load(r)
$$;
CREATE FUNCTION bench_py_fetch_paged(url text, page_size int) RETURNS TABLE ({COLS})
LANGUAGE plpython3u AS $$
import json, urllib.request
offset = 0
while True:
    with urllib.request.urlopen("%s&offset=%d&limit=%d" % (url, offset, page_size)) as r:
        page = json.load(r)
    yield from page["items"]
    offset += page_size
    if not page["items"] or offset >= page["total"]:
        break
$$;
"""
    psql(sql)
    # is fetch_concurrency accepted by this build?
    _, rc, err = psql("ALTER FOREIGN TABLE bench_s2_c1 OPTIONS (ADD fetch_concurrency '1');",
                      check=False)
    return rc == 0, err.strip().splitlines()[0] if rc else ""


# ---------------------------------------------------------------- scenarios

def copy_cmd(url):
    # csv with quote and delimiter bytes that JSON never holds: the body verbatim
    return ("COPY bench_raw FROM PROGRAM 'curl -s -S -f -w \"\\n\" \"%s\"' "
            "(FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02');" % url)


def scenario1():
    n = BIG_ROWS
    size = os.path.getsize(BIG_FILE)
    say("\n1. one response of {:,} rows ({:.1f} MB of JSON) into 8 typed columns, "
        "from nginx".format(n, size / 1e6))
    items = [
        ("rest_fdw", "", COUNT % "bench_s1 t"),
        ("(a) COPY FROM PROGRAM curl + jsonb_to_recordset", "TRUNCATE bench_raw;",
         copy_cmd(BIG_URL) + "\n" +
         COUNT % ("bench_raw, jsonb_to_recordset(bench_raw.j) AS t(%s)" % COLS)),
        ("(b) PL/Python urllib + json", "",
         COUNT % ("bench_py_fetch('%s') t" % BIG_URL)),
        ("(c) floor: pg_read_file + json_to_recordset", "",
         COUNT % ("json_to_recordset(pg_read_file('%s')::json) AS t(%s)" % (BIG_FILE, COLS))),
        ("(d) file_fdw, the same rows as CSV", "", COUNT % "bench_csv t"),
    ]
    res = {}
    for name, pre, body in items:
        note("scenario 1: " + name)
        res[name] = timed("", body, RUNS, n, pre=pre)

    # the same values from every source
    sums = {}
    sums["rest_fdw"] = psql(CHECKSUM % "bench_s1 t")[0]
    sums["(a)"] = psql("TRUNCATE bench_raw;\n" + copy_cmd(BIG_URL) + "\n" + CHECKSUM %
                       ("bench_raw, jsonb_to_recordset(bench_raw.j) AS t(%s)" % COLS))[0]
    sums["(b)"] = psql(CHECKSUM % ("bench_py_fetch('%s') t" % BIG_URL))[0]
    sums["(c)"] = psql(CHECKSUM % ("json_to_recordset(pg_read_file('%s')::json) AS t(%s)"
                                   % (BIG_FILE, COLS)))[0]
    sums["(d)"] = psql(CHECKSUM % "bench_csv t")[0]
    psql("TRUNCATE bench_raw;")

    a = med(res[items[1][0]])
    c = med(res[items[3][0]])
    d = med(res[items[4][0]])
    body = []
    for name, _, _ in items:
        t = med(res[name])
        body.append([name, len(res[name]), secs(t), secs(mn(res[name])), rate(n, t),
                     ratio(a, t), ratio(t, c), ratio(t, d)])
    table(["source", "runs", "median", "min", "rows/s", "rows/s vs (a)", "time vs (c)",
           "time vs (d)"], body)
    agree = len(set(tuple(v) for v in sums.values())) == 1
    say("  checksums over all columns: " + ("all 5 sources agree" if agree else "DIFFER"))
    if not agree:
        for k, v in sums.items():
            say("    %-9s %s" % (k, v))
    f = med(res["rest_fdw"])
    duck = duckdb_baseline(n)
    if duck is not None:
        say("  (e) DuckDB read_json, 1 thread, the same file, no HTTP: %s median, %s min (%d runs);"
            " rest_fdw takes %s its time" % (secs(duck["median"]), secs(duck["min"]), duck["runs"],
                                              ratio(f, duck["median"])))
        say("  target: rest_fdw time <= 3x (e):       %s  %s"
            % (ratio(f, duck["median"]), verdict(f / duck["median"] <= 3.0)))
    else:
        say("  (e) DuckDB: n/a (node, npm or @duckdb/node-api not available)")
    say("  target: rest_fdw rows/s >= 2.5x (a):   %s  %s" % (ratio(a, f), verdict(a / f >= 2.5)))
    say("  target: rest_fdw time <= 1.2x (c):     %s  %s" % (ratio(f, c), verdict(f / c <= 1.2)))
    say("  target: rest_fdw time <= 1.0x (d):     %s  %s" % (ratio(f, d), verdict(f / d <= 1.0)))
    return res


def duckdb_baseline(n):
    """Baseline (e): DuckDB's read_json over BIG_FILE (test/bench/duckdb_read.mjs),
    or None without DuckDB."""
    d = ENV.get("BENCH_DUCKDB_DIR")
    if not d:
        return None
    note("scenario 1: (e) DuckDB read_json")
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "duckdb_read.mjs")
    env = dict(os.environ, NODE_PATH=os.path.join(d, "node_modules"))
    # an ES module finds packages next to it, not through NODE_PATH: run a copy there
    local = os.path.join(d, "duckdb_read.mjs")
    with open(script) as src, open(local, "w") as dst:
        dst.write(src.read())
    p = subprocess.run(["node", local, BIG_FILE, str(RUNS)], capture_output=True, text=True,
                       env=env, timeout=600)
    if p.returncode != 0:
        say("  (e) DuckDB failed: %s" % p.stderr.strip().splitlines()[-1:])
        return None
    r = json.loads(p.stdout.strip().splitlines()[-1])
    if r.get("count") != n:
        raise SystemExit("scenario 1: DuckDB counted %r rows, not %d" % (r.get("count"), n))
    return r


def scenario2(concurrency):
    n = S2_PAGES * S2_SIZE
    say("\n2. {} pages of {} rows ({:,} rows), {} ms added latency per request, "
        "offset paging".format(S2_PAGES, S2_SIZE, n, S2_DELAY, ))
    url = "%s/rows?total=%d&delay_ms=%d" % (DATA, n, S2_DELAY)
    glob = "%s&limit=%d&offset=[0-%d:%d]" % (url, S2_SIZE, n - S2_SIZE, S2_SIZE)
    items = [
        ("rest_fdw, fetch_concurrency default", COUNT % "bench_s2 t"),
        ("rest_fdw, fetch_concurrency = 1", COUNT % "bench_s2_c1 t" if concurrency else None),
        ("rest_fdw, fetch_concurrency default, no total (end not known)",
         COUNT % "bench_s2_nt t"),
        ("(a) COPY FROM PROGRAM curl (sequential) + jsonb_to_recordset",
         copy_cmd(glob) + "\n" +
         COUNT % ("bench_raw, jsonb_to_recordset(bench_raw.j->'items') AS t(%s)" % COLS)),
        ("(b) PL/Python urllib + json (sequential)",
         COUNT % ("bench_py_fetch_paged('%s', %d) t" % (url, S2_SIZE))),
    ]
    res = {}
    for name, body in items:
        if body is None:
            continue
        note("scenario 2: " + name)
        res[name] = timed("", body, SLOW_RUNS, n, warmup=False, per_run_reset=True,
                          pre="TRUNCATE bench_raw;")
    psql("TRUNCATE bench_raw;")
    t_def = med(res[items[0][0]])
    t_c1 = med(res[items[1][0]]) if items[1][0] in res else None
    t_nt = med(res[items[2][0]])
    t_a, t_b = med(res[items[3][0]]), med(res[items[4][0]])
    body = []
    for name, _ in items:
        if name not in res:
            body.append([name + " *", "-", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"])
            continue
        r = res[name]
        t = med(r)
        reqs = sorted({s["requests"] for _, s in r})
        body.append([name, len(r), secs(t), secs(mn(r)), rate(n, t),
                     "/".join(map(str, reqs)), ratio(t_a, t), ratio(t_b, t)])
    table(["source", "runs", "median", "min", "rows/s", "requests", "speed vs (a)",
           "speed vs (b)"], body)
    if not t_c1:
        say("  * n/a: option fetch_concurrency not supported by this build")
    say("  requests counted at the server; the latency alone of %d sequential requests: %.1f s"
        % (S2_PAGES, S2_PAGES * S2_DELAY / 1000))
    if t_c1:
        say("  target: default >= 5x faster than fetch_concurrency = 1:  %s  %s"
            % (ratio(t_c1, t_def), verdict(t_c1 / t_def >= 5)))
        say("  end not known (no total): %s faster than "
            "fetch_concurrency = 1, %s of the time with a total" % (ratio(t_c1, t_nt),
                                                                  ratio(t_nt, t_def)))
    else:
        say("  target: default >= 5x faster than fetch_concurrency = 1:  "
            "n/a (option not supported by this build)")
    say("  target: default faster than (a) and (b):  %s, %s  %s"
        % (ratio(t_a, t_def), ratio(t_b, t_def), verdict(t_def < t_a and t_def < t_b)))


def scenario6(concurrency):
    pages = -(-S6_ROWS // S6_SIZE)
    say("\n6. requests counted at the server: {:,} rows in pages of {} ({} pages, the last "
        "one short), no added latency".format(S6_ROWS, S6_SIZE, pages))
    cases = [
        ("no total, the end is the empty page", "", pages + 1),
        ("no total, page_end 'short'", "ADD page_end 'short'", pages),
        ("total_count_path", "ADD total_count_path 'total'", pages),
        ("no total, fetch_concurrency = 1", "ADD fetch_concurrency '1'", pages + 1),
        ("LIMIT 250", "", 3),
    ]
    body = []
    for name, opts, needed in cases:
        if "fetch_concurrency" in opts and not concurrency:
            body.append([name, "n/a", needed, "n/a"])
            continue
        note("scenario 6: " + name)
        alter = "ALTER FOREIGN TABLE bench_s6 OPTIONS (%s);" % opts if opts else ""
        undo = ("ALTER FOREIGN TABLE bench_s6 OPTIONS (DROP %s);" % opts.split()[1]
                if opts else "")
        if name.startswith("LIMIT"):
            r = timed(alter, COUNT % "(SELECT * FROM bench_s6 LIMIT 250) t", 1, 250,
                      warmup=False, per_run_reset=True)
        else:
            r = timed(alter, COUNT % "bench_s6 t", 1, S6_ROWS, warmup=False,
                      per_run_reset=True)
        if undo:
            psql(undo)
        reqs = r[0][1]["requests"]
        body.append([name, reqs, needed, ratio(reqs, needed)])
    table(["end detection (default fetch_concurrency unless said)", "requests",
           "sequential paging", "ratio"], body)
    say("  (sequential paging: the requests of fetch_concurrency = 1, the least any scan needs)")


def scenario3():
    say("\n3. LIMIT 10 over a {}-page endpoint ({} rows a page, {} ms a request)"
        .format(S3_PAGES, S3_SIZE, S2_DELAY))
    note("scenario 3")
    r = timed("", COUNT % "(SELECT * FROM bench_s3 LIMIT 10) t",
              RUNS, 10, warmup=True, per_run_reset=True)
    reqs = [s["requests"] for _, s in r]
    table(["source", "runs", "median", "min", "requests (max)"],
          [["rest_fdw", len(r), secs(med(r)), secs(mn(r)), max(reqs)]])
    say("  target: one request:  %d  %s" % (max(reqs), verdict(max(reqs) == 1)))


def scenario4():
    q = S4_QUERIES
    say("\n4. {:,} small queries (10 rows, one request each) in one session, "
        "OAuth2 (refresh_token grant)".format(q))
    note("scenario 4")
    body = (COUNT % "bench_s4 t" + "\n") * q
    results = []
    for _ in range(RUNS):
        # a cold start every run: no stored token, a new backend
        psql("SELECT rest_fdw_forget_tokens('bench_oauth', NULL);")
        lines, _, _ = psql(RESET_CMD + "\\timing on\n\\echo @@run\n" + body +
                           STATS_CMD + "\\echo @@end\n")
        (ms, res, stats), = parse_runs(lines)
        if res != ["10"] * q:
            raise SystemExit("scenario 4: unexpected results %r" % sorted(set(res)))
        results.append((ms / 1000, stats))
    t = med(results)
    toks = max(s["token_requests"] for _, s in results)
    conns = max(s["connections"] + s["token_connections"] for _, s in results)
    reqs = max(s["requests"] for _, s in results)
    table(["source", "runs", "median", "min", "per query", "requests", "token requests",
           "connections (API + token)"],
          [["rest_fdw", len(results), secs(t), secs(mn(results)), "%.2f ms" % (t * 1000 / q),
            reqs, toks, "%d (%s)" % (conns, ", ".join(
                "%d+%d" % (s["connections"], s["token_connections"]) for _, s in results))]])
    say("  (each run: a new session, no stored token; token endpoint on another port of the"
        " data server;\n   counts: the largest of the runs, connections of each run in brackets)")
    say("  target: one token request:  %d  %s" % (toks, verdict(toks == 1)))
    say("  target: at most 2 connections:  %d  %s" % (conns, verdict(conns <= 2)))


def peak_rss(table_name, expect):
    """VmHWM (kB) of a fresh backend: after a one-row rest_fdw query, and
    after the scan of table_name."""
    pidfile = os.path.join(WORK, "backend.pid")
    hwm = "\\! grep VmHWM /proc/$(cat %s)/status\n" % pidfile
    lines, _, _ = psql("SELECT pg_backend_pid() \\g %s\n" % pidfile +
                       COUNT % "bench_tiny t" + "\n" + hwm +
                       COUNT % (table_name + " t") + "\n" + hwm)
    vals = [int(ln.split()[1]) for ln in lines if ln.startswith("VmHWM")]
    got = [ln for ln in lines if not ln.startswith("VmHWM")]
    if got != ["1", str(expect)]:
        raise SystemExit("scenario 5: unexpected results %r" % got)
    return vals[0], vals[1]


def scenario5():
    say("\n5. peak backend memory (VmHWM of a new backend), pages of {:,} rows"
        .format(S5_PAGE))
    res = {}
    for name, n in (("bench_s5_small", S5_SMALL), ("bench_s5_large", S5_LARGE)):
        note("scenario 5: %d rows" % n)
        t0 = time.time()
        res[name] = [peak_rss(name, n) for _ in range(MEM_RUNS)]
        note("  %.1f s" % (time.time() - t0))
    note("scenario 5: one %d-row response (for information)" % BIG_ROWS)
    single = [peak_rss("bench_s1", BIG_ROWS) for _ in range(MEM_RUNS)]
    small = statistics.median(p for _, p in res["bench_s5_small"])
    large = statistics.median(p for _, p in res["bench_s5_large"])
    base = statistics.median(b for b, _ in res["bench_s5_small"] + res["bench_s5_large"])
    mb = lambda kb: "%.1f MB" % (kb / 1024)  # noqa: E731
    table(["rows", "runs", "peak RSS (median)", "peak RSS (max)", "above a 1-row query"],
          [["{:,}".format(S5_SMALL), len(res["bench_s5_small"]), mb(small),
            mb(max(p for _, p in res["bench_s5_small"])), mb(small - base)],
           ["{:,}".format(S5_LARGE), len(res["bench_s5_large"]), mb(large),
            mb(max(p for _, p in res["bench_s5_large"])), mb(large - base)],
           ["{:,} (one response, no paging)".format(BIG_ROWS), len(single),
            mb(statistics.median(p for _, p in single)), mb(max(p for _, p in single)),
            mb(statistics.median(p for _, p in single) - base)]])
    say("  (a new backend after a one-row rest_fdw query: %s)" % mb(base))
    say("  target: peak for {:,} rows <= 1.5x peak for {:,}:  {:.2f}x  {}".format(
        S5_LARGE, S5_SMALL, large / small, verdict(large / small <= 1.5)))


def perf_profile():
    """perf record of the backend during scenario 1's rest_fdw query."""
    say("\nperf profile of the backend during scenario 1's rest_fdw query (3 scans)")
    pidfile = os.path.join(WORK, "perf_backend.pid")
    data = os.path.join(WORK, "perf.data")
    ppid = os.path.join(WORK, "perf.pid")
    psql("SELECT pg_backend_pid() \\g %s\n" % pidfile + COUNT % "bench_s1 t" + "\n" +
         "\\! perf record -F 1999 -g -o %s -p $(cat %s) >/dev/null 2>&1 & echo $! > %s\n"
         % (data, pidfile, ppid) + "\\! sleep 1\n" + (COUNT % "bench_s1 t" + "\n") * 3 +
         "\\! kill -INT $(cat %s); while kill -0 $(cat %s) 2>/dev/null; do sleep 0.2; done\n"
         % (ppid, ppid))

    def report(title, args, limit):
        p = subprocess.run(["perf", "report", "-i", data, "--stdio", "-g", "none"] + args,
                           capture_output=True, text=True)
        say("  " + title)
        shown = 0
        for ln in p.stdout.splitlines():
            ln = re.sub(r"(\s+-)+\s*$", "", ln.rstrip())
            # skip headers and frames perf could not name (stripped binaries)
            if not ln.strip() or ln.startswith("#") or re.search(r"\] (0x)?[0-9a-f]{8,}$", ln):
                continue
            say("    " + ln)
            shown += 1
            if shown >= limit:
                break

    report("self time, top symbols:", ["--no-children", "--sort", "dso,symbol"], 25)
    report("including callees (children):", ["--children", "--sort", "symbol"], 40)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def machine():
    def run(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, shell=True).stdout.strip()
        except Exception:
            return "?"
    cpu = run("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-").strip()
    mem = run("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
    say("machine:    %s cores, %s, %s RAM, %s" % (os.cpu_count(), cpu, mem,
                                                   run(". /etc/os-release; echo $PRETTY_NAME")))
    say("software:   %s; %s; %s; Python %s" % (
        psql("SELECT version();")[0][0].split(" on ")[0],
        run("curl --version | head -1 | cut -d' ' -f1,2,4"),
        run("nginx -v 2>&1 | cut -d' ' -f3"),
        sys.version.split()[0]))
    say("rest_fdw:   %s" % ENV.get("BENCH_COMMIT", "?"))
    say("load:       %s (1, 5, 15 min) at the start: other work on the machine skews figures"
        % loadavg())
    say("mode:       %s" % ("--quick (fewer runs and rows: figures for iterating only)" if QUICK
                            else "full"))


def scenario7():
    q = S7_QUERIES
    say("\n7. {} queries of one {}-row page ({} ms a request) in one session: "
        "cache_ttl against none".format(q, S7_ROWS, S7_DELAY))
    note("scenario 7")
    rows_ = []
    per = {}
    for name, tbl in (("no cache", "bench_s7"), ("cache_ttl", "bench_s7_cached")):
        _, rc, _ = psql("SELECT rest_fdw_cache_clear();", check=False)
        if rc != 0 and name == "cache_ttl":
            say("  n/a: this build has no response cache")
            return
        body = (COUNT % (tbl + " t") + "\n") * q
        r = timed("", body, RUNS if not QUICK else 1, S7_ROWS, warmup=True,
                  per_run_reset=True)
        per[name] = med(r) / q
        rows_.append([name, len(r), secs(med(r)), "%.2f ms" % (per[name] * 1000),
                      max(s["requests"] for _, s in r)])
    table(["source", "runs", "median", "per query", "requests (max)"], rows_)
    say("  cache hit latency: %.2f ms a query, %s faster than asking the API"
        % (per["cache_ttl"] * 1000, ratio(per["no cache"], per["cache_ttl"])))


def main():
    t0 = time.time()
    concurrency, why = setup()
    say("rest_fdw benchmark")
    machine()
    say("fetch_concurrency: %s" % ("supported" if concurrency else
                                   "n/a (option not supported by this build: %s)" % why))
    say("timing: psql \\timing, median (and min) of the runs; every query converts all 8 columns")
    for n, run in (("1", scenario1), ("2", lambda: scenario2(concurrency)),
                   ("3", scenario3), ("4", scenario4), ("5", scenario5),
                   ("6", lambda: scenario6(concurrency)), ("7", scenario7)):
        if n in SCENARIOS:
            run()
    if PERF:
        perf_profile()
    say("\nload average at the end: %s" % loadavg())
    say("\n(benchmark took %.0f s)" % (time.time() - t0))


if __name__ == "__main__":
    main()
