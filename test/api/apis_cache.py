"""
Endpoints for the response cache (sql/cache.sql), under every protected
prefix:

  c/items?series=S[&big=N][&etag=0|1][&modified=1]
      Rows [{"id": 1, "version": V, "caller": C}, ...], three of them, or
      N when big is given (about 60 bytes each).  V counts the 200
      answers given for series S; C is "k-" and the first 8 hex digits of
      the SHA-256 of the Authorization header (which user asked, never the
      key itself), or "anonymous".  With etag=1 (the default) the answer
      has an ETag for the version; with modified=1 a Last-Modified
      instead.  A request with If-None-Match naming the current ETag, or
      an If-Modified-Since naming the current Last-Modified, is
      answered 304 without a body.
  /_admin/cache?series=S
      [{"ok": N, "not_modified": M, "conditional": K}]: the 200s, the 304s
      and the conditional requests seen for S.
"""

import hashlib
import threading
import urllib.parse

_lock = threading.Lock()
_series = {}


def _state(name):
    return _series.setdefault(name, {"version": 1, "ok": 0, "not_modified": 0,
                                     "conditional": 0})


def items(handler):
    series = handler.params.get("series", ["default"])[-1]
    big = int(handler.params.get("big", ["0"])[-1] or 0)
    use_etag = handler.params.get("etag", ["1"])[-1] != "0"
    modified = handler.params.get("modified", ["0"])[-1] == "1"
    auth = handler.headers.get("Authorization")
    caller = ("k-" + hashlib.sha256(auth.encode()).hexdigest()[:8]) if auth else "anonymous"
    inm = handler.headers.get("If-None-Match")
    ims = handler.headers.get("If-Modified-Since")
    with _lock:
        st = _state(series)
        etag = '"v%d"' % st["version"]
        lastmod = "Tue, 01 Dec 2026 00:00:%02d GMT" % (st["version"] % 60)
        if inm is not None or ims is not None:
            st["conditional"] += 1
        if (use_etag and not modified and inm == etag) or (modified and ims == lastmod):
            st["not_modified"] += 1
            handler.send(304, b"", headers=[("ETag", etag)] if use_etag and not modified else [])
            return
        st["ok"] += 1
        version = st["version"]
    rows = [{"id": i, "version": version, "caller": caller, "pad": "x" * 20}
            for i in range(1, (big or 3) + 1)]
    headers = []
    if modified:
        headers.append(("Last-Modified", lastmod))
    elif use_etag:
        headers.append(("ETag", etag))
    handler.send_json(200, rows, headers=headers)


def admin_cache(handler):
    series = urllib.parse.parse_qs(handler.query, keep_blank_values=True).get(
        "series", ["default"])[-1]
    query = urllib.parse.parse_qs(handler.query)
    with _lock:
        if query.get("reset", ["0"])[-1] == "1":
            _series.pop(series, None)
        if query.get("change", ["0"])[-1] == "1":
            _state(series)["version"] += 1
        st = dict(_state(series))
    handler.send_json(200, [{"ok": st["ok"], "not_modified": st["not_modified"],
                             "conditional": st["conditional"]}])
