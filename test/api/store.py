"""
The token store tests' OAuth 2.0 server (test/t/005_store_safety.pl,
test/t/006_basebackup.pl, test/t/007_store_databases.pl): an OAuth 2.0
token endpoint whose grants are made one per test, rotate refresh tokens of
a chosen size and detect reuse, and an API that accepts only its access
tokens.

    POST /store/token             refresh_token grant (client "regress_store"),
                                  client_credentials (client "regress_store_cc")
    GET  /store/data              two rows; 401 unless the bearer token is live
    GET  /store/_admin/new_grant?rt_size=N&rotate=0|1&delay=S
                                  a new grant: {"grant": id, "refresh_token": seed};
                                  its token requests take S more seconds
    GET  /store/_admin/grant?id=G  what the grant saw: the generation of every
                                  refresh token presented ("presented"), the
                                  current generation, reuse detections, revoked
    GET  /store/_admin/set?id=G&rt_size=N   size of the next rotated tokens
    GET  /store/_admin/expire?id=G expire the grant's access tokens (the next
                                  API request gets 401)
    GET  /store/_admin/cc         {"grants": n} client_credentials grants made

Refresh tokens have generations: the seed is 0, each rotation issues the
next.  Presenting a retired one revokes the grant, as Okta or Auth0 do.
Other paths under /store/ answer 404, other methods than POST to /store/token
405.  Client secrets come from REST_TEST_CLIENT_SECRET; tokens are appended to
REST_TEST_ISSUED_TOKENS (the first 1000 characters of a huge one, to keep
the log check's grep arguments small) and never logged.
"""

import base64
import binascii
import hmac
import secrets
import threading
import time
import urllib.parse

from .common import CLIENT_SECRET, record_issued

CLIENTS = ("regress_store", "regress_store_cc")

LOCK = threading.Lock()
GRANTS = {}          # id -> state
REFRESH = {}         # refresh token -> (grant id, generation)
ACCESS = {}          # access token -> {"grant": id or None, "expired": bool}
CC = {"grants": 0}


def _remember(*tokens):
    record_issued(*(t[:1000] for t in tokens))


def _token(size):
    """A URL-safe random token of exactly size characters."""
    t = secrets.token_urlsafe(max(size, 24))
    while len(t) < size:
        t += secrets.token_urlsafe(size)
    return t[:size]


def _client(handler, form):
    """The authenticated client id, or None."""
    auth = handler.headers.get("Authorization")
    if auth:
        scheme, _, value = auth.strip().partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            raw = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        cid, _, secret = raw.partition(":")
        cid = urllib.parse.unquote_plus(cid)
        secret = urllib.parse.unquote_plus(secret)
    else:
        cid, secret = form.get("client_id"), form.get("client_secret")
    if cid not in CLIENTS or secret is None or not hmac.compare_digest(
            secret.encode("utf-8"), CLIENT_SECRET.encode("utf-8")):
        return None
    return cid


def _oauth_error(handler, status, error, description):
    handler.send_json(status, {"error": error, "error_description": description},
                      [("Cache-Control", "no-store")])


def token_endpoint(handler):
    """POST /store/token"""
    if handler.command != "POST":
        return handler.send_json(405, {"error": "method_not_allowed"})
    try:
        form = dict(urllib.parse.parse_qsl(handler.body.decode("utf-8"),
                                           keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        return _oauth_error(handler, 400, "invalid_request", "unreadable form")
    cid = _client(handler, form)
    if cid is None:
        return _oauth_error(handler, 401, "invalid_client", "client authentication failed")
    grant_type = form.get("grant_type")
    access = secrets.token_urlsafe(24)
    response = {"access_token": access, "token_type": "Bearer", "expires_in": 3600}

    if grant_type == "client_credentials" and cid == "regress_store_cc":
        with LOCK:
            CC["grants"] += 1
            ACCESS[access] = {"grant": None, "expired": False}
        _remember(access)
        return handler.send_json(200, response, [("Cache-Control", "no-store")])
    if grant_type != "refresh_token" or cid != "regress_store":
        return _oauth_error(handler, 400, "unauthorized_client", "grant not allowed")

    rt = form.get("refresh_token", "")
    new_rt = None
    with LOCK:
        known = REFRESH.get(rt)
        delay = GRANTS[known[0]]["delay"] if known else 0
    if delay:
        time.sleep(delay)
    with LOCK:
        known = REFRESH.get(rt)
        if known is None:
            return _oauth_error(handler, 400, "invalid_grant", "unknown refresh token")
        gid, gen = known
        g = GRANTS[gid]
        g["presented"].append(gen)
        if g["revoked"]:
            return _oauth_error(handler, 400, "invalid_grant", "grant revoked")
        if gen != g["generation"]:
            g["reuse"] += 1
            g["revoked"] = True
            return _oauth_error(handler, 400, "invalid_grant",
                                "refresh token reuse detected; grant revoked")
        g["refreshes"] += 1
        if g["rotate"]:
            g["generation"] += 1
            new_rt = _token(g["rt_size"])
            REFRESH[new_rt] = (gid, g["generation"])
        ACCESS[access] = {"grant": gid, "expired": False}
    _remember(access, *([new_rt] if new_rt else []))
    if new_rt is not None:
        response["refresh_token"] = new_rt
    handler.send_json(200, response, [("Cache-Control", "no-store")])


def data(handler):
    """GET /store/data"""
    scheme, _, token = handler.headers.get("Authorization", "").strip().partition(" ")
    with LOCK:
        info = ACCESS.get(token.strip()) if scheme.lower() == "bearer" else None
        ok = info is not None and not info["expired"] and \
            (info["grant"] is None or not GRANTS[info["grant"]]["revoked"])
    if not ok:
        return handler.send_json(401, {"error": "invalid_token"},
                                 [("WWW-Authenticate", 'Bearer error="invalid_token"')])
    handler.send_json(200, [{"id": 1}, {"id": 2}])


def _query(handler):
    return dict(urllib.parse.parse_qsl(handler.query))


def _answer(handler, result):
    if result is None:
        return handler.send_json(404, {"error": "not_found"})
    handler.send_json(200, result)


def admin_new_grant(handler):
    q = _query(handler)
    with LOCK:
        gid = str(len(GRANTS) + 1)
        seed = "sd-" + secrets.token_urlsafe(24)
        GRANTS[gid] = {"generation": 0, "presented": [], "reuse": 0,
                       "revoked": False, "refreshes": 0,
                       "rt_size": int(q.get("rt_size", "32")),
                       "rotate": q.get("rotate", "1") == "1",
                       "delay": float(q.get("delay", "0"))}
        REFRESH[seed] = (gid, 0)
    _remember(seed)
    handler.send_json(200, {"grant": gid, "refresh_token": seed})


def admin_grant(handler):
    q = _query(handler)
    with LOCK:
        g = GRANTS.get(q.get("id"))
        result = None if g is None else {k: g[k] for k in (
            "generation", "presented", "reuse", "revoked", "refreshes", "rt_size")}
    _answer(handler, result)


def admin_set(handler):
    q = _query(handler)
    with LOCK:
        result = None
        if q.get("id") in GRANTS:
            GRANTS[q["id"]]["rt_size"] = int(q.get("rt_size", "32"))
            result = {"ok": True}
    _answer(handler, result)


def admin_expire(handler):
    q = _query(handler)
    with LOCK:
        result = None
        if q.get("id") in GRANTS:
            for info in ACCESS.values():
                if info["grant"] == q["id"]:
                    info["expired"] = True
            result = {"ok": True}
    _answer(handler, result)


def admin_cc(handler):
    with LOCK:
        result = dict(CC)
    handler.send_json(200, result)


def admin_unknown(handler, *_):
    _answer(handler, None)
