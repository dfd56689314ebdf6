"""
Endpoints for child tables: rows inside arrays of arrays (sql/children.sql).

  c/orders         GET {"orders": [...]}, offset-paged by ?offset=&limit=
                   (default 0 and 10), with "total".  Each order has lines,
                   each line serials; order 1 writes its "id" after its
                   lines, order 3 has "lines": null, order 4 no "lines",
                   order 5 an empty array.  ?customer=<c> keeps that
                   customer's orders.
  c/orders/<id>    GET {"orders": [that order]} (a parent's own path)
  c/big            GET {"groups": [{"g": 1, "items": [100,000 objects]}]}
  c/series         GET a map keyed by time, beside "Meta Data"
  c/stores         GET {"regions": {"eu": {"stores": [...]}, ...}}: maps of
                   ancestors and of scalars
"""

from .common import invalid, not_found


def _order(n):
    order = {"customer": "acme" if n % 2 else "zeta",
             "placed": "2024-05-%02d" % n}
    if n == 3:
        order["lines"] = None
    elif n == 5:
        order["lines"] = []
    elif n != 4:
        order["lines"] = [
            {"sku": "S%d-%d" % (n, i), "qty": i * n,
             "serials": ["SN%d%d%d" % (n, i, k) for k in range(1, i + 1)]
             if i != 2 and n != 2
             else [{"sn": "X%d%d%d" % (n, i, k)} for k in range(1, i + 1)]}
            for i in range(1, 4 if n != 6 else 2)]
    if n == 1:
        order["id"] = n         # after its lines
        return order
    return dict({"id": n}, **order)


ORDERS = [_order(n) for n in range(1, 8)]


def orders(handler):
    try:
        offset = int(handler.params.get("offset", ["0"])[-1])
        limit = int(handler.params.get("limit", ["10"])[-1])
    except ValueError:
        raise invalid("offset and limit must be integers")
    if offset < 0 or not 0 < limit <= 100:
        raise invalid("offset >= 0, 0 < limit <= 100")
    customer = handler.params.get("customer", [None])[-1]
    rows = [o for o in ORDERS if customer is None or o["customer"] == customer]
    handler.send_json(200, {"total": len(rows),
                            "orders": rows[offset:offset + limit]})


def order(handler, order_id):
    for o in ORDERS:
        if str(o["id"]) == order_id:
            handler.send_json(200, {"orders": [o]})
            return
    not_found(handler)


def big(handler):
    items = ",".join('{"i":%d,"v":"v%d"}' % (i, i) for i in range(1, 100001))
    body = '{"groups": [{"g": 1, "items": [%s]}, {"g": 2, "items": [{"i": 0}]}]}' % items
    handler.send(200, body.encode())


def series(handler):
    """c/series: a time series as a map keyed by time (Alpha Vantage's shape)."""
    times = ["2024-01-05 16:00:00", "2024-01-05 15:55:00", "2024-01-05 15:50:00"]
    handler.send_json(200, {
        "Meta Data": {"1. Information": "Intraday (5min)", "2. Symbol": "IBM"},
        "Time Series (5min)": {
            t: {"1. open": "%d.25" % (160 - i), "5. volume": str(1000 * (i + 1))}
            for i, t in enumerate(times)}})


def stores(handler):
    """c/stores: regions keyed by name, each with stores and a stock map."""
    handler.send_json(200, {"regions": {
        "eu": {"stores": [{"id": 1, "stock": {"apple": 3, "pe\"ar": 0}},
                          {"id": 2, "stock": {}}]},
        "us": {"stores": [{"id": 3, "stock": {"fig": 7}}]},
        "none": None}})
