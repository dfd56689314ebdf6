"""
Paging conventions of real APIs, for sql/paging_more.sql and the request
counts of sql/concurrency.sql, served under every protected prefix (the
Slack imitation also outside them, to answer bad tokens its own way).
Requests are counted per series= as by the concurrency probes
(GET /_admin/concurrency?series=S).

  hdr/list     a bare JSON array of rows {"id": i, "tag": "row-<i>"} with the
               total in a header, like json-server and PostgREST: offset and
               limit, or page (1..) and per_page when page= is given.
               header= says which: xtc (X-Total-Count: T, the default),
               range (Content-Range: items 0-99/T), range_star (0-99/*: no
               total), postgrest (0-99/T, and */T for an empty range), none
  stripe/v1/customers   Stripe's list: limit (1..100, default 10),
               starting_after=<id>; {"object": "list", "url", "has_more",
               "data": [{"id": "cus_0001", "object": "customer", ...}]};
               an unknown starting_after: 400 resource_missing; loop=1: the
               first page again and again, has_more true
  slack/conversations.list   Slack's list: limit, cursor;
               {"ok": true, "channels": [...], "response_metadata":
               {"next_cursor": c or ""}}; error=E&error_page=N: page N is
               answered 200 {"ok": false, "error": E} (E echo_key: a message
               that quotes the X-API-Key header)
  graphql/errors   a GraphQL answer with errors (HTTP 200): {"data": null,
               "errors": [{"message": ..., "locations": [...]}]}
  /slack/oauth/conversations.list   the same outside the protected
               prefixes: a bearer token that is missing, unknown or expired
               is answered 200 {"ok": false, "error": "not_authed" |
               "invalid_auth" | "token_expired"}, as Slack does, not 401
"""

from . import oauth
from .common import BadParam, flag, int_param, query_params
from .paging import decode_cursor, encode_cursor, page_size
from .probes import conc_enter, conc_leave

DEFAULT_TOTAL = 100
MAX_TOTAL = 1_000_000
STRIPE_EPOCH = 1_700_000_000


def series(params):
    return params.get("series", ["default"])[-1]


def hdr_list(handler):
    params = handler.params
    total = int_param(params, "total", DEFAULT_TOTAL, 0, MAX_TOTAL)
    if "page" in params:
        size = page_size(params, "per_page")
        start = (int_param(params, "page", 1, 1) - 1) * size
    else:
        size = page_size(params, "limit")
        start = int_param(params, "offset", 0, 0)
    kind = params.get("header", ["xtc"])[-1]
    key = series(params)
    conc_enter(key)
    try:
        rows = [{"id": i, "tag": "row-%d" % i}
                for i in range(start + 1, min(start + size, total) + 1)]
        last = start + len(rows) - 1
        span = "%d-%d" % (start, last) if rows else "*"
        headers = {
            "xtc": [("X-Total-Count", str(total))],
            "range": [("Content-Range", "items %s/%d" % (span, total))],
            "range_star": [("Content-Range", "%s/*" % span)],
            "postgrest": [("Content-Range", "%s/%d" % (span, total))],
            "none": [],
        }.get(kind)
        if headers is None:
            raise BadParam({"error": "bad_header", "header": kind})
        handler.send_json(200, rows, headers)
    finally:
        conc_leave(key)


def stripe_customer(i):
    return {"id": "cus_%04d" % i, "object": "customer",
            "email": "customer%d@example.com" % i, "created": STRIPE_EPOCH + i * 86400}


def stripe_customers(handler):
    params = handler.params
    total = int_param(params, "total", DEFAULT_TOTAL, 0, 9999)
    limit = int_param(params, "limit", 10, 1, 100)
    after = params.get("starting_after", [None])[-1]
    key = series(params)
    conc_enter(key)
    try:
        start = 0
        if after is not None and not flag(params, "loop"):
            if not (after.startswith("cus_") and after[4:].isdigit()
                    and 1 <= int(after[4:]) <= total):
                return handler.send_json(400, {"error": {
                    "type": "invalid_request_error", "code": "resource_missing",
                    "param": "starting_after",
                    "message": "No such customer: '%s'" % after[:40]}})
            start = int(after[4:])
        rows = [stripe_customer(i) for i in range(start + 1, min(start + limit, total) + 1)]
        handler.send_json(200, {"object": "list", "url": "/v1/customers",
                                "has_more": flag(params, "loop") or start + limit < total,
                                "data": rows})
    finally:
        conc_leave(key)


def slack_page(handler, params):
    """The Slack list page the parameters ask for (counted under series)."""
    total = int_param(params, "total", DEFAULT_TOTAL, 0, MAX_TOTAL)
    size = page_size(params, "limit")
    text = params.get("cursor", [""])[-1]
    start = decode_cursor(text) if text else 0
    error = params.get("error", [None])[-1]
    error_page = int_param(params, "error_page", 1, 1)
    if error is not None and start // size + 1 == error_page:
        if error == "echo_key":     # an API that quotes the key it was sent
            error = "key %s is not allowed" % handler.headers.get("X-API-Key", "")[:100]
        return handler.send_json(200, {"ok": False, "error": error[:200]})
    rows = [{"id": "C%05d" % i, "name": "channel-%d" % i}
            for i in range(start + 1, min(start + size, total) + 1)]
    following = start + len(rows)
    handler.send_json(200, {"ok": True, "channels": rows, "response_metadata": {
        "next_cursor": encode_cursor(following) if following < total else ""}})


def slack_list(handler):
    key = series(handler.params)
    conc_enter(key)
    try:
        slack_page(handler, handler.params)
    finally:
        conc_leave(key)


def slack_oauth_list(handler):
    """/slack/oauth/conversations.list: bad tokens get 200 {"ok": false}."""
    try:
        params = query_params(handler.query)
    except ValueError:
        return handler.send_json(200, {"ok": False, "error": "invalid_arguments"})
    key = series(params)
    conc_enter(key)
    try:
        if not handler.headers.get("Authorization"):
            return handler.send_json(200, {"ok": False, "error": "not_authed"})
        problem = oauth.check_bearer(handler)
        if problem == "access token expired":
            return handler.send_json(200, {"ok": False, "error": "token_expired"})
        if problem:
            return handler.send_json(200, {"ok": False, "error": "invalid_auth"})
        try:
            slack_page(handler, params)
        except BadParam as err:
            handler.send_json(400, err.body)
    finally:
        conc_leave(key)


def graphql_errors(handler):
    handler.send_json(200, {"data": None, "errors": [
        {"message": 'Cannot query field "nmae" on type "Customer".',
         "locations": [{"line": 1, "column": 24}]}]})
