"""
Rate-limited endpoints of the test API (test/t/013_rate_limits.pl), served
under every protected prefix.

  ratelimit/limited  key (default "default"), times (default 0), code
                (default 429), reset (seconds, default 1), epoch (1: the
                reset header gives epoch seconds, now + reset, instead of
                the delay), header (x: X-RateLimit-Reset, ietf:
                RateLimit-Reset, twitter: X-Rate-Limit-Reset, none: no
                reset header), remaining (the X-RateLimit-Remaining value;
                none by default), pages (default 0): the first <times>
                requests with that key answer <code> {"message": "API rate
                limit exceeded", "attempt": i}; later ones 200: with
                pages > 0, page paging (page=1..) of one row {"id": page}
                per page and [] past <pages>, else [{"id": 1, "attempts": n}]

GET /_admin/ratelimit?key=K tells when the requests for K arrived, as
seconds of time.monotonic(): {"times": [...]}.
"""

import time

from .common import LOCK, flag, header_param, int_param, query_params

ARRIVALS = {}           # key -> arrival times (LOCK)
RESET_HEADERS = {"x": "X-RateLimit-Reset", "ietf": "RateLimit-Reset",
                 "twitter": "X-Rate-Limit-Reset", "none": None}
MAX_KEYS = 10_000


def arrive(key):
    """Note a request for key; returns its number (1 for the first)."""
    with LOCK:
        if key not in ARRIVALS and len(ARRIVALS) >= MAX_KEYS:
            ARRIVALS.clear()
        times = ARRIVALS.setdefault(key, [])
        times.append(time.monotonic())
        return len(times)


def limited(handler):
    params = handler.params
    key = params.get("key", ["default"])[-1]
    times = int_param(params, "times", 0, 0)
    code = int_param(params, "code", 429, 400, 599)
    reset = int_param(params, "reset", 1, 0, 3600)
    pages = int_param(params, "pages", 0, 0, 10_000)
    header = RESET_HEADERS.get(params.get("header", ["x"])[-1], "X-RateLimit-Reset")
    remaining = header_param(params, "remaining")
    attempt = arrive(key)
    if attempt > times:
        if pages == 0:
            return handler.send_json(200, [{"id": 1, "attempts": attempt}])
        page = int_param(params, "page", 1, 1)
        return handler.send_json(200, [{"id": page}] if page <= pages else [])
    headers = []
    if header is not None:
        value = int(time.time()) + reset if flag(params, "epoch") else reset
        headers.append((header, str(value)))
    if remaining is not None:
        headers.append(("X-RateLimit-Remaining", remaining))
    handler.send_json(code, {"message": "API rate limit exceeded", "attempt": attempt},
                      headers)


def admin_times(handler):
    key = query_params(handler.query).get("key", ["default"])[-1]
    with LOCK:
        times = list(ARRIVALS.get(key, []))
    handler.send_json(200, {"times": times})
