"""
The resource server of the test API: the gate of the protected prefixes and
the fixed and generated datasets behind it.

The same datasets are served under several prefixes, each protected by a
different authentication scheme (AUTH_PREFIXES): /api Bearer (a token from
oauth.py or REST_TEST_STATIC_TOKEN), /basic HTTP Basic, /header X-API-Key,
/param api_key query parameter, /open none, and through authschemes.py
/digest HTTP Digest with MD5, /digest256 with SHA-256, /ntlm NTLMv2 and
/sigv4 AWS Signature Version 4.  protected() runs for every
request under them: it counts and logs the request (admin.py), answers 405
to other methods than the route's, 400 to a query string that is not UTF-8
and 401 to missing or wrong credentials, then calls the route's handler with
handler.params set.

Datasets here (the paged ones are in paging.py, the faults in faults.py):
  customers, typed, wrapped, single, empty, badvalue, longvalue, notjson,
  badjson, plaintext, error500   fixed bodies (STATIC_DATASETS)
  echo        what the request looked like (api_key masked)
  always401   rejects every token
  sleep       seconds (0..60, default 10): answers after that long
  generate    rows (0..5000000, default 10): a large array, streamed chunked
"""

import time
from datetime import date, timedelta

from . import admin, authschemes, oauth
from .common import (API_KEY, BASIC_PASSWORD, BASIC_USER, JSON_TYPE, LOCK, BadParam,
                     dumps, mask_query, query_params)

AUTH_PREFIXES = ("api", "basic", "header", "param", "open",
                 "digest256", "digest", "ntlm", "sigv4")


# ---- the gate ---------------------------------------------------------------

def unauthorized(handler, challenge, description, body=None):
    with LOCK:
        admin.count("unauthorized")
    if body is None:
        body = {"error": "unauthorized", "error_description": description}
    handler.send_json(401, body, [("WWW-Authenticate", challenge)])


def bearer_unauthorized(handler, description):
    unauthorized(handler, 'Bearer error="invalid_token", error_description="%s"'
                 % description, description, {"error": "invalid_token"})


def credentials_problem(handler, prefix, params):
    """None if the request may see the datasets under prefix, else it has been
    answered (400 or 401) and True is returned."""
    if prefix == "api":
        problem = oauth.check_bearer(handler)
        if problem:
            bearer_unauthorized(handler, problem)
            return True
    elif prefix == "basic":
        try:
            creds = oauth.decode_basic(handler.headers.get("Authorization", ""))
        except ValueError:
            handler.send_json(400, {"error": "invalid_request",
                                    "error_description": "malformed Basic credentials"})
            return True
        if creds is None or not (oauth.same_secret(creds[0], BASIC_USER)
                                 and oauth.same_secret(creds[1], BASIC_PASSWORD)):
            unauthorized(handler, 'Basic realm="regress"', "invalid user or password")
            return True
    elif prefix == "header":
        if not oauth.same_secret(handler.headers.get("X-API-Key", ""), API_KEY):
            unauthorized(handler, 'ApiKey realm="regress"', "invalid or missing X-API-Key")
            return True
    elif prefix == "param":
        if not oauth.same_secret(params.get("api_key", [""])[-1], API_KEY):
            unauthorized(handler, 'ApiKey realm="regress"', "invalid or missing api_key")
            return True
    elif prefix == "digest":
        return authschemes.check_digest(handler, "MD5")
    elif prefix == "digest256":
        return authschemes.check_digest(handler, "SHA-256")
    elif prefix == "ntlm":
        return authschemes.check_ntlm(handler)
    elif prefix == "sigv4":
        return authschemes.check_sigv4(handler)
    return None


def protected(handler, prefix, method, serve, args):
    """A request under one of AUTH_PREFIXES, routed to serve(handler, *args)."""
    with LOCK:
        admin.count("api_requests")
        admin.log_api_request(handler.command, handler.bare_path, handler.query,
                              handler.body)
        admin.remember_auth(handler.bare_path, handler.headers, handler.query)
    if handler.command != method:
        return handler.method_not_allowed(method)
    try:
        handler.params = query_params(handler.query)
    except ValueError:
        return handler.send_json(400, {"error": "invalid_request",
                                       "error_description": "query string is not valid UTF-8"})
    if credentials_problem(handler, prefix, handler.params):
        return
    try:
        serve(handler, *args)
    except BadParam as err:
        handler.send_json(400, err.body)


# ---- fixed datasets (JSON text, so that number literals keep all their digits) --

CUSTOMERS = """[
 {"id": 1, "name": "Anna Schmidt", "email": "anna@example.de", "country": "DE",
  "balance": 1234.5678901234567890123, "active": true, "created_at": "2024-01-15T10:30:00Z",
  "address": {"city": "Berlin", "zip": "10115", "geo": {"lat": 52.52, "lon": 13.405}},
  "tags": ["vip", "newsletter"]},
 {"id": 2, "name": "Zoë Ünal", "email": "zoe@example.fr", "country": "FR",
  "balance": -0.10000000000000000555111512312578, "active": false, "created_at": "2024-02-20T08:05:30Z",
  "address": {"city": "Paris", "zip": "75001", "geo": {"lat": 48.8566, "lon": 2.3522}},
  "tags": []},
 {"id": 3, "name": "O\\"Brien \\\\ Co", "email": null, "country": "US",
  "balance": 99999999999999999.99, "active": true, "created_at": "2024-03-31T23:59:59Z",
  "address": {"city": "New York", "zip": "10001", "geo": {"lat": 40.7128, "lon": -74.006}},
  "tags": null},
 {"id": 4, "name": "Dieter Braun", "email": "dieter@example.de",
  "balance": 0.00000000000000000001, "active": false, "created_at": "2024-04-01T00:00:00Z",
  "address": {"city": "Hamburg", "zip": "20095", "geo": {"lat": 53.5511, "lon": 9.9937}},
  "tags": ["b2b"]},
 {"id": 5, "name": "Hiroshi Tanaka", "email": "hiroshi@example.jp", "country": "JP",
  "balance": 42.00000000000000000001, "active": true, "created_at": "2024-05-05T05:05:05Z",
  "address": {"city": "Tokyo", "zip": "100-0001", "geo": {"lat": 35.6762, "lon": 139.6503}},
  "tags": ["vip", "jp", "wholesale"]}
]
"""

TYPED = r"""[
 {"i": 1, "big": 9007199254740993, "num": 12345678901234567890.123456789, "f": 3.5e-3,
  "b": true, "t": "caf\u00e9", "d": "2024-02-29", "ts": "2024-03-10T02:30:00+01:00",
  "u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "j": {"a": [1, 2, {"b": null}]},
  "arr": ["x", "y", "z,w"], "ints": [1, 2, 3]},
 {"i": -2, "big": -9223372036854775808, "num": -0.000000000000000000001, "f": -1.5E+10,
  "b": false, "t": "a\nb", "d": "1999-12-31", "ts": "2024-12-31T23:59:59.123456Z",
  "u": "00000000-0000-0000-0000-000000000000", "j": {}, "arr": [], "ints": []},
 {"i": 3, "big": 0, "num": null, "f": null, "b": null, "t": null, "d": null, "ts": null,
  "u": null, "j": null, "arr": null, "ints": null}
]
"""

# name -> (status, content type, body)
STATIC_DATASETS = {
    "customers": (200, JSON_TYPE, CUSTOMERS.encode("utf-8")),
    "typed": (200, JSON_TYPE, TYPED.encode("utf-8")),
    "wrapped": (200, JSON_TYPE, dumps({"meta": {"count": 2}, "data": {"items": [
        {"id": 1, "name": "a"}, {"id": 2, "name": "b"}]}})),
    "single": (200, JSON_TYPE, dumps({"id": 42, "name": "only",
                                      "nested": {"deep": {"value": "x"}}})),
    "empty": (200, JSON_TYPE, b"[]"),
    "badvalue": (200, JSON_TYPE, dumps([{"id": 1, "n": "12"}, {"id": 2, "n": "12x"}])),
    "longvalue": (200, JSON_TYPE, dumps([{"id": 1, "n": "x" * 5000}])),
    "notjson": (200, "text/html", b"<html><body>Maintenance</body></html>"),
    "badjson": (200, "application/json", b'[{"id": 1,'),
    "plaintext": (200, "text/plain", b'[{"id": 7}]'),
    "error500": (500, JSON_TYPE, dumps({"error": "internal", "message": "database is down"})),
}


def static(name):
    """The handler that answers the fixed dataset name."""
    status, ctype, body = STATIC_DATASETS[name]
    return lambda handler: handler.send(status, body, ctype)


def echo(handler):
    handler.send_json(200, [{
        "method": handler.command, "path": handler.bare_path,
        "query": mask_query(handler.query, ("api_key",)),
        "accept": handler.headers.get("Accept"),
        "user_agent": handler.headers.get("User-Agent"),
        "accept_encoding": handler.headers.get("Accept-Encoding")}])


def always401(handler):
    bearer_unauthorized(handler, "this endpoint always rejects the token")


def sleep(handler):
    try:
        seconds = float(handler.params.get("seconds", ["10"])[-1])
        if not 0 <= seconds <= 60:      # also rejects nan
            raise ValueError
    except ValueError:
        return handler.send_json(400, {"error": "invalid_request",
                                       "error_description": "seconds must be 0..60"})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
    handler.send_json(200, [{"slept": seconds}])


# ---- generate: row i (1-based) is built from this template -------------------
# The amount i*1.25 is written as floor(5i/4) plus a two-digit fraction selected
# by i % 4; dates cycle over ten years; the uuid encodes i.
GEN_ROW = ('{"id":%d,"name":"name-%d","amount":%d%s,"flag":%s,"created":"%s",'
           '"code":"00000000-0000-4000-8000-%012x","note":%s}')
GEN_CENTS = (".00", ".25", ".50", ".75")
GEN_FLAGS = ("true", "false")
GEN_DATES = [(date(2020, 1, 1) + timedelta(days=k)).isoformat() for k in range(3650)]
GEN_CHUNK_ROWS = 20000
MAX_GENERATE_ROWS = 5_000_000
GEN_CACHE_MAX_ROWS = 2_000_000  # cache the body of the last request up to this size
GEN_CACHE = {}                  # rows -> tuple of byte chunks (at most one entry)


def generate_chunks(n):
    """Yield the JSON text of an n-row array in pieces of GEN_CHUNK_ROWS rows."""
    yield b"["
    for start in range(1, n + 1, GEN_CHUNK_ROWS):
        rows = [GEN_ROW % (i, i, i + (i >> 2), GEN_CENTS[i & 3], GEN_FLAGS[i & 1],
                           GEN_DATES[i % 3650], i,
                           "null" if i % 10 == 0 else '"note %d"' % i)
                for i in range(start, min(start + GEN_CHUNK_ROWS, n + 1))]
        text = ",".join(rows)
        yield (text if start == 1 else "," + text).encode("ascii")
    yield b"]"


def generate(handler):
    try:
        rows = int(handler.params.get("rows", ["10"])[-1])
        if not 0 <= rows <= MAX_GENERATE_ROWS:
            raise ValueError
    except ValueError:
        return handler.send_json(400, {"error": "invalid_request",
                                       "error_description": "rows must be 0..%d"
                                       % MAX_GENERATE_ROWS})
    send_generated(handler, rows)


def send_generated(handler, rows):
    """Stream the generated array with chunked transfer encoding."""
    with LOCK:
        cached = GEN_CACHE.get(rows)
    keep = [] if cached is None and rows <= GEN_CACHE_MAX_ROWS else None
    chunked = handler.request_version != "HTTP/1.0"
    handler.send_response(200)
    handler.send_header("Content-Type", JSON_TYPE)
    if chunked:
        handler.send_header("Transfer-Encoding", "chunked")
    else:                               # HTTP/1.0: end of body = end of connection
        handler.close_connection = True
        handler.send_header("Connection", "close")
    handler.end_headers()
    for piece in cached or generate_chunks(rows):
        if chunked:
            handler.wfile.write(b"%x\r\n" % len(piece))
            handler.wfile.write(piece)
            handler.wfile.write(b"\r\n")
        else:
            handler.wfile.write(piece)
        if keep is not None:
            keep.append(piece)
    if chunked:
        handler.wfile.write(b"0\r\n\r\n")
    if keep is not None:                # complete body sent: remember it
        with LOCK:
            GEN_CACHE.clear()
            GEN_CACHE[rows] = tuple(keep)
