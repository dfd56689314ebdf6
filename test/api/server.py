"""
The HTTP side of the test API: the request handler every role answers
through (response helpers, request body, logging without secrets), the
threading server, and main(): the HTTP listener, the same API over HTTPS,
HTTPS that requires a client certificate (mTLS), HTTPS of at most TLS 1.2,
an HTTP proxy (proxy.py), and a "blackhole" port that never accepts
(connect timeout tests).

Usage (test/start-api-server.sh):
    python3 test/api --port-file FILE [--port N] [--log FILE] [--bind ADDR]
        [--tls-cert PEM --tls-key PEM --tls-port-file FILE]
        [--mtls-port-file FILE --client-ca PEM] [--tls12-port-file FILE]
        [--proxy-port-file FILE] [--blackhole-port-file FILE]

--bind defaults to 127.0.0.1; --bind 0.0.0.0 (or another address) also lets
127.0.0.2 connect, the "other origin" of redirect/other and paged/next?foreign=1.
Each listening port is written to its file once the server is ready.  The
log gets one line per request: method, path without the query, status; never
query strings, headers or bodies.
"""

import argparse
import os
import select
import signal
import socket
import socketserver
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import routes
from .common import JSON_TYPE, STALL_STEP, dumps

MAX_BODY = 64 * 1024            # largest request body we accept


class Handler(BaseHTTPRequestHandler):
    """One connection; route() answers each request through routes.ROUTES.

    Set per request: bare_path (the path without the query), query (the raw
    query string), body (bytes), params (the parsed query, under {auth} only).
    """
    protocol_version = "HTTP/1.1"
    server_version = "rest_fdw-test-api/1.0"
    timeout = 120               # drop connections idle for this long
    # StreamRequestHandler sets TCP_NODELAY: headers and body are written
    # separately, and Nagle's algorithm would hold the body back for the
    # client's delayed ACK (40 ms on every keep-alive request)
    disable_nagle_algorithm = True

    # ---- logging: never the query string, headers or body -----------------

    def log_message(self, format, *args):    # silence the default stderr log
        pass

    def log_request(self, code="-", size="-"):
        log = self.server.log
        if log is None:
            return
        path = getattr(self, "path", "") or ""
        line = "%s %s %s\n" % (getattr(self, "command", None) or "-",
                               path.split("?", 1)[0], getattr(code, "value", code))
        with Server.log_lock:
            log.write(line)
            log.flush()

    # ---- response helpers -------------------------------------------------

    def send_head(self, status, ctype, length, headers=()):
        """Status line and headers of a body of length bytes."""
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        for name, value in headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

    def send(self, status, body=b"", ctype=JSON_TYPE, headers=()):
        self.send_head(status, ctype, len(body), headers)
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status, obj, headers=()):
        self.send(status, dumps(obj), JSON_TYPE, headers)

    def method_not_allowed(self, allowed):
        self.send_json(405, {"error": "method_not_allowed", "allowed": allowed},
                       headers=[("Allow", allowed)])

    def own_authority(self):
        """host:port of this server as the client named it (Host header)."""
        return (self.headers.get("Host", "").strip()
                or "127.0.0.1:%d" % self.server.server_address[1])

    def accepts_gzip(self):
        return "gzip" in self.headers.get("Accept-Encoding", "").lower()

    def client_gone(self, seconds):
        """Wait seconds; True (at once) if the client hangs up meanwhile."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            step = min(STALL_STEP, left)
            try:
                readable = select.select([self.connection], [], [], step)[0]
                if readable and not self.connection.recv(1, socket.MSG_PEEK):
                    return True                 # end of file: the client closed
            except (OSError, ValueError):
                return True
            if readable:                        # a pipelined request: just wait
                time.sleep(step)

    # ---- request ------------------------------------------------------------

    def read_body(self):
        """Read the request body (Content-Length or chunked); ValueError if unusable."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = b""
            while True:
                size_line = self.rfile.readline(1024)
                size = int(size_line.split(b";")[0].strip() or b"x", 16)
                if size == 0:
                    while self.rfile.readline(1024).strip():   # trailers
                        pass
                    return body
                if len(body) + size > MAX_BODY:
                    raise ValueError("body too large")
                body += self.rfile.read(size)
                self.rfile.readline(1024)
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > MAX_BODY:
            raise ValueError("bad Content-Length")
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        self.dispatch()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def dispatch(self):
        try:
            try:
                self.body = self.read_body()
            except ValueError:
                # We cannot find the end of the request: answer and hang up.
                self.close_connection = True
                self.send_json(400, {"error": "invalid_request",
                                     "error_description": "unreadable request body"})
                return
            url = urllib.parse.urlsplit(self.path)
            self.bare_path, self.query, self.params = url.path, url.query, None
            routes.route(self)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception as exc:            # never let a bug kill the connection silently
            self.close_connection = True
            sys.stderr.write("test api: internal error: %s\n" % type(exc).__name__)
            try:
                self.send_json(500, {"error": "server_error"})
            except Exception:
                pass


class Server(ThreadingHTTPServer):
    """A listener; log is the open --log file (shared by HTTP and HTTPS) or None."""
    daemon_threads = True
    request_queue_size = 64
    log_lock = threading.Lock()

    def __init__(self, address, log):
        self.log = log
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)

    def server_bind(self):
        # Skip HTTPServer.server_bind's getfqdn(), which may do slow DNS lookups.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        sys.stderr.write("test api: connection error: %s\n" % type(exc).__name__)


def write_port(path, port):
    """Write port to path atomically (the starter waits for the file)."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def open_blackhole():
    """A port where connecting hangs: a listening socket that never accepts,
    its accept queue filled by our own connections (Linux then drops SYNs).
    Returns the sockets, to be kept open."""
    hole = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    hole.bind(("127.0.0.1", 0))
    hole.listen(0)
    sockets = [hole]
    for _ in range(4):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.setblocking(False)
        try:
            c.connect(hole.getsockname())
        except (BlockingIOError, OSError):
            pass
        sockets.append(c)
    return sockets


def start_tls(args, log, client_ca=None, max_tls12=False):
    """The same API over HTTPS, for the TLS verification tests; with
    client_ca, only for clients with a certificate that CA signed (mTLS);
    with max_tls12, at most TLS 1.2."""
    import ssl
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.tls_cert, args.tls_key)
    if client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(client_ca)
    if max_tls12:
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    tls_server = Server((args.bind, 0), log)
    tls_server.socket = context.wrap_socket(tls_server.socket, server_side=True)
    threading.Thread(target=tls_server.serve_forever, kwargs={"poll_interval": 0.2},
                     daemon=True).start()
    return tls_server


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python3 test/api",
                                     description="rest_fdw regression test API server")
    parser.add_argument("--port-file", required=True,
                        help="write the listening port to this file once ready")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    parser.add_argument("--log", help="append one line per request (method, path, status)")
    parser.add_argument("--bind", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1; 0.0.0.0 also "
                             "lets 127.0.0.2 connect)")
    parser.add_argument("--tls-cert", help="also serve HTTPS with this certificate (PEM)")
    parser.add_argument("--tls-key", help="the certificate's private key (PEM)")
    parser.add_argument("--tls-port-file", help="write the HTTPS port to this file")
    parser.add_argument("--mtls-port-file",
                        help="also serve HTTPS to clients with a certificate of --client-ca "
                             "only, on a port written to this file")
    parser.add_argument("--client-ca", help="the CA of the client certificates (PEM)")
    parser.add_argument("--tls12-port-file",
                        help="also serve HTTPS with at most TLS 1.2, on a port written to "
                             "this file")
    parser.add_argument("--proxy-port-file",
                        help="also run an HTTP proxy (proxy.py), on a port written to this file")
    parser.add_argument("--blackhole-port-file",
                        help="write to this file the port of a socket whose accept queue is "
                             "full, so that new connections hang (connect timeout tests)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    log = open(args.log, "a", encoding="utf-8") if args.log else None
    server = Server((args.bind, args.port), log)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                     daemon=True).start()

    blackhole = []
    if args.blackhole_port_file:
        blackhole = open_blackhole()
        write_port(args.blackhole_port_file, blackhole[0].getsockname()[1])
    tls_server = None
    if args.tls_cert and args.tls_key and args.tls_port_file:
        tls_server = start_tls(args, log)
        write_port(args.tls_port_file, tls_server.server_address[1])
    extra = []
    if args.tls_cert and args.tls_key and args.mtls_port_file and args.client_ca:
        # at most TLS 1.2: the refusal of a client without a certificate then
        # comes in the handshake, not (as in TLS 1.3) after the request
        extra.append(start_tls(args, log, client_ca=args.client_ca, max_tls12=True))
        write_port(args.mtls_port_file, extra[-1].server_address[1])
    if args.tls_cert and args.tls_key and args.tls12_port_file:
        extra.append(start_tls(args, log, max_tls12=True))
        write_port(args.tls12_port_file, extra[-1].server_address[1])
    if args.proxy_port_file:
        from .proxy import start_proxy
        extra.append(start_proxy(args.bind))
        write_port(args.proxy_port_file, extra[-1].server_address[1])
    write_port(args.port_file, server.server_address[1])

    while not stop.wait(1.0):
        pass
    server.shutdown()
    server.server_close()
    if tls_server:
        tls_server.shutdown()
        tls_server.server_close()
    for other in extra:
        other.shutdown()
        other.server_close()
    for s in blackhole:
        s.close()
    if log:
        log.close()
    return 0
