"""
"API model" endpoints of the test API: small, deterministic imitations of
real APIs, served under <prefix>/m/... behind every authentication prefix
(/open/m/..., /api/m/..., ...; datasets.py is their gate).  They
are used by the tests of REST config files, sampling and IMPORT FOREIGN SCHEMA.

  tickets               Zendesk-like: per_page (default 3, 1..100), page
                        (default 1), status (open|pending|solved).  7 tickets,
                        ids 101..107.  {"tickets": [...], "next_page": URL|null,
                        "previous_page": URL|null, "count": N}
  reports/sessions      Google-Analytics-like: start_date, end_date (required,
                        YYYY-MM-DD, start <= end, at most 31 days apart), page
                        (default 1), page_size (default 5, 1..1000).  One row
                        per day and country (DE, FR, US).
                        {"report": {"rows": [...], "page": P, "total_pages": K,
                        "row_count": N}}
  repos/O/R/issues      GitHub-like: needs "Accept: application/vnd.github+json"
                        (else 415); X-GitHub-Api-Version, if sent, must be
                        2022-11-28 (else 400).  acme/widgets (issues 1..5),
                        acme/gadgets (1..2); per_page (default 2, 1..100), page
                        (default 1), state (open|closed|all, default open;
                        numbers divisible by 3 are closed).  A top-level array,
                        Link: <next>; rel="next", <last>; rel="last" unless on
                        the last page.
  sample/mixed          4 rows exercising type inference (see SAMPLE_MIXED)
  sample/nested         rows under data.items
  sample/wrapped        rows under the top-level member "results"
  sample/single         one object without an array: one row
  sample/empty          []
  sample/scalars        [1, 2, 3]
  odata/people          OData-like: three pages of two people, keys with dots,
                        the next page's URL in "@odata.nextLink"

Unknown names: 404 {"error": "not_found", "path": ...}; bad parameters: 400
{"error": "invalid_request", "error_description": ...}.  Next-page URLs are
absolute, on the authority the client used, with the request's own path
(so the same prefix) and its query string with page (and per_page) set.
"""

import json
import re
import ssl
from datetime import date, timedelta

from .common import JSON_TYPE, invalid, not_found, with_param

DIGITS = re.compile(r"[0-9]{1,9}")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _param(params, name):
    """The last value of a query parameter, or None when absent."""
    values = params.get(name)
    return values[-1] if values else None


def _int_param(params, name, default, low, high=None):
    text = _param(params, name)
    if text is None:
        return default
    if not DIGITS.fullmatch(text) or int(text) < low or (high is not None and int(text) > high):
        if high is None:
            raise invalid("%s must be an integer >= %d" % (name, low))
        raise invalid("%s must be an integer from %d to %d" % (name, low, high))
    return int(text)


def _choice_param(params, name, choices, default=None):
    text = _param(params, name)
    if text is None:
        return default
    if text not in choices:
        raise invalid("%s must be one of %s" % (name, ", ".join(choices)))
    return text


def _abs_url(handler, query):
    """Absolute URL of the request's own path (same prefix) with another query."""
    scheme = "https" if isinstance(handler.connection, ssl.SSLSocket) else "http"
    return "%s://%s%s?%s" % (scheme, handler.own_authority(), handler.bare_path, query)


def _page_url(handler, per_page_name, per_page, page):
    query = with_param(handler.query, per_page_name, per_page)
    return _abs_url(handler, with_param(query, "page", page))


# ---- tickets (Zendesk-like) ---------------------------------------------

TICKET_SUBJECTS = ("Printer on fire", "Cannot log in", "Invoice is wrong",
                   "Password reset loops", "Refund request", "App crashes on save",
                   "Feature request: dark mode")
REQUESTERS = (("Ada Lovelace", "ada@example.com"), ("Grace Hopper", "grace@example.com"),
              ("Alan Turing", "alan@example.com"), ("Edsger Dijkstra", "edsger@example.com"),
              ("Barbara Liskov", "barbara@example.com"), ("Donald Knuth", "donald@example.com"),
              ("Margaret Hamilton", "margaret@example.com"))
TICKET_STATUSES = ("open", "pending", "solved")
TICKET_TAGS = (["billing", "urgent"], [], ["printer"])


def ticket(tid):
    k = tid - 100                       # 1..7
    name, mail = REQUESTERS[k - 1]
    return {
        "id": tid,
        "subject": "%s #%d" % (TICKET_SUBJECTS[k - 1], tid),
        "status": TICKET_STATUSES[(tid - 101) % 3],
        "priority": None if tid % 2 else ("high" if tid % 4 == 2 else "low"),
        "requester": {"name": name, "email": mail},
        "tags": list(TICKET_TAGS[(k - 1) % 3]),
        "created_at": "2024-01-%02dT10:00:00Z" % k,
        "custom_fields": [{"id": 1, "value": "team-%s" % "ab"[k % 2]}],
    }


TICKETS = [ticket(tid) for tid in range(101, 108)]


def tickets(handler):
    params = handler.params
    per_page = _int_param(params, "per_page", 3, 1, 100)
    page = _int_param(params, "page", 1, 1)
    status = _choice_param(params, "status", TICKET_STATUSES)
    rows = [t for t in TICKETS if status is None or t["status"] == status]
    start = (page - 1) * per_page
    more = start + per_page < len(rows)
    handler.send_json(200, {
        "tickets": rows[start:start + per_page],
        "next_page": _page_url(handler, "per_page", per_page, page + 1) if more else None,
        "previous_page": _page_url(handler, "per_page", per_page, page - 1) if page > 1 else None,
        "count": len(rows),
    })


# ---- analytics report (Google-Analytics-like) ---------------------------

COUNTRIES = ("DE", "FR", "US")
MAX_REPORT_SPAN = 31                    # days between start_date and end_date


def _date_param(params, name):
    text = _param(params, name)
    if text is None:
        raise invalid("%s is required" % name)
    try:
        if not ISO_DATE.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise invalid("%s must be a date YYYY-MM-DD" % name) from None


def report_rows(start, end):
    rows, day = [], start
    while day <= end:
        for idx, country in enumerate(COUNTRIES):
            rows.append({"day": day.isoformat(), "country": country,
                         "sessions": 10 * day.day + idx,
                         "bounce_rate": (25 + 5 * ((day.day + idx) % 10)) / 100})
        day += timedelta(days=1)
    return rows


def report(handler):
    params = handler.params
    start = _date_param(params, "start_date")
    end = _date_param(params, "end_date")
    if end < start:
        raise invalid("end_date must not be before start_date")
    if (end - start).days > MAX_REPORT_SPAN:
        raise invalid("end_date must be at most %d days after start_date" % MAX_REPORT_SPAN)
    page = _int_param(params, "page", 1, 1)
    size = _int_param(params, "page_size", 5, 1, 1000)
    rows = report_rows(start, end)
    first = (page - 1) * size
    handler.send_json(200, {"report": {"rows": rows[first:first + size], "page": page,
                                       "total_pages": -(-len(rows) // size),
                                       "row_count": len(rows)}})


# ---- issues (GitHub-like) -----------------------------------------------

GITHUB_ACCEPT = "application/vnd.github+json"
GITHUB_API_VERSION = "2022-11-28"
REPOS = {
    ("acme", "widgets"): ("Crash on startup", "Add dark mode", "Typo in README",
                          "Search is slow", "Support ARM64 builds"),
    ("acme", "gadgets"): ("Battery drains overnight", "Add USB-C port"),
}
LOGINS = ("octocat", "hubot", "monalisa")
ISSUE_LABELS = {
    1: [{"name": "bug", "color": "d73a4a"}],
    2: [{"name": "enhancement", "color": "a2eeef"}, {"name": "help wanted", "color": "008672"}],
    3: [{"name": "documentation", "color": "0075ca"}],
    4: [],
    5: [{"name": "bug", "color": "d73a4a"}],
}


def issue(title, n):
    closed = n % 3 == 0
    return {
        "number": n,
        "title": title,
        "state": "closed" if closed else "open",
        "user": {"login": LOGINS[(n - 1) % 3], "id": 1000 + n},
        "labels": [dict(label) for label in ISSUE_LABELS[n]],
        "comments": (n * 3) % 4,
        "created_at": "2024-02-%02dT08:30:00Z" % n,
        "closed_at": "2024-02-%02dT17:00:00Z" % (n + 10) if closed else None,
    }


def issues(handler, owner, repo):
    params = handler.params
    accept = handler.headers.get("Accept", "").strip()
    if accept.lower() != GITHUB_ACCEPT:
        return handler.send_json(415, {"message": "Unsupported 'Accept' header"})
    version = handler.headers.get("X-GitHub-Api-Version")
    if version is not None and version.strip() != GITHUB_API_VERSION:
        return handler.send_json(400, {"message": "Invalid API version"})
    titles = REPOS.get((owner, repo))
    if titles is None:
        return handler.send_json(404, {"message": "Not Found"})
    per_page = _int_param(params, "per_page", 2, 1, 100)
    page = _int_param(params, "page", 1, 1)
    state = _choice_param(params, "state", ("open", "closed", "all"), "open")
    rows = [issue(title, n) for n, title in enumerate(titles, 1)]
    rows = [row for row in rows if state == "all" or row["state"] == state]
    last = max(1, -(-len(rows) // per_page))
    headers = []
    if page < last:
        headers.append(("Link", '<%s>; rel="next", <%s>; rel="last"'
                        % (_page_url(handler, "per_page", per_page, page + 1),
                           _page_url(handler, "per_page", per_page, last))))
    start = (page - 1) * per_page
    handler.send_json(200, rows[start:start + per_page], headers)


# ---- documents for sampling (raw JSON text: exponents and big numbers) --

SAMPLE_MIXED = """[
 {"id": 1, "amount": 5, "big": 1, "ratio": 1.5e3, "flag": true, "day": "2024-01-01",
  "seen_at": "2024-01-01T10:00:00Z", "uid": "0b4c3f0e-5a8e-4c1e-9d2a-1f6b7c8d9e01",
  "note": null, "code": "A1", "tags": ["a", "b"], "scores": [1, 2, 3], "items": [{"x": 1}],
  "address": {"city": "Berlin", "geo": {"lat": 52.52, "lng": 13.4}},
  "firstName": "Ada", "Last Name": "Lovelace", "e-mail": "ada@example.com", "2fa": true,
  "ID": "x1"},
 {"id": 2, "amount": 5.5, "big": 99999999999999999999, "ratio": 2.5e-1, "flag": false,
  "day": "2024-02-29", "seen_at": "2024-01-02 11:30:00+02:00",
  "uid": "1c5d4a1f-6b9f-4d2f-8e3b-2a7c8d9eaf02", "note": null, "code": 7, "tags": [],
  "scores": [4], "items": [], "address": {"city": "Paris"},
  "firstName": "Grace", "Last Name": "Hopper", "e-mail": "grace@example.com", "2fa": false,
  "ID": "x2"},
 {"id": 3, "amount": 7, "big": 3, "ratio": 3E2, "flag": true, "day": "2023-12-31",
  "seen_at": "2024-01-03", "uid": "2d6e5b2a-7c0a-4e3a-9f4c-3b8d9eafb003", "note": null,
  "code": "B2", "tags": ["c"], "scores": [], "items": [{"x": 2}, {"y": "z"}],
  "address": {"city": "Berlin", "geo": {"lat": 52.52, "lng": 13.4}},
  "firstName": "Alan", "Last Name": "Turing", "e-mail": "alan@example.com", "2fa": true,
  "ID": "x3", "extra": "only here"},
 {"id": 4, "amount": null, "big": 4, "ratio": 1, "flag": null, "day": null, "seen_at": null,
  "uid": "3e7f6c3b-8d1b-4f4b-a05d-4c9eafb0c104", "note": null, "code": true, "tags": null,
  "scores": [5, 6], "items": null, "address": {"city": "Paris"},
  "firstName": "Edsger", "Last Name": "Dijkstra", "e-mail": "edsger@example.com",
  "2fa": false, "ID": "x4"}
]
"""

SAMPLE_NESTED = """{"meta": {"count": 3, "generated": "2024-01-01"},
 "data": {"items": [
  {"sku": "A-1", "price": 9.99, "stock": 3},
  {"sku": "B-2", "price": 19.5, "stock": 0},
  {"sku": "C-3", "price": 5, "stock": 12}
 ]}}
"""

SAMPLES = {
    "mixed": SAMPLE_MIXED,
    "nested": SAMPLE_NESTED,
    "wrapped": '{"results": [{"name": "a", "value": 1}, {"name": "b", "value": 2}], '
               '"next": null}\n',
    "single": '{"name": "status", "healthy": true, "version": "1.2.3"}\n',
    "empty": "[]\n",
    "scalars": "[1, 2, 3]\n",
}
for _text in SAMPLES.values():          # catch a typo at start-up, not in a test
    json.loads(_text)
SAMPLES = {key: text.encode("utf-8") for key, text in SAMPLES.items()}


# ---- OData-like people: keys with dots, paged by "@odata.nextLink" --------

def people(handler):
    params = handler.params
    """Three pages of two people; the next page's URL is in "@odata.nextLink"."""
    page = _int_param(params, "page", 1, 1, 100)
    people = [{"id": i, "name": "person-%d" % i, "odata.etag": "W/\"%d\"" % i,
               "address": {"geo.lat": 50 + i / 4}}
              for i in range(2 * page - 1, 2 * page + 1) if i <= 6]
    body = {"@odata.context": "people", "value": people}
    if page < 3:
        body["@odata.nextLink"] = _abs_url(handler, with_param(handler.query, "page", page + 1))
    handler.send_json(200, body)


def sample(handler, name):
    """sample/<name>"""
    if name not in SAMPLES:
        return not_found(handler)
    handler.send(200, SAMPLES[name], JSON_TYPE)
