"""Bodies with large arrays, for the array-conversion tests
(sql/security_arrays.sql).

Loaded by api_server.py (load_extensions); every path starts with PREFIX.

  /arrays/N/text     one row {"id": 1, "a": ["x", "x", ...]}: N strings
  /arrays/N/int      one row {"id": 1, "a": [1, 2, ..., N]}
  /arrays/N/escaped  one row: N strings "a\\"b\\u00e9", with null every
                     tenth element
  /arrays/mixed      a few rows of small arrays: NULL elements, escapes,
                     nested arrays and objects, an empty array, no array
  /arrays/typed      one row of int2, int8, float8, numeric and Boolean
                     arrays with NULLs
  /arrays/nested     one row: an int array with a nested array element
  /arrays/bad_escape one row: ["abc", "\u0000"]

Bodies are built once per shape and size and kept.
"""

import json

import api_server

PREFIX = "/arrays/"


def _body(key, build):
    return api_server.cached_body((PREFIX, key), build)


def _text(n):
    return b'[{"id":1,"a":[' + b",".join([b'"x"'] * n) + b"]}]"


def _int(n):
    return b'[{"id":1,"a":[' + b",".join(b"%d" % i for i in range(1, n + 1)) + b"]}]"


def _escaped(n):
    elems = [b"null" if i % 10 == 0 else b'"a\\"b\\u00e9"' for i in range(1, n + 1)]
    return b'[{"id":1,"a":[' + b",".join(elems) + b"]}]"


MIXED = (b'[{"id":1,"a":["x",null,"tab\\there","\\u00e9t\\u00e9",'
         b'"q\\"uote",""],"n":[1,null,-2,2147483647]},'
         b'{"id":2,"a":[["in",1],{"k":"v"},"s"],"n":[]},'
         b'{"id":3,"a":[],"n":null},'
         b'{"id":4},'
         b'{"id":5,"a":[null,null],"n":[7]}]')

# numbers of every width and Booleans, with NULLs between them
TYPED = (b'[{"id":1,"i2":[1,null,-32768],"i8":[null,9007199254740993,-1],'
         b'"f8":[1.5,-2e3,null,0.1],"nu":[3.14159265358979323846,null,1e2],'
         b'"b":[true,null,false,true]}]')

# an element that does not convert, and one nested array, for int[]
NESTED = b'[{"id":1,"n":[1,[2,3]]}]'

# a bad element before an escape that does not convert: the escape is
# reported (the array's text is checked before its elements are converted)
BAD_ESCAPE = b'[{"id":1,"n":["abc","\\u0000"]}]'

SHAPES = {
    "text": (_text, 8000000),
    "int": (_int, 8000000),
    "escaped": (_escaped, 1000000),
}


def serve(handler, path, query):
    rest = path[len(PREFIX):]
    fixed = {"mixed": MIXED, "typed": TYPED, "nested": NESTED,
             "bad_escape": BAD_ESCAPE}
    if rest in fixed:
        return handler.send(200, fixed[rest])
    parts = rest.split("/")
    if len(parts) == 2 and parts[0].isdigit() and parts[1] in SHAPES:
        build, limit = SHAPES[parts[1]]
        n = int(parts[0])
        if n <= limit:
            return handler.send(200, _body((parts[1], n), lambda: build(n)))
    return handler.send_json(404, {"error": "not_found", "path": path})
