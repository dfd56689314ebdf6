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
