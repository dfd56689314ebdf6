"""
Endpoints for rest_fdw_sample_model() (sql/migrate.sql): a sample whose
JSON names the model grammar would misread.

  mg/hostile   GET: {"data": {"rows": [...]}}, rows with names that look like
               settings ("#path"), renames ("a<b>"), child tables ("x[]",
               "m{Integer}"), a "$ref", a slash, and ordinary columns
               around them.
"""


def hostile(handler):
    rows = [{"id": n,
             "#path": "/elsewhere",
             "a<b>": n,
             "x[]": [n],
             "m{Integer}": n,
             "$ref": "#/components",
             "sl/ash": "s%d" % n,
             "nested": {"#key": n, "ok": "v%d" % n},
             "name": "row %d" % n}
            for n in (1, 2)]
    handler.send_json(200, {"data": {"rows": rows}})
