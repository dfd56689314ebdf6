"""
The authentication schemes of the test API that libcurl answers itself:
HTTP Digest (RFC 7616), NTLM (NTLMv2, MS-NLMP) and AWS Signature Version 4.
datasets.credentials_problem() calls check_digest, check_ntlm and
check_sigv4 for the prefixes /digest (MD5), /digest256 (SHA-256), /ntlm and
/sigv4; each answers 401 (Digest, NTLM) or 403 (SigV4, as AWS does) and
returns True, or returns None when the request may see the datasets.

Each check recomputes what the client must have computed from the known
secret and compares: no scheme is taken on trust.  The SigV4 key id
AKIDHOSTILEEXAMPLE gets a 403 that quotes the session token it was sent.  The outcome of every
check is kept in admin.AUTH_EVENTS (/_admin/auth_events) so the tests can
see which checks ran and what the client sent (never a secret).
"""

import base64
import datetime
import hashlib
import hmac
import os
import re
import secrets
import struct
import urllib.parse

from . import admin
from .common import BASIC_PASSWORD, BASIC_USER, LOCK

REALM = "regress"
NONCES = set()          # issued Digest nonces (guarded by LOCK)

AWS_REGION = "eu-central-1"
AWS_SERVICE = "execute-api"
# the long-term key (no session token) and the temporary one (needs it)
AWS_KEYS = {
    "AKIDREGRESSEXAMPLE": (os.environ.get("REST_TEST_AWS_SECRET", "aws-secret-5c1e"), None),
    "ASIAREGRESSEXAMPLE": (os.environ.get("REST_TEST_AWS_SECRET", "aws-secret-5c1e"),
                           os.environ.get("REST_TEST_AWS_SESSION_TOKEN", "aws-session-77d0")),
}
AWS_MAX_SKEW = datetime.timedelta(minutes=15)


def event(**what):
    with LOCK:
        admin.AUTH_EVENTS.append(what)


# ---- HTTP Digest, RFC 7616 --------------------------------------------------

DIGEST_ALGORITHMS = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}
_PARAM = re.compile(r'\s*([A-Za-z0-9_-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]*)\s*,?')


def parse_auth_params(text):
    """k=v and k="quoted" pairs of an Authorization header, lower-case keys."""
    params = {}
    pos = 0
    while pos < len(text):
        m = _PARAM.match(text, pos)
        if m is None or m.end() == pos:
            raise ValueError("malformed auth-param list")
        value = m.group(3) if m.group(3) is not None else m.group(2)
        if m.group(3) is not None:
            value = re.sub(r"\\(.)", r"\1", value)
        params[m.group(1).lower()] = value
        pos = m.end()
    return params


def digest_challenge(handler, algorithm, stale=False, description="credentials required"):
    nonce = secrets.token_hex(16)
    with LOCK:
        NONCES.add(nonce)
        admin.count("unauthorized")
    challenge = ('Digest realm="%s", qop="auth", algorithm=%s, nonce="%s", opaque="%s"%s'
                 % (REALM, algorithm, nonce, "op" + nonce[:8],
                    ", stale=true" if stale else ""))
    handler.send_json(401, {"error": "unauthorized", "error_description": description},
                      [("WWW-Authenticate", challenge)])
    return True


def check_digest(handler, algorithm):
    auth = handler.headers.get("Authorization", "")
    if not auth.lower().startswith("digest "):
        return digest_challenge(handler, algorithm)
    try:
        p = parse_auth_params(auth[7:])
    except ValueError:
        return digest_challenge(handler, algorithm, description="malformed Digest credentials")
    h = lambda s: DIGEST_ALGORITHMS[algorithm](s.encode("utf-8")).hexdigest()
    uri = handler.bare_path + ("?" + handler.query if handler.query else "")
    with LOCK:
        known_nonce = p.get("nonce") in NONCES
    problem = None
    if p.get("algorithm", "MD5").upper() != algorithm:
        problem = "algorithm must be %s" % algorithm
    elif p.get("realm") != REALM or not known_nonce:
        problem = "unknown realm or nonce"
    elif p.get("qop") != "auth" or not p.get("cnonce") or not p.get("nc"):
        problem = "qop=auth with cnonce and nc required"
    elif p.get("uri") != uri:
        problem = "uri does not match the request"
    else:
        ha1 = h("%s:%s:%s" % (BASIC_USER, REALM, BASIC_PASSWORD))
        ha2 = h("%s:%s" % (handler.command, uri))
        expected = h(":".join((ha1, p["nonce"], p["nc"], p["cnonce"], "auth", ha2)))
        if p.get("username") != BASIC_USER or not hmac.compare_digest(
                expected, p.get("response", "")):
            problem = "invalid user or password"
    event(scheme="digest", algorithm=algorithm, ok=problem is None,
          user=p.get("username"), detail=problem)
    if problem:
        return digest_challenge(handler, algorithm, description=problem)
    return None


# ---- NTLM (NTLMv2) ----------------------------------------------------------

def md4(data):
    """MD4 (RFC 1320): OpenSSL 3 no longer offers it to hashlib."""
    def f(x, y, z): return (x & y) | (~x & z)
    def g(x, y, z): return (x & y) | (x & z) | (y & z)
    def hh(x, y, z): return x ^ y ^ z
    def rotl(x, n): return ((x << n) | (x >> (32 - n))) & 0xFFFFFFFF
    msg = bytearray(data)
    bitlen = (8 * len(data)) & 0xFFFFFFFFFFFFFFFF
    msg.append(0x80)
    while len(msg) % 64 != 56:
        msg.append(0)
    msg += struct.pack("<Q", bitlen)
    a, b, c, d = 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476
    for off in range(0, len(msg), 64):
        x = struct.unpack("<16I", bytes(msg[off:off + 64]))
        aa, bb, cc, dd = a, b, c, d
        for i in range(16):
            k, s = i, (3, 7, 11, 19)[i % 4]
            if i % 4 == 0: a = rotl((a + f(b, c, d) + x[k]) & 0xFFFFFFFF, s)
            elif i % 4 == 1: d = rotl((d + f(a, b, c) + x[k]) & 0xFFFFFFFF, s)
            elif i % 4 == 2: c = rotl((c + f(d, a, b) + x[k]) & 0xFFFFFFFF, s)
            else: b = rotl((b + f(c, d, a) + x[k]) & 0xFFFFFFFF, s)
        for i in range(16):
            k, s = (i % 4) * 4 + i // 4, (3, 5, 9, 13)[i % 4]
            t = 0x5A827999
            if i % 4 == 0: a = rotl((a + g(b, c, d) + x[k] + t) & 0xFFFFFFFF, s)
            elif i % 4 == 1: d = rotl((d + g(a, b, c) + x[k] + t) & 0xFFFFFFFF, s)
            elif i % 4 == 2: c = rotl((c + g(d, a, b) + x[k] + t) & 0xFFFFFFFF, s)
            else: b = rotl((b + g(c, d, a) + x[k] + t) & 0xFFFFFFFF, s)
        order = (0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15)
        for i in range(16):
            k, s = order[i], (3, 9, 11, 15)[i % 4]
            t = 0x6ED9EBA1
            if i % 4 == 0: a = rotl((a + hh(b, c, d) + x[k] + t) & 0xFFFFFFFF, s)
            elif i % 4 == 1: d = rotl((d + hh(a, b, c) + x[k] + t) & 0xFFFFFFFF, s)
            elif i % 4 == 2: c = rotl((c + hh(d, a, b) + x[k] + t) & 0xFFFFFFFF, s)
            else: b = rotl((b + hh(c, d, a) + x[k] + t) & 0xFFFFFFFF, s)
        a, b, c, d = ((a + aa) & 0xFFFFFFFF, (b + bb) & 0xFFFFFFFF,
                      (c + cc) & 0xFFFFFFFF, (d + dd) & 0xFFFFFFFF)
    return struct.pack("<4I", a, b, c, d)


assert md4(b"abc").hex() == "a448017aaf21d8525fc10ae87aa6729d"

NTLM_SIG = b"NTLMSSP\x00"
NTLM_FLAGS = 0x00000001 | 0x00000200 | 0x00080000 | 0x00800000 | 0x00000004
#            unicode      ntlm         ext. session target info  request target


def ntlm_challenge_message(challenge):
    """A Type 2 message with target info, so that the client answers NTLMv2."""
    target = "REGRESS".encode("utf-16-le")
    av = (struct.pack("<HH", 2, len(target)) + target     # MsvAvNbDomainName
          + struct.pack("<HH", 0, 0))                      # MsvAvEOL
    header_len = 48
    return (NTLM_SIG + struct.pack("<I", 2)
            + struct.pack("<HHI", len(target), len(target), header_len)
            + struct.pack("<I", NTLM_FLAGS) + challenge + b"\x00" * 8
            + struct.pack("<HHI", len(av), len(av), header_len + len(target))
            + target + av)


def ntlm_unauthorized(handler, token=None, description="credentials required"):
    with LOCK:
        admin.count("unauthorized")
    handler.send_json(401, {"error": "unauthorized", "error_description": description},
                      [("WWW-Authenticate", "NTLM" + (" " + token if token else ""))])
    return True


def _field(msg, off):
    length, _, start = struct.unpack("<HHI", msg[off:off + 8])
    return msg[start:start + length]


def check_ntlm(handler):
    """Type 1 -> 401 with a Type 2 (on this connection); Type 3 -> verified."""
    auth = handler.headers.get("Authorization", "")
    if not auth.startswith("NTLM "):
        return ntlm_unauthorized(handler)
    try:
        msg = base64.b64decode(auth[5:], validate=True)
        if msg[:8] != NTLM_SIG:
            raise ValueError
        mtype = struct.unpack("<I", msg[8:12])[0]
    except (ValueError, struct.error):
        return ntlm_unauthorized(handler, description="malformed NTLM message")
    if mtype == 1:
        # the handler object lives as long as the connection: NTLM
        # authenticates connections, so the challenge belongs to it
        handler.ntlm_challenge = secrets.token_bytes(8)
        event(scheme="ntlm", step="type1", ok=True)
        return ntlm_unauthorized(handler, base64.b64encode(
            ntlm_challenge_message(handler.ntlm_challenge)).decode())
    challenge = getattr(handler, "ntlm_challenge", None)
    if mtype != 3 or challenge is None:
        return ntlm_unauthorized(handler, description="NTLM Type 3 without a challenge on this connection")
    handler.ntlm_challenge = None
    try:
        nt = _field(msg, 20)
        domain = _field(msg, 28).decode("utf-16-le")
        user = _field(msg, 36).decode("utf-16-le")
    except (UnicodeDecodeError, struct.error):
        return ntlm_unauthorized(handler, description="malformed NTLM Type 3")
    ok = False
    if len(nt) > 24:        # NTLMv2: NTProofStr (16 bytes) and the blob
        ntowf = hmac.new(md4(BASIC_PASSWORD.encode("utf-16-le")),
                         (user.upper() + domain).encode("utf-16-le"), "md5").digest()
        proof = hmac.new(ntowf, challenge + nt[16:], "md5").digest()
        ok = user == BASIC_USER and hmac.compare_digest(proof, nt[:16])
    event(scheme="ntlm", step="type3", ok=ok, user=user, detail="NTLMv2" if len(nt) > 24 else "NTLMv1")
    if not ok:
        return ntlm_unauthorized(handler, description="invalid user or password")
    return None


# ---- AWS Signature Version 4 ------------------------------------------------

def sigv4_refused(handler, error_type, message):
    with LOCK:
        admin.count("unauthorized")
    handler.send_json(403, {"message": message},
                      [("x-amzn-ErrorType", error_type)])
    return True


def _uri_encode(s):
    return urllib.parse.quote(s, safe="-_.~")


def canonical_query(query):
    """AWS: each name and value URI-encoded (unreserved characters kept,
    everything else %XX), sorted by name, then value."""
    pairs = []
    for part in query.split("&") if query else []:
        name, _, value = part.partition("=")
        pairs.append((_uri_encode(urllib.parse.unquote(name)),
                      _uri_encode(urllib.parse.unquote(value))))
    return "&".join("%s=%s" % p for p in sorted(pairs))


def sigv4_key(secret, date, region, service):
    k = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return k


def check_sigv4(handler):
    auth = handler.headers.get("Authorization", "")
    m = re.fullmatch(r"AWS4-HMAC-SHA256 Credential=([^/,]+)/(\d{8})/([^/,]+)/([^/,]+)/aws4_request,"
                     r"\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})", auth)
    if m is None:
        return sigv4_refused(handler, "MissingAuthenticationTokenException",
                             "Missing Authentication Token")
    key_id, date, region, service, signed, signature = m.groups()
    amz_date = handler.headers.get("X-Amz-Date", "")
    signed_list = signed.split(";")

    def refuse(kind, message):
        event(scheme="sigv4", ok=False, detail=message, signed_headers=signed)
        return sigv4_refused(handler, kind, message)

    if key_id == "AKIDHOSTILEEXAMPLE":
        # a hostile (or careless) service that quotes what it was sent
        return refuse("InvalidSignatureException",
                      "rejected token %s with %s"
                      % (handler.headers.get("X-Amz-Security-Token"), auth))
    if key_id not in AWS_KEYS:
        return refuse("UnrecognizedClientException",
                      "The security token included in the request is invalid.")
    secret, session_token = AWS_KEYS[key_id]
    if region != AWS_REGION or service != AWS_SERVICE:
        return refuse("InvalidSignatureException",
                      "Credential should be scoped to region %s and service %s."
                      % (AWS_REGION, AWS_SERVICE))
    if "host" not in signed_list or "x-amz-date" not in signed_list:
        return refuse("IncompleteSignatureException",
                      "SignedHeaders must include host and x-amz-date.")
    if signed_list != sorted(signed_list):
        return refuse("IncompleteSignatureException", "SignedHeaders must be sorted.")
    try:
        when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc)
    except ValueError:
        return refuse("IncompleteSignatureException", "X-Amz-Date is missing or malformed.")
    if abs(datetime.datetime.now(datetime.timezone.utc) - when) > AWS_MAX_SKEW \
            or amz_date[:8] != date:
        return refuse("InvalidSignatureException", "Signature expired or not yet valid.")
    given_token = handler.headers.get("X-Amz-Security-Token")
    if session_token is not None and (given_token is None
                                      or not hmac.compare_digest(given_token, session_token)):
        return refuse("UnrecognizedClientException",
                      "The security token included in the request is invalid.")

    headers = []
    for name in signed_list:
        values = handler.headers.get_all(name)
        if values is None:
            return refuse("IncompleteSignatureException", "Signed header %s is missing." % name)
        headers.append("%s:%s\n" % (name, ",".join(" ".join(v.split()) for v in values)))
    payload = handler.headers.get("X-Amz-Content-Sha256") or \
        hashlib.sha256(handler.body or b"").hexdigest()
    creq = "\n".join((handler.command, handler.bare_path or "/",
                      canonical_query(handler.query), "".join(headers), signed, payload))
    scope = "%s/%s/%s/aws4_request" % (date, region, service)
    to_sign = "\n".join(("AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(creq.encode("utf-8")).hexdigest()))
    expected = hmac.new(sigv4_key(secret, date, region, service), to_sign.encode("utf-8"),
                        hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return refuse("InvalidSignatureException",
                      "The request signature we calculated does not match the signature you provided.")
    event(scheme="sigv4", ok=True, detail=None, signed_headers=signed,
          session_token=given_token is not None)
    return None
