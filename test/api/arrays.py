"""
Bodies with large arrays for the array-conversion tests
(sql/security_arrays.sql), under /arrays/ (any method).

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

Bodies are built once per shape and size and kept (common.cached_body).
"""

from .common import send_sized

PREFIX = "/arrays/"


def _text(n):
    return b'[{"id":1,"a":[' + b",".join([b'"x"'] * n) + b"]}]"


def _int(n):
    return b'[{"id":1,"a":[' + b",".join(b"%d" % i for i in range(1, n + 1)) + b"]}]"


def _escaped(n):
    elems = [b"null" if i % 10 == 0 else b'"a\\"b\\u00e9"' for i in range(1, n + 1)]
    return b'[{"id":1,"a":[' + b",".join(elems) + b"]}]"


FIXED = {
    "mixed": (b'[{"id":1,"a":["x",null,"tab\\there","\\u00e9t\\u00e9",'
              b'"q\\"uote",""],"n":[1,null,-2,2147483647]},'
              b'{"id":2,"a":[["in",1],{"k":"v"},"s"],"n":[]},'
              b'{"id":3,"a":[],"n":null},'
              b'{"id":4},'
              b'{"id":5,"a":[null,null],"n":[7]}]'),
    # numbers of every width and Booleans, with NULLs between them
    "typed": (b'[{"id":1,"i2":[1,null,-32768],"i8":[null,9007199254740993,-1],'
              b'"f8":[1.5,-2e3,null,0.1],"nu":[3.14159265358979323846,null,1e2],'
              b'"b":[true,null,false,true]}]'),
    # an element that does not convert, and one nested array, for int[]
    "nested": b'[{"id":1,"n":[1,[2,3]]}]',
    # a bad element before an escape that does not convert: the escape is
    # reported (the array's text is checked before its elements are converted)
    "bad_escape": b'[{"id":1,"n":["abc","\\u0000"]}]',
}

SHAPES = {
    "text": (_text, 8000000),
    "int": (_int, 8000000),
    "escaped": (_escaped, 1000000),
}


def fixed(name):
    """The handler of /arrays/<name>, a fixed body."""
    return lambda handler: handler.send(200, FIXED[name])


def sized(handler, count, shape):
    """/arrays/<count>/<shape>"""
    send_sized(handler, PREFIX, SHAPES, count, shape)
