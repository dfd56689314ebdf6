"""
Response bodies that are not JSON, for sql/formats.sql, under
{auth}/fmt/NAME (GET).

  /fmt/ndjson        people as NDJSON (application/x-ndjson), with a blank
                     line and \\r\\n line ends; ?active=true|false filters,
                     ?offset=N&limit=N pages
  /fmt/ndjson_octet  the same rows as application/octet-stream (auto fails,
                     response_format 'ndjson' reads it)
  /fmt/csv           people as CSV (text/csv) with a header; ?active=,
                     ?page=N&per_page=N pages (1-based), ?sep=; uses ";"
  /fmt/csv_noheader  the same without the header record
  /fmt/xml           people as an Atom-like feed (application/atom+xml) with
                     namespaces, attributes, nested and repeated elements;
                     ?active= filters, ?page=N (2 a page) pages, and
                     <next> holds the next page's URL while there is one
  /fmt/xml_one       a feed of one entry
  /fmt/xml_latin1    an ISO-8859-1 document that says so
  /fmt/wide          ?rows=N records of 20 empty fields under 40-character
                     names: small as CSV, large as JSON
  /fmt/bad/NAME      hostile or broken bodies (BAD below)
"""

from .common import JSON_TYPE

PEOPLE = [
    {"id": 1, "name": "Ada Lovelace", "score": 9.5, "active": True,
     "joined": "2023-11-14", "city": "London"},
    {"id": 2, "name": "Grace \"Amazing\" Hopper", "score": 8.25, "active": False,
     "joined": "2024-02-01", "city": "New York, NY"},
    {"id": 3, "name": "  Edsger Dijkstra  ", "score": None, "active": True,
     "joined": "2022-05-11", "city": "Nuenen\nNL"},
    {"id": 4, "name": "Barbara Liskov", "score": 10, "active": True,
     "joined": "", "city": "Boston"},
    {"id": 5, "name": "Dennis Ritchie", "score": 7, "active": False,
     "joined": "2021-09-09", "city": "Murray Hill"},
]

NDJSON_TYPE = "application/x-ndjson"
CSV_TYPE = "text/csv; charset=utf-8"

BAD = {
    # NDJSON: line 3 is no JSON value
    "ndjson_line": (NDJSON_TYPE, b'{"id": 1}\n{"id": 2}\n{"id": 3,,}\n{"id": 4}\n'),
    # NDJSON cut off in the middle of its last line
    "ndjson_truncated": (NDJSON_TYPE, b'{"id": 1}\n{"id": 2, "name": "Gra'),
    # NDJSON, line 2 with a Latin-1 byte
    "ndjson_latin1": (NDJSON_TYPE, b'{"id": 1}\n{"id": 2, "name": "Jos\xe9"}\n'),
    # two values on one line
    "ndjson_two": (NDJSON_TYPE, b'{"id": 1} {"id": 2}\n'),
    # CSV: a quote inside an unquoted field (record 3)
    "csv_quote": (CSV_TYPE, b'id,name\n1,Ada\n2,Gr"ace\n3,Bob\n'),
    # CSV: text after a closing quote
    "csv_after_quote": (CSV_TYPE, b'id,name\n1,"Ada"x\n'),
    # CSV: record 3 has three fields
    "csv_ragged": (CSV_TYPE, b'id,name\n1,Ada\n2,Grace,extra\n'),
    # CSV: cut off inside a quoted field
    "csv_truncated": (CSV_TYPE, b'id,name\n1,Ada\n2,"Gra'),
    # CSV in Latin-1
    "csv_latin1": (CSV_TYPE, b'id,name\n1,Jos\xe9\n'),
    # CSV: a header naming a field twice
    "csv_dup": (CSV_TYPE, b'id,name,id\n1,Ada,2\n'),
    # CSV: only a header
    "csv_empty": (CSV_TYPE, b'id,name\n'),
    # XML: billion laughs, an external entity, a DTD from the network
    "xml_lol": ("application/xml", b'''<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rows><row><id>&lol9;</id></row></rows>
'''),
    "xml_xxe": ("application/xml", b'''<?xml version="1.0"?>
<!DOCTYPE rows [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rows><row><id>1</id><name>&xxe;</name></row></rows>
'''),
    "xml_dtd": ("application/xml", b'''<?xml version="1.0"?>
<!DOCTYPE rows SYSTEM "http://127.0.0.1:9/evil.dtd">
<rows><row><id>1</id></row></rows>
'''),
    # an undeclared entity, outside any DTD
    "xml_entity": ("application/xml", b'<rows><row><id>&nope;</id></row></rows>'),
    # 100 levels deep
    "xml_deep": ("application/xml", b"<a>" * 100 + b"x" + b"</a>" * 100),
    # cut off
    "xml_truncated": ("application/xml", b'<rows><row><id>1</id></row><row><id>2'),
    # says UTF-8, holds Latin-1
    "xml_badutf8": ("application/xml", b'<?xml version="1.0" encoding="UTF-8"?><rows><row><name>Jos\xe9</name></row></rows>'),
    # an encoding libxml2 does not know
    "xml_badenc": ("application/xml", b'<?xml version="1.0" encoding="x-no-such"?><rows><row><id>1</id></row></rows>'),
    # a PDF, say
    "octet": ("application/octet-stream", b'%PDF-1.4 not rows'),
}


def _selected(handler):
    rows = PEOPLE
    active = handler.params.get("active")
    if active:
        want = active[0] == "true"
        rows = [p for p in rows if p["active"] == want]
    return rows


def _int(handler, name, default):
    v = handler.params.get(name)
    return int(v[0]) if v else default


def _ndjson(rows):
    import json
    lines = [json.dumps(r) for r in rows]
    if len(lines) > 1:
        lines.insert(1, "   ")          # a blank line is skipped
    return ("\r\n".join(lines) + "\r\n").encode()


def _csv_field(v, sep):
    if v is None:
        return ""
    if v is True or v is False:
        v = "true" if v else "false"
    s = str(v)
    if any(c in s for c in (sep, '"', "\n", "\r")) or s != s.strip():
        s = '"' + s.replace('"', '""') + '"'
    return s


def _csv(rows, header, sep=","):
    names = ["id", "name", "score", "active", "joined", "city"]
    out = []
    if header:
        out.append(sep.join(names))
    for r in rows:
        out.append(sep.join(_csv_field(r[n], sep) for n in names))
    return ("\r\n".join(out) + "\r\n").encode()


def _esc(v):
    return (str(v).replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;"))


def _xml(rows, next_url):
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<!-- people -->',
           '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:p="urn:people" total="%d">'
           % len(PEOPLE)]
    if next_url:
        out.append("  <next>%s</next>" % _esc(next_url))
    for r in rows:
        score = "" if r["score"] is None else r["score"]
        out.append('  <entry id="%d" active="%s">' % (r["id"], "true" if r["active"] else "false"))
        out.append("    <p:name>%s</p:name>" % _esc(r["name"]))
        out.append("    <score>%s</score>" % score)
        out.append("    <joined>%s</joined>" % r["joined"] if r["joined"] else "    <joined/>")
        out.append('    <address kind="home"><city>%s</city></address>' % _esc(r["city"]))
        out.append("    <tag>t%d</tag><tag>all</tag>" % r["id"])
        out.append("    <note>hi <b>there</b></note>" if r["id"] == 1 else "")
        out.append("    <![CDATA[<raw>]]>" if r["id"] == 2 else "")
        out.append("  </entry>")
    out.append("</feed>")
    return ("\n".join(out) + "\n").encode()


def serve(handler, name):
    if name in ("ndjson", "ndjson_octet"):
        rows = _selected(handler)
        offset = _int(handler, "offset", 0)
        limit = _int(handler, "limit", len(rows))
        body = _ndjson(rows[offset:offset + limit])
        handler.send(200, body, NDJSON_TYPE if name == "ndjson"
                     else "application/octet-stream")
        return
    if name in ("csv", "csv_noheader"):
        rows = _selected(handler)
        per_page = _int(handler, "per_page", len(rows) or 1)
        page = _int(handler, "page", 1)
        rows = rows[(page - 1) * per_page:page * per_page]
        sep = handler.params.get("sep", [","])[0]
        handler.send(200, _csv(rows, name == "csv", sep), CSV_TYPE)
        return
    if name in ("xml", "xml_one"):
        rows = _selected(handler) if name == "xml" else PEOPLE[:1]
        page = _int(handler, "page", 1)
        more = name == "xml" and page * 2 < len(rows)
        rows = rows[(page - 1) * 2:page * 2] if name == "xml" else rows
        handler.send(200, _xml(rows, more and "/open/fmt/xml?page=%d" % (page + 1)
                               + "".join("&active=" + a for a in handler.params.get("active", []))),
                     "application/atom+xml")
        return
    if name == "xml_latin1":
        body = ('<?xml version="1.0" encoding="ISO-8859-1"?>\n'
                '<people><person id="7"><name>Jos\xe9 Mar\xeda</name></person></people>\n')
        handler.send(200, body.encode("latin-1"), "text/xml")
        return
    if name == "wide":
        names = ",".join("column_with_a_rather_long_name_number_%02d" % i
                         for i in range(20))
        body = (names + "\r\n" + ("," * 19 + "\r\n") * _int(handler, "rows", 1))
        handler.send(200, body.encode(), CSV_TYPE)
        return
    handler.send(404, b'{"error": "not_found"}', JSON_TYPE)


def bad(handler, name):
    if name not in BAD:
        handler.send(404, b'{"error": "not_found"}', JSON_TYPE)
        return
    ctype, body = BAD[name]
    handler.send(200, body, ctype)
