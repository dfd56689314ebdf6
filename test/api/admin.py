"""
Counters and the request log of the test API, and the /_admin/ endpoints
that show or reset them.

  /_admin/stats      the global counters (COUNTER_NAMES)
  /_admin/reset      forget the counters (global, per client, per fault key),
                     the request log and the last credentials
  /_admin/attempts   key=K: requests seen for the fault key K (faults.py)
  /_admin/last_auth  which credentials the last request to a protected
                     prefix carried
  /_admin/log        the requests to the protected prefixes, secrets in their
                     query strings masked
  /_admin/auth_events  the checks of Digest, NTLM and SigV4 credentials
                     (authschemes.py), in order: scheme, outcome, user name

The OAuth grants' admin endpoints are in oauth.py, the concurrency probes'
in probes.py.  Everything here is guarded by common.LOCK.
"""

import collections
import urllib.parse

from .common import LOCK, mask_query

COUNTER_NAMES = ("token_requests", "token_ok", "token_errors", "refresh_grants",
                 "client_credentials_grants", "api_requests", "unauthorized",
                 "basic_auth_token_requests", "post_auth_token_requests",
                 "password_grants")
COUNTERS = {}
CLIENT_STATS = {}       # client_id -> per-client counters and last_scope
FAULT_ATTEMPTS = {}     # fault key -> requests seen (fault/..., /_admin/attempts)
REQUEST_LOG_MAX = 10000
REQUEST_LOG = collections.deque(maxlen=REQUEST_LOG_MAX)   # see log_api_request()
AUTH_EVENTS = collections.deque(maxlen=1000)    # see authschemes.event()
_state = {"seq": 0,     # seq of the last logged request
          "last_auth": None}    # credentials of the last request to a protected prefix

# query parameters whose values the request log (/_admin/log) masks
SECRET_PARAMS = ("api_key", "access_token", "token", "refresh_token", "client_secret")


def reset():
    """Forget every counter and the request log (LOCK held)."""
    for name in COUNTER_NAMES:
        COUNTERS[name] = 0
    CLIENT_STATS.clear()
    FAULT_ATTEMPTS.clear()
    REQUEST_LOG.clear()
    AUTH_EVENTS.clear()
    _state["seq"] = 0
    _state["last_auth"] = None


def count(name, n=1):
    """Add n to a global counter (LOCK held)."""
    COUNTERS[name] += n


def client_stats(cid):
    """The per-client counters of client cid (LOCK held)."""
    return CLIENT_STATS.setdefault(cid, {"token_requests": 0, "refresh_grants": 0,
                                         "client_credentials_grants": 0,
                                         "last_scope": None})


def count_attempt(key):
    """Count a request for fault key; returns its number (1 for the first)."""
    with LOCK:
        FAULT_ATTEMPTS[key] = FAULT_ATTEMPTS.get(key, 0) + 1
        return FAULT_ATTEMPTS[key]


def log_api_request(method, path, query, body=b""):
    """Remember a request to a protected prefix (secrets in the query masked; LOCK held).
    The body is kept as text, up to 4 kB, or null when there was none."""
    _state["seq"] += 1
    REQUEST_LOG.append({"seq": _state["seq"], "method": method, "path": path,
                        "query": mask_query(query, SECRET_PARAMS),
                        "body": body[:4096].decode("utf-8", "replace") if body else None})


def remember_auth(path, headers, query):
    """Note which credentials a request to a protected prefix carried (LOCK held)."""
    names = [urllib.parse.unquote_plus(part.split("=", 1)[0], errors="replace")
             for part in query.split("&")] if query else []
    _state["last_auth"] = {"path": path, "had_authorization": "Authorization" in headers,
                           "had_api_key_header": "X-API-Key" in headers,
                           "had_api_key_param": "api_key" in names}


with LOCK:
    reset()


# ---- /_admin/ endpoints ---------------------------------------------------

def stats(handler):
    with LOCK:
        result = dict(COUNTERS)
    handler.send_json(200, result)


def reset_endpoint(handler):
    with LOCK:
        reset()
    handler.send_json(200, [{"reset": True}])


def attempts(handler):
    key = urllib.parse.parse_qs(handler.query, keep_blank_values=True).get(
        "key", ["default"])[-1]
    with LOCK:
        result = [{"key": key, "attempts": FAULT_ATTEMPTS.get(key, 0)}]
    handler.send_json(200, result)


def last_auth(handler):
    with LOCK:
        result = [dict(_state["last_auth"])] if _state["last_auth"] else []
    handler.send_json(200, result)


def auth_events(handler):
    with LOCK:
        result = [dict(e, seq=i + 1) for i, e in enumerate(AUTH_EVENTS)]
    handler.send_json(200, result)


def log(handler):
    with LOCK:
        result = list(REQUEST_LOG)
    handler.send_json(200, result)
