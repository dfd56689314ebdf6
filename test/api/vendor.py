"""
Endpoints for the DataDirect model-file tests (sql/model.sql): the shapes
the connector's documentation describes, written for these tests.

  v/contacts   GET, paged by a query-string template
               locator=start:<offset>,count:<limit> (default start:0,count:2):
               {"total": 5, "results": [...]}.  Each contact has bytes in
               base64 and base64url, a birth date written d-M-yyyy, a
               creation time yyyy-MM-dd HH:mm:ss.SSS, a small integer, a
               Boolean and a fraction; contact 5 has no "nickname".
               ?region=<r> keeps the contacts of that region.
  v/regional   GET, the contacts of the regions in the X-Region request
               header (comma-separated; 400 without it), each with
               "tenant": the X-Tenant header as received, or null.
  v/search     GET, the contacts whose fullName contains ?q= without
               regard to case, as search APIs match (so a LIKE must still
               be checked by PostgreSQL); ?fields=a,b gives only those keys
               of each contact (400 for an unknown one; "query" is known);
               "query" in each row is the query string received.
  v/nexthdr    GET ?page=N (from 1): two contacts a page, the next page's
               URL in a "Next" response header (none after the last);
               ?to=foreign points it at another host, ?to=relative makes
               it a relative reference, ?to=bad an unusable one.
  v/tokens     GET, token paging, two contacts a page: the token of the
               page after is in the X-Next-Token response header (?in=
               header, the default) or in {"next": ..., "items": [...]}
               (?in=body); the request sends it back as ?page_token= or
               in an X-Page-Token header, and each row's "got" says how it
               came ("query:p2", "header:p2", "none").  ?evil=1 gives a
               next token holding a line break.
"""

import base64
import re

from .common import invalid

LOCATOR = re.compile(r"start:([0-9]{1,6}),count:([0-9]{1,4})")


def _contact(n):
    raw = bytes([n, 0, 255, 250 + n % 5])
    row = {"id": n,
           "fullName": "Contact %d" % n,
           "photo": base64.b64encode(raw).decode(),
           "thumb": base64.urlsafe_b64encode(raw).decode().rstrip("="),
           "born": "%d-%d-19%d" % (n, n + 2, 80 + n),
           "created": "2024-0%d-1%d 0%d:15:30.%03d" % (n, n, n, 125 * n),
           "score": n * 20,
           "active": n % 2 == 1,
           "ratio": n / 8,
           "region": "eu" if n % 2 else "us"}
    if n != 5:
        row["nickname"] = "c%d" % n
    return row


def contacts(handler):
    locator = handler.params.get("locator", ["start:0,count:2"])[-1]
    m = LOCATOR.fullmatch(locator)
    if not m:
        raise invalid("locator must be start:<offset>,count:<limit>")
    start, count = int(m.group(1)), int(m.group(2))
    if count < 1:
        raise invalid("count must be positive")
    region = handler.params.get("region", [None])[-1]
    rows = [_contact(n) for n in range(1, 6)
            if region is None or _contact(n)["region"] == region]
    handler.send_json(200, {"total": len(rows), "results": rows[start:start + count]})


def regional(handler):
    wanted = handler.headers.get("X-Region")
    if not wanted:
        raise invalid("the X-Region header is required")
    regions = [r.strip() for r in wanted.split(",")]
    rows = []
    for n in range(1, 6):
        row = _contact(n)
        if row["region"] in regions:
            row["tenant"] = handler.headers.get("X-Tenant")
            rows.append(row)
    handler.send_json(200, rows)


def search(handler):
    q = handler.params.get("q", [""])[-1].lower()
    fields = handler.params.get("fields", [None])[-1]
    rows = [_contact(n) for n in range(1, 6)
            if q in _contact(n)["fullName"].lower()]
    if fields is not None:
        names = fields.split(",")
        for name in names:
            if name not in _contact(1) and name != "query":
                raise invalid("unknown field %s" % name[:50])
        rows = [{k: v for k, v in row.items() if k in names} for row in rows]
    for row in rows:
        row["query"] = handler.query
    handler.send_json(200, rows)


def nexthdr(handler):
    from .paging import page_url
    from .common import with_param
    try:
        page = int(handler.params.get("page", ["1"])[-1])
    except ValueError:
        raise invalid("page must be a number")
    to = handler.params.get("to", [""])[-1]
    rows = [_contact(n) for n in range(1, 6)][(page - 1) * 2:page * 2]
    headers = []
    if page * 2 < 5:
        query = with_param(handler.query, "page", page + 1)
        if to == "bad":
            url = "ht!tp://x y"
        else:
            url = page_url(handler, query, relative=(to == "relative"),
                           foreign=(to == "foreign"))
        headers.append(("Next", url))
    handler.send_json(200, rows, headers)


def tokens(handler):
    where = handler.params.get("in", ["header"])[-1]
    evil = handler.params.get("evil", [""])[-1] == "1"
    by_query = handler.params.get("page_token", [None])[-1]
    by_header = handler.headers.get("X-Page-Token")
    token = by_header or by_query or "p1"
    got = ("header:" + by_header if by_header else
           "query:" + by_query if by_query else "none")
    m = re.fullmatch(r"p([1-3])", token)
    if not m:
        raise invalid("unknown page token")
    page = int(m.group(1))
    rows = [dict(_contact(n), got=got) for n in range(1, 6)][(page - 1) * 2:page * 2]
    nxt = None
    if page < 3:
        nxt = "p%d" % (page + 1) + ("\r\nX-Admin: yes" if evil else "")
    if where == "body":
        return handler.send_json(200, {"next": nxt, "items": rows})
    handler.send_json(200, rows, [("X-Next-Token", nxt)] if nxt else [])
