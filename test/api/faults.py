"""
Faults, stalls, broken bodies and redirects of the test API, served under
every protected prefix (sql/faults.sql, test/t/).

  fault/status  code (400..599, default 503), times (default 1), key
                (default "default"), retry_after: the first <times> requests
                with that key answer <code> {"error": "fault", "attempt": i}
                (with Retry-After: <retry_after> verbatim if given; "date1" is
                an HTTP-date one second ahead), later ones 200
                [{"id": 1, "attempts": n}]
  fault/close   times, key: the first <times> requests get the connection
                closed without any response, later ones as above.  (curl
                silently repeats a request once if a reused connection is
                closed without a response; with partial=1 the connection
                is closed after headers that promise a body instead, which
                it does not repeat.)
  stall/headers seconds (default 30, 0..120): nothing at all for that long,
                then [{"id": 1}]
  stall/body    seconds: status, headers and '[{"id' at once, the rest later
  stall/trickle bytes_per_second (default 10), total (default 2000): a JSON
                array of <total> bytes, sent at that rate
  bad/...       broken or awkward bodies: invalid_utf8, empty, no_content
                (204), xml, deep (depth), deep_object (depth), scalar_rows,
                null_row, huge_value (mb), big_number, html_error, gzip,
                bomb (mb; gzip-compressed if the client accepts gzip),
                link_malformed
  redirect/...  302 to: same (to=path on the Host the client used), relative
                (Location: <to>), other (to on 127.0.0.2), ftp, loop (itself)

Fault keys count the requests seen (admin.count_attempt, /_admin/attempts);
/_admin/reset forgets them.  A stall ends early when the client hangs up.
"""

import email.utils
import gzip
import threading
import time
import zlib

from . import admin
from .common import (JSON_TYPE, STALL_STEP, float_param, flag, header_param, int_param,
                     not_found)

MB = 1024 * 1024
DEFAULT_STALL = 30
MAX_STALL = 120
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
_bomb_lock = threading.Lock()
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


def gzip_bomb(mb):
    """BOMB_HEAD + mb MB of "a" + BOMB_TAIL, gzip-compressed (cached)."""
    with _bomb_lock:
        data = BOMB_CACHE.get(mb)
    if data is None:
        zc = zlib.compressobj(9, zlib.DEFLATED, 31)     # 31: gzip container
        block = b"a" * MB
        parts = [zc.compress(BOMB_HEAD)]
        parts.extend(zc.compress(block) for _ in range(mb))
        parts.append(zc.compress(BOMB_TAIL))
        parts.append(zc.flush())
        data = b"".join(parts)
        with _bomb_lock:
            if len(BOMB_CACHE) >= BOMB_CACHE_MAX:
                BOMB_CACHE.clear()
            BOMB_CACHE[mb] = data
    return data


def send_blob(handler, head, fill, mb, tail):
    """head + mb MB of the byte fill + tail, written a megabyte at a time."""
    handler.send_head(200, JSON_TYPE, len(head) + mb * MB + len(tail))
    handler.wfile.write(head)
    block = fill * MB
    for _ in range(mb):
        handler.wfile.write(block)
    handler.wfile.write(tail)


def send_trickle(handler, body, rate):
    """Send body at rate bytes per second."""
    handler.send_head(200, "application/json", len(body))
    start, sent = time.monotonic(), 0
    while sent < len(body):
        due = min(len(body), int((time.monotonic() - start) * rate))
        if due > sent:
            handler.wfile.write(body[sent:due])
            sent = due
        elif handler.client_gone(STALL_STEP):
            handler.close_connection = True
            return


# ---- fault/ -------------------------------------------------------------------

def fault_status(handler):
    params = handler.params
    key = params.get("key", ["default"])[-1]
    times = int_param(params, "times", 1, 0)
    code = int_param(params, "code", 503, 400, 599)
    retry_after = header_param(params, "retry_after")
    if retry_after == "date1":
        retry_after = email.utils.formatdate(time.time() + 1, usegmt=True)
    headers = [("Retry-After", retry_after)] if retry_after is not None else []
    attempt = admin.count_attempt(key)
    if attempt > times:
        return handler.send_json(200, [{"id": 1, "attempts": attempt}])
    handler.send_json(code, {"error": "fault", "attempt": attempt}, headers)


def fault_close(handler):
    params = handler.params
    key = params.get("key", ["default"])[-1]
    times = int_param(params, "times", 1, 0)
    attempt = admin.count_attempt(key)
    if attempt > times:
        return handler.send_json(200, [{"id": 1, "attempts": attempt}])
    handler.close_connection = True         # hang up without a word
    if flag(handler.params, "partial"):     # ... or after the headers
        handler.send_head(200, "application/json", len(STALL_BODY))


# ---- stall/ -------------------------------------------------------------------

def stall_headers(handler):
    seconds = float_param(handler.params, "seconds", DEFAULT_STALL, 0, MAX_STALL)
    if handler.client_gone(seconds):
        handler.close_connection = True
        return
    handler.send_json(200, [{"id": 1}])


def stall_body(handler):
    seconds = float_param(handler.params, "seconds", DEFAULT_STALL, 0, MAX_STALL)
    handler.send_head(200, "application/json", len(STALL_BODY))
    handler.wfile.write(STALL_BODY[:STALL_BODY_FIRST])
    handler.wfile.flush()
    if handler.client_gone(seconds):
        handler.close_connection = True
        return
    handler.wfile.write(STALL_BODY[STALL_BODY_FIRST:])


def stall_trickle(handler):
    params = handler.params
    rate = int_param(params, "bytes_per_second", 10, 1, MAX_TRICKLE)
    total = int_param(params, "total", 2000, len(TRICKLE_HEAD + TRICKLE_TAIL), MAX_TRICKLE)
    pad = total - len(TRICKLE_HEAD) - len(TRICKLE_TAIL)
    send_trickle(handler, TRICKLE_HEAD + b"x" * pad + TRICKLE_TAIL, rate)


# ---- bad/ ---------------------------------------------------------------------

def bad_static(name):
    """The handler that answers the fixed broken body name."""
    status, ctype, body = BAD_DATASETS[name]
    return lambda handler: handler.send(status, body, ctype)


def bad_deep(handler):
    depth = int_param(handler.params, "depth", DEFAULT_DEPTH, 1, MAX_DEPTH)
    handler.send(200, b"[" * depth + b"]" * depth, JSON_TYPE)


def bad_deep_object(handler):
    depth = int_param(handler.params, "depth", DEFAULT_DEPTH, 1, MAX_DEPTH)
    handler.send(200, b'{"a":' * depth + b"1" + b"}" * depth, JSON_TYPE)


def bad_no_content(handler):
    handler.send_response(204)
    if handler.close_connection:
        handler.send_header("Connection", "close")
    handler.end_headers()


def bad_huge_value(handler):
    mb = int_param(handler.params, "mb", 20, 0, MAX_HUGE_MB)
    send_blob(handler, HUGE_HEAD, b"x", mb, HUGE_TAIL)


def bad_gzip(handler):
    if handler.accepts_gzip():
        return handler.send(200, gzip.compress(GZIP_BODY, mtime=0), JSON_TYPE,
                            [("Content-Encoding", "gzip")])
    handler.send(200, GZIP_BODY, JSON_TYPE)


def bad_bomb(handler):
    mb = int_param(handler.params, "mb", 50, 0, MAX_BOMB_MB)
    if handler.accepts_gzip():
        return handler.send(200, gzip_bomb(mb), JSON_TYPE, [("Content-Encoding", "gzip")])
    send_blob(handler, BOMB_HEAD, b"a", mb, BOMB_TAIL)


def bad_link_malformed(handler):
    handler.send_json(200, [{"id": 1}], [("Link", 'https://x/next; rel="next"')])


# ---- redirect/ ------------------------------------------------------------------

def redirect(handler, kind):
    """redirect/<kind>: a 302 to where to= says (404 for another kind)."""
    to = header_param(handler.params, "to", DEFAULT_REDIRECT)
    port = handler.server.server_address[1]
    if kind == "same":
        location = "http://%s%s" % (handler.own_authority(), to)
    elif kind == "relative":
        location = to
    elif kind == "other":
        location = "http://127.0.0.2:%d%s" % (port, to)
    elif kind == "ftp":
        location = "ftp://127.0.0.1/file"
    elif kind == "loop":
        location = "http://%s%s%s" % (handler.own_authority(), handler.bare_path,
                                      "?" + handler.query if handler.query else "")
    else:
        return not_found(handler)
    handler.send_json(302, {"redirect": location}, [("Location", location)])
