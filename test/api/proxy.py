"""
A small HTTP proxy for the transport tests (sql/transport.sql): CONNECT
tunnels for https:// requests, absolute-URI forwarding for http:// ones,
and, when a login is configured, Proxy-Authorization Basic required.

It forwards only to 127.0.0.1 (the test API's listeners).  Its own
requests in origin form are its admin endpoints:

  /_proxy/stats   {"connects": N, "forwards": N, "denied": N}
  /_proxy/reset   forget the counters

The login is read from the environment, REST_TEST_PROXY_USER and
REST_TEST_PROXY_PASSWORD; without them, no login is asked for.  Nothing
is logged: not the requests' headers (the proxy login), nor their bodies.
"""

import base64
import json
import os
import select
import socket
import socketserver
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATS_LOCK = threading.Lock()
STATS = {"connects": 0, "forwards": 0, "denied": 0}


def count(name):
    with STATS_LOCK:
        STATS[name] += 1


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "rest_fdw-test-proxy/1.0"
    timeout = 60
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        pass

    def reply(self, status, doc, extra=()):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def authorized(self):
        """Does the request carry the configured login (or is none configured)?"""
        user = os.environ.get("REST_TEST_PROXY_USER")
        password = os.environ.get("REST_TEST_PROXY_PASSWORD")
        if not user:
            return True
        want = "Basic " + base64.b64encode(("%s:%s" % (user, password or "")).encode()).decode()
        if self.headers.get("Proxy-Authorization", "") == want:
            return True
        count("denied")
        self.close_connection = True
        self.reply(407, {"error": "proxy authentication required"},
                   [("Proxy-Authenticate", 'Basic realm="rest_fdw test proxy"'),
                    ("Connection", "close")])
        return False

    # ---- CONNECT: a tunnel (https://) -----------------------------------

    def do_CONNECT(self):
        if not self.authorized():
            return
        host, _, port = self.path.rpartition(":")
        if host not in ("127.0.0.1", "localhost") or not port.isdigit():
            self.close_connection = True
            self.reply(403, {"error": "destination not allowed"}, [("Connection", "close")])
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
        except OSError:
            self.close_connection = True
            self.reply(502, {"error": "cannot connect"}, [("Connection", "close")])
            return
        count("connects")
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        pump(self.connection, upstream)

    # ---- absolute URIs: forwarding (http://), or the admin endpoints ----

    def forward(self):
        if self.path.startswith("/"):
            return self.admin()
        if not self.authorized():
            return
        url = urllib.parse.urlsplit(self.path)
        if url.scheme != "http" or url.hostname not in ("127.0.0.1", "localhost"):
            self.close_connection = True
            self.reply(403, {"error": "destination not allowed"}, [("Connection", "close")])
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        target = url.path or "/"
        if url.query:
            target += "?" + url.query
        head = ["%s %s HTTP/1.1" % (self.command, target)]
        for name, value in self.headers.items():
            if name.lower() in ("proxy-authorization", "proxy-connection", "connection",
                                "keep-alive"):
                continue
            head.append("%s: %s" % (name, value))
        head.append("Connection: close")
        try:
            upstream = socket.create_connection(("127.0.0.1", url.port or 80), timeout=10)
        except OSError:
            self.close_connection = True
            self.reply(502, {"error": "cannot connect"}, [("Connection", "close")])
            return
        count("forwards")
        upstream.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        # the response, as it comes, until the server closes
        self.close_connection = True
        try:
            while True:
                chunk = upstream.recv(65536)
                if not chunk:
                    break
                self.wfile.write(chunk)
        finally:
            upstream.close()

    do_GET = forward
    do_POST = forward

    def admin(self):
        path = urllib.parse.urlsplit(self.path).path
        if path == "/_proxy/stats":
            with STATS_LOCK:
                doc = dict(STATS)
            self.reply(200, doc)
        elif path == "/_proxy/reset":
            with STATS_LOCK:
                for name in STATS:
                    STATS[name] = 0
            self.reply(200, {"reset": True})
        else:
            self.reply(404, {"error": "not found"})


def pump(a, b):
    """Copy bytes both ways between sockets a and b until one side closes."""
    socks = [a, b]
    try:
        while True:
            readable, _, _ = select.select(socks, [], [], 60)
            if not readable:
                return
            for s in readable:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except OSError:
        pass
    finally:
        b.close()


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address):
        super().__init__(address, ProxyHandler)

    def server_bind(self):
        # Skip HTTPServer.server_bind's getfqdn(), which may do slow DNS lookups.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        sys.stderr.write("test proxy: connection error: %s\n" % type(exc).__name__)


def start_proxy(bind):
    """Start the proxy on a free port of bind; returns the server."""
    server = ProxyServer((bind, 0))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                     daemon=True).start()
    return server
