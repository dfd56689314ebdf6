"""
Samples for IMPORT FOREIGN SCHEMA through "*" rows paths and with the
option normalize (sql/import_sample.sql), under /sample/ (GET, no
authentication).

  /sample/orders      {"orders": [...]}: orders with an id, tags (an array
                      of strings) and lines (objects), each line with
                      serials (objects); order 2's second line has none,
                      order 3 has "lines": null
  /sample/groups      {"data": [{"group", "items": [...]}, ...]}: rows under
                      data.*.items, a key only the second group's item has
  /sample/series      a map of rows keyed by day ("days.*") beside
                      "Meta Data"
  /sample/parts       a top-level array of rows without "id", each with
                      an array of objects
  /sample/deep/N      one row whose array "a" of one object holds an array
                      "a" ..., N arrays deep
  /sample/wide/N      one row with N arrays of objects
  /sample/keys/N      one row whose array holds one object of N keys
  /sample/nesting/N   a body nested N levels deep: [{"a": [{"a": ...
"""

import json

from .common import JSON_TYPE


ORDERS = {"orders": [
    {"id": 1, "customer": "Ada", "tags": ["new", "gift"],
     "lines": [{"sku": "A1", "qty": 2,
                "serials": [{"sn": "X1"}, {"sn": "X2"}]},
               {"sku": "B7", "qty": 1, "serials": [{"sn": "X3"}]}]},
    {"id": 2, "customer": "Grace", "tags": [],
     "lines": [{"sku": "C3", "qty": 5, "serials": [{"sn": "Y1"}]},
               {"sku": "D4", "qty": 1}]},
    {"id": 3, "customer": "Edsger", "tags": ["old"], "lines": None},
]}

GROUPS = {"data": [
    {"group": "a", "items": [{"id": 1, "name": "bolt"},
                             {"id": 2, "name": "nut"}]},
    {"group": "b", "items": [{"id": 3, "name": "gear", "spare": True}]},
    {"group": "c", "items": None},
]}

SERIES = {
    "Meta Data": {"Symbol": "IBM"},
    "days": {
        "2024-01-02": {"open": 160.25, "volume": 1000},
        "2024-01-01": {"open": 158.5, "volume": 2000, "note": "holiday"},
    },
}

PARTS = [
    {"code": "P1", "weight": 2.5, "suppliers": [{"name": "acme", "days": 3}]},
    {"code": "P2", "weight": 1.0, "suppliers": [{"name": "zeta", "days": 7},
                                                {"name": "acme", "days": 2}]},
]


def _send(handler, obj):
    handler.send(200, json.dumps(obj).encode(), JSON_TYPE)


def orders(handler):
    _send(handler, ORDERS)


def groups(handler):
    _send(handler, GROUPS)


def series(handler):
    _send(handler, SERIES)


def parts(handler):
    _send(handler, PARTS)


def deep(handler, n):
    value = [{"v": int(n)}]
    for level in range(int(n) - 1, 0, -1):
        value = [{"v": level, "a": value}]
    _send(handler, {"rows": [{"id": 1, "a": value}]})


def wide(handler, n):
    row = {"id": 1}
    for i in range(1, int(n) + 1):
        row["a%d" % i] = [{"x": i}]
    _send(handler, {"rows": [row]})


def keys(handler, n):
    element = {"k%d" % i: i for i in range(1, int(n) + 1)}
    _send(handler, {"rows": [{"id": 1, "items": [element]}]})


def nesting(handler, n):
    n = int(n)
    body = '{"rows": [{"id": 1, "a": ' + '[{"a": ' * n + "1" + "}]" * n + "}]}"
    handler.send(200, body.encode(), JSON_TYPE)
