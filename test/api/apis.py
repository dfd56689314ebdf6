"""
Seven real APIs as their public documentation describes them, small and
deterministic (rows generated from a fixed seed), served under every
authentication prefix (/open/..., /api/..., ...; datasets.protected() is
their gate, so each request is counted and in /_admin/log).  A request the
real API would refuse is answered with that API's status and error shape,
so that a test sending the wrong thing fails.

  POST notion/v1/databases/<id>/query          Notion (NOTION_DB only)
       header Notion-Version (any non-empty value), Content-Type
       application/json; body {"page_size": 1..100 (default 100),
       "start_cursor": a page id (absent on the first page; null is
       refused, as Notion does), "filter": {"property": P, "number" |
       "checkbox" | "select": {"equals": V}}, "sorts": [...] (ignored)};
       other members refused.  57 pages.  {"object": "list", "results":
       [page...], "next_cursor": id | null, "has_more": bool, "type":
       "page_or_database", "page_or_database": {}, "request_id": ...};
       a page's properties: Name (title), Price (number), Category
       (select), "In stock" (checkbox), Released (date), Tags
       (multi_select).  Errors {"object": "error", "status", "code",
       "message"}.
  POST ga4/v1beta/properties/<id>:runReport     Google Analytics Data API
       (GA4_PROPERTY only); body {"dateRanges": [{"startDate",
       "endDate"}] (one, YYYY-MM-DD, required), "dimensions": [{"name"}]
       (date, country, deviceCategory), "metrics": [{"name"}] (activeUsers,
       sessions, screenPageViews, totalRevenue; at least one), "limit",
       "offset" (int64: a number or a string), "keepEmptyRows",
       "returnPropertyQuota"}; other members refused.  Facts for
       2024-01-01..2024-03-31 x 5 countries x 3 devices, summed over the
       dimensions not asked for, sorted by the dimension values.
       {"dimensionHeaders", "metricHeaders", "rows": [{"dimensionValues":
       [{"value"}], "metricValues": [{"value"}]}], "rowCount", "metadata",
       "kind"}; "rows" absent when the page is empty, "rowCount" too when
       the report is.  Errors {"error": {"code", "message", "status"}}.
  GET  qbo/v3/company/<realm>/query?query=...  QuickBooks Online (QBO_REALM
       only): select * | count(*) from Customer [where F op V [and ...]]
       [orderby F [asc|desc]] [startposition N (1-based)] [maxresults M
       (default 100, at most 1000)], keywords in any case; op = < > <= >=
       like.  123 customers.  {"QueryResponse": {"Customer": [...],
       "startPosition": N, "maxResults": returned}, "time": ...};
       "Customer" (and the two numbers) absent when no row is left; count(*)
       gives {"QueryResponse": {"totalCount": N}}.  A malformed statement:
       400 {"Fault": {"Error": [{"Message", "Detail", "code"}], "type":
       "ValidationFault"}, "time"}.
  GET  stripe/v1/customers                      Stripe: limit (1..100, default
       10), starting_after / ending_before (a customer id; not both),
       created or created[gt|gte|lt|lte] (epoch seconds), email; other
       parameters refused (api_key aside, the /param prefix's).  137
       customers, newest first, ids cus_..., created epoch seconds.
       {"object": "list", "data": [...], "has_more": bool, "url":
       "/v1/customers"}.  Errors {"error": {"type": "invalid_request_error",
       "code", "message", "param"}}.
  GET  sheets/v4/spreadsheets/<id>/values/<range>  Google Sheets (SHEET_ID
       only): ranges Members, Members!A1:E, Members!A2:C10, A1:E (the first
       sheet), 'Members'!A:B, Empty; majorDimension ROWS | COLUMNS,
       valueRenderOption FORMATTED_VALUE | UNFORMATTED_VALUE | FORMULA,
       dateTimeRenderOption SERIAL_NUMBER | FORMATTED_STRING, key.
       {"range": "Members!A1:Z1000", "majorDimension": "ROWS", "values":
       [["id", "name", "joined", "score", "note"], ["1", "Ada Lovelace",
       "2024-01-05", "87.5"], ...]}: the header row first, 42 members,
       trailing empty cells and rows omitted, empty cells before a value
       "", no "values" for an empty range.  Errors as GA4's.
  GET  xero/api.xro/2.0/Invoices                Xero: header Xero-tenant-id
       (else 403); page (1-based; without it every invoice, with it 100 a
       page or pageSize 1..1000), Statuses (comma-separated).  250
       invoices.  {"Id", "Status": "OK", "ProviderName", "DateTimeUTC":
       "/Date(ms)/", "pagination": {"page", "pageSize", "pageCount",
       "itemCount"} (with page), "Invoices": [...]}, dates both as
       "/Date(1700000000000+0000)/" and as DateString
       "2023-11-14T00:00:00"; "Invoices": [] past the end.  XML unless the
       request accepts application/json, as Xero does.
  GET  servicenow/api/now/table/incident        ServiceNow Table API:
       sysparm_limit (default 10000), sysparm_offset, sysparm_fields,
       sysparm_query (F=V^F2=V2, ORDERBYF, ORDERBYDESCF),
       sysparm_exclude_reference_link, sysparm_display_value (false).
       73 incidents.  {"result": [...]}: every value a string, "" when
       empty (numbers, dates, booleans, references), references
       {"link", "value"} or ""; X-Total-Count, and a Link header
       <...>;rel="first",<...>;rel="prev",<...>;rel="next",<...>;rel="last"
       (prev and next only where they exist, no Link for a single page).
       Errors {"error": {"message", "detail"}, "status": "failure"}.
"""

import json
import random
import re
import ssl
import urllib.parse
from datetime import date, datetime, timedelta, timezone

from .common import JSON_TYPE, LOCK, with_param

NOTION_DB = "a8aec43384f447ed84390e8e42c2e089"
GA4_PROPERTY = "314159265"
QBO_REALM = "9341452000000000"
SHEET_ID = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"

FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken",
         "Dennis", "Frances", "John", "Radia", "Tim", "Hedy", "Niklaus")
LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton",
        "Thompson", "Ritchie", "Allen", "Backus", "Perlman", "Berners-Lee", "Lamarr", "Wirth")
_request_ids = [0]


def _person(i):
    return "%s %s" % (FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)])


def _request_id():
    with LOCK:
        _request_ids[0] += 1
        return "00000000-0000-4000-a000-%012d" % _request_ids[0]


def _hexid(rng, n=32):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _dashed(hexid):
    return "%s-%s-%s-%s-%s" % (hexid[:8], hexid[8:12], hexid[12:16], hexid[16:20], hexid[20:])


def _json_body(handler):
    """The request body as JSON (None when empty); ValueError when it is not JSON."""
    if not handler.body.strip():
        return None
    return json.loads(handler.body.decode("utf-8"))


def _is_json_request(handler):
    ctype = handler.headers.get("Content-Type", "")
    return ctype.split(";")[0].strip().lower() == "application/json"


def _own_url(handler, path, query):
    scheme = "https" if isinstance(handler.connection, ssl.SSLSocket) else "http"
    return "%s://%s%s%s" % (scheme, handler.own_authority(), path, "?" + query if query else "")


def _int(value):
    """An integer from JSON (a number, or an int64 as a string), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,18}", value):
        return int(value)
    return None


# ---- Notion -----------------------------------------------------------------

NOTION_CATEGORIES = (("Hardware", "blue"), ("Software", "green"), ("Books", "brown"))
NOTION_TAGS = ("new", "sale", "gift", "bulk")


def _notion_pages():
    rng = random.Random(1301)
    pages = []
    t0 = datetime(2024, 1, 3, 9, 15, tzinfo=timezone.utc)
    for i in range(1, 58):
        created = (t0 + timedelta(hours=7 * i)).strftime("%Y-%m-%dT%H:%M:00.000Z")
        name = "Product %02d" % i
        category = NOTION_CATEGORIES[i % 3]
        pages.append({
            "object": "page", "id": _dashed(_hexid(rng)),
            "created_time": created, "last_edited_time": created,
            "created_by": {"object": "user", "id": "c2f20311-9e54-4d11-8c79-7398424ae41e"},
            "cover": None, "icon": None,
            "parent": {"type": "database_id", "database_id": _dashed(NOTION_DB)},
            "archived": False, "in_trash": False,
            "properties": {
                "Name": {"id": "title", "type": "title", "title": [{
                    "type": "text", "text": {"content": name, "link": None},
                    "annotations": {"bold": False, "italic": False, "strikethrough": False,
                                    "underline": False, "code": False, "color": "default"},
                    "plain_text": name, "href": None}]},
                "Price": {"id": "%3DjqK", "type": "number",
                          "number": None if i % 19 == 0 else round(2.5 * i + 0.49, 2)},
                "Category": {"id": "Xw%7Bc", "type": "select", "select": {
                    "id": "cat-%d" % (i % 3), "name": category[0], "color": category[1]}},
                "In stock": {"id": "q%3AiT", "type": "checkbox", "checkbox": i % 4 != 0},
                "Released": {"id": "rL%3Fz", "type": "date", "date": {
                    "start": (date(2023, 6, 1) + timedelta(days=5 * i)).isoformat(),
                    "end": None, "time_zone": None}},
                "Tags": {"id": "t%5Bg", "type": "multi_select", "multi_select": [
                    {"id": "tag-%d" % k, "name": NOTION_TAGS[k], "color": "default"}
                    for k in range(4) if (i >> k) & 1]},
            },
            "url": "https://www.notion.so/Product-%02d-%s" % (i, _hexid(rng)),
            "public_url": None,
        })
    return pages


NOTION_PAGES = _notion_pages()


def _notion_error(handler, status, code, message):
    handler.send_json(status, {"object": "error", "status": status, "code": code,
                               "message": message, "request_id": _request_id()})


def _notion_filter(flt):
    """A predicate on a page for the filter, or a message why it is refused."""
    if not isinstance(flt, dict) or not isinstance(flt.get("property"), str):
        return ("body failed validation: body.filter.property should be defined, instead was "
                "`undefined`.")
    prop = flt["property"]
    kinds = [k for k in ("number", "checkbox", "select") if k in flt]
    if len(kinds) != 1 or not isinstance(flt[kinds[0]], dict) or "equals" not in flt[kinds[0]]:
        return ("body failed validation: body.filter should be a number, checkbox or select "
                "filter with equals.")
    kind, value = kinds[0], flt[kinds[0]]["equals"]

    def match(page):
        p = page["properties"].get(prop)
        if p is None or p["type"] != kind:
            return False
        return (p["select"] or {}).get("name") == value if kind == "select" else p[kind] == value
    if prop not in NOTION_PAGES[0]["properties"]:
        return "Could not find property with name or id: %s" % prop
    return match


def notion_query(handler, database_id):
    if not handler.headers.get("Notion-Version"):
        return _notion_error(handler, 400, "missing_version",
                             "Notion-Version header failed validation: Notion-Version header "
                             "should be defined, instead was `undefined`.")
    if database_id.replace("-", "") != NOTION_DB:
        return _notion_error(handler, 404, "object_not_found",
                             "Could not find database with ID: %s. Make sure the relevant pages "
                             "and databases are shared with your integration." % database_id)
    if handler.body.strip() and not _is_json_request(handler):
        return _notion_error(handler, 400, "invalid_json", "Error parsing JSON body.")
    try:
        body = _json_body(handler)
    except ValueError:
        return _notion_error(handler, 400, "invalid_json", "Error parsing JSON body.")
    body = {} if not handler.body.strip() else body
    if not isinstance(body, dict):
        return _notion_error(handler, 400, "validation_error",
                             "body failed validation: body should be an object, instead was `%s`."
                             % json.dumps(body))
    for key in body:
        if key not in ("page_size", "start_cursor", "filter", "sorts"):
            return _notion_error(handler, 400, "validation_error",
                                 "body failed validation: body.%s should be not present, instead "
                                 "was `%s`." % (key, json.dumps(body[key])))
    size = body.get("page_size", 100)
    if _int(size) is None or isinstance(size, str) or not 1 <= size <= 100:
        return _notion_error(handler, 400, "validation_error",
                             "body failed validation: body.page_size should be a number between 1 "
                             "and 100, instead was `%s`." % json.dumps(size))
    rows = NOTION_PAGES
    if "filter" in body:
        match = _notion_filter(body["filter"])
        if isinstance(match, str):
            return _notion_error(handler, 400, "validation_error", match)
        rows = [page for page in rows if match(page)]
    start = 0
    if "start_cursor" in body:
        cursor = body["start_cursor"]
        if not isinstance(cursor, str):
            return _notion_error(handler, 400, "validation_error",
                                 "body failed validation: body.start_cursor should be a string or "
                                 "`undefined`, instead was `%s`." % json.dumps(cursor))
        ids = [page["id"] for page in rows]
        if cursor not in ids:
            return _notion_error(handler, 400, "validation_error",
                                 "start_cursor provided is invalid: %s" % cursor)
        start = ids.index(cursor)
    page = rows[start:start + size]
    more = start + size < len(rows)
    handler.send_json(200, {"object": "list", "results": page,
                            "next_cursor": rows[start + size]["id"] if more else None,
                            "has_more": more, "type": "page_or_database",
                            "page_or_database": {}, "request_id": _request_id()})


# ---- Google Analytics Data API (GA4) runReport ---------------------------------

GA4_DAYS = [date(2024, 1, 1) + timedelta(days=k) for k in range(91)]
GA4_COUNTRIES = ("France", "Germany", "Japan", "United States", "(not set)")
GA4_DEVICES = ("desktop", "mobile", "tablet")
GA4_METRICS = {"activeUsers": "TYPE_INTEGER", "sessions": "TYPE_INTEGER",
               "screenPageViews": "TYPE_INTEGER", "totalRevenue": "TYPE_CURRENCY"}
GA4_BODY_MEMBERS = ("dateRanges", "dimensions", "metrics", "limit", "offset",
                    "keepEmptyRows", "returnPropertyQuota", "metricAggregations",
                    "orderBys", "currencyCode")


def _ga4_facts():
    rng = random.Random(1302)
    facts = []
    for day in GA4_DAYS:
        for c, country in enumerate(GA4_COUNTRIES):
            for d, device in enumerate(GA4_DEVICES):
                users = rng.randrange(0, 40) * (3 - d) // (1 + (c == 4))
                sessions = users + rng.randrange(0, 1 + users // 2)
                facts.append(({"date": day.strftime("%Y%m%d"), "country": country,
                               "deviceCategory": device},
                              {"activeUsers": users, "sessions": sessions,
                               "screenPageViews": sessions * 3 + rng.randrange(0, 5),
                               "totalRevenue": rng.randrange(0, 500) * users}))
    return facts


GA4_FACTS = _ga4_facts()


def _ga4_error(handler, status, message):
    names = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}
    handler.send_json(status, {"error": {"code": status, "message": message,
                                         "status": names[status]}})


def _ga4_names(body, member, allowed, kind):
    """The names of body[member] ([{"name": ...}]), or a message why they are refused."""
    items = body.get(member, [])
    if not isinstance(items, list) or not all(isinstance(x, dict) and isinstance(x.get("name"), str)
                                              for x in items):
        return "Invalid JSON payload received. Invalid value at '%s'." % member
    for item in items:
        if item["name"] not in allowed:
            return ("Field %s is not a valid %s. For a list of valid dimensions and metrics, see "
                    "https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema"
                    % (item["name"], kind))
    return [item["name"] for item in items]


def _ga4_request(body):
    """(date range, dimensions, metrics, limit, offset) of a runReport body, or a message."""
    if not isinstance(body, dict):
        return "Invalid JSON payload received. Root element must be a message."
    for key in body:
        if key not in GA4_BODY_MEMBERS:
            return 'Invalid JSON payload received. Unknown name "%s": Cannot find field.' % key
    ranges = body.get("dateRanges")
    if not ranges:
        return "Must specify at least one date range."
    if (not isinstance(ranges, list) or len(ranges) != 1 or not isinstance(ranges[0], dict)):
        return "Invalid JSON payload received. Invalid value at 'date_ranges'."
    try:
        first = date.fromisoformat(ranges[0].get("startDate", ""))
        last = date.fromisoformat(ranges[0].get("endDate", ""))
    except (TypeError, ValueError):
        return ("Invalid dateRange: startDate and endDate must be YYYY-MM-DD, NdaysAgo, "
                "yesterday, or today.")
    if first > last:
        return "Invalid dateRange: the start date must not be after the end date."
    dims = _ga4_names(body, "dimensions", ("date", "country", "deviceCategory"), "dimension")
    if isinstance(dims, str):
        return dims
    metrics = _ga4_names(body, "metrics", GA4_METRICS, "metric")
    if isinstance(metrics, str):
        return metrics
    if not metrics:
        return "Must specify at least one metric."
    limit, offset = _int(body.get("limit", 10000)), _int(body.get("offset", 0))
    if limit is None or not 0 <= limit <= 250000:
        return "limit must be a positive integer less than or equal to 250000, got %s" % \
            json.dumps(body.get("limit"))
    if offset is None or offset < 0:
        return "offset must be a non-negative integer, got %s" % json.dumps(body.get("offset"))
    return (first, last), dims, metrics, limit or 10000, offset, bool(body.get("keepEmptyRows"))


def ga4_run_report(handler, property_id):
    if property_id != GA4_PROPERTY:
        return _ga4_error(handler, 403, "User does not have sufficient permissions for this "
                          "property. To learn more about Property ID, see https://developers."
                          "google.com/analytics/devguides/reporting/data/v1/property-id.")
    try:
        if not _is_json_request(handler):
            raise ValueError
        req = _ga4_request(_json_body(handler))
    except ValueError:
        req = "Invalid JSON payload received. Unexpected token."
    if isinstance(req, str):
        return _ga4_error(handler, 400, req)
    (first, last), dims, metrics, limit, offset, keep_empty = req
    low, high = first.strftime("%Y%m%d"), last.strftime("%Y%m%d")
    groups = {}
    for dvals, mvals in GA4_FACTS:
        if low <= dvals["date"] <= high:
            key = tuple(dvals[d] for d in dims)
            sums = groups.setdefault(key, dict.fromkeys(metrics, 0))
            for m in metrics:
                sums[m] += mvals[m]
    rows = [{"dimensionValues": [{"value": v} for v in key],
             "metricValues": [{"value": ("%.2f" % (sums[m] / 100)).rstrip("0").rstrip(".")
                               if m == "totalRevenue" else str(sums[m])} for m in metrics]}
            for key, sums in sorted(groups.items())
            if keep_empty or any(sums.values())]
    answer = {"dimensionHeaders": [{"name": d} for d in dims],
              "metricHeaders": [{"name": m, "type": GA4_METRICS[m]} for m in metrics]}
    if rows[offset:offset + limit]:
        answer["rows"] = rows[offset:offset + limit]
    if rows:
        answer["rowCount"] = len(rows)
    answer["metadata"] = {"currencyCode": "USD", "timeZone": "Etc/UTC"}
    answer["kind"] = "analyticsData#runReport"
    handler.send_json(200, answer)


# ---- QuickBooks Online query ----------------------------------------------

QBO_TIME = "2024-06-01T10:00:00.000-07:00"
QBO_CITIES = (("Mountain View", "94043"), ("Palo Alto", "94301"), ("Sunnyvale", "94086"),
              ("San Jose", "95113"))


def _qbo_customers():
    rng = random.Random(1303)
    rows = []
    for i in range(1, 124):
        given, family = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        city, zipcode = QBO_CITIES[i % 4]
        created = datetime(2023, 1, 2, 9, 0) + timedelta(days=2 * i, minutes=13 * i)
        balance = round(rng.randrange(0, 500000) / 100, 2) if i % 5 else 0
        row = {"Taxable": i % 3 != 0,
               "BillAddr": {"Id": str(1000 + i), "Line1": "%d Main St" % (10 * i),
                            "City": city, "CountrySubDivisionCode": "CA", "PostalCode": zipcode},
               "Job": False, "BillWithParent": False, "Balance": balance,
               "BalanceWithJobs": balance,
               "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
               "PreferredDeliveryMethod": "Print" if i % 2 else "Email",
               "domain": "QBO", "sparse": False, "Id": str(i), "SyncToken": str(i % 3),
               "MetaData": {"CreateTime": created.strftime("%Y-%m-%dT%H:%M:%S-08:00"),
                            "LastUpdatedTime": (created + timedelta(days=30))
                            .strftime("%Y-%m-%dT%H:%M:%S-08:00")},
               "GivenName": given, "FamilyName": family,
               "FullyQualifiedName": "%s %s %d" % (given, family, i),
               "DisplayName": "%s %s %d" % (given, family, i),
               "PrintOnCheckName": "%s %s" % (given, family),
               "Active": i % 11 != 0}
        if i % 4:
            row["PrimaryEmailAddr"] = {"Address": "customer%03d@example.com" % i}
        if i % 6 == 0:
            row["CompanyName"] = "%s Labs" % family
        rows.append(row)
    return rows


QBO_CUSTOMERS = _qbo_customers()
QBO_STATEMENT = re.compile(
    r"\s*select\s+(?P<what>\*|count\(\s*\*\s*\))\s+from\s+(?P<entity>\w+)"
    r"(?:\s+where\s+(?P<where>.+?))?"
    r"(?:\s+orderby\s+(?P<order>\w+)(?:\s+(?P<dir>asc|desc))?)?"
    r"(?:\s+startposition\s+(?P<start>[0-9]+))?"
    r"(?:\s+maxresults\s+(?P<max>[0-9]+))?\s*", re.IGNORECASE | re.DOTALL)
QBO_CONDITION = re.compile(
    r"\s*(?P<field>\w+)\s*(?P<op><=|>=|=|<|>|\blike\b)\s*"
    r"(?P<value>'(?:[^'\\]|\\.)*'|true|false|-?[0-9]+(?:\.[0-9]+)?)\s*", re.IGNORECASE)


def _qbo_fault(handler, status, message, detail, code, kind="ValidationFault"):
    handler.send_json(status, {"Fault": {"Error": [{"Message": message, "Detail": detail,
                                                    "code": code}], "type": kind},
                               "time": QBO_TIME})


def _qbo_value(row, field):
    value = row.get(field)
    if field in ("Id", "SyncToken"):
        return int(value)
    if field == "PrimaryEmailAddr":
        return None
    return value


def _qbo_where(text):
    """The conditions of a where clause as (field, op, value), or None if malformed."""
    conditions = []
    for part in re.split(r"\s+and\s+", text, flags=re.IGNORECASE):
        m = QBO_CONDITION.fullmatch(part)
        if not m:
            return None
        value = m.group("value")
        if value.startswith("'"):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        elif value.lower() in ("true", "false"):
            value = value.lower() == "true"
        else:
            value = float(value) if "." in value else int(value)
        conditions.append((m.group("field"), m.group("op").lower(), value))
    return conditions


def _qbo_match(row, conditions):
    for field, op, want in conditions:
        have = _qbo_value(row, field)
        if have is None:
            return False
        if isinstance(have, (int, float)) and not isinstance(have, bool) and isinstance(want, str):
            try:
                want = float(want)
            except ValueError:
                return False
        if op == "like":
            pattern = "".join(".*" if ch == "%" else re.escape(ch) for ch in str(want))
            if not re.fullmatch(pattern, str(have), re.IGNORECASE | re.DOTALL):
                return False
            continue
        try:
            ok = {"=": have == want, "<": have < want, ">": have > want,
                  "<=": have <= want, ">=": have >= want}[op]
        except TypeError:
            return False
        if not ok:
            return False
    return True


def qbo_query(handler, realm):
    if realm != QBO_REALM:
        return _qbo_fault(handler, 403, "message=ApplicationAuthorizationFailed; errorCode=003100;"
                          " statusCode=403", "", "003100", "AUTHENTICATION")
    text = handler.params.get("query", [""])[-1]
    m = QBO_STATEMENT.fullmatch(text)
    if not m:
        first = (text.split() or [""])[0]
        return _qbo_fault(handler, 400, "Error parsing query",
                          'QueryParserError: Encountered " <IDENTIFIER> "%s "" at line 1, '
                          'column 1.' % first[:40], "4000")
    entity = m.group("entity")
    if entity.lower() != "customer":
        return _qbo_fault(handler, 400, "Invalid query",
                          "QueryValidationError: Entity %s is not supported." % entity, "4001")
    conditions = _qbo_where(m.group("where")) if m.group("where") else []
    if conditions is None:
        return _qbo_fault(handler, 400, "Error parsing query",
                          "QueryParserError: Invalid content in the where clause: %s"
                          % m.group("where")[:60], "4000")
    for field in [c[0] for c in conditions] + ([m.group("order")] if m.group("order") else []):
        if field not in QBO_CUSTOMERS[0] and field not in ("PrimaryEmailAddr", "CompanyName"):
            return _qbo_fault(handler, 400, "Invalid query",
                              "QueryValidationError: property '%s' is not queryable" % field,
                              "4001")
    rows = [row for row in QBO_CUSTOMERS if _qbo_match(row, conditions)]
    if m.group("what") != "*":
        return handler.send_json(200, {"QueryResponse": {"totalCount": len(rows)},
                                       "time": QBO_TIME})
    if m.group("order"):
        field = m.group("order")
        rows.sort(key=lambda r: (_qbo_value(r, field) is None, _qbo_value(r, field) or 0),
                  reverse=(m.group("dir") or "").lower() == "desc")
    start = int(m.group("start") or 1)
    if start < 1:
        return _qbo_fault(handler, 400, "Invalid query",
                          "QueryValidationError: STARTPOSITION must be greater than 0", "4001")
    size = min(int(m.group("max") or 100), 1000)
    page = rows[start - 1:start - 1 + size]
    answer = {"Customer": page, "startPosition": start, "maxResults": len(page)} if page else {}
    handler.send_json(200, {"QueryResponse": answer, "time": QBO_TIME})


# ---- Stripe customers -------------------------------------------------------

STRIPE_PARAMS = ("limit", "starting_after", "ending_before", "created", "created[gt]",
                 "created[gte]", "created[lt]", "created[lte]", "email", "api_key")


def _stripe_customers():
    rng = random.Random(1304)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    rows = []
    for i in range(137):            # newest first
        rows.append({
            "id": "cus_" + "".join(rng.choice(alphabet) for _ in range(14)),
            "object": "customer", "address": None, "balance": 0 if i % 7 else -500,
            "created": 1700000000 - 86400 * i - 37 * i,
            "currency": "usd" if i % 3 else None, "default_source": None,
            "delinquent": i % 13 == 0, "description": None if i % 2 else "Customer %d" % i,
            "discount": None, "email": "%s@example.com" % _person(i).lower().replace(" ", "."),
            "invoice_prefix": "".join(rng.choice(alphabet[10:36]) for _ in range(8)),
            "invoice_settings": {"custom_fields": None, "default_payment_method": None,
                                 "footer": None, "rendering_options": None},
            "livemode": False, "metadata": {"tier": "gold"} if i % 5 == 0 else {},
            "name": _person(i), "next_invoice_sequence": 1 + i % 4, "phone": None,
            "preferred_locales": [], "shipping": None, "tax_exempt": "none",
            "test_clock": None})
    return rows


STRIPE_CUSTOMERS = _stripe_customers()


def _stripe_error(handler, status, message, param=None, code=None):
    error = {"message": message, "type": "invalid_request_error",
             "request_log_url": "https://dashboard.stripe.com/test/logs/req_%s"
             % _request_id()[-12:]}
    if param:
        error["param"] = param
    if code:
        error["code"] = code
        error["doc_url"] = "https://stripe.com/docs/error-codes/%s" % code.replace("_", "-")
    handler.send_json(status, {"error": error})


def stripe_customers(handler):
    params = handler.params
    for name in params:
        if name not in STRIPE_PARAMS:
            return _stripe_error(handler, 400, "Received unknown parameter: %s" % name, name,
                                 "parameter_unknown")
    one = {name: values[-1] for name, values in params.items()}
    limit = one.get("limit", "10")
    if not re.fullmatch(r"-?[0-9]{1,9}", limit):
        return _stripe_error(handler, 400, "Invalid integer: %s" % limit, "limit",
                             "parameter_invalid_integer")
    limit = int(limit)
    if not 1 <= limit <= 100:
        return _stripe_error(handler, 400, "This value must be %s." %
                             ("greater than or equal to 1" if limit < 1
                              else "less than or equal to 100"), "limit",
                             "parameter_invalid_integer")
    if "starting_after" in one and "ending_before" in one:
        return _stripe_error(handler, 400, "You may only specify one of these parameters: "
                             "ending_before, starting_after.")
    rows = STRIPE_CUSTOMERS
    for name in ("created", "created[gt]", "created[gte]", "created[lt]", "created[lte]"):
        if name in one:
            if not re.fullmatch(r"[0-9]{1,12}", one[name]):
                return _stripe_error(handler, 400, "Invalid integer: %s" % one[name], name,
                                     "parameter_invalid_integer")
            v = int(one[name])
            op = name[8:-1] or "eq"
            rows = [r for r in rows if {"eq": r["created"] == v, "gt": r["created"] > v,
                                        "gte": r["created"] >= v, "lt": r["created"] < v,
                                        "lte": r["created"] <= v}[op]]
    if "email" in one:
        rows = [r for r in rows if r["email"] == one["email"]]
    ids = [r["id"] for r in rows]
    for name in ("starting_after", "ending_before"):
        if name in one and one[name] not in [r["id"] for r in STRIPE_CUSTOMERS]:
            return _stripe_error(handler, 400, "No such customer: '%s'" % one[name], name,
                                 "resource_missing")
    if "starting_after" in one:
        after = one["starting_after"]
        start = ids.index(after) + 1 if after in ids else len(ids)
        page = rows[start:start + limit]
        more = start + limit < len(rows)
    elif "ending_before" in one:
        end = ids.index(one["ending_before"]) if one["ending_before"] in ids else 0
        page = rows[max(0, end - limit):end]
        more = end - limit > 0
    else:
        page, more = rows[:limit], limit < len(rows)
    handler.send_json(200, {"object": "list", "data": page, "has_more": more,
                            "url": "/v1/customers"})


# ---- Google Sheets values -----------------------------------------------------

SHEET_ROWS, SHEET_COLS = 1000, 26
SHEET_EPOCH = date(1899, 12, 30)        # day 0 of the serial numbers


def _members():
    """The Members sheet: (formatted, unformatted) cell values, None for an empty cell."""
    rng = random.Random(1305)
    cells = [[("id", "id"), ("name", "name"), ("joined", "joined"), ("score", "score"),
              ("note", "note")]]
    for i in range(1, 43):
        joined = date(2024, 1, 5) + timedelta(days=3 * (i - 1))
        score = None if i % 6 == 0 else rng.randrange(400, 1000) / 10
        whole = score is not None and score == int(score)
        note = "moved to team %s" % "ABC"[i % 3] if i % 5 == 0 else None
        cells.append([(str(i), i), (_person(i), _person(i)),
                      (joined.isoformat(), (joined - SHEET_EPOCH).days),
                      (None, None) if score is None else
                      ("%d" % score if whole else "%.1f" % score, int(score) if whole else score),
                      (note, note) if note else (None, None)])
    return cells


SHEETS = {"Members": _members(), "Empty": []}
A1_RANGE = re.compile(r"(?:(?P<sheet>'(?:[^']|'')+'|[A-Za-z][A-Za-z0-9_]*)?(?:!|$))?"
                      r"(?:(?P<c1>[A-Z]{1,2})(?P<r1>[0-9]*)"
                      r"(?::(?P<c2>[A-Z]{1,2})(?P<r2>[0-9]*))?)?")


def _col(letters):
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _letters(n):
    s = ""
    while n:
        n, k = divmod(n - 1, 26)
        s = chr(65 + k) + s
    return s


def _sheets_error(handler, status, message):
    _ga4_error(handler, status, message)


def _sheet_range(text):
    """(sheet name, first row, first column, last row, last column), 1-based, or None."""
    m = A1_RANGE.fullmatch(text)
    if m and "!" not in text and m.group("sheet") and not m.group("sheet").startswith("'") \
            and m.group("sheet") not in SHEETS:
        m = A1_RANGE.fullmatch("!" + text)      # "A1:B2" is cells of the first sheet
        m = m if m and m.group("c1") else None
    if not m or not text or (m.group("sheet") is None and m.group("c1") is None):
        return None
    sheet = m.group("sheet")
    if sheet and sheet.startswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    name = sheet or next(iter(SHEETS))
    if name not in SHEETS:
        return None
    if m.group("c1") is None:
        return name, 1, 1, SHEET_ROWS, SHEET_COLS
    if not m.group("r1") and not m.group("c2"):
        return None                             # a bare column: "A:A", not "A"
    c1, c2 = _col(m.group("c1")), _col(m.group("c2") or m.group("c1"))
    r1 = int(m.group("r1") or 1)
    r2 = int(m.group("r2") or (SHEET_ROWS if m.group("c2") or not m.group("r1") else r1))
    if not (1 <= r1 <= r2 <= SHEET_ROWS and 1 <= c1 <= c2 <= SHEET_COLS):
        return None
    return name, r1, c1, r2, c2


def sheets_values(handler, spreadsheet_id, range_text):
    params = {name: values[-1] for name, values in handler.params.items()}
    choices = {"majorDimension": ("ROWS", "COLUMNS"),
               "valueRenderOption": ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"),
               "dateTimeRenderOption": ("SERIAL_NUMBER", "FORMATTED_STRING")}
    for name, value in params.items():
        if name in ("key", "api_key"):
            continue
        if name not in choices:
            return _sheets_error(handler, 400, "Invalid JSON payload received. Unknown name "
                                 "\"%s\": Cannot bind query parameter. Field '%s' could not be "
                                 "found in request message." % (name, name))
        if value not in choices[name]:
            return _sheets_error(handler, 400, "Invalid value at '%s' (%s), \"%s\"" %
                                 (name, name, value))
    if spreadsheet_id != SHEET_ID:
        return _sheets_error(handler, 404, "Requested entity was not found.")
    parsed = _sheet_range(urllib.parse.unquote(range_text))
    if parsed is None:
        return _sheets_error(handler, 400, "Unable to parse range: %s" %
                             urllib.parse.unquote(range_text))
    name, r1, c1, r2, c2 = parsed
    unformatted = params.get("valueRenderOption") == "UNFORMATTED_VALUE"
    dates_as_text = params.get("dateTimeRenderOption") == "FORMATTED_STRING"
    grid = []
    for r, row in enumerate(SHEETS[name][r1 - 1:r2], start=r1):
        cells = []
        for c, (text, value) in enumerate(row[c1 - 1:c2], start=c1):
            if text is None:
                cells.append(None)
            elif unformatted and not (dates_as_text and c == 3 and r > 1):
                cells.append(value)
            else:
                cells.append(text)
        grid.append(cells)
    if params.get("majorDimension") == "COLUMNS":
        width = max((len(row) for row in grid), default=0)
        grid = [[row[k] if k < len(row) else None for row in grid] for k in range(width)]
    values = []
    for cells in grid:
        while cells and cells[-1] is None:      # trailing empty cells are omitted
            cells = cells[:-1]
        values.append(["" if v is None else v for v in cells])
    while values and not values[-1]:            # and trailing empty rows
        values.pop()
    quoted = name if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name) else "'%s'" % name
    answer = {"range": "%s!%s%d:%s%d" % (quoted, _letters(c1), r1, _letters(c2), r2),
              "majorDimension": params.get("majorDimension", "ROWS")}
    if values:
        answer["values"] = values
    handler.send_json(200, answer)


# ---- Xero invoices ------------------------------------------------------------

XERO_STATUSES = ("AUTHORISED", "PAID", "DRAFT", "SUBMITTED", "VOIDED")


def _xero_date(dt):
    return "/Date(%d+0000)/" % int(dt.replace(tzinfo=timezone.utc).timestamp() * 1000)


def _xero_invoices():
    rng = random.Random(1306)
    rows = []
    for i in range(1, 251):
        day = datetime(2023, 11, 14) + timedelta(days=i // 2)
        due = day + timedelta(days=30)
        updated = day + timedelta(days=1, hours=i % 24, minutes=i % 60, seconds=17)
        sub = rng.randrange(1000, 500000) / 100
        tax = round(sub * 0.15, 2)
        status = XERO_STATUSES[i % 5]
        paid = round(sub + tax, 2) if status == "PAID" else 0.0
        row = {"Type": "ACCREC" if i % 4 else "ACCPAY",
               "InvoiceID": _dashed(_hexid(rng)),
               "InvoiceNumber": "INV-%04d" % i,
               "Reference": "" if i % 3 else "PO-%d" % (5000 + i),
               "Payments": [], "CreditNotes": [], "Prepayments": [], "Overpayments": [],
               "AmountDue": round(sub + tax - paid, 2), "AmountPaid": paid,
               "AmountCredited": 0.0, "CurrencyRate": 1.0, "IsDiscounted": False,
               "HasAttachments": i % 9 == 0, "HasErrors": False,
               "Contact": {"ContactID": _dashed(_hexid(rng)), "Name": _person(i)},
               "DateString": day.strftime("%Y-%m-%dT00:00:00"), "Date": _xero_date(day),
               "DueDateString": due.strftime("%Y-%m-%dT00:00:00"), "DueDate": _xero_date(due),
               "Status": status, "LineAmountTypes": "Exclusive", "LineItems": [],
               "SubTotal": sub, "TotalTax": tax, "Total": round(sub + tax, 2),
               "UpdatedDateUTC": _xero_date(updated), "CurrencyCode": "NZD"}
        if status == "PAID":
            row["FullyPaidOnDate"] = _xero_date(day + timedelta(days=10))
        rows.append(row)
    return rows


XERO_INVOICES = _xero_invoices()


def _xero_error(handler, status, message):
    handler.send_json(status, {"ErrorNumber": 10, "Type": "ValidationException",
                               "Message": message})


def xero_invoices(handler):
    if not handler.headers.get("Xero-tenant-id"):
        return handler.send_json(403, {"Type": None, "Title": "Forbidden", "Status": 403,
                                       "Detail": "AuthenticationUnsuccessful",
                                       "Instance": _request_id(), "Extensions": {}})
    params = {name: values[-1] for name, values in handler.params.items()}
    rows = XERO_INVOICES
    if "Statuses" in params:
        wanted = params["Statuses"].split(",")
        rows = [r for r in rows if r["Status"] in wanted]
    answer = {"Id": _request_id(), "Status": "OK", "ProviderName": "rest_fdw tests",
              "DateTimeUTC": "/Date(1717236000000)/"}
    if "page" in params:
        if not re.fullmatch(r"[0-9]{1,6}", params["page"]) or int(params["page"]) < 1:
            return _xero_error(handler, 400, "A validation exception occurred: page must be a "
                               "positive integer")
        size = params.get("pageSize", "100")
        if not re.fullmatch(r"[0-9]{1,4}", size) or not 1 <= int(size) <= 1000:
            return _xero_error(handler, 400, "A validation exception occurred: pageSize must be "
                               "between 1 and 1000")
        page, size = int(params["page"]), int(size)
        answer["pagination"] = {"page": page, "pageSize": size,
                                "pageCount": -(-len(rows) // size), "itemCount": len(rows)}
        rows = rows[(page - 1) * size:page * size]
    answer["Invoices"] = rows
    if "application/json" not in handler.headers.get("Accept", ""):
        xml = "<Response><Id>%s</Id><Status>OK</Status><Invoices>%s</Invoices></Response>" % (
            answer["Id"], "".join("<Invoice><InvoiceNumber>%s</InvoiceNumber></Invoice>"
                                  % r["InvoiceNumber"] for r in rows))
        return handler.send(200, xml.encode("utf-8"), "text/xml; charset=utf-8")
    handler.send_json(200, answer)


# ---- ServiceNow Table API: incident ---------------------------------------------

SN_INSTANCE = "https://dev00000.service-now.com"
SN_FIELDS = ("sys_id", "number", "short_description", "priority", "state", "active",
             "opened_at", "resolved_at", "reassignment_count", "business_duration",
             "u_estimate", "assigned_to", "caller_id", "sys_updated_on")


def _sn_incidents():
    rng = random.Random(1307)
    users = [_hexid(rng) for _ in range(6)]
    rows = []
    for i in range(1, 74):
        opened = datetime(2024, 1, 5, 8, 0) + timedelta(hours=9 * i, minutes=7 * i)
        resolved = opened + timedelta(hours=3 + i % 20) if i % 3 == 0 else None
        state = "6" if resolved else str(1 + i % 3)
        assignee = users[i % 6] if i % 4 else ""
        rows.append({
            "sys_id": _hexid(rng), "number": "INC%07d" % (10000 + i),
            "short_description": "Incident %d: %s" % (i, ("VPN down", "Email bounce",
                                                          "Printer jam", "Disk full")[i % 4]),
            "priority": str(1 + i % 5), "state": state,
            "active": "false" if resolved else "true",
            "opened_at": opened.strftime("%Y-%m-%d %H:%M:%S"),
            "resolved_at": resolved.strftime("%Y-%m-%d %H:%M:%S") if resolved else "",
            "reassignment_count": str(i % 4) if i % 7 else "",
            "business_duration": ("1970-01-01 %02d:%02d:00" % (3 + i % 20, i % 60)
                                  if resolved else ""),
            "u_estimate": "%.1f" % (i / 2) if i % 5 else "",
            "assigned_to": assignee,
            "caller_id": users[(i + 3) % 6],
            "sys_updated_on": (opened + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")})
    return rows


SN_INCIDENTS = _sn_incidents()


def _sn_error(handler, status, message, detail=None):
    handler.send_json(status, {"error": {"message": message, "detail": detail},
                               "status": "failure"})


def _sn_reference(value, table, exclude_link):
    if value == "" or exclude_link:
        return value
    return {"link": "%s/api/now/table/%s/%s" % (SN_INSTANCE, table, value), "value": value}


def _sn_query(text, rows):
    """rows filtered and sorted by an encoded query, or a message."""
    for part in text.split("^") if text else []:
        if part.startswith("ORDERBYDESC") or part.startswith("ORDERBY"):
            desc = part.startswith("ORDERBYDESC")
            field = part[len("ORDERBYDESC" if desc else "ORDERBY"):]
            if field not in SN_FIELDS:
                return "Invalid field in ORDERBY: %s" % field
            rows = sorted(rows, key=lambda r: r[field], reverse=desc)
            continue
        m = re.fullmatch(r"(\w+)(=|!=)(.*)", part, re.DOTALL)
        if not m or m.group(1) not in SN_FIELDS:
            continue            # ServiceNow ignores conditions it cannot use
        field, op, value = m.groups()
        rows = [r for r in rows if (r[field] == value) == (op == "=")]
    return rows


def servicenow_table(handler):
    params = {name: values[-1] for name, values in handler.params.items()}
    for name in ("sysparm_limit", "sysparm_offset"):
        if name in params and not re.fullmatch(r"[0-9]{1,9}", params[name]):
            return _sn_error(handler, 400, "Invalid value for %s: %s" % (name, params[name]))
    if params.get("sysparm_display_value", "false") not in ("false", "true", "all"):
        return _sn_error(handler, 400, "Invalid value for sysparm_display_value")
    limit = int(params.get("sysparm_limit", "10000"))
    offset = int(params.get("sysparm_offset", "0"))
    rows = _sn_query(params.get("sysparm_query", ""), SN_INCIDENTS)
    if isinstance(rows, str):
        return _sn_error(handler, 400, rows)
    fields = [f for f in params.get("sysparm_fields", "").split(",") if f] or list(SN_FIELDS)
    exclude = params.get("sysparm_exclude_reference_link", "false") == "true"
    result = []
    for row in rows[offset:offset + limit] if limit else []:
        out = {}
        for f in fields:
            value = row.get(f, "")
            if f in ("assigned_to", "caller_id"):
                value = _sn_reference(value, "sys_user", exclude)
            out[f] = value
        result.append(out)
    headers = [("X-Total-Count", str(len(rows)))]
    if limit and len(rows) > limit:
        links = []

        def link(rel, off):
            query = with_param(with_param(handler.query, "sysparm_offset", off),
                               "sysparm_limit", limit)
            links.append('<%s>;rel="%s"' % (_own_url(handler, handler.bare_path, query), rel))
        link("first", 0)
        if offset > 0:
            link("prev", max(0, offset - limit))
        if offset + limit < len(rows):
            link("next", offset + limit)
        link("last", (len(rows) - 1) // limit * limit)
        headers.append(("Link", ",".join(links)))
    handler.send(200, json.dumps({"result": result}).encode("utf-8"), JSON_TYPE, headers)
