"""
Shared by every role of the test API: the secrets from the environment, the
lock that guards the shared state, JSON and query-string helpers, the
parameter parsers that answer 400, and the issued-token log.
"""

import json
import os
import re
import threading
import urllib.parse

# Secrets are taken from REST_TEST_* environment variables (test/lib.sh makes
# fresh ones for every run); the defaults serve a server started by hand.
CLIENT_SECRET = os.environ.get("REST_TEST_CLIENT_SECRET", "cs-7f3a9e1b")
SEED_REFRESH_TOKEN = os.environ.get("REST_TEST_REFRESH_TOKEN", "rt-seed-51c2d8")
STATIC_TOKEN = os.environ.get("REST_TEST_STATIC_TOKEN", "at-static-93be")
BASIC_USER = os.environ.get("REST_TEST_USER", "regress_api_user")
BASIC_PASSWORD = os.environ.get("REST_TEST_PASSWORD", "pw-4d21c7")
API_KEY = os.environ.get("REST_TEST_API_KEY", "key-8e6f02")
# When set, every issued access and refresh token is appended to this file,
# one a line, so the test runner can check that none reached the server log.
ISSUED_TOKENS_FILE = os.environ.get("REST_TEST_ISSUED_TOKENS")

JSON_TYPE = "application/json; charset=utf-8"
STALL_STEP = 0.05       # how often a stall checks for a client that hung up

# Guards the shared state of oauth, admin, faults and probes.
LOCK = threading.Lock()

INTEGER = re.compile(r"-?[0-9]+")
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")

_issued_lock = threading.Lock()


def record_issued(*tokens):
    """Append tokens to REST_TEST_ISSUED_TOKENS (if set), one a line."""
    if not ISSUED_TOKENS_FILE:
        return
    with _issued_lock, open(ISSUED_TOKENS_FILE, "a") as f:
        for token in tokens:
            f.write(token + "\n")


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


class BadParam(Exception):
    """A query parameter the endpoint cannot use: datasets.protected() answers
    400 with body."""

    def __init__(self, body):
        super().__init__(body.get("error"))
        self.body = body


def invalid(description):
    return BadParam({"error": "invalid_request", "error_description": description})


def query_params(query):
    """Parse a query string; raises ValueError when it is not valid UTF-8."""
    return urllib.parse.parse_qs(query, keep_blank_values=True,
                                 encoding="utf-8", errors="strict")


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


def with_param(query, name, value):
    """The raw query string with parameter name set to value (appended if absent)."""
    parts, done = [], False
    for part in query.split("&") if query else []:
        if urllib.parse.unquote_plus(part.split("=", 1)[0], errors="replace") == name:
            if done:
                continue
            part, done = "%s=%s" % (name, value), True
        parts.append(part)
    if not done:
        parts.append("%s=%s" % (name, value))
    return "&".join(parts)


def mask_query(query, names):
    """Return the raw query string with the values of parameters names replaced by ***."""
    parts = []
    for part in query.split("&") if query else []:
        name = part.split("=", 1)[0]
        if urllib.parse.unquote_plus(name, errors="replace") in names:
            part = name + "=***"
        parts.append(part)
    return "&".join(parts)


_body_cache = {}
_body_cache_lock = threading.Lock()


def cached_body(key, build):
    """The bytes build() makes, made once per key (a hashable) and kept:
    for the large generated bodies of arrays and limits."""
    with _body_cache_lock:
        body = _body_cache.get(key)
        if body is None:
            body = build()
            _body_cache[key] = body
        return body


def not_found(handler, *_):
    """404 {"error": "not_found", "path": ...}: the answer for unknown paths."""
    handler.send_json(404, {"error": "not_found", "path": handler.bare_path})


def send_sized(handler, prefix, shapes, count, shape):
    """A generated body of count elements of a shape: shapes maps each name
    to (build(n), the largest n); cached per prefix, shape and count."""
    if count.isdigit() and shape in shapes:
        build, limit = shapes[shape]
        n = int(count)
        if n <= limit:
            return handler.send(200, cached_body((prefix, (shape, n)), lambda: build(n)))
    not_found(handler)
