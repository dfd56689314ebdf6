"""
Hostile APIs and hostile token endpoints for sql/security_secrets.sql, under
/secrets/ (any method but where said).

API endpoints (/secrets/api/...) authenticate with the query parameter appid
(url_parameter authentication, auth_param 'appid') and echo the query string
they received, key included, where an API hands URLs back:
  next              rows and a next-page URL in the body, ?p=1..3
  link              the same with an RFC 8288 Link header (absolute URL)
  redirect          302 to landing?<query>; landing serves rows
  error             400 whose JSON body echoes the query string
  unauthorized      401 whose WWW-Authenticate and body echo it
  slow_down         429 asking for a day's pause, the body echoing it
  keypath           a next URL with the key in its path (gone/<key>, a 404)
  foreign_next      a next URL on 127.0.0.2 (another origin)
  bad_next          a next URL with a space (invalid)
  foreign_redirect  302 to 127.0.0.2
  bearer            rows for a bearer token issued by /secrets/token/...;
                    counts requests that carried an X-Injected header
Every API request is counted: with appid exactly once and right, missing,
repeated, or wrong.  /secrets/stats shows the counts (never the key),
/secrets/reset clears them.

Token endpoints (/secrets/token/<kind>, POST; other methods get 405) answer:
  201          a complete token response, with status 201
  echo         400 invalid_request whose error_description echoes the
               request body and Authorization header
  echo_error   400 whose "error" code echoes the request body
  echo_text    500 text/plain echoing the values of the request body (but
               grant_type) and the Authorization header
  json_tokens  400 JSON without "error" but with an access_token
  form_tokens  400 text/plain access_token=...&token_type=bearer
  crlf, space, nonascii   200 with an access token holding CR/LF, a space,
               a non-ASCII letter
  big_access, big_refresh 200 with a token over 64 kB
  huge         200 with a 2 MB body
  dpop         200 with token_type DPoP
  lower        200, token_type "bearer" and a token using every b64token
               punctuation character
  notype       200 without token_type
Tokens handed out are real (bearer accepts them) and are appended to
REST_TEST_ISSUED_TOKENS (common.record_issued), so the suite's log check looks for them too.
"""

import json
import secrets
import threading
import urllib.parse

from .common import API_KEY, JSON_TYPE, STATIC_TOKEN, record_issued

LOCK = threading.Lock()
STATS = {}
ISSUED = set()


def reset():
    for name in ("requests", "key_once", "key_missing", "key_repeated",
                 "key_wrong", "injected", "bearer_ok", "bearer_bad"):
        STATS[name] = 0


reset()


def dumps(obj):
    return json.dumps(obj).encode("utf-8")


def issue(token):
    with LOCK:
        ISSUED.add(token)
        record_issued(token)
    return token


def count_key(query):
    """Count how the request carried appid (LOCK held)."""
    values = [v for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True)
              if k == "appid"]
    STATS["requests"] += 1
    if not values:
        STATS["key_missing"] += 1
    elif len(values) > 1:
        STATS["key_repeated"] += 1
    elif values[0] != API_KEY:
        STATS["key_wrong"] += 1
    else:
        STATS["key_once"] += 1


def without(query, name):
    """The raw query string without the parameter name (the key stays)."""
    return "&".join(p for p in query.split("&") if p and p.split("=", 1)[0] != name)


def page_of(query):
    try:
        return int(urllib.parse.parse_qs(query).get("p", ["1"])[-1])
    except ValueError:
        return 1


def rows(p):
    return [{"id": p * 10 + 1}, {"id": p * 10 + 2}]


def not_found(handler, *_):
    handler.send_json(404, {"error": "not_found"})


def stats(handler):
    with LOCK:
        handler.send_json(200, [dict(STATS)])


def reset_endpoint(handler):
    with LOCK:
        reset()
    handler.send_json(200, [{"reset": True}])


# ---- /secrets/api/<name>: every request is counted, then answered by fn -------

def api(fn):
    """The handler of an API endpoint: count how appid came, then fn(handler, query)."""
    def serve(handler, *args):
        with LOCK:
            count_key(handler.query)
        return fn(handler, handler.query, *args)
    return serve


def next_page(handler, query):
    p = page_of(query)
    nxt = "/secrets/api/next?%s&p=%d" % (without(query, "p"), p + 1) if p < 3 else None
    handler.send_json(200, {"items": rows(p), "next": nxt})


def link(handler, query):
    host = handler.headers.get("Host", "127.0.0.1")
    p = page_of(query)
    headers = []
    if p < 3:
        headers.append(("Link", '<http://%s/secrets/api/link?%s&p=%d>; rel="next"'
                        % (host, without(query, "p"), p + 1)))
    handler.send_json(200, {"items": rows(p)}, headers)


def redirect(handler, query):
    handler.send(302, b"", JSON_TYPE, [("Location", "/secrets/api/landing?" + query)])


def landing(handler, query):
    handler.send_json(200, {"items": rows(page_of(query))})


def error(handler, query):
    handler.send_json(400, {"error": "bad_request", "you_sent": query})


def unauthorized(handler, query):
    handler.send_json(401, {"error": "unauthorized", "you_sent": query},
                      [("WWW-Authenticate", 'ApiKey realm="secrets", query="%s"' % query)])


def slow_down(handler, query):
    handler.send_json(429, {"error": "slow_down", "you_sent": query},
                      [("Retry-After", "86400")])


# 200 answers that echo the query string in their body: invalid JSON,
# a value that does not convert, a sample for IMPORT FOREIGN SCHEMA

def badjson(handler, query):
    handler.send(200, ('{"items": [{"id": 1, "q": "%s"}, oops' % query).encode(), JSON_TYPE)


def badtoken(handler, query):
    """Invalid JSON whose bad token is a string echoing the query string."""
    handler.send(200, ('{"items": [{"id": 1} "%s"]}' % query).encode(), JSON_TYPE)


def badvalue(handler, query):
    handler.send_json(200, {"items": [{"id": "x-%s" % query}]})


def badsample(handler, query):
    handler.send(200, ('[{"id": 1, "q": "%s"} oops' % query).encode(), JSON_TYPE)


def escaped(handler, query):
    """The key echoed \\u-escaped, Go-style escapes of <>&, and percent-encoded."""
    key = dict(urllib.parse.parse_qsl(query)).get("appid", "")
    handler.send(400, ('{"you_sent": "%s", "again": "%s", "url": "%s"}'
                       % ("".join("\\u%04X" % ord(c) for c in key),
                          key.replace("-", "\\u002d"),
                          "".join("%%%02x" % ord(c) for c in key))).encode(),
                 JSON_TYPE)


def keyvalue(handler, query):
    """A 200 row whose value is the key, for a column whose input function
    fails with an error that is not a data exception (regclass)."""
    key = dict(urllib.parse.parse_qsl(query)).get("appid", "")
    handler.send_json(200, {"items": [{"r": key}]})


def echo_challenge(handler, query):
    """A WWW-Authenticate header echoing the bearer token, longer than the
    part of the header the client keeps."""
    token = handler.headers.get("Authorization", "").partition(" ")[2]
    handler.send_json(401, {"error": "invalid_token"},
                      [("WWW-Authenticate", 'Bearer error="invalid_token", token="%s"' % token)])


def keypath(handler, query):
    handler.send_json(200, {"items": rows(page_of(query)),
                            "next": "/secrets/api/gone/%s?p=2" % API_KEY})


def gone(handler, query, _rest):
    handler.send_json(404, {"error": "gone", "path": handler.bare_path})


def _port(handler):
    return handler.headers.get("Host", "127.0.0.1").rsplit(":", 1)[-1]


def foreign_next(handler, query):
    handler.send_json(200, {"items": rows(page_of(query)),
                            "next": "http://127.0.0.2:%s/secrets/api/next?%s&p=2"
                            % (_port(handler), without(query, "p"))})


def bad_next(handler, query):
    handler.send_json(200, {"items": rows(page_of(query)),
                            "next": "/secrets/api/next?%s&p=2&x=a b" % without(query, "p")})


def foreign_redirect(handler, query):
    handler.send(302, b"", JSON_TYPE,
                 [("Location", "http://127.0.0.2:%s/secrets/api/landing?%s"
                   % (_port(handler), query))])


def bearer(handler, query):
    scheme, _, tok = handler.headers.get("Authorization", "").partition(" ")
    with LOCK:
        if "X-Injected" in handler.headers:
            STATS["injected"] += 1
        ok = scheme.lower() == "bearer" and tok in ISSUED
        STATS["bearer_ok" if ok else "bearer_bad"] += 1
    if not ok:
        return handler.send_json(401, {"error": "invalid_token"},
                                 [("WWW-Authenticate", 'Bearer error="invalid_token"')])
    handler.send_json(200, [{"ok": True}])


def unknown(handler, query, _rest):
    not_found(handler)


# ---- /secrets/token/<kind> ------------------------------------------------------

def token(handler, kind):
    """A hostile token endpoint (POST only)."""
    if handler.command != "POST":
        return handler.send_json(405, {"error": "method_not_allowed"})
    body = handler.body.decode("utf-8", "replace")
    auth = handler.headers.get("Authorization", "")
    nocache = [("Cache-Control", "no-store")]
    if kind == "201":
        return handler.send_json(201, {"access_token": STATIC_TOKEN, "token_type": "Bearer",
                                       "refresh_token": API_KEY, "expires_in": 3600},
                                 nocache)
    if kind == "echo":
        return handler.send_json(400, {"error": "invalid_request",
                                       "error_description": "got %s with %s" % (body, auth)},
                                 nocache)
    if kind == "echo_error":
        return handler.send_json(400, {"error": body}, nocache)
    if kind == "echo_text":
        values = " ".join(v for k, v in urllib.parse.parse_qsl(body) if k != "grant_type")
        return handler.send(500, ("cannot handle %s with %s" % (values, auth)).encode(),
                            "text/plain", nocache)
    if kind == "echo_escaped":
        # the request's values, every character \u-escaped, no "error" member
        values = " ".join(v for k, v in urllib.parse.parse_qsl(body) if k != "grant_type")
        escaped = "".join("\\u%04x" % ord(c) for c in values)
        return handler.send(400, ('{"message": "cannot handle %s"}' % escaped).encode(),
                            JSON_TYPE, nocache)
    if kind == "json_tokens":
        return handler.send_json(400, {"message": "here is a token anyway",
                                       "access_token": STATIC_TOKEN}, nocache)
    if kind == "form_tokens":
        return handler.send(400, ("access_token=%s&token_type=bearer" % STATIC_TOKEN).encode(),
                            "text/plain", nocache)
    if kind == "huge":
        return handler.send(200, dumps({"access_token": "x", "token_type": "Bearer",
                                        "pad": "p" * (2 * 1024 * 1024)}), JSON_TYPE, nocache)
    good = issue("sec-" + secrets.token_urlsafe(18) + "+/~._-==")
    answers = {
        "crlf": {"access_token": good + "\r\nX-Injected: yes", "token_type": "Bearer"},
        "space": {"access_token": good + " x", "token_type": "Bearer"},
        "nonascii": {"access_token": good + "\u00e9", "token_type": "Bearer"},
        "big_access": {"access_token": "A" * 70000, "token_type": "Bearer"},
        "big_refresh": {"access_token": good, "token_type": "Bearer",
                        "refresh_token": "R" * 70000},
        "dpop": {"access_token": good, "token_type": "DPoP"},
        "lower": {"access_token": good, "token_type": "bearer", "expires_in": 3600},
        "notype": {"access_token": good, "expires_in": 3600},
    }
    if kind not in answers:
        return handler.send_json(404, {"error": "not_found"})
    return handler.send_json(200, answers[kind], nocache)
