"""
The OAuth 2.0 authorization server of the test API (RFC 6749).

  POST /oauth/token           refresh_token, client_credentials and password grants for
                              the registered CLIENTS below
  POST /oauth/revoke          token revocation (RFC 7009): a refresh token
                              revokes its grant, an access token itself;
                              200 also for a token it does not know
  GET  /_admin/clients        per-client counters and grant state
  GET  /_admin/expire_tokens  expire every access token issued
  GET  /_admin/reset_grants   forget every token; each client's grant starts
                              again from REST_TEST_REFRESH_TOKEN
  GET  /_admin/new_grant      client=C: a new grant for C (a user authorizing
                              again); answers its refresh token

The registered clients exercise the corner cases the FDW must handle (Basic
vs. client_secret_post authentication, url-encoded client ids, refresh token
rotation with reuse detection, missing or string-typed expires_in, short
lifetimes, broken token responses, a slow token endpoint).  check_bearer()
tells the resource server (datasets.py) whether an access token is live.
Issued tokens go to REST_TEST_ISSUED_TOKENS (common.record_issued), never to
a log.
"""

import base64
import binascii
import hmac
import secrets
import time
import urllib.parse

from . import admin
from .common import (BASIC_PASSWORD, BASIC_USER, CLIENT_SECRET, LOCK,
                     SEED_REFRESH_TOKEN, STATIC_TOKEN, record_issued)

ALLOWED_SCOPES = ("read", "write", "admin")

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
    # token revocation (sql/revocation.sql)
    "regress_revoke": dict(auth=BOTH, lifetime=3600, grants=RT_CC, rotate=True),
    "regress_noexp": dict(auth=BOTH, lifetime=3600, grants=RT_CC, expires="none"),
    "regress_strexp": dict(auth=BOTH, lifetime=3600, grants=RT_CC, expires="string"),
    "regress_cc": dict(auth=BOTH, lifetime=3600, grants=("client_credentials",)),
    # the resource owner password grant for the test user (RFC 6749 4.3)
    "regress_ropc": dict(auth=BOTH, lifetime=3600, grants=("password",)),
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
    # Slack's token_type "bot" (sql/token_types.sql), and a client that
    # authenticates only with its credentials in the token URL
    "regress_bot": dict(auth=BOTH, lifetime=3600, grants=RT_CC, broken="bot"),
    "regress_url": dict(auth=("url",), lifetime=3600, grants=RT_CC),
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

# guarded by common.LOCK
GRANTS = {}             # client_id -> {"active": set, "retired": set, "revoked": bool}
ACCESS_TOKENS = {}      # token -> {"client", "issued", "lifetime", "expired", "revoked"}
NO_STORE = [("Cache-Control", "no-store"), ("Pragma", "no-cache")]


class OAuthError(Exception):
    """An RFC 6749 error response."""

    def __init__(self, error, description, status=400):
        super().__init__(error)
        self.error = error
        self.description = description
        self.status = status


def reset_grants():
    """Forget every access token; each client's grant is the seed again (LOCK held)."""
    ACCESS_TOKENS.clear()
    for cid in CLIENTS:
        GRANTS[cid] = {"active": {SEED_REFRESH_TOKEN}, "retired": set(),
                       "revoked": False}


def revoke_grant(cid):
    """Reuse detected: invalidate every refresh and access token of the grant."""
    grant = GRANTS[cid]
    grant["active"].clear()
    grant["revoked"] = True
    for tok in ACCESS_TOKENS.values():
        if tok["client"] == cid:
            tok["revoked"] = True


def expire_access_tokens():
    """Expire every access token issued; returns how many (LOCK held)."""
    for info in ACCESS_TOKENS.values():
        info["expired"] = True
    return len(ACCESS_TOKENS)


with LOCK:
    reset_grants()


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


def check_bearer(handler):
    """None if the request's bearer token is acceptable, else an error description."""
    scheme, _, token = handler.headers.get("Authorization", "").strip().partition(" ")
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


# ---- POST /oauth/token ------------------------------------------------------

def token_endpoint(handler):
    with LOCK:
        admin.count("token_requests")
    try:
        response = issue_token(handler)
    except OAuthError as err:
        with LOCK:
            admin.count("token_errors")
        headers = list(NO_STORE)
        if err.status == 401:
            headers.append(("WWW-Authenticate", 'Basic realm="regress"'))
        return handler.send_json(err.status, {"error": err.error,
                                              "error_description": err.description},
                                 headers)
    with LOCK:
        admin.count("token_ok")
    if isinstance(response, bytes):     # a client with broken="html"
        return handler.send(200, response, "text/html", NO_STORE)
    handler.send_json(200, response, NO_STORE)


def revoke_endpoint(handler):
    """RFC 7009: the client authenticates as at the token endpoint."""
    try:
        form = parse_form(handler)
        cid = authenticate_client(handler, form)
        token = form.get("token")
        if not token:
            raise OAuthError("invalid_request", "token is missing")
        hint = form.get("token_type_hint")
        if hint not in (None, "refresh_token", "access_token"):
            raise OAuthError("unsupported_token_type", "unknown token_type_hint")
    except OAuthError as err:
        headers = list(NO_STORE)
        if err.status == 401:
            headers.append(("WWW-Authenticate", 'Basic realm="regress"'))
        return handler.send_json(err.status, {"error": err.error,
                                              "error_description": err.description},
                                 headers)
    with LOCK:
        st = admin.client_stats(cid)
        st["revocations"] = st.get("revocations", 0) + 1
        grant = GRANTS[cid]
        if token in grant["active"] or token in grant["retired"]:
            revoke_grant(cid)
        elif token in ACCESS_TOKENS and ACCESS_TOKENS[token]["client"] == cid:
            ACCESS_TOKENS[token]["revoked"] = True
    handler.send(200, b"", "text/plain", NO_STORE)


def parse_form(handler):
    ctype = handler.headers.get("Content-Type", "")
    if ctype and ctype.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request",
                         "Content-Type must be application/x-www-form-urlencoded")
    try:
        pairs = urllib.parse.parse_qsl(handler.body.decode("utf-8"), keep_blank_values=True,
                                       encoding="utf-8", errors="strict")
    except ValueError:
        raise OAuthError("invalid_request", "request body is not valid form data")
    form = {}
    for name, value in pairs:
        if name in form:
            raise OAuthError("invalid_request", "parameter %s given more than once" % name)
        form[name] = value
    return form


def authenticate_client(handler, form):
    """Return the authenticated client id (raises OAuthError)."""
    failed = OAuthError("invalid_client", "client authentication failed", 401)
    basic = None
    auth = handler.headers.get("Authorization")
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
            admin.count("basic_auth_token_requests")
        if "client_secret" in form:
            admin.count("post_auth_token_requests")
    query = dict(urllib.parse.parse_qsl(handler.query, keep_blank_values=True))
    if basic is not None:
        if "client_secret" in form or form.get("client_id", basic[0]) != basic[0]:
            raise OAuthError("invalid_request",
                             "more than one client authentication method used")
        cid, secret, method = basic[0], basic[1], "basic"
    elif "client_id" in query:
        # the credentials in the token endpoint's URL (DataDirect's URL mode)
        if "client_id" in form or "client_secret" in form:
            raise OAuthError("invalid_request",
                             "more than one client authentication method used")
        cid, secret, method = query["client_id"], query.get("client_secret"), "url"
    else:
        cid, secret = form.get("client_id"), form.get("client_secret")
        method = "none" if secret is None else "post"
    client = CLIENTS.get(cid)
    if client is None:
        raise failed
    with LOCK:
        admin.client_stats(cid)["token_requests"] += 1
    if method not in client["auth"]:
        if client["public"] or method == "none":
            raise failed
        raise OAuthError("invalid_client",
                         "client authentication method %s not allowed" % method, 401)
    if not client["public"] and not same_secret(secret, client["secret"]):
        raise failed
    return cid


def check_grant_request(client, grant_type, scope):
    """Raise OAuthError unless the client may ask for this grant and scope."""
    if not grant_type:
        raise OAuthError("invalid_request", "missing grant_type")
    if grant_type not in ("refresh_token", "client_credentials", "password"):
        raise OAuthError("unsupported_grant_type",
                         "grant_type %s is not supported" % grant_type)
    if grant_type not in client["grants"]:
        raise OAuthError("unauthorized_client",
                         "client may not use grant_type %s" % grant_type)
    if scope is not None:
        bad = [s for s in scope.split(" ") if s not in ALLOWED_SCOPES]
        if bad:
            raise OAuthError("invalid_scope", "unknown scope: %s" % bad[0])


def grant_tokens(cid, client, grant_type, form):
    """Check the grant, issue an access token (and a rotated refresh token):
    (access token, new refresh token or None).  LOCK held."""
    new_rt = None
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
        admin.count("refresh_grants")
        admin.client_stats(cid)["refresh_grants"] += 1
    elif grant_type == "password":
        # RFC 6749 4.3.2: the resource owner's credentials, no refresh token
        if not (same_secret(form.get("username", ""), BASIC_USER)
                and same_secret(form.get("password", ""), BASIC_PASSWORD)):
            raise OAuthError("invalid_grant", "invalid resource owner credentials")
        admin.count("password_grants")
    else:
        admin.count("client_credentials_grants")
        admin.client_stats(cid)["client_credentials_grants"] += 1
    token = secrets.token_urlsafe(24)
    ACCESS_TOKENS[token] = {"client": cid, "issued": time.monotonic(),
                            "lifetime": client["lifetime"],
                            "expired": False, "revoked": False}
    return token, new_rt


def issue_token(handler):
    """The token response for the request (a dict, or bytes for broken="html")."""
    form = parse_form(handler)
    cid = authenticate_client(handler, form)
    client = CLIENTS[cid]
    grant_type = form.get("grant_type")
    scope = form.get("scope")
    with LOCK:
        admin.client_stats(cid)["last_scope"] = scope
    check_grant_request(client, grant_type, scope)
    if client["token_delay"]:
        time.sleep(client["token_delay"])
    with LOCK:
        token, new_rt = grant_tokens(cid, client, grant_type, form)
    record_issued(token, *([new_rt] if new_rt is not None else []))
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
    elif broken == "bot":
        response["token_type"] = "bot"
    elif broken == "bad_expires":
        response["expires_in"] = "soon"
    elif broken == "html":
        return b"<html>login</html>"
    return response


# ---- /_admin/ endpoints of the grants -------------------------------------------

def admin_clients(handler):
    with LOCK:
        result = []
        for cid in CLIENTS:
            st = admin.client_stats(cid)
            result.append({"client_id": cid,
                           "token_requests": st["token_requests"],
                           "refresh_grants": st["refresh_grants"],
                           "client_credentials_grants": st["client_credentials_grants"],
                           "active_refresh_tokens": len(GRANTS[cid]["active"]),
                           "revoked": GRANTS[cid]["revoked"],
                           "revocations": st.get("revocations", 0),
                           "last_scope": st["last_scope"]})
    handler.send_json(200, result)


def admin_expire_tokens(handler):
    with LOCK:
        result = [{"expired": expire_access_tokens()}]
    handler.send_json(200, result)


def admin_reset_grants(handler):
    with LOCK:
        reset_grants()
    handler.send_json(200, [{"reset_grants": True}])


def admin_new_grant(handler):
    cid = urllib.parse.parse_qs(handler.query).get("client", [""])[0]
    if cid not in CLIENTS:
        return handler.send_json(400, {"error": "unknown client"})
    token = secrets.token_urlsafe(24)
    with LOCK:
        GRANTS[cid] = {"active": {token}, "retired": set(), "revoked": False}
    record_issued(token)
    handler.send_json(200, [{"refresh_token": token}])
