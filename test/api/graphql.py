"""
A small GraphQL-shaped endpoint of the test API (POST under every
protected prefix): Relay-style cursor connections, enough for rest_fdw's
GraphQL tests.

The request body is {"query": "...", "variables": {...}}.  The query text
must name the connection "users" (query ... { users(first: $first, after:
$after) { nodes { ... } pageInfo { endCursor hasNextPage } } }); first
(1..100, default 10) and after (an endCursor given before, or null) are
read from variables.  There are ?total=T users (default 25): {"id": i,
"login": "user<i>", "admin": i % 5 == 0}.  Answers
{"data": {"users": {"nodes": [...], "totalCount": T,
 "pageInfo": {"endCursor": ..., "hasNextPage": ...}}}}, or GraphQL's
{"errors": [{"message": ...}]} with status 200 for a query it cannot run.
"""

import base64
import json
import re

CONNECTION = re.compile(r"\busers\s*\(")


def _error(handler, message):
    handler.send_json(200, {"errors": [{"message": message}], "data": None})


def _cursor(i):
    return base64.b64encode(("user:%d" % i).encode()).decode()


def _position(cursor):
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if not text.startswith("user:") or not text[5:].isdigit():
        return None
    return int(text[5:])


def graphql(handler):
    try:
        request = json.loads(handler.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return handler.send_json(400, {"errors": [{"message": "body is not JSON"}]})
    if not isinstance(request, dict) or not isinstance(request.get("query"), str):
        return handler.send_json(400, {"errors": [{"message": "no query"}]})
    if not CONNECTION.search(request["query"]):
        return _error(handler, "the query does not ask for the users connection")
    variables = request.get("variables") or {}
    if not isinstance(variables, dict):
        return _error(handler, "variables must be an object")
    first = variables.get("first", 10)
    after = variables.get("after")
    if not isinstance(first, int) or isinstance(first, bool) or not 1 <= first <= 100:
        return _error(handler, "first must be an integer from 1 to 100")
    start = 0
    if after is not None:
        start = _position(after) if isinstance(after, str) else None
        if start is None:
            return _error(handler, "invalid cursor")
    total = min(max(int(handler.params.get("total", ["25"])[-1]), 0), 10000)
    ids = range(start + 1, min(start + first, total) + 1)
    nodes = [{"id": i, "login": "user%d" % i, "admin": i % 5 == 0} for i in ids]
    end = ids[-1] if nodes else start
    handler.send_json(200, {"data": {"users": {
        "nodes": nodes, "totalCount": total,
        "pageInfo": {"endCursor": _cursor(end) if nodes else None,
                     "hasNextPage": end < total}}}})
