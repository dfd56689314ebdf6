"""The benchmark's rows: deterministic, 8 fields of mixed types, ~200 bytes.

Row i (1-based) is the same wherever it is served: in the static file nginx
serves, in the data server's pages, and so the same bytes reach rest_fdw and
every baseline.  The JSON is compact and has no newline, so COPY can read a
whole body as one line.
"""
import csv
import io
import time

COLUMNS_SQL = ("id bigint, name text, amount numeric, score float8, "
               "flag boolean, day date, created_at timestamptz, status text")

_WORDS = ["alpha widgets", "bravo supply", "charlie & sons", "delta logistics",
          "echo \"quoted\" traders", "foxtrot gmbh", "golf s.a.", "hotel \u00fcber",
          "india pvt ltd", "juliet co\\op", "kilo industries", "lima partners"]
_STATUS = ["active", "pending", "suspended", "closed", "trial"]
_EPOCH = 1704067200          # 2024-01-01T00:00:00Z
_DAY0 = 18262                # 2020-01-01 as days since 1970-01-01


def _esc(s):
    return s.replace("\\", "\\\\").replace("\"", "\\\"")


_NAMES = [_esc(w) for w in _WORDS]
_DAYS = [time.strftime("%Y-%m-%d", time.gmtime((_DAY0 + d) * 86400)) for d in range(1461)]


def row_json(i):
    cents = (i * 7919) % 100000000
    score = ((i * 2654435761) % 1000003) / 1000003.0
    ts = _EPOCH + i * 37
    micro = (i * 104729) % 1000000
    return ('{"id":%d,"name":"customer %07d %s","amount":%d.%02d,"score":%r,'
            '"flag":%s,"day":"%s","created_at":"%s.%06d+00:00","status":"%s"}'
            % (i, i, _NAMES[i % 12], cents // 100, cents % 100, score,
               "true" if i % 3 else "false", _DAYS[i % 1461],
               time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)), micro,
               _STATUS[i % 5]))


def rows_json(first, last):
    """The JSON array of rows first..last (inclusive), as bytes."""
    return ("[" + ",".join(row_json(i) for i in range(first, last + 1)) + "]").encode()


def _fields(i):
    """Row i's values as text, as the JSON writes them (names unescaped)."""
    cents = (i * 7919) % 100000000
    score = ((i * 2654435761) % 1000003) / 1000003.0
    ts = _EPOCH + i * 37
    micro = (i * 104729) % 1000000
    return [str(i), "customer %07d %s" % (i, _WORDS[i % 12]),
            "%d.%02d" % (cents // 100, cents % 100), repr(score),
            "true" if i % 3 else "false", _DAYS[i % 1461],
            "%s.%06d+00:00" % (time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)), micro),
            _STATUS[i % 5]]


def rows_csv(first, last):
    """The same rows as CSV with a header line, as bytes (for file_fdw)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "name", "amount", "score", "flag", "day", "created_at", "status"])
    for i in range(first, last + 1):
        w.writerow(_fields(i))
    return out.getvalue().encode()
