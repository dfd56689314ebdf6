"""
Hostile bodies for the resource-limit tests (sql/security_limits.sql), under
/limits/ (any method).

  /limits/N/empty_rows       a JSON array of N empty objects: "[{},{},...]"
  /limits/N/colliding        one row of N keys of 70 bytes that agree in
                             their first 66 ("kkk...k0001": the same SQL name
                             once cut to 63 bytes), values 1..N
  /limits/N/long_key         one row: a key of N bytes and "id"
  /limits/N/duplicate_keys   one row: the key "a" N times (values 1..N),
                             then "b"

The shape comes last, so that IMPORT FOREIGN SCHEMA names a sampled table
after it.  Bodies are built once per shape and kept (common.cached_body).
"""

import json

from .common import send_sized

PREFIX = "/limits/"


def _empty_rows(n):
    return b"[" + b",".join([b"{}"] * n) + b"]"


def _colliding(n):
    row = {"k" * 66 + "%04d" % i: i for i in range(1, n + 1)}
    return json.dumps([row]).encode()


def _long_key(n):
    return json.dumps([{"x" * n: 1, "id": 7}]).encode()


def _duplicate_keys(n):
    return (b"[{" + b"".join(b'"a":%d,' % i for i in range(1, n + 1)) + b'"b":2}]')


SHAPES = {
    "empty_rows": (_empty_rows, 2000000),
    "colliding": (_colliding, 9999),
    "long_key": (_long_key, 1000000),
    "duplicate_keys": (_duplicate_keys, 2000000),
}


def sized(handler, count, shape):
    """/limits/<count>/<shape>"""
    send_sized(handler, PREFIX, SHAPES, count, shape)
