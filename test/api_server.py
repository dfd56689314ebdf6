#!/usr/bin/env python3
"""
Test HTTP server for the rest_fdw regression tests (Python standard library only).

It plays two roles:
  * an OAuth 2.0 authorization server (POST /oauth/token, RFC 6749) with a
    fixed set of registered clients that exercise the corner cases the FDW
    must handle (Basic vs. client_secret_post authentication, url-encoded
    client ids, refresh token rotation with reuse detection, missing or
    string-typed expires_in, short lifetimes, ...);
  * a REST/JSON resource server that serves the same deterministic datasets
    under several prefixes, each protected by a different authentication
    scheme (/api Bearer, /basic HTTP Basic, /header X-API-Key, /param api_key
    query parameter, /open none).

The resource server also serves generated, filterable and paged lists
(paged/offset, paged/page, paged/page0, paged/cursor, paged/next, paged/link)
and nested resources (customers/<id>/orders, orders); see "Generated, paged
and nested datasets" below.  For the fault tests it serves injected failures
(fault/...), stalls (stall/...), broken bodies (bad/...) and redirects
(redirect/...); see "Faults, stalls, bad bodies and redirects" below.  Some
registered clients answer the token request with a broken response.

/_admin/... endpoints expose counters and a log of the requests to the
resource server, and let a test reset or expire state.

Usage:
    python3 test/api_server.py --port-file FILE [--port N] [--log FILE] [--bind ADDR]

--bind defaults to 127.0.0.1; --bind 0.0.0.0 (or another address) also lets
127.0.0.2 connect, the "other origin" of redirect/other and paged/next?foreign=1.

Secrets are taken from REST_TEST_* environment variables.  They, access and
refresh tokens, headers, query strings and bodies are never logged.
"""

import argparse
import base64
import binascii
import collections
import decimal
import email.utils
import gzip
import hmac
import json
import os
import re
import secrets
import select
import signal
import socket
import socketserver
import sys
import threading
import time
import urllib.parse
import zlib
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.dont_write_bytecode = True     # no test/__pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_models  # noqa: E402  (test/api_models.py, next to this script)
from api_models import with_param  # noqa: E402

# --------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------

CLIENT_SECRET = os.environ.get("REST_TEST_CLIENT_SECRET", "cs-7f3a9e1b")
SEED_REFRESH_TOKEN = os.environ.get("REST_TEST_REFRESH_TOKEN", "rt-seed-51c2d8")
STATIC_TOKEN = os.environ.get("REST_TEST_STATIC_TOKEN", "at-static-93be")
BASIC_USER = os.environ.get("REST_TEST_USER", "regress_api_user")
BASIC_PASSWORD = os.environ.get("REST_TEST_PASSWORD", "pw-4d21c7")
API_KEY = os.environ.get("REST_TEST_API_KEY", "key-8e6f02")
# When set, every issued access and refresh token is appended to this file,
# one a line, so the test runner can check that none reached the server log.
ISSUED_TOKENS_FILE = os.environ.get("REST_TEST_ISSUED_TOKENS")

ALLOWED_SCOPES = ("read", "write", "admin")
MAX_BODY = 64 * 1024            # largest request body we accept
DEFAULT_LIFETIME = 3600         # seconds

# Registered OAuth clients, in the order /_admin/clients reports them.
#   secret    : None for a public client
#   auth      : allowed client authentication methods
#   lifetime  : access token lifetime in seconds (server side)
#   expires   : "int" | "string" | "none" -- how expires_in is reported
#   rotate    : refresh token rotation with reuse detection
#   grants    : grant types the client may use
#   token_delay: seconds the token endpoint waits before answering
#   broken    : how a successful token response is broken: None (it is not),
#               "no_access_token", "mac" (token_type mac), "html" (a text/html
#               page), "bad_expires" (expires_in "soon")
BOTH = ("basic", "post")
RT_CC = ("refresh_token", "client_credentials")
CLIENTS = {
    "regress_client": dict(auth=BOTH, lifetime=3600, grants=RT_CC),
    "regress_post": dict(auth=("post",), lifetime=3600, grants=RT_CC),
    "regress_short": dict(auth=BOTH, lifetime=2, grants=RT_CC),
    "regress_rotate": dict(auth=BOTH, lifetime=3600, grants=RT_CC, rotate=True),
    "regress_noexp": dict(auth=BOTH, lifetime=3600, grants=RT_CC, expires="none"),
    "regress_strexp": dict(auth=BOTH, lifetime=3600, grants=RT_CC, expires="string"),
    "regress_cc": dict(auth=BOTH, lifetime=3600, grants=("client_credentials",)),
    "regress public": dict(auth=("none",), lifetime=3600, grants=("refresh_token",),
                           public=True),
    "regress:colon%client": dict(auth=BOTH, lifetime=3600, grants=RT_CC),
    # strict rotation, short lifetime and a slow token endpoint: the
    # cross-backend token store tests (test/t/) race on it
    "regress_strict": dict(auth=BOTH, lifetime=4, grants=RT_CC, rotate=True,
                           token_delay=0.3),
    # broken token responses and a slow token endpoint (sql/faults.sql)
    "regress_no_access_token": dict(auth=BOTH, lifetime=3600, grants=RT_CC,
                                    broken="no_access_token"),
    "regress_mac": dict(auth=BOTH, lifetime=3600, grants=RT_CC, broken="mac"),
    "regress_html_token": dict(auth=BOTH, lifetime=3600, grants=RT_CC, broken="html"),
    "regress_bad_expires": dict(auth=BOTH, lifetime=3600, grants=RT_CC,
                                broken="bad_expires"),
    "regress_slow_token": dict(auth=BOTH, lifetime=3600, grants=RT_CC, token_delay=5),
}
for _c in CLIENTS.values():
    _c.setdefault("broken", None)
    _c.setdefault("rotate", False)
    _c.setdefault("expires", "int")
    _c.setdefault("public", False)
    _c.setdefault("token_delay", 0)
    _c["secret"] = None if _c["public"] else CLIENT_SECRET


class OAuthError(Exception):
    """An RFC 6749 error response."""

    def __init__(self, error, description, status=400):
        super().__init__(error)
        self.error = error
        self.description = description
        self.status = status


# --------------------------------------------------------------------------
# Shared state (everything below is guarded by LOCK)
# --------------------------------------------------------------------------

LOCK = threading.Lock()
COUNTER_NAMES = ("token_requests", "token_ok", "token_errors", "refresh_grants",
                 "client_credentials_grants", "api_requests", "unauthorized",
                 "basic_auth_token_requests", "post_auth_token_requests")
COUNTERS = {}
CLIENT_STATS = {}       # client_id -> per-client counters and last_scope
GRANTS = {}             # client_id -> {"active": set, "retired": set, "revoked": bool}
ACCESS_TOKENS = {}      # token -> {"client", "issued", "lifetime", "expired", "revoked"}
REQUEST_LOG_MAX = 10000
REQUEST_LOG = collections.deque(maxlen=REQUEST_LOG_MAX)   # see log_api_request()
REQUEST_SEQ = 0         # seq of the last logged request
FAULT_ATTEMPTS = {}     # fault key -> requests seen (fault/..., /_admin/attempts)
LAST_AUTH = None        # credentials of the last request to a protected prefix


def reset_counters():
    for name in COUNTER_NAMES:
        COUNTERS[name] = 0
    for cid in CLIENTS:
        CLIENT_STATS[cid] = {"token_requests": 0, "refresh_grants": 0,
                             "client_credentials_grants": 0, "last_scope": None}


def reset_grants():
    ACCESS_TOKENS.clear()
    for cid in CLIENTS:
        GRANTS[cid] = {"active": {SEED_REFRESH_TOKEN}, "retired": set(),
                       "revoked": False}


def reset_request_log():
    global REQUEST_SEQ, LAST_AUTH
    REQUEST_LOG.clear()
    REQUEST_SEQ = 0
    LAST_AUTH = None


def reset_faults():
    FAULT_ATTEMPTS.clear()


def log_api_request(method, path, query):
    """Remember a request to a protected prefix (secrets in the query masked)."""
    global REQUEST_SEQ
    REQUEST_SEQ += 1
    REQUEST_LOG.append({"seq": REQUEST_SEQ, "method": method, "path": path,
                        "query": mask_query(query, SECRET_PARAMS)})


def revoke_grant(cid):
    """Reuse detected: invalidate every refresh and access token of the grant."""
    grant = GRANTS[cid]
    grant["active"].clear()
    grant["revoked"] = True
    for tok in ACCESS_TOKENS.values():
        if tok["client"] == cid:
            tok["revoked"] = True


with LOCK:
    reset_counters()
    reset_grants()
    reset_request_log()
    reset_faults()

# --------------------------------------------------------------------------
# Datasets (fixed JSON text, so that number literals keep all their digits)
# --------------------------------------------------------------------------

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


def _dumps(obj):
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


JSON_TYPE = "application/json; charset=utf-8"
# name -> (status, content type, body)
STATIC_DATASETS = {
    "customers": (200, JSON_TYPE, CUSTOMERS.encode("utf-8")),
    "typed": (200, JSON_TYPE, TYPED.encode("utf-8")),
    "wrapped": (200, JSON_TYPE, _dumps({"meta": {"count": 2}, "data": {"items": [
        {"id": 1, "name": "a"}, {"id": 2, "name": "b"}]}})),
    "single": (200, JSON_TYPE, _dumps({"id": 42, "name": "only",
                                       "nested": {"deep": {"value": "x"}}})),
    "empty": (200, JSON_TYPE, b"[]"),
    "badvalue": (200, JSON_TYPE, _dumps([{"id": 1, "n": "12"}, {"id": 2, "n": "12x"}])),
    "longvalue": (200, JSON_TYPE, _dumps([{"id": 1, "n": "x" * 5000}])),
    "notjson": (200, "text/html", b"<html><body>Maintenance</body></html>"),
    "badjson": (200, "application/json", b'[{"id": 1,'),
    "plaintext": (200, "text/plain", b'[{"id": 7}]'),
    "error500": (500, JSON_TYPE, _dumps({"error": "internal", "message": "database is down"})),
}

# The "generate" dataset: row i (1-based) is built from this template.  The
# amount i*1.25 is written as floor(5i/4) plus a two-digit fraction selected
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


# --------------------------------------------------------------------------
# Generated, paged and nested datasets
#
# Item i (1-based) of a list of total=T items (default 25) is
#   {"id": i, "name": "item-<i>", "category": "a"|"b"|"c" (i % 3),
#    "price": i * 1.5, "created": 2024-01-01 plus i days}
# and is built only when needed.  Every list takes the filters
#   <field>=v[,v...] (repeatable; IN), <field>_lt|_le|_gt|_ge|_ne=v
# (numeric comparison for numeric fields, else string comparison; a bad
# number gives 400 {"error": "bad_filter", "param": ...}); loose=1 ignores
# all filters.  The paged endpoints page the filtered rows:
#   paged/offset  offset, limit      {"items", "total", "has_more"}
#   paged/page    page (1..), per_page  {"data", "meta": {page, total_pages, total_count}}
#   paged/page0   same, first page 0
#   paged/cursor  cursor, limit      {"results", "next_cursor"} (loop=1: always page 2)
#   paged/next    start, limit       {"value", "next"}  (rel=1, loop=1, foreign=1, badnext=1)
#   paged/link    page, per_page     [rows] + Link: rel="next", rel="last" (loop=1)
# customers/<id>/orders (id 1..1000) and orders (customers 1..20) are small
# unpaged arrays of orders that take the same filters on their own fields.
# --------------------------------------------------------------------------

ITEM_FIELDS = {"id": "num", "name": "str", "category": "str", "price": "num",
               "created": "str"}
ORDER_FIELDS = {"order_id": "num", "customer_id": "num", "amount": "num", "status": "str"}
ITEM_CATEGORIES = ("a", "b", "c")
ITEM_BASE_DAY = date(2024, 1, 1).toordinal()
DEFAULT_ITEMS = 25
MAX_ITEMS = 1_000_000
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 1000            # larger page sizes are silently reduced to this
MAX_CUSTOMER = 1000
ORDERS_CUSTOMERS = 20           # the orders dataset covers customers 1..20
FILTER_OPS = {
    "lt": lambda a, b: a < b, "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b,
    "ne": lambda a, b: a != b, "in": lambda a, b: a in b,
}
PAGED_DATASETS = ("paged/offset", "paged/page", "paged/page0", "paged/cursor",
                  "paged/next", "paged/link")
CUSTOMER_ORDERS = re.compile(r"customers/([0-9]+)/orders")
INTEGER = re.compile(r"-?[0-9]+")
CURSOR = re.compile(r"[A-Za-z0-9_-]{1,64}={0,2}")
BAD_NEXT = "ht!tp://[bad"


class BadParam(Exception):
    """A query parameter the endpoint cannot use (answered with 400)."""

    def __init__(self, body):
        super().__init__(body.get("error"))
        self.body = body


def invalid(description):
    return BadParam({"error": "invalid_request", "error_description": description})


def flag(params, name):
    return params.get(name, [""])[-1].lower() in ("1", "true", "yes", "on")


def int_param(params, name, default, low, high=None):
    """The last value of an integer parameter, checked against low..high."""
    values = params.get(name)
    if not values:
        return default
    text = values[-1].strip()
    if not INTEGER.fullmatch(text) or len(text) > 30:
        raise invalid("%s must be an integer" % name)
    value = int(text)
    if value < low or (high is not None and value > high):
        raise invalid("%s must be at least %d" % (name, low) if high is None
                      else "%s must be %d..%d" % (name, low, high))
    return value


def page_size(params, name):
    """Page size: default 10, at least 1, larger than MAX_PAGE_SIZE reduced."""
    return min(int_param(params, name, DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE)


def filter_value(kind, param, text):
    if kind == "str":
        return text
    try:
        value = decimal.Decimal(text.strip())
    except (ArithmeticError, ValueError):
        raise BadParam({"error": "bad_filter", "param": param})
    if not value.is_finite():
        raise BadParam({"error": "bad_filter", "param": param})
    return value


def parse_filters(params, fields):
    """[(field, op, value)] from the query; [] with loose=1.  Raises BadParam."""
    if flag(params, "loose"):
        return []
    filters = []
    for param, values in params.items():
        field, op = param, "in"
        if param not in fields:
            field, _, op = param.rpartition("_")
            if field not in fields or op not in FILTER_OPS or op == "in":
                continue                    # unknown parameters are ignored
        kind = fields[field]
        if op == "in":
            filters.append((field, op, [filter_value(kind, param, piece)
                                        for value in values
                                        for piece in value.split(",")]))
        else:
            filters.extend((field, op, filter_value(kind, param, value))
                           for value in values)
    return filters


def matches(row, filters):
    return all(FILTER_OPS[op](row[field], value) for field, op, value in filters)


# field of item i, so that filters need not build whole rows
ITEM_GETTERS = {
    "id": lambda i: i,
    "name": lambda i: "item-%d" % i,
    "category": lambda i: ITEM_CATEGORIES[i % 3],
    "price": lambda i: i * 1.5,
    "created": lambda i: date.fromordinal(ITEM_BASE_DAY + i).isoformat(),
}


ITEM_MONOTONE_FIELDS = ("id", "price", "created")     # grow with i


def item_row(i):
    return {field: get(i) for field, get in ITEM_GETTERS.items()}


def first_item(total, pred):
    """Smallest i in 1..total (total+1 if none) with pred(i), pred monotone false..true."""
    low, high = 1, total + 1
    while low < high:
        mid = (low + high) // 2
        if pred(mid):
            high = mid
        else:
            low = mid + 1
    return low


def item_ids(total, filters):
    """Candidate ids in 1..total: the ones the filters on the fields that grow with
    the id (id, price, created) leave.  The caller still applies every filter."""
    low, high, wanted = 1, total, None
    for field, op, value in filters:
        if field not in ITEM_MONOTONE_FIELDS:
            continue
        get = ITEM_GETTERS[field]
        if op == "gt":
            low = max(low, first_item(total, lambda i: get(i) > value))
        elif op == "ge":
            low = max(low, first_item(total, lambda i: get(i) >= value))
        elif op == "lt":
            high = min(high, first_item(total, lambda i: get(i) >= value) - 1)
        elif op == "le":
            high = min(high, first_item(total, lambda i: get(i) > value) - 1)
        elif op == "in":
            ids = set()
            for v in value:
                i = first_item(total, lambda i: get(i) >= v)
                if i <= total and get(i) == v:
                    ids.add(i)
            wanted = ids if wanted is None else wanted & ids
    if wanted is not None:
        return sorted(i for i in wanted if low <= i <= high)
    return range(low, high + 1)


def select_items(params, offset, size):
    """(rows offset..offset+size-1 of the filtered items, filtered row count)."""
    total = int_param(params, "total", DEFAULT_ITEMS, 0, MAX_ITEMS)
    filters = parse_filters(params, ITEM_FIELDS)
    if not filters:
        return [item_row(i) for i in range(offset + 1, min(offset + size, total) + 1)], total
    tests = [(ITEM_GETTERS[field], FILTER_OPS[op], value) for field, op, value in filters]
    rows, count = [], 0
    for i in item_ids(total, filters):
        if all(test(get(i), value) for get, test, value in tests):
            if offset <= count < offset + size:
                rows.append(item_row(i))
            count += 1
    return rows, count


def customer_orders(cid):
    return [{"order_id": cid * 100 + k, "customer_id": cid, "amount": float(cid * 10 + k),
             "status": "open" if k % 2 else "paid"} for k in range(1, cid % 4 + 1)]


def encode_cursor(offset):
    return base64.urlsafe_b64encode(b"o:%d" % offset).decode("ascii").rstrip("=")


def decode_cursor(cursor):
    """The offset in a cursor made by encode_cursor; BadParam if malformed."""
    text = ""
    if CURSOR.fullmatch(cursor):
        try:
            text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        except (binascii.Error, ValueError):
            pass
    if not text.startswith("o:") or not text[2:].isdigit() or len(text) > 32:
        raise invalid("malformed cursor")
    return int(text[2:])


# --------------------------------------------------------------------------
# Faults, stalls, bad bodies and redirects (sql/faults.sql, test/t/)
#
#   fault/status  code (400..599, default 503), times (default 1), key
#                 (default "default"), retry_after: the first <times> requests
#                 with that key answer <code> {"error": "fault", "attempt": i}
#                 (with Retry-After: <retry_after> verbatim if given; "date1" is
#                 an HTTP-date one second ahead), later ones 200
#                 [{"id": 1, "attempts": n}]
#   fault/close   times, key: the first <times> requests get the connection
#                 closed without any response, later ones as above.  (curl
#                 silently repeats a request once if a reused connection is
#                 closed without a response; with partial=1 the connection
#                 is closed after headers that promise a body instead, which
#                 it does not repeat.)
#   stall/headers seconds (default 30, 0..120): nothing at all for that long,
#                 then [{"id": 1}]
#   stall/body    seconds: status, headers and '[{"id' at once, the rest later
#   stall/trickle bytes_per_second (default 10), total (default 2000): a JSON
#                 array of <total> bytes, sent at that rate
#   bad/...       broken or awkward bodies: invalid_utf8, empty, no_content
#                 (204), xml, deep (depth), deep_object (depth), scalar_rows,
#                 null_row, huge_value (mb), big_number, html_error, gzip,
#                 bomb (mb; gzip-compressed if the client accepts gzip),
#                 link_malformed
#   redirect/...  302 to: same (to=path on the Host the client used), relative
#                 (Location: <to>), other (to on 127.0.0.2), ftp, loop (itself)
# Fault keys count the requests seen (/_admin/attempts?key=K); /_admin/reset
# forgets them.  /_admin/last_auth tells which credentials the last request to
# a protected prefix carried.
# --------------------------------------------------------------------------

MB = 1024 * 1024
DEFAULT_STALL = 30
MAX_STALL = 120
STALL_STEP = 0.05               # how often a stall checks for a client that hung up
STALL_BODY = b'[{"id":1}]'
STALL_BODY_FIRST = 5            # bytes of STALL_BODY sent before the stall
MAX_TRICKLE = 10_000_000        # largest stall/trickle body
TRICKLE_HEAD, TRICKLE_TAIL = b'[{"pad":"', b'"}]'
DEFAULT_DEPTH = 100_000
MAX_DEPTH = 1_000_000
MAX_HUGE_MB = 200
MAX_BOMB_MB = 1024
BOMB_CACHE = {}                 # mb -> gzip-compressed bomb body
BOMB_CACHE_MAX = 8
DEFAULT_REDIRECT = "/open/customers"
# name -> (status, content type, body)
BAD_DATASETS = {
    "bad/invalid_utf8": (200, "application/json", b'[{"name": "caf\xe9"}]'),
    "bad/empty": (200, "application/json", b""),
    "bad/xml": (200, "application/xml", b'<rows><row id="1"/></rows>'),
    "bad/scalar_rows": (200, JSON_TYPE, b"[1, 2, 3]"),
    "bad/null_row": (200, JSON_TYPE, b'[{"id": 1}, null]'),
    "bad/big_number": (200, JSON_TYPE, b'[{"n": 123456789012345678901234567890}]'),
    "bad/html_error": (200, "text/html; charset=utf-8",
                       b"<!DOCTYPE html><html><head><title>Error</title></head>"
                       b"<body>Service unavailable</body></html>"),
}
GZIP_BODY = b'[{"id":1},{"id":2}]'
BOMB_HEAD, BOMB_TAIL = b'[{"blob":"', b'"}]'
HUGE_HEAD, HUGE_TAIL = b'[{"id":1,"blob":"', b'"}]'
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def float_param(params, name, default, low, high):
    """The last value of a number parameter, checked against low..high."""
    values = params.get(name)
    if not values:
        return default
    try:
        value = float(values[-1])
        if not low <= value <= high:        # also rejects nan
            raise ValueError
    except ValueError:
        raise invalid("%s must be %d..%d" % (name, low, high))
    return value


def header_param(params, name, default=None):
    """The last value of a parameter that goes into a response header verbatim."""
    value = params.get(name, [default])[-1]
    if value is not None and CONTROL_CHARS.search(value):
        raise invalid("%s must not contain control characters" % name)
    return value


def count_attempt(key):
    """Count a request for fault key; returns its number (1 for the first)."""
    with LOCK:
        FAULT_ATTEMPTS[key] = FAULT_ATTEMPTS.get(key, 0) + 1
        return FAULT_ATTEMPTS[key]


def gzip_bomb(mb):
    """BOMB_HEAD + mb MB of "a" + BOMB_TAIL, gzip-compressed (cached)."""
    with LOCK:
        data = BOMB_CACHE.get(mb)
    if data is None:
        zc = zlib.compressobj(9, zlib.DEFLATED, 31)     # 31: gzip container
        block = b"a" * MB
        parts = [zc.compress(BOMB_HEAD)]
        parts.extend(zc.compress(block) for _ in range(mb))
        parts.append(zc.compress(BOMB_TAIL))
        parts.append(zc.flush())
        data = b"".join(parts)
        with LOCK:
            if len(BOMB_CACHE) >= BOMB_CACHE_MAX:
                BOMB_CACHE.clear()
            BOMB_CACHE[mb] = data
    return data


def remember_auth(path, headers, query):
    """Note which credentials a request to a protected prefix carried (LOCK held)."""
    global LAST_AUTH
    names = [urllib.parse.unquote_plus(part.split("=", 1)[0], errors="replace")
             for part in query.split("&")] if query else []
    LAST_AUTH = {"path": path, "had_authorization": "Authorization" in headers,
                 "had_api_key_header": "X-API-Key" in headers,
                 "had_api_key_param": "api_key" in names}


PROTECTED_PREFIXES = ("api", "basic", "header", "param", "open")


def query_params(query):
    """Parse a query string; raises ValueError when it is not valid UTF-8."""
    return urllib.parse.parse_qs(query, keep_blank_values=True,
                                 encoding="utf-8", errors="strict")


# query parameters whose values the request log (/_admin/log) masks
SECRET_PARAMS = ("api_key", "access_token", "token", "refresh_token", "client_secret")


def mask_query(query, names):
    """Return the raw query string with the values of parameters names replaced by ***."""
    parts = []
    for part in query.split("&") if query else []:
        name = part.split("=", 1)[0]
        if urllib.parse.unquote_plus(name, errors="replace") in names:
            part = name + "=***"
        parts.append(part)
    return "&".join(parts)


def mask_api_key(query):
    """Return the raw query string with every api_key value replaced by ***."""
    return mask_query(query, ("api_key",))


def decode_basic(header):
    """(user, password) from 'Basic <b64>'; None if not Basic; ValueError if malformed."""
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        raw = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("malformed Basic credentials") from exc
    if ":" not in raw:
        raise ValueError("malformed Basic credentials")
    user, _, password = raw.partition(":")
    return user, password


def same_secret(given, expected):
    return expected is not None and hmac.compare_digest(given.encode("utf-8"),
                                                        expected.encode("utf-8"))


# --------------------------------------------------------------------------
# HTTP handler
# --------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "rest_fdw-test-api/1.0"
    timeout = 120               # drop connections idle for this long
    log_file = None             # set from --log
    log_lock = threading.Lock()
    # StreamRequestHandler sets TCP_NODELAY: headers and body are written
    # separately, and Nagle's algorithm would hold the body back for the
    # client's delayed ACK (40 ms on every keep-alive request)
    disable_nagle_algorithm = True

    # ---- logging: never the query string, headers or body -----------------

    def log_message(self, format, *args):    # silence the default stderr log
        pass

    def log_request(self, code="-", size="-"):
        if Handler.log_file is None:
            return
        path = getattr(self, "path", "") or ""
        line = "%s %s %s\n" % (getattr(self, "command", None) or "-",
                               path.split("?", 1)[0], getattr(code, "value", code))
        with Handler.log_lock:
            Handler.log_file.write(line)
            Handler.log_file.flush()

    # ---- response helpers -------------------------------------------------

    def send(self, status, body=b"", ctype=JSON_TYPE, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status, obj, headers=()):
        self.send(status, _dumps(obj), JSON_TYPE, headers)

    def method_not_allowed(self, allowed):
        self.send_json(405, {"error": "method_not_allowed", "allowed": allowed},
                       headers=[("Allow", allowed)])

    def read_body(self):
        """Read the request body (Content-Length or chunked); ValueError if unusable."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = b""
            while True:
                size_line = self.rfile.readline(1024)
                size = int(size_line.split(b";")[0].strip() or b"x", 16)
                if size == 0:
                    while self.rfile.readline(1024).strip():   # trailers
                        pass
                    return body
                if len(body) + size > MAX_BODY:
                    raise ValueError("body too large")
                body += self.rfile.read(size)
                self.rfile.readline(1024)
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > MAX_BODY:
            raise ValueError("bad Content-Length")
        return self.rfile.read(length) if length else b""

    # ---- dispatch ---------------------------------------------------------

    def do_GET(self):
        self.dispatch()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def dispatch(self):
        try:
            try:
                self.body = self.read_body()
            except ValueError:
                # We cannot find the end of the request: answer and hang up.
                self.close_connection = True
                self.send_json(400, {"error": "invalid_request",
                                     "error_description": "unreadable request body"})
                return
            self.route()
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception as exc:            # never let a bug kill the connection silently
            self.close_connection = True
            sys.stderr.write("api_server: internal error: %s\n" % type(exc).__name__)
            try:
                self.send_json(500, {"error": "server_error"})
            except Exception:
                pass

    def route(self):
        url = urllib.parse.urlsplit(self.path)
        path, self.query = url.path, url.query
        self.bare_path = path
        if path == "/oauth/token":
            if self.command != "POST":
                return self.method_not_allowed("POST")
            return self.token_endpoint()
        if path.startswith("/_admin/"):
            if self.command != "GET":
                return self.method_not_allowed("GET")
            return self.admin(path[len("/_admin/"):])
        prefix, sep, dataset = path.lstrip("/").partition("/")
        if sep and prefix in PROTECTED_PREFIXES:
            with LOCK:
                COUNTERS["api_requests"] += 1
                log_api_request(self.command, path, self.query)
                remember_auth(path, self.headers, self.query)
            if self.command != "GET":
                return self.method_not_allowed("GET")
            return self.protected(prefix, dataset)
        for ext_prefix, ext_serve in EXTENSIONS:
            if path.startswith(ext_prefix):
                return ext_serve(self, path, self.query)
        self.send_json(404, {"error": "not_found", "path": path})

    # ---- OAuth 2.0 token endpoint -----------------------------------------

    def token_endpoint(self):
        with LOCK:
            COUNTERS["token_requests"] += 1
        try:
            response = self.issue_token()
        except OAuthError as err:
            with LOCK:
                COUNTERS["token_errors"] += 1
            headers = [("Cache-Control", "no-store"), ("Pragma", "no-cache")]
            if err.status == 401:
                headers.append(("WWW-Authenticate", 'Basic realm="regress"'))
            return self.send_json(err.status, {"error": err.error,
                                               "error_description": err.description},
                                  headers)
        with LOCK:
            COUNTERS["token_ok"] += 1
        if isinstance(response, bytes):     # a client with broken="html"
            return self.send(200, response, "text/html", [("Cache-Control", "no-store"),
                                                          ("Pragma", "no-cache")])
        self.send_json(200, response, [("Cache-Control", "no-store"),
                                       ("Pragma", "no-cache")])

    def parse_form(self):
        ctype = self.headers.get("Content-Type", "")
        if ctype and ctype.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
            raise OAuthError("invalid_request",
                             "Content-Type must be application/x-www-form-urlencoded")
        try:
            pairs = urllib.parse.parse_qsl(self.body.decode("utf-8"), keep_blank_values=True,
                                           encoding="utf-8", errors="strict")
        except ValueError:
            raise OAuthError("invalid_request", "request body is not valid form data")
        form = {}
        for name, value in pairs:
            if name in form:
                raise OAuthError("invalid_request", "parameter %s given more than once" % name)
            form[name] = value
        return form

    def authenticate_client(self, form):
        """Return the authenticated client id (raises OAuthError)."""
        failed = OAuthError("invalid_client", "client authentication failed", 401)
        basic = None
        auth = self.headers.get("Authorization")
        if auth is not None:
            try:
                basic = decode_basic(auth)
                if basic is None:
                    raise failed            # some other scheme
                # RFC 6749 2.3.1: both parts are form-urlencoded before base64
                basic = tuple(urllib.parse.unquote_plus(p, errors="strict") for p in basic)
            except (ValueError, UnicodeDecodeError):
                raise OAuthError("invalid_request", "malformed Basic credentials")
        with LOCK:
            if basic is not None:
                COUNTERS["basic_auth_token_requests"] += 1
            if "client_secret" in form:
                COUNTERS["post_auth_token_requests"] += 1
        if basic is not None:
            if "client_secret" in form or form.get("client_id", basic[0]) != basic[0]:
                raise OAuthError("invalid_request",
                                 "more than one client authentication method used")
            cid, secret, method = basic[0], basic[1], "basic"
        else:
            cid, secret = form.get("client_id"), form.get("client_secret")
            method = "none" if secret is None else "post"
        client = CLIENTS.get(cid)
        if client is None:
            raise failed
        with LOCK:
            CLIENT_STATS[cid]["token_requests"] += 1
        if method not in client["auth"]:
            if client["public"] or method == "none":
                raise failed
            raise OAuthError("invalid_client",
                             "client authentication method %s not allowed" % method, 401)
        if not client["public"] and not same_secret(secret, client["secret"]):
            raise failed
        return cid

    def issue_token(self):
        form = self.parse_form()
        cid = self.authenticate_client(form)
        client = CLIENTS[cid]
        grant_type = form.get("grant_type")
        scope = form.get("scope")
        with LOCK:
            CLIENT_STATS[cid]["last_scope"] = scope
        if not grant_type:
            raise OAuthError("invalid_request", "missing grant_type")
        if grant_type not in ("refresh_token", "client_credentials"):
            raise OAuthError("unsupported_grant_type",
                             "grant_type %s is not supported" % grant_type)
        if grant_type not in client["grants"]:
            raise OAuthError("unauthorized_client",
                             "client may not use grant_type %s" % grant_type)
        if scope is not None:
            bad = [s for s in scope.split(" ") if s not in ALLOWED_SCOPES]
            if bad:
                raise OAuthError("invalid_scope", "unknown scope: %s" % bad[0])

        if client["token_delay"]:
            time.sleep(client["token_delay"])
        new_rt = None
        with LOCK:
            if grant_type == "refresh_token":
                rt = form.get("refresh_token")
                if not rt:
                    raise OAuthError("invalid_request", "missing refresh_token")
                grant = GRANTS[cid]
                if rt not in grant["active"]:
                    if client["rotate"] and rt in grant["retired"]:
                        revoke_grant(cid)
                        raise OAuthError("invalid_grant",
                                         "refresh token reuse detected; grant revoked")
                    raise OAuthError("invalid_grant",
                                     "refresh token is invalid, expired or revoked")
                if client["rotate"]:
                    new_rt = secrets.token_urlsafe(24)
                    grant["active"].discard(rt)
                    grant["retired"].add(rt)
                    grant["active"].add(new_rt)
                COUNTERS["refresh_grants"] += 1
                CLIENT_STATS[cid]["refresh_grants"] += 1
            else:
                COUNTERS["client_credentials_grants"] += 1
                CLIENT_STATS[cid]["client_credentials_grants"] += 1
            token = secrets.token_urlsafe(24)
            ACCESS_TOKENS[token] = {"client": cid, "issued": time.monotonic(),
                                    "lifetime": client["lifetime"],
                                    "expired": False, "revoked": False}
        if ISSUED_TOKENS_FILE:
            with LOCK, open(ISSUED_TOKENS_FILE, "a") as f:
                f.write(token + "\n")
                if new_rt is not None:
                    f.write(new_rt + "\n")
        response = {"access_token": token, "token_type": "Bearer"}
        if client["expires"] == "int":
            response["expires_in"] = client["lifetime"]
        elif client["expires"] == "string":
            response["expires_in"] = str(client["lifetime"])
        if new_rt is not None:
            response["refresh_token"] = new_rt
        if scope is not None:
            response["scope"] = scope
        broken = client["broken"]
        if broken == "no_access_token":
            del response["access_token"]
        elif broken == "mac":
            response["token_type"] = "mac"
        elif broken == "bad_expires":
            response["expires_in"] = "soon"
        elif broken == "html":
            return b"<html>login</html>"
        return response

    # ---- protected data endpoints ------------------------------------------

    def check_bearer(self):
        """None if the bearer token is acceptable, else an error description."""
        scheme, _, token = self.headers.get("Authorization", "").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return "missing bearer token"
        if hmac.compare_digest(token.encode("utf-8"), STATIC_TOKEN.encode("utf-8")):
            return None
        with LOCK:
            info = ACCESS_TOKENS.get(token)
            if info is None:
                return "unknown access token"
            if info["revoked"]:
                return "access token revoked"
            if info["expired"] or info["issued"] + info["lifetime"] < time.monotonic():
                return "access token expired"
        return None

    def unauthorized(self, challenge, description, body=None):
        with LOCK:
            COUNTERS["unauthorized"] += 1
        if body is None:
            body = {"error": "unauthorized", "error_description": description}
        self.send_json(401, body, [("WWW-Authenticate", challenge)])

    def bearer_unauthorized(self, description):
        self.unauthorized('Bearer error="invalid_token", error_description="%s"'
                          % description, description, {"error": "invalid_token"})

    def protected(self, prefix, dataset):
        try:
            params = query_params(self.query)
        except ValueError:
            return self.send_json(400, {"error": "invalid_request",
                                        "error_description": "query string is not valid UTF-8"})
        if prefix == "api":
            problem = self.check_bearer()
            if problem:
                return self.bearer_unauthorized(problem)
        elif prefix == "basic":
            try:
                creds = decode_basic(self.headers.get("Authorization", ""))
            except ValueError:
                return self.send_json(400, {"error": "invalid_request",
                                            "error_description": "malformed Basic credentials"})
            if creds is None or not (same_secret(creds[0], BASIC_USER)
                                     and same_secret(creds[1], BASIC_PASSWORD)):
                return self.unauthorized('Basic realm="regress"', "invalid user or password")
        elif prefix == "header":
            if not same_secret(self.headers.get("X-API-Key", ""), API_KEY):
                return self.unauthorized('ApiKey realm="regress"', "invalid or missing X-API-Key")
        elif prefix == "param":
            if not same_secret(params.get("api_key", [""])[-1], API_KEY):
                return self.unauthorized('ApiKey realm="regress"', "invalid or missing api_key")
        self.serve_dataset(dataset, params)

    def serve_dataset(self, name, params):
        if name in STATIC_DATASETS:
            status, ctype, body = STATIC_DATASETS[name]
            return self.send(status, body, ctype)
        if name == "echo":
            return self.send_json(200, [{
                "method": self.command, "path": self.bare_path,
                "query": mask_api_key(self.query), "accept": self.headers.get("Accept"),
                "user_agent": self.headers.get("User-Agent"),
                "accept_encoding": self.headers.get("Accept-Encoding")}])
        if name == "always401":
            return self.bearer_unauthorized("this endpoint always rejects the token")
        if name == "sleep":
            try:
                seconds = float(params.get("seconds", ["10"])[-1])
                if not 0 <= seconds <= 60:      # also rejects nan
                    raise ValueError
            except ValueError:
                return self.send_json(400, {"error": "invalid_request",
                                            "error_description": "seconds must be 0..60"})
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
            return self.send_json(200, [{"slept": seconds}])
        if name == "generate":
            try:
                rows = int(params.get("rows", ["10"])[-1])
                if not 0 <= rows <= MAX_GENERATE_ROWS:
                    raise ValueError
            except ValueError:
                return self.send_json(400, {"error": "invalid_request",
                                            "error_description": "rows must be 0..%d"
                                            % MAX_GENERATE_ROWS})
            return self.send_generated(rows)
        if name in PAGED_DATASETS or name == "orders" or CUSTOMER_ORDERS.fullmatch(name):
            try:
                return self.serve_list(name, params)
            except BadParam as err:
                return self.send_json(400, err.body)
        if name.startswith(("fault/", "stall/", "bad/", "redirect/")):
            try:
                return self.serve_fault(name, params)
            except BadParam as err:
                return self.send_json(400, err.body)
        if name.startswith("m/"):
            return api_models.serve(self, name[2:], params)
        self.send_json(404, {"error": "not_found", "path": self.bare_path})

    def serve_list(self, name, params):
        """The generated, paged and nested datasets (BadParam for a bad query)."""
        if name == "orders":
            rows = [order for cid in range(1, ORDERS_CUSTOMERS + 1)
                    for order in customer_orders(cid)]
            filters = parse_filters(params, ORDER_FIELDS)
            return self.send_json(200, [row for row in rows if matches(row, filters)])
        nested = CUSTOMER_ORDERS.fullmatch(name)
        if nested:
            cid = int(nested.group(1)) if len(nested.group(1)) <= 6 else 0
            if not 1 <= cid <= MAX_CUSTOMER:
                return self.send_json(404, {"error": "not_found", "path": self.bare_path})
            filters = parse_filters(params, ORDER_FIELDS)
            return self.send_json(200, [row for row in customer_orders(cid)
                                        if matches(row, filters)])
        loop = flag(params, "loop")
        if name == "paged/offset":
            offset = int_param(params, "offset", 0, 0)
            size = page_size(params, "limit")
            rows, count = select_items(params, offset, size)
            return self.send_json(200, {"items": rows, "total": count,
                                        "has_more": offset + len(rows) < count})
        if name in ("paged/page", "paged/page0", "paged/link"):
            first = 0 if name == "paged/page0" else 1
            page = int_param(params, "page", first, first)
            size = page_size(params, "per_page")
            rows, count = select_items(params, (page - first) * size, size)
            pages = -(-count // size)
            if name != "paged/link":
                return self.send_json(200, {"data": rows, "meta": {
                    "page": page, "total_pages": pages, "total_count": count}})
            links = []
            if rows or loop:
                if loop or page < pages:
                    links.append('<%s>; rel="next"'
                                 % self.page_url(with_param(self.query, "page", 2 if loop
                                                            else page + 1)))
                links.append('<%s>; rel="last"'
                             % self.page_url(with_param(self.query, "page", max(pages, 1))))
            return self.send_json(200, rows, [("Link", ", ".join(links))] if links else ())
        if name == "paged/cursor":
            cursor = params.get("cursor", [""])[-1]
            offset = decode_cursor(cursor) if cursor else 0
            size = page_size(params, "limit")
            rows, count = select_items(params, offset, size)
            if loop:
                next_cursor = encode_cursor(size)
            elif offset + size < count:
                next_cursor = encode_cursor(offset + size)
            else:
                next_cursor = None
            return self.send_json(200, {"results": rows, "next_cursor": next_cursor})
        # paged/next
        start = int_param(params, "start", 0, 0)
        size = page_size(params, "limit")
        rows, count = select_items(params, start, size)
        body = {"value": rows}
        if loop or start + size < count:
            if flag(params, "badnext"):
                body["next"] = BAD_NEXT
            else:
                query = with_param(self.query, "start", size if loop else start + size)
                body["next"] = self.page_url(query, relative=flag(params, "rel"),
                                             foreign=flag(params, "foreign"))
        return self.send_json(200, body)

    def page_url(self, query, relative=False, foreign=False):
        """URL of this endpoint with another query string (absolute unless relative)."""
        port = self.server.server_address[1]
        if foreign:
            authority = "127.0.0.2:%d" % port
        elif relative:
            return "%s?%s" % (self.bare_path, query)
        else:
            authority = self.headers.get("Host", "").strip() or "127.0.0.1:%d" % port
        return "http://%s%s?%s" % (authority, self.bare_path, query)

    def send_generated(self, rows):
        """Stream the generated array with chunked transfer encoding."""
        with LOCK:
            cached = GEN_CACHE.get(rows)
        keep = [] if cached is None and rows <= GEN_CACHE_MAX_ROWS else None
        chunked = self.request_version != "HTTP/1.0"
        self.send_response(200)
        self.send_header("Content-Type", JSON_TYPE)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:                               # HTTP/1.0: end of body = end of connection
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()
        for piece in cached or generate_chunks(rows):
            if chunked:
                self.wfile.write(b"%x\r\n" % len(piece))
                self.wfile.write(piece)
                self.wfile.write(b"\r\n")
            else:
                self.wfile.write(piece)
            if keep is not None:
                keep.append(piece)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        if keep is not None:                # complete body sent: remember it
            with LOCK:
                GEN_CACHE.clear()
                GEN_CACHE[rows] = tuple(keep)

    # ---- faults, stalls, bad bodies, redirects -------------------------------

    def serve_fault(self, name, params):
        """The fault/, stall/, bad/ and redirect/ datasets (BadParam for a bad query)."""
        if name in BAD_DATASETS:
            status, ctype, body = BAD_DATASETS[name]
            return self.send(status, body, ctype)
        if name in ("fault/status", "fault/close"):
            key = params.get("key", ["default"])[-1]
            times = int_param(params, "times", 1, 0)
            headers = []
            if name == "fault/status":
                code = int_param(params, "code", 503, 400, 599)
                retry_after = header_param(params, "retry_after")
                if retry_after == "date1":
                    retry_after = email.utils.formatdate(time.time() + 1, usegmt=True)
                if retry_after is not None:
                    headers.append(("Retry-After", retry_after))
            attempt = count_attempt(key)
            if attempt > times:
                return self.send_json(200, [{"id": 1, "attempts": attempt}])
            if name == "fault/close":
                self.close_connection = True        # hang up without a word
                if flag(params, "partial"):         # ... or after the headers
                    self.send_head(200, "application/json", len(STALL_BODY))
                return
            return self.send_json(code, {"error": "fault", "attempt": attempt}, headers)
        if name == "stall/headers":
            seconds = float_param(params, "seconds", DEFAULT_STALL, 0, MAX_STALL)
            if self.client_gone(seconds):
                self.close_connection = True
                return
            return self.send_json(200, [{"id": 1}])
        if name == "stall/body":
            seconds = float_param(params, "seconds", DEFAULT_STALL, 0, MAX_STALL)
            self.send_head(200, "application/json", len(STALL_BODY))
            self.wfile.write(STALL_BODY[:STALL_BODY_FIRST])
            self.wfile.flush()
            if self.client_gone(seconds):
                self.close_connection = True
                return
            self.wfile.write(STALL_BODY[STALL_BODY_FIRST:])
            return
        if name == "stall/trickle":
            rate = int_param(params, "bytes_per_second", 10, 1, MAX_TRICKLE)
            total = int_param(params, "total", 2000, len(TRICKLE_HEAD + TRICKLE_TAIL),
                              MAX_TRICKLE)
            pad = total - len(TRICKLE_HEAD) - len(TRICKLE_TAIL)
            body = TRICKLE_HEAD + b"x" * pad + TRICKLE_TAIL
            return self.send_trickle(body, rate)
        if name in ("bad/deep", "bad/deep_object"):
            depth = int_param(params, "depth", DEFAULT_DEPTH, 1, MAX_DEPTH)
            if name == "bad/deep":
                body = b"[" * depth + b"]" * depth
            else:
                body = b'{"a":' * depth + b"1" + b"}" * depth
            return self.send(200, body, JSON_TYPE)
        if name == "bad/no_content":
            self.send_response(204)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            return
        if name == "bad/huge_value":
            mb = int_param(params, "mb", 20, 0, MAX_HUGE_MB)
            return self.send_blob(HUGE_HEAD, b"x", mb, HUGE_TAIL)
        if name == "bad/gzip":
            if self.accepts_gzip():
                return self.send(200, gzip.compress(GZIP_BODY, mtime=0), JSON_TYPE,
                                 [("Content-Encoding", "gzip")])
            return self.send(200, GZIP_BODY, JSON_TYPE)
        if name == "bad/bomb":
            mb = int_param(params, "mb", 50, 0, MAX_BOMB_MB)
            if self.accepts_gzip():
                return self.send(200, gzip_bomb(mb), JSON_TYPE,
                                 [("Content-Encoding", "gzip")])
            return self.send_blob(BOMB_HEAD, b"a", mb, BOMB_TAIL)
        if name == "bad/link_malformed":
            return self.send_json(200, [{"id": 1}], [("Link", 'https://x/next; rel="next"')])
        if name.startswith("redirect/"):
            to = header_param(params, "to", DEFAULT_REDIRECT)
            port = self.server.server_address[1]
            if name == "redirect/same":
                location = "http://%s%s" % (self.own_authority(), to)
            elif name == "redirect/relative":
                location = to
            elif name == "redirect/other":
                location = "http://127.0.0.2:%d%s" % (port, to)
            elif name == "redirect/ftp":
                location = "ftp://127.0.0.1/file"
            elif name == "redirect/loop":
                location = "http://%s%s%s" % (self.own_authority(), self.bare_path,
                                              "?" + self.query if self.query else "")
            else:
                location = None
            if location is not None:
                return self.send_json(302, {"redirect": location}, [("Location", location)])
        self.send_json(404, {"error": "not_found", "path": self.bare_path})

    def own_authority(self):
        """host:port of this server as the client named it (Host header)."""
        return (self.headers.get("Host", "").strip()
                or "127.0.0.1:%d" % self.server.server_address[1])

    def accepts_gzip(self):
        return "gzip" in self.headers.get("Accept-Encoding", "").lower()

    def send_head(self, status, ctype, length, headers=()):
        """Status line and headers of a body the caller writes itself."""
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        for name, value in headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

    def send_blob(self, head, fill, mb, tail):
        """head + mb MB of the byte fill + tail, written a megabyte at a time."""
        self.send_head(200, JSON_TYPE, len(head) + mb * MB + len(tail))
        self.wfile.write(head)
        block = fill * MB
        for _ in range(mb):
            self.wfile.write(block)
        self.wfile.write(tail)

    def send_trickle(self, body, rate):
        """Send body at rate bytes per second."""
        self.send_head(200, "application/json", len(body))
        start, sent = time.monotonic(), 0
        while sent < len(body):
            due = min(len(body), int((time.monotonic() - start) * rate))
            if due > sent:
                self.wfile.write(body[sent:due])
                sent = due
            elif self.client_gone(STALL_STEP):
                self.close_connection = True
                return

    def client_gone(self, seconds):
        """Wait seconds; True (at once) if the client hangs up meanwhile."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            step = min(STALL_STEP, left)
            try:
                readable = select.select([self.connection], [], [], step)[0]
                if readable and not self.connection.recv(1, socket.MSG_PEEK):
                    return True                 # end of file: the client closed
            except (OSError, ValueError):
                return True
            if readable:                        # a pipelined request: just wait
                time.sleep(step)

    # ---- admin ---------------------------------------------------------------

    def admin(self, what):
        with LOCK:
            if what == "stats":
                result = dict(COUNTERS)
            elif what == "clients":
                result = [{"client_id": cid,
                           "token_requests": CLIENT_STATS[cid]["token_requests"],
                           "refresh_grants": CLIENT_STATS[cid]["refresh_grants"],
                           "client_credentials_grants":
                               CLIENT_STATS[cid]["client_credentials_grants"],
                           "active_refresh_tokens": len(GRANTS[cid]["active"]),
                           "revoked": GRANTS[cid]["revoked"],
                           "last_scope": CLIENT_STATS[cid]["last_scope"]}
                          for cid in CLIENTS]
            elif what == "reset":
                reset_counters()
                reset_request_log()
                reset_faults()
                result = [{"reset": True}]
            elif what == "attempts":
                key = urllib.parse.parse_qs(self.query, keep_blank_values=True).get(
                    "key", ["default"])[-1]
                result = [{"key": key, "attempts": FAULT_ATTEMPTS.get(key, 0)}]
            elif what == "last_auth":
                result = [dict(LAST_AUTH)] if LAST_AUTH else []
            elif what == "log":
                result = list(REQUEST_LOG)
            elif what == "expire_tokens":
                for info in ACCESS_TOKENS.values():
                    info["expired"] = True
                result = [{"expired": len(ACCESS_TOKENS)}]
            elif what == "reset_grants":
                reset_grants()
                result = [{"reset_grants": True}]
            elif what == "new_grant":
                # a new grant for a client (a user authorizing again):
                # returns its refresh token
                cid = urllib.parse.parse_qs(self.query).get("client", [""])[0]
                if cid not in CLIENTS:
                    return self.send_json(400, {"error": "unknown client"})
                token = secrets.token_urlsafe(24)
                GRANTS[cid] = {"active": {token}, "retired": set(), "revoked": False}
                if ISSUED_TOKENS_FILE:
                    with open(ISSUED_TOKENS_FILE, "a") as f:
                        f.write(token + "\n")
                result = [{"refresh_token": token}]
            else:
                result = None
        if result is None:
            return self.send_json(404, {"error": "not_found", "path": self.bare_path})
        self.send_json(200, result)


# --- issue 7: concurrency endpoints ---
#
# Paged lists for the concurrent paging tests (sql/concurrency.sql,
# test/t/003_concurrency.pl), under every protected prefix:
#   conc/pages   page (1..), per_page       {"data": [...], "meta": {total_pages, total_count}}
#   conc/offset  offset, limit              {"items": [...], "total": n}
#   conc/cursor  cursor, limit              {"results": [...], "next_cursor": c}
# Row i (1-based) is {"id": i, "tag": "row-<i>"}.  Parameters:
#   total       rows (default 100)
#   series      name under which requests are counted (default "default")
#   delays      comma-separated milliseconds, the first for page 1, the
#               second for page 2, ...; the last repeats (default 0).  The
#               wait ends early when the client hangs up.
#   fail_page   page (1-based, by position) that fails, as fail says:
#               500 (default), 404, badjson (a truncated body), truncated
#               (a body that ends after a colon), html
#   short_page  page (1-based) that has half its rows (not the last page)
#   expire_at_page  page whose answer expires every access token issued, so
#               that the requests after it are rejected (401)
#   flaky_page  page whose first request in the series is answered 503 with
#               Retry-After: 0 (a transient failure, retried at once)
# /_admin/concurrency?series=S tells the requests seen for S, the most that
# were in progress at once, and those in progress now; reset=1 forgets S
# (every series without series=).
CONC_STATS = {}         # series -> {"requests", "in_flight", "max_in_flight"}
CONC_DEFAULT_TOTAL = 100
CONC_MAX_TOTAL = 10_000_000
CONC_MAX_DELAY_MS = 120_000


def conc_enter(key):
    with LOCK:
        st = CONC_STATS.setdefault(key, {"requests": 0, "in_flight": 0, "max_in_flight": 0})
        st["requests"] += 1
        st["in_flight"] += 1
        st["max_in_flight"] = max(st["max_in_flight"], st["in_flight"])


def conc_leave(key):
    with LOCK:
        CONC_STATS[key]["in_flight"] -= 1


def conc_delay(params, page):
    """Milliseconds to wait before answering page (1-based)."""
    text = params.get("delays", ["0"])[-1]
    try:
        delays = [int(d) for d in text.split(",")]
    except ValueError:
        raise invalid("delays must be comma-separated integers")
    if any(not 0 <= d <= CONC_MAX_DELAY_MS for d in delays):
        raise invalid("delays must be 0..%d" % CONC_MAX_DELAY_MS)
    return delays[min(page, len(delays)) - 1]


def conc_serve(handler, name, params):
    """The conc/ datasets (BadParam for a bad query)."""
    key = params.get("series", ["default"])[-1]
    total = int_param(params, "total", CONC_DEFAULT_TOTAL, 0, CONC_MAX_TOTAL)
    if name == "conc/pages":
        size = page_size(params, "per_page")
        page = int_param(params, "page", 1, 1)
        start = (page - 1) * size
    elif name in ("conc/offset", "conc/cursor"):
        size = page_size(params, "limit")
        if name == "conc/offset":
            start = int_param(params, "offset", 0, 0)
        else:
            cursor = params.get("cursor", [""])[-1]
            start = decode_cursor(cursor) if cursor else 0
        page = start // size + 1
    else:
        return handler.send_json(404, {"error": "not_found", "path": handler.bare_path})
    fail_page = int_param(params, "fail_page", 0, 0)
    fail = params.get("fail", ["500"])[-1]
    short_page = int_param(params, "short_page", 0, 0)
    expire_at_page = int_param(params, "expire_at_page", 0, 0)
    flaky_page = int_param(params, "flaky_page", 0, 0)
    delay = conc_delay(params, page)

    conc_enter(key)
    try:
        if delay and handler.client_gone(delay / 1000.0):
            handler.close_connection = True
            return
        if page == flaky_page:
            with LOCK:
                first = not CONC_STATS[key].get("flaked")
                CONC_STATS[key]["flaked"] = True
            if first:
                return handler.send_json(503, {"error": "busy", "page": page},
                                         [("Retry-After", "0")])
        if page == fail_page:
            if fail == "404":
                return handler.send_json(404, {"error": "not_found", "page": page})
            if fail == "badjson":
                return handler.send(200, b'{"data": [{"id": 1,', JSON_TYPE)
            if fail == "truncated":
                return handler.send(200, b'{"data": [{"id":', JSON_TYPE)
            if fail == "html":
                return handler.send(200, b"<html>busy</html>", "text/html")
            return handler.send_json(500, {"error": "internal", "page": page})
        if page == expire_at_page:
            with LOCK:
                for info in ACCESS_TOKENS.values():
                    info["expired"] = True
        count = size // 2 if page == short_page else size
        rows = [{"id": i, "tag": "row-%d" % i}
                for i in range(start + 1, min(start + count, total) + 1)]
        if name == "conc/pages":
            return handler.send_json(200, {"data": rows, "meta": {
                "total_pages": -(-total // size), "total_count": total}})
        if name == "conc/offset":
            return handler.send_json(200, {"items": rows, "total": total})
        following = start + len(rows)
        return handler.send_json(200, {"results": rows, "next_cursor":
                                       encode_cursor(following) if following < total else None})
    finally:
        conc_leave(key)


def conc_admin(handler):
    params = urllib.parse.parse_qs(handler.query, keep_blank_values=True)
    key = params.get("series", [None])[-1]
    with LOCK:
        if flag(params, "reset"):
            if key is None:
                CONC_STATS.clear()
            else:
                CONC_STATS.pop(key, None)
        keys = [key] if key is not None else sorted(CONC_STATS)
        result = []
        for k in keys:
            st = CONC_STATS.get(k, {})
            result.append({"series": k, "requests": st.get("requests", 0),
                           "in_flight": st.get("in_flight", 0),
                           "max_in_flight": st.get("max_in_flight", 0)})
    handler.send_json(200, result)


_issue7_serve_dataset = Handler.serve_dataset
_issue7_admin = Handler.admin


def _conc_serve_dataset(self, name, params):
    if name.startswith("conc/"):
        try:
            return conc_serve(self, name, params)
        except BadParam as err:
            return self.send_json(400, err.body)
    return _issue7_serve_dataset(self, name, params)


def _conc_admin(self, what):
    if what == "concurrency":
        return conc_admin(self)
    return _issue7_admin(self, what)


Handler.serve_dataset = _conc_serve_dataset
Handler.admin = _conc_admin
# --- end of issue 7 ---


# --------------------------------------------------------------------------
# Extensions: test/api_ext_*.py, each with PREFIX (a path prefix such as
# "/hostile/") and serve(handler, path, query).  They use the handler's
# send/send_json/body and this module's helpers (import api_server).
# --------------------------------------------------------------------------

def load_extensions():
    import glob
    import importlib
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    found = []
    for file in sorted(glob.glob(os.path.join(here, "api_ext_*.py"))):
        mod = importlib.import_module(os.path.basename(file)[:-3])
        found.append((mod.PREFIX, mod.serve))
    return found


EXTENSIONS = []

_BODY_CACHE = {}
_BODY_CACHE_LOCK = threading.Lock()


def cached_body(key, build):
    """The bytes build() makes, made once per key (a hashable) and kept:
    for the large generated bodies of extensions."""
    with _BODY_CACHE_LOCK:
        body = _BODY_CACHE.get(key)
        if body is None:
            body = build()
            _BODY_CACHE[key] = body
        return body


# --------------------------------------------------------------------------
# Server process
# --------------------------------------------------------------------------

class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def server_bind(self):
        # Skip HTTPServer.server_bind's getfqdn(), which may do slow DNS lookups.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        sys.stderr.write("api_server: connection error: %s\n" % type(exc).__name__)


def main():
    parser = argparse.ArgumentParser(description="rest_fdw regression test API server")
    parser.add_argument("--port-file", required=True,
                        help="write the listening port to this file once ready")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    parser.add_argument("--log", help="append one line per request (method, path, status)")
    parser.add_argument("--bind", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1; 0.0.0.0 also "
                             "lets 127.0.0.2 connect)")
    parser.add_argument("--tls-cert", help="also serve HTTPS with this certificate (PEM)")
    parser.add_argument("--tls-key", help="the certificate's private key (PEM)")
    parser.add_argument("--tls-port-file", help="write the HTTPS port to this file")
    parser.add_argument("--blackhole-port-file",
                        help="write to this file the port of a socket whose accept queue is "
                             "full, so that new connections hang (connect timeout tests)")
    args = parser.parse_args()

    # run as a script, this module is __main__: extensions that import
    # api_server must get this very module, not a second copy
    sys.modules.setdefault("api_server", sys.modules[__name__])
    EXTENSIONS.extend(load_extensions())

    if args.log:
        Handler.log_file = open(args.log, "a", encoding="utf-8")
    if ":" in args.bind:
        Server.address_family = socket.AF_INET6
    server = Server((args.bind, args.port), Handler)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    worker = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              daemon=True)
    worker.start()

    # a port where connecting hangs: a listening socket that never accepts,
    # its accept queue filled by our own connections (Linux then drops SYNs)
    blackhole = []
    if args.blackhole_port_file:
        hole = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        hole.bind(("127.0.0.1", 0))
        hole.listen(0)
        blackhole.append(hole)
        for _ in range(4):
            c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            c.setblocking(False)
            try:
                c.connect(hole.getsockname())
            except (BlockingIOError, OSError):
                pass
            blackhole.append(c)
        tmp = args.blackhole_port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % hole.getsockname()[1])
        os.replace(tmp, args.blackhole_port_file)

    # the same API over HTTPS, for the TLS verification tests
    tls_server = None
    if args.tls_cert and args.tls_key and args.tls_port_file:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        tls_server = Server((args.bind, 0), Handler)
        tls_server.socket = context.wrap_socket(tls_server.socket, server_side=True)
        threading.Thread(target=tls_server.serve_forever, kwargs={"poll_interval": 0.2},
                         daemon=True).start()
        tmp = args.tls_port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % tls_server.server_address[1])
        os.replace(tmp, args.tls_port_file)

    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.replace(tmp, args.port_file)

    while not stop.wait(1.0):
        pass
    server.shutdown()
    server.server_close()
    if tls_server:
        tls_server.shutdown()
        tls_server.server_close()
    if Handler.log_file:
        Handler.log_file.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
