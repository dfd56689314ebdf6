"""
Generated, filterable and paged lists and nested resources of the test API,
served under every protected prefix (datasets.py is their gate).

Item i (1-based) of a list of total=T items (default 25) is
  {"id": i, "name": "item-<i>", "category": "a"|"b"|"c" (i % 3),
   "price": i * 1.5, "created": 2024-01-01 plus i days}
and is built only when needed.  Every list takes the filters
  <field>=v[,v...] (repeatable; IN), <field>_lt|_le|_gt|_ge|_ne=v
(numeric comparison for numeric fields, else string comparison; a bad
number gives 400 {"error": "bad_filter", "param": ...}); loose=1 ignores
all filters.  The paged endpoints page the filtered rows:
  paged/offset  offset, limit      {"items", "total", "has_more"}
  paged/page    page (1..), per_page  {"data", "meta": {page, total_pages, total_count}}
  paged/page0   same, first page 0
  paged/cursor  cursor, limit      {"results", "next_cursor"} (loop=1: always page 2)
  paged/next    start, limit       {"value", "next"}  (rel=1, loop=1, foreign=1, badnext=1)
  paged/link    page, per_page     [rows] + Link: rel="next", rel="last" (loop=1)
customers/<id>/orders (id 1..1000) and orders (customers 1..20) are small
unpaged arrays of orders that take the same filters on their own fields.
"""

import base64
import binascii
import decimal
import re
from datetime import date

from .common import BadParam, flag, int_param, invalid, not_found, with_param

ITEM_FIELDS = {"id": "num", "name": "str", "category": "str", "price": "num",
               "created": "str"}
ORDER_FIELDS = {"order_id": "num", "customer_id": "num", "amount": "num", "status": "str"}
ITEM_CATEGORIES = ("a", "b", "c")
ITEM_BASE_DAY = date(2024, 1, 1).toordinal()
DEFAULT_ITEMS = 25
MAX_ITEMS = 1_000_000
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 1000            # larger page sizes are silently reduced to this
MAX_CUSTOMER = 1000
ORDERS_CUSTOMERS = 20           # the orders dataset covers customers 1..20
FILTER_OPS = {
    "lt": lambda a, b: a < b, "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b,
    "ne": lambda a, b: a != b, "in": lambda a, b: a in b,
}
CUSTOMER_ID = re.compile(r"[0-9]+")
CURSOR = re.compile(r"[A-Za-z0-9_-]{1,64}={0,2}")
BAD_NEXT = "ht!tp://[bad"


def page_size(params, name):
    """Page size: default 10, at least 1, larger than MAX_PAGE_SIZE reduced."""
    return min(int_param(params, name, DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE)


def filter_value(kind, param, text):
    if kind == "str":
        return text
    try:
        value = decimal.Decimal(text.strip())
    except (ArithmeticError, ValueError):
        raise BadParam({"error": "bad_filter", "param": param})
    if not value.is_finite():
        raise BadParam({"error": "bad_filter", "param": param})
    return value


def parse_filters(params, fields):
    """[(field, op, value)] from the query; [] with loose=1.  Raises BadParam."""
    if flag(params, "loose"):
        return []
    filters = []
    for param, values in params.items():
        field, op = param, "in"
        if param not in fields:
            field, _, op = param.rpartition("_")
            if field not in fields or op not in FILTER_OPS or op == "in":
                continue                    # unknown parameters are ignored
        kind = fields[field]
        if op == "in":
            filters.append((field, op, [filter_value(kind, param, piece)
                                        for value in values
                                        for piece in value.split(",")]))
        else:
            filters.extend((field, op, filter_value(kind, param, value))
                           for value in values)
    return filters


def matches(row, filters):
    return all(FILTER_OPS[op](row[field], value) for field, op, value in filters)


# field of item i, so that filters need not build whole rows
ITEM_GETTERS = {
    "id": lambda i: i,
    "name": lambda i: "item-%d" % i,
    "category": lambda i: ITEM_CATEGORIES[i % 3],
    "price": lambda i: i * 1.5,
    "created": lambda i: date.fromordinal(ITEM_BASE_DAY + i).isoformat(),
}


ITEM_MONOTONE_FIELDS = ("id", "price", "created")     # grow with i


def item_row(i):
    return {field: get(i) for field, get in ITEM_GETTERS.items()}


def first_item(total, pred):
    """Smallest i in 1..total (total+1 if none) with pred(i), pred monotone false..true."""
    low, high = 1, total + 1
    while low < high:
        mid = (low + high) // 2
        if pred(mid):
            high = mid
        else:
            low = mid + 1
    return low


def item_ids(total, filters):
    """Candidate ids in 1..total: the ones the filters on the fields that grow with
    the id (id, price, created) leave.  The caller still applies every filter."""
    low, high, wanted = 1, total, None
    for field, op, value in filters:
        if field not in ITEM_MONOTONE_FIELDS:
            continue
        get = ITEM_GETTERS[field]
        if op == "gt":
            low = max(low, first_item(total, lambda i: get(i) > value))
        elif op == "ge":
            low = max(low, first_item(total, lambda i: get(i) >= value))
        elif op == "lt":
            high = min(high, first_item(total, lambda i: get(i) >= value) - 1)
        elif op == "le":
            high = min(high, first_item(total, lambda i: get(i) > value) - 1)
        elif op == "in":
            ids = set()
            for v in value:
                i = first_item(total, lambda i: get(i) >= v)
                if i <= total and get(i) == v:
                    ids.add(i)
            wanted = ids if wanted is None else wanted & ids
    if wanted is not None:
        return sorted(i for i in wanted if low <= i <= high)
    return range(low, high + 1)


def select_items(params, offset, size):
    """(rows offset..offset+size-1 of the filtered items, filtered row count)."""
    total = int_param(params, "total", DEFAULT_ITEMS, 0, MAX_ITEMS)
    filters = parse_filters(params, ITEM_FIELDS)
    if not filters:
        return [item_row(i) for i in range(offset + 1, min(offset + size, total) + 1)], total
    tests = [(ITEM_GETTERS[field], FILTER_OPS[op], value) for field, op, value in filters]
    rows, count = [], 0
    for i in item_ids(total, filters):
        if all(test(get(i), value) for get, test, value in tests):
            if offset <= count < offset + size:
                rows.append(item_row(i))
            count += 1
    return rows, count


def customer_orders(cid):
    return [{"order_id": cid * 100 + k, "customer_id": cid, "amount": float(cid * 10 + k),
             "status": "open" if k % 2 else "paid"} for k in range(1, cid % 4 + 1)]


def encode_cursor(offset):
    return base64.urlsafe_b64encode(b"o:%d" % offset).decode("ascii").rstrip("=")


def decode_cursor(cursor):
    """The offset in a cursor made by encode_cursor; BadParam if malformed."""
    text = ""
    if CURSOR.fullmatch(cursor):
        try:
            text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        except (binascii.Error, ValueError):
            pass
    if not text.startswith("o:") or not text[2:].isdigit() or len(text) > 32:
        raise invalid("malformed cursor")
    return int(text[2:])


def page_url(handler, query, relative=False, foreign=False):
    """URL of this endpoint with another query string (absolute unless relative)."""
    port = handler.server.server_address[1]
    if foreign:
        authority = "127.0.0.2:%d" % port
    elif relative:
        return "%s?%s" % (handler.bare_path, query)
    else:
        authority = handler.headers.get("Host", "").strip() or "127.0.0.1:%d" % port
    return "http://%s%s?%s" % (authority, handler.bare_path, query)


# ---- the endpoints ------------------------------------------------------------

def orders(handler):
    rows = [order for cid in range(1, ORDERS_CUSTOMERS + 1)
            for order in customer_orders(cid)]
    filters = parse_filters(handler.params, ORDER_FIELDS)
    handler.send_json(200, [row for row in rows if matches(row, filters)])


def orders_of_customer(handler, cid_text):
    """customers/<cid_text>/orders"""
    if not CUSTOMER_ID.fullmatch(cid_text):
        return not_found(handler)
    cid = int(cid_text) if len(cid_text) <= 6 else 0
    if not 1 <= cid <= MAX_CUSTOMER:
        return not_found(handler)
    filters = parse_filters(handler.params, ORDER_FIELDS)
    handler.send_json(200, [row for row in customer_orders(cid) if matches(row, filters)])


def offset(handler):
    params = handler.params
    start = int_param(params, "offset", 0, 0)
    size = page_size(params, "limit")
    rows, count = select_items(params, start, size)
    handler.send_json(200, {"items": rows, "total": count,
                            "has_more": start + len(rows) < count})


def numbered_pages(first, link):
    """The paged/page (first 1), paged/page0 (first 0) and paged/link handlers."""
    def serve(handler):
        params = handler.params
        loop = flag(params, "loop")
        page = int_param(params, "page", first, first)
        size = page_size(params, "per_page")
        rows, count = select_items(params, (page - first) * size, size)
        pages = -(-count // size)
        if not link:
            return handler.send_json(200, {"data": rows, "meta": {
                "page": page, "total_pages": pages, "total_count": count}})
        links = []
        if rows or loop:
            if loop or page < pages:
                links.append('<%s>; rel="next"'
                             % page_url(handler, with_param(handler.query, "page",
                                                            2 if loop else page + 1)))
            links.append('<%s>; rel="last"'
                         % page_url(handler, with_param(handler.query, "page",
                                                        max(pages, 1))))
        handler.send_json(200, rows, [("Link", ", ".join(links))] if links else ())
    return serve


def cursor(handler):
    params = handler.params
    loop = flag(params, "loop")
    text = params.get("cursor", [""])[-1]
    start = decode_cursor(text) if text else 0
    size = page_size(params, "limit")
    rows, count = select_items(params, start, size)
    if loop:
        next_cursor = encode_cursor(size)
    elif start + size < count:
        next_cursor = encode_cursor(start + size)
    else:
        next_cursor = None
    handler.send_json(200, {"results": rows, "next_cursor": next_cursor})


def next_url(handler):
    params = handler.params
    loop = flag(params, "loop")
    start = int_param(params, "start", 0, 0)
    size = page_size(params, "limit")
    rows, count = select_items(params, start, size)
    body = {"value": rows}
    if loop or start + size < count:
        if flag(params, "badnext"):
            body["next"] = BAD_NEXT
        else:
            query = with_param(handler.query, "start", size if loop else start + size)
            body["next"] = page_url(handler, query, relative=flag(params, "rel"),
                                    foreign=flag(params, "foreign"))
    handler.send_json(200, body)
