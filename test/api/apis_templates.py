"""
POST endpoints of the test API for request bodies and templates (served
under every protected prefix; datasets.protected() logs method and body).

  t/search    POST a JSON object {"limit": n, "offset": n, "cursor": c,
              "filter": {...}}: a page of the items of paging.py
              (total=T, default 25) after the filter's equalities;
              cursor "c<N>" continues at item N+1.  Answers
              {"items": [...], "next": "c<N>" | null, "total": T,
              "received": the parsed body}; 400 when the body is not JSON.
  t/echo      POST anything: one row {"method", "content_type", "body"}
              (the body as text), so a test sees exactly what was sent.
  t/redirect  POST ?code=301|302|303|307|308&to=/open/t/...: that redirect
  t/got       GET: one row {"method": "GET", "body": <text>}: where a
              redirected POST lands when it becomes a GET
  t/fault     POST: faults.fault_status for POST requests (retry tests)
  graphql     POST: the Relay-style GraphQL endpoint of graphql.py
"""

import json

from . import faults, paging
from .common import BadParam, invalid


def _body_json(handler):
    try:
        return json.loads(handler.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadParam({"error": "invalid_json",
                        "error_description": "the request body is not JSON"})


def search(handler):
    body = _body_json(handler)
    if not isinstance(body, dict):
        raise invalid("the body must be a JSON object")
    total = min(max(int(handler.params.get("total", ["25"])[-1]), 0), 100000)
    limit = body.get("limit", 10)
    offset = body.get("offset", 0)
    cursor = body.get("cursor")
    flt = body.get("filter") or {}
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise invalid("limit must be a positive integer")
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise invalid("offset must be an integer of 0 or more")
    if cursor is not None:
        if not isinstance(cursor, str) or not cursor.startswith("c") \
                or not cursor[1:].isdigit():
            raise invalid("bad cursor")
        offset = int(cursor[1:])
    if not isinstance(flt, dict):
        raise invalid("filter must be an object")
    rows = []
    matched = 0
    for n in range(1, total + 1):
        item = paging.item_row(n)
        if any(item.get(k) != v for k, v in flt.items()):
            continue
        matched += 1
        if matched > offset and len(rows) < limit:
            rows.append(item)
    end = offset + len(rows)
    handler.send_json(200, {"items": rows,
                            "next": "c%d" % end if end < matched else None,
                            "total": matched, "received": body})


def echo(handler):
    handler.send_json(200, [{"method": handler.command,
                             "content_type": handler.headers.get("Content-Type"),
                             "body": handler.body.decode("utf-8", "replace")}])


def redirect(handler):
    code = int(handler.params.get("code", ["307"])[-1])
    target = handler.params.get("to", ["/open/t/echo"])[-1]
    if code not in (301, 302, 303, 307, 308) or not target.startswith("/open/t/"):
        raise invalid("bad redirect")
    handler.send(code, b"", headers=[("Location", target)])


def got(handler):
    handler.send_json(200, [{"method": handler.command,
                             "content_type": handler.headers.get("Content-Type"),
                             "body": handler.body.decode("utf-8", "replace")}])


fault = faults.fault_status
