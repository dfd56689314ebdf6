"""
Concurrency probes of the test API: paged lists that count the requests in
progress at once, for the concurrent paging tests (sql/concurrency.sql,
test/t/003_concurrency.pl), served under every protected prefix.

  conc/pages   page (1..), per_page       {"data": [...], "meta": {total_pages, total_count}}
  conc/offset  offset, limit              {"items": [...], "total": n}
  conc/cursor  cursor, limit              {"results": [...], "next_cursor": c}

Row i (1-based) is {"id": i, "tag": "row-<i>"}.  Parameters:
  total       rows (default 100)
  series      name under which requests are counted (default "default")
  delays      comma-separated milliseconds, the first for page 1, the
              second for page 2, ...; the last repeats (default 0).  The
              wait ends early when the client hangs up.
  fail_page   page (1-based, by position) that fails, as fail says:
              500 (default), 404, badjson (a truncated body), truncated
              (a body that ends after a colon), html
  short_page  page (1-based) that has half its rows (not the last page)
  expire_at_page  page whose answer expires every access token issued, so
              that the requests after it are rejected (401)
  flaky_page  page whose first request in the series is answered 503 with
              Retry-After: 0 (a transient failure, retried at once)

GET /_admin/concurrency?series=S tells the requests seen for S, the most that
were in progress at once, and those in progress now; reset=1 forgets S
(every series without series=).
"""

import urllib.parse

from . import oauth
from .common import JSON_TYPE, LOCK, flag, int_param, invalid
from .paging import decode_cursor, encode_cursor, page_size

CONC_STATS = {}         # series -> {"requests", "in_flight", "max_in_flight"} (LOCK)
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


def serve(shape):
    """The handler of conc/<shape> (pages, offset or cursor)."""
    return lambda handler: conc_serve(handler, shape)


def conc_serve(handler, shape):
    """conc/<shape> (BadParam for a bad query)."""
    params = handler.params
    key = params.get("series", ["default"])[-1]
    total = int_param(params, "total", CONC_DEFAULT_TOTAL, 0, CONC_MAX_TOTAL)
    if shape == "pages":
        size = page_size(params, "per_page")
        page = int_param(params, "page", 1, 1)
        start = (page - 1) * size
    else:
        size = page_size(params, "limit")
        if shape == "offset":
            start = int_param(params, "offset", 0, 0)
        else:
            cursor = params.get("cursor", [""])[-1]
            start = decode_cursor(cursor) if cursor else 0
        page = start // size + 1
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
            return send_failure(handler, fail, page)
        if page == expire_at_page:
            with LOCK:
                oauth.expire_access_tokens()
        count = size // 2 if page == short_page else size
        rows = [{"id": i, "tag": "row-%d" % i}
                for i in range(start + 1, min(start + count, total) + 1)]
        if shape == "pages":
            return handler.send_json(200, {"data": rows, "meta": {
                "total_pages": -(-total // size), "total_count": total}})
        if shape == "offset":
            return handler.send_json(200, {"items": rows, "total": total})
        following = start + len(rows)
        return handler.send_json(200, {"results": rows, "next_cursor":
                                       encode_cursor(following) if following < total else None})
    finally:
        conc_leave(key)


def send_failure(handler, fail, page):
    """The answer of fail_page, as fail= says."""
    if fail == "404":
        return handler.send_json(404, {"error": "not_found", "page": page})
    if fail == "badjson":
        return handler.send(200, b'{"data": [{"id": 1,', JSON_TYPE)
    if fail == "truncated":
        return handler.send(200, b'{"data": [{"id":', JSON_TYPE)
    if fail == "html":
        return handler.send(200, b"<html>busy</html>", "text/html")
    return handler.send_json(500, {"error": "internal", "page": page})


def admin_concurrency(handler):
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
