"""
An API that takes writes, for sql/writes.sql (under every protected
prefix), and remembers what it received.

  w/orders        POST a JSON object: stored with a new "id", answered 201
                  with the stored object, "attempts" (the requests seen
                  with its Idempotency-Key, 1 without one) and "key" (true
                  when one came).  A request that repeats a key gets the
                  first answer again and stores nothing.  A "ref" of "bad"
                  is refused with 422 {"error": {"message": ...}}; a "ref"
                  starting "fail-once" is stored, but its first request
                  is answered 502, as a gateway that lost the response.
  w/orders/list   GET: the stored orders, in order.
  w/customers/*/orders  POST: as w/orders, with "customer" from the path.
  w/empty         POST: stored, answered 204 without a body.
  w/located       POST: stored, answered 201 without a body and with
                  Location: <prefix>/w/orders/<id>, the id percent-encoded
                  as "%31%37" for 17 (a "ref" of "no-number": the last
                  segment is "x%20y").
  w/wrapped       POST {"order": {...}}: the order stored as w/orders stores
                  one, answered 201 {"order": <the stored order>}; 400
                  without the "order" member.
  w/batch         POST a JSON array of objects: each stored as w/orders
                  stores one, with "batch": the number of the request that
                  brought it; answered 201 with the array stored.  An
                  array holding a "ref" of "bad" is refused whole (422).
  w/orders/<id>   DELETE: the order forgotten, answered 204; 404 for an
                  unknown id, 409 {"error": {"message": ...}} for an order
                  whose "ref" is "keep".
  /_admin/reset_writes  GET: forget every order and key (a test that runs
                  again starts from nothing).
"""

import json
import threading

from .common import invalid

_lock = threading.Lock()
_orders = []
_by_key = {}
_state = {"batches": 0, "ids": 0}


def _next_id():
    """The id of the next order stored (with _lock held): never reused."""
    _state["ids"] += 1
    return _state["ids"]


def _json_body(handler):
    try:
        return json.loads(handler.body.decode("utf-8"))
    except ValueError:
        raise invalid("the body is not JSON")


def _store(handler, extra=None):
    body = _json_body(handler)
    if not isinstance(body, dict):
        raise invalid("the body must be a JSON object")
    if body.get("ref") == "bad":
        return None, False
    key = handler.headers.get("Idempotency-Key")
    with _lock:
        if key is not None and key in _by_key:
            first = _by_key[key]
            first["attempts"] += 1
            return first, False
        order = dict(body, **(extra or {}))
        order["id"] = _next_id()
        order["attempts"] = 1
        order["key"] = key is not None
        _orders.append(order)
        if key is not None:
            _by_key[key] = order
        lost = str(body.get("ref", "")).startswith("fail-once")
        return order, lost


def reset_endpoint(handler):
    with _lock:
        _orders.clear()
        _by_key.clear()
        _state["batches"] = 0
        _state["ids"] = 0
    handler.send_json(200, [{"reset": True}])


def _refuse(handler):
    handler.send_json(422, {"error": {"message": "ref \"bad\" is not allowed"}})


def orders(handler):
    if handler.command == "GET":
        with _lock:
            return handler.send_json(200, list(_orders))
    order, lost = _store(handler)
    if order is None:
        return _refuse(handler)
    if lost:
        return handler.send_json(502, {"error": "the gateway lost the response"})
    handler.send_json(201, order)


def customer_orders(handler, customer):
    order, _ = _store(handler, {"customer": customer})
    if order is None:
        return _refuse(handler)
    handler.send_json(201, order)


def batch(handler):
    rows = _json_body(handler)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise invalid("the body must be an array of objects")
    if any(r.get("ref") == "bad" for r in rows):
        return _refuse(handler)
    with _lock:
        _state["batches"] += 1
        stored = []
        for r in rows:
            order = dict(r, id=_next_id(), attempts=1, batch=_state["batches"],
                         key=handler.headers.get("Idempotency-Key") is not None)
            _orders.append(order)
            stored.append(order)
    handler.send_json(201, stored)


def wrapped(handler):
    body = _json_body(handler)
    if not isinstance(body, dict) or not isinstance(body.get("order"), dict):
        raise invalid("the body must be {\"order\": {...}}")
    with _lock:
        order = dict(body["order"], id=_next_id(), attempts=1,
                     key=handler.headers.get("Idempotency-Key") is not None)
        _orders.append(order)
    handler.send_json(201, {"order": order})


def empty(handler):
    _store(handler)
    handler.send(204, b"")


def located(handler):
    order, _ = _store(handler)
    if order is None:
        return _refuse(handler)
    prefix = handler.path.split("/w/located")[0]
    seg = "x%20y" if order.get("ref") == "no-number" else \
        "".join("%%%02X" % ord(c) for c in str(order["id"]))
    handler.send(201, b"", headers=[("Location", "%s/w/orders/%s?view=full" % (prefix, seg))])


def delete_order(handler, order_id):
    with _lock:
        found = [o for o in _orders if str(o["id"]) == order_id]
        if not found:
            return handler.send_json(404, {"error": {"message": "no such order"}})
        if found[0].get("ref") == "keep":
            return handler.send_json(409, {"error": {"message": "order %s is kept" % order_id}})
        _orders.remove(found[0])
    handler.send(204, b"")
