"""
Row and value shapes of real APIs for sql/rows.sql, under {auth}/rows/
(GET).  Each body follows the public documentation of the API it is named
after, cut down to a few rows.

  /rows/sheets        Google Sheets values.get: {"range", "majorDimension",
                      "values": [[header...], [row...], ...]} (strings)
  /rows/sheets_grid   Sheets spreadsheets.get with grid data: rows under
                      sheets[0].data[0].rowData, cells in values[i]
  /rows/ga4           Analytics Data API runReport: dimensionHeaders,
                      metricHeaders, rows of dimensionValues/metricValues;
                      ?empty=1: no "rows" member at all, as GA4 answers
  /rows/quickbooks    QuickBooks Online query: QueryResponse.Customer, or,
                      past the last customer (?startposition=N), an empty
                      QueryResponse without the Customer member
  /rows/xero          Xero Invoices: Microsoft JSON dates, with and without
                      their offset, escaped as \\/Date(...)\\/
  /rows/servicenow    ServiceNow Table API: every empty value is ""
  /rows/events        Stripe-like events with epoch seconds (created), epoch
                      milliseconds and a day/month/year text date; filtered
                      by created[gte] (seconds) as Stripe does
  /rows/null_rows     {"rows": null}
  /rows/number_rows   {"rows": 5}
"""

import json

from .common import JSON_TYPE

SHEETS = {
    "range": "Sheet1!A1:D4",
    "majorDimension": "ROWS",
    "values": [
        ["Id", "Full name", "Joined", "Score\"); DROP TABLE students;--"],
        ["1", "Ada Lovelace", "14/11/2023 22:13", "9.5"],
        ["2", "Grace Hopper", "01/02/2024 08:05", ""],
        ["3", "Robert'); DROP TABLE students;--", "", "7"],
    ],
}

SHEETS_GRID = {
    "spreadsheetId": "abc",
    "sheets": [{
        "properties": {"title": "Sheet1"},
        "data": [{
            "startRow": 0,
            "rowData": [
                {"values": [{"formattedValue": "1"}, {"formattedValue": "Ada"}]},
                {"values": [{"formattedValue": "2"}, {"formattedValue": "Grace"}]},
            ],
        }],
    }],
}

GA4 = {
    "dimensionHeaders": [{"name": "country"}, {"name": "date"}],
    "metricHeaders": [{"name": "activeUsers", "type": "TYPE_INTEGER"},
                      {"name": "bounceRate", "type": "TYPE_FLOAT"}],
    "rows": [
        {"dimensionValues": [{"value": "Japan"}, {"value": "20231114"}],
         "metricValues": [{"value": "1021"}, {"value": "0.25"}]},
        {"dimensionValues": [{"value": "France"}, {"value": "20231114"}],
         "metricValues": [{"value": "87"}, {"value": "0.5"}]},
    ],
    "rowCount": 2,
    "metadata": {"currencyCode": "USD", "timeZone": "UTC"},
    "kind": "analyticsData#runReport",
}

GA4_EMPTY = {k: v for k, v in GA4.items() if k not in ("rows", "rowCount")}

CUSTOMERS = [
    {"Id": "1", "DisplayName": "Amy's Bird Sanctuary", "Balance": 239.0,
     "MetaData": {"CreateTime": "2023-11-14T14:13:20-08:00"}},
    {"Id": "2", "DisplayName": "Bill's Windsurf Shop", "Balance": 85.0,
     "MetaData": {"CreateTime": "2023-11-15T09:00:00-08:00"}},
    {"Id": "3", "DisplayName": "Cool Cars", "Balance": 0,
     "MetaData": {"CreateTime": "2023-11-16T10:30:00-08:00"}},
]

XERO = (b'{"Id":"1f9c","Status":"OK","Invoices":['
        b'{"InvoiceID":"a1","Date":"\\/Date(1700000000000+0000)\\/",'
        b'"DueDate":"\\/Date(1700611200000+1300)\\/",'
        b'"UpdatedDateUTC":"\\/Date(1700000000123)\\/"},'
        b'{"InvoiceID":"a2","Date":"\\/Date(-86400000)\\/","DueDate":null,'
        b'"UpdatedDateUTC":"\\/Date(0-0130)\\/"}]}')

SERVICENOW = {"result": [
    {"sys_id": "9d38", "number": "INC0010001", "opened_at": "2023-11-14 22:13:20",
     "closed_at": "", "priority": "1", "reassignment_count": "", "active": "true",
     "u_score": "", "u_due": "", "u_tags": "", "short_description": ""},
    {"sys_id": "9d39", "number": "INC0010002", "opened_at": "2023-11-15 08:00:00",
     "closed_at": "2023-11-16 09:30:00", "priority": "", "reassignment_count": "2",
     "active": "", "u_score": "1.5", "u_due": "2023-12-01", "u_tags": "", "short_description": "Printer"},
]}

EVENTS = [
    {"id": "evt_1", "created": 1700000000, "created_ms": 1700000000123,
     "day": "14/11/2023 22:13", "at": 1700000000.25,
     "stamp": "Nov 14 2023 10:13:20.5 PM +0130"},
    {"id": "evt_2", "created": 1700086400, "created_ms": 1700086400000,
     "day": "15/11/2023 22:13", "at": "1700086400",
     "stamp": "dec 01 2023 12:00:00.000001 am Z"},
    {"id": "evt_3", "created": 1700172800, "created_ms": 1700172800999,
     "day": "16/11/2023 22:13", "at": -1.5,
     "stamp": "Feb 29 2024 12:59:59.25 PM -08:00"},
]


def sheets(handler):
    handler.send_json(200, SHEETS)


def sheets_grid(handler):
    handler.send_json(200, SHEETS_GRID)


def ga4(handler):
    handler.send_json(200, GA4_EMPTY if handler.params.get("empty") else GA4)


def quickbooks(handler):
    start = int(handler.params.get("startposition", ["1"])[0])
    size = int(handler.params.get("maxresults", ["2"])[0])
    page = CUSTOMERS[start - 1:start - 1 + size]
    body = {"QueryResponse": {}, "time": "2023-11-14T14:13:20.000-08:00"}
    if page:
        body["QueryResponse"] = {"Customer": page, "startPosition": start,
                                 "maxResults": len(page)}
    handler.send_json(200, body)


def xero(handler):
    handler.send(200, XERO, JSON_TYPE)


def servicenow(handler):
    handler.send_json(200, SERVICENOW)


def events(handler):
    gte = handler.params.get("created[gte]")
    rows = EVENTS
    if gte:
        rows = [e for e in EVENTS if e["created"] >= float(gte[0])]
    handler.send_json(200, {"object": "list", "data": rows, "has_more": False})


def null_rows(handler):
    handler.send(200, b'{"rows": null, "total": 0}', JSON_TYPE)


def number_rows(handler):
    handler.send(200, json.dumps({"rows": 5}).encode(), JSON_TYPE)
