#!/usr/bin/env python3
"""Data server of the rest_fdw benchmark (Python standard library only).

Serves the benchmark's rows (test/bench/rows.py) from 127.0.0.1 for the
paged scenarios, with injected latency, and a minimal OAuth 2.0 token
endpoint; counts what the wrapper does to it.  Threaded, HTTP/1.1 keep-alive
with Content-Length, TCP_NODELAY, page bodies cached, so that it is not the
bottleneck (the large single body is served by nginx).

  GET  /rows?offset=O&limit=L&total=T[&delay_ms=D]
       {"total": T, "items": [rows O+1 .. min(O+L, T)]}, after D ms
  GET  /secure/rows?...          the same, needs "Authorization: Bearer <token>"
  POST /oauth/token              refresh_token grant (client id and secret by
                                 HTTP Basic or in the body); expires_in 3600
  GET  /_admin/stats             one text line:
       requests=N token_requests=N connections=N token_connections=N
       accepted=N unauthorized=N
       (requests: data requests; connections: TCP connections to the first
       port that carried a data or token request; token_connections: the
       same on the second port; accepted: every TCP connection accepted)
  GET  /_admin/reset             zero the counters

Every path is served on two free ports of 127.0.0.1; the benchmark uses the
second one for the token endpoint only, another origin as in real life.

Usage: data_server.py PORTFILE   (writes "PORT TOKEN_PORT" to PORTFILE; the client's credentials come from the environment:
BENCH_CLIENT_ID, BENCH_CLIENT_SECRET, BENCH_REFRESH_TOKEN)
"""
import base64
import hmac
import os
import secrets
import socket
import sys
import threading
import time
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit, unquote_plus

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rows  # noqa: E402

CLIENT_ID = os.environ["BENCH_CLIENT_ID"]
CLIENT_SECRET = os.environ["BENCH_CLIENT_SECRET"]
REFRESH_TOKEN = os.environ["BENCH_REFRESH_TOKEN"]

lock = threading.Lock()
counters = dict(requests=0, token_requests=0, connections=0, token_connections=0,
                accepted=0, unauthorized=0)
tokens = set()

CACHE_LIMIT = 768 << 20
cache = OrderedDict()
cache_bytes = 0


def count(name, n=1):
    with lock:
        counters[name] += n


def page_body(offset, limit, total):
    global cache_bytes
    key = (offset, limit, total)
    with lock:
        body = cache.get(key)
        if body is not None:
            cache.move_to_end(key)
            return body
    first, last = offset + 1, min(offset + limit, total)
    items = rows.rows_json(first, last) if first <= last else b"[]"
    body = b'{"total":%d,"items":%s}' % (total, items)
    with lock:
        if key not in cache:
            cache[key] = body
            cache_bytes += len(body)
            while cache_bytes > CACHE_LIMIT:
                _, old = cache.popitem(last=False)
                cache_bytes -= len(old)
    return body


class Server(ThreadingHTTPServer):
    daemon_threads = True
    is_token_server = False
    request_queue_size = 256
    allow_reuse_address = True

    def get_request(self):
        conn, addr = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        count("accepted")
        return conn, addr


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    counted = False

    def log_message(self, format, *args):
        pass

    def send(self, status, body, ctype="application/json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for h, v in headers:
            self.send_header(h, v)
        self.end_headers()
        self.wfile.write(body)

    def count_connection(self):
        if not self.counted:
            self.counted = True
            count("token_connections" if self.server.is_token_server else "connections")

    def do_GET(self):
        url = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if url.path == "/_admin/stats":
            with lock:
                line = " ".join("%s=%d" % kv for kv in counters.items())
            return self.send(200, (line + "\n").encode(), "text/plain")
        if url.path == "/_admin/reset":
            with lock:
                for k in counters:
                    counters[k] = 0
            self.counted = True     # this connection is the admin's
            return self.send(200, b"reset\n", "text/plain")
        self.count_connection()
        if url.path == "/secure/rows":
            auth = self.headers.get("Authorization", "")
            if not (auth.startswith("Bearer ") and auth[7:] in tokens):
                count("unauthorized")
                return self.send(401, b'{"error":"invalid_token"}',
                                 headers=[("WWW-Authenticate", 'Bearer error="invalid_token"')])
        elif url.path != "/rows":
            return self.send(404, b'{"error":"not found"}')
        count("requests")
        try:
            offset = int(q.get("offset", 0))
            limit = int(q.get("limit", 100))
            total = int(q.get("total", 100))
            delay = float(q.get("delay_ms", 0)) / 1000.0
        except ValueError:
            return self.send(400, b'{"error":"bad parameter"}')
        if offset < 0 or limit < 0 or total < 0:
            return self.send(400, b'{"error":"bad parameter"}')
        body = page_body(offset, limit, total)
        if delay > 0:
            time.sleep(delay)
        self.send(200, body)

    def do_POST(self):
        self.count_connection()
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        if urlsplit(self.path).path != "/oauth/token":
            return self.send(404, b'{"error":"not found"}')
        count("token_requests")
        form = {}
        for part in raw.split("&"):
            if "=" in part:
                k, v = part.split("=", 1)
                form[unquote_plus(k)] = unquote_plus(v)
        cid, csecret = form.get("client_id"), form.get("client_secret")
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                cid, csecret = [unquote_plus(x) for x in
                                base64.b64decode(auth[6:]).decode().split(":", 1)]
            except Exception:
                return self.send(401, b'{"error":"invalid_client"}')
        if cid != CLIENT_ID or not hmac.compare_digest(csecret or "", CLIENT_SECRET):
            return self.send(401, b'{"error":"invalid_client"}')
        if form.get("grant_type") != "refresh_token" or \
                not hmac.compare_digest(form.get("refresh_token", ""), REFRESH_TOKEN):
            return self.send(400, b'{"error":"invalid_grant"}')
        token = "bench-" + secrets.token_hex(16)
        with lock:
            tokens.add(token)
        self.send(200, ('{"access_token":"%s","token_type":"Bearer","expires_in":3600}'
                        % token).encode(), headers=[("Cache-Control", "no-store")])


def main():
    server = Server(("127.0.0.1", 0), Handler)
    token_server = Server(("127.0.0.1", 0), Handler)
    token_server.is_token_server = True
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write("%d %d\n" % (server.server_address[1], token_server.server_address[1]))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    threading.Thread(target=token_server.serve_forever, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
