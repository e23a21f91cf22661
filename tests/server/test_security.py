#!/usr/bin/env python3
"""End-to-end tests of the server's HTTP-level hardening: TLS, per-phase
read deadlines (slowloris), size limits, request smuggling, path traversal,
JSON bombs, header injection and the per-address connection cap.

Usage: test_security.py --nqdb PATH/TO/nqdb [unittest arguments]

Every case also checks that the server still serves afterwards. Only the
Python standard library is used; the test certificate comes from the
openssl command-line tool.
"""
import json
import os
import re
import select
import socket
import ssl
import subprocess
import time
import unittest
import warnings

import harness
from harness import Server, ServerTestCase

SERVER_MADE_ID = re.compile(r"^[0-9a-f]{6}-[0-9a-f]{6}$")


def parse_response(data):
    """(status, headers as a list of (name lower-cased, value), body bytes)
    of the first HTTP response in `data`."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers.append((name.strip().lower().decode(), value.strip().decode(errors="replace")))
    length = [int(v) for n, v in headers if n == "content-length"]
    if length:
        body = body[:length[0]]
    return status, headers, body


def read_until_closed(sock, limit_s=10):
    """Everything the server sends until it closes the connection (or
    `limit_s` passes, which fails the calling test)."""
    sock.settimeout(limit_s)
    chunks = []
    deadline = time.time() + limit_s
    while time.time() < deadline:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
    raise AssertionError(f"connection still open after {limit_s} s; got {b''.join(chunks)[:300]!r}")


def exchange(port, data, limit_s=10, source=None):
    """Sends raw bytes on a new connection and returns all the server
    answers until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=limit_s, source_address=source) as s:
        if data:
            s.sendall(data)
            try:
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        return read_until_closed(s, limit_s)


class ErrorChecks:
    def assertRawError(self, data, status, code):
        got, headers, body = parse_response(data)
        self.assertEqual(got, status, data[:500])
        payload = json.loads(body)
        self.assertFalse(payload["success"])
        self.assertEqual(payload["error"]["code"], code, body)
        return payload, headers

    def assertAlive(self):
        self.assertOk(self.server.request("GET", "/health"))


class TlsTest(ServerTestCase, ErrorChecks):
    tls = True
    settings = ("server.header_timeout_ms=2000",)

    def test_tls12_and_tls13(self):
        for version, name in ((ssl.TLSVersion.TLSv1_2, "TLSv1.2"), (ssl.TLSVersion.TLSv1_3, "TLSv1.3")):
            with self.subTest(version=name):
                context = self.server.ssl_context()
                context.minimum_version = version
                context.maximum_version = version
                conn = self.server.connection(timeout=20, context=context)
                for _ in range(3):  # keep-alive over TLS
                    conn.request("GET", "/health")
                    resp = conn.getresponse()
                    payload = json.loads(resp.read())
                    self.assertEqual(resp.status, 200)
                    self.assertTrue(payload["success"])
                self.assertEqual(conn.sock.version(), name)
                cipher = conn.sock.cipher()[0]
                if name == "TLSv1.2":
                    self.assertRegex(cipher, r"^ECDHE-(ECDSA|RSA)-(AES\d+-GCM|CHACHA20-POLY1305)")
                conn.close()
        self.assertOk(self.server.query(self.server.admin_key, "SELECT 1 AS one"))

    def test_tls11_refused(self):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                # Lets this client offer TLS 1.1 at all (its own defaults forbid it).
                context.set_ciphers("DEFAULT:@SECLEVEL=0")
                context.minimum_version = ssl.TLSVersion.TLSv1_1
                context.maximum_version = ssl.TLSVersion.TLSv1_1
        except (ValueError, ssl.SSLError):
            pass
        with self.assertRaises((ssl.SSLError, ConnectionError)):
            with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as raw:
                with context.wrap_socket(raw) as s:
                    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                    s.recv(100)
        self.assertAlive()

    def test_tls12_without_forward_secrecy_or_aead_refused(self):
        for ciphers in ("AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384"):
            with self.subTest(ciphers):
                context = self.server.ssl_context()
                context.maximum_version = ssl.TLSVersion.TLSv1_2
                context.set_ciphers(ciphers)
                with self.assertRaises(ssl.SSLError):
                    with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as raw:
                        with context.wrap_socket(raw, server_hostname="127.0.0.1"):
                            pass
        self.assertAlive()

    def test_plain_http_on_tls_port(self):
        data = exchange(self.server.port, b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        self.assertTrue(data.startswith(b"HTTP/1.1 400 "), data[:200])
        payload, headers = self.assertRawError(data, 400, "TLS_REQUIRED")
        self.assertIn("HTTPS", payload["error"]["message"])
        self.assertEqual(len(data.split(b"HTTP/1.1 ")), 2, data)  # one response, then closed
        self.assertAlive()

    def test_silent_client_is_dropped_after_the_handshake_deadline(self):
        started = time.time()
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=20) as s:
            self.assertEqual(read_until_closed(s, 15), b"")
        self.assertLess(time.time() - started, 10)
        self.assertAlive()


class TlsStartupTest(unittest.TestCase):
    def serve(self, s):
        return subprocess.run([harness.NQDB, "serve", *s.args(), "--port", "0"], capture_output=True, text=True,
                              timeout=60)

    def test_missing_or_garbage_certificate_stops_startup(self):
        s = Server()
        try:
            cert, key = harness.self_signed_certificate(s.dir)
            garbage = os.path.join(s.dir, "garbage.pem")
            with open(garbage, "w") as f:
                f.write("this is not a certificate\n")
            missing = os.path.join(s.dir, "missing.pem")
            for cert_file, key_file, named in ((missing, key, missing), (garbage, key, garbage),
                                               (cert, missing, missing), (cert, garbage, garbage)):
                with self.subTest(cert=os.path.basename(cert_file), key=os.path.basename(key_file)):
                    s.settings = [f"server.tls_cert_file={cert_file}", f"server.tls_key_file={key_file}"]
                    r = self.serve(s)
                    self.assertNotEqual(r.returncode, 0, r.stdout)
                    self.assertIn(named, r.stderr)
                    self.assertNotIn("listening", r.stdout)
            s.settings = [f"server.tls_cert_file={cert}"]
            r = self.serve(s)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("server.tls_key_file", r.stderr)
        finally:
            s.cleanup()


class HttpHardeningTest(ServerTestCase, ErrorChecks):
    settings = ("server.header_timeout_ms=500", "server.body_timeout_ms=500", "server.read_timeout_ms=1000",
                "server.max_header_kib=2", "server.max_body_kib=256")

    def trickle(self, head, byte, limit_s=8):
        """Sends `head`, then one `byte` per ~100 ms until the server
        answers or closes; returns (everything it sent, seconds after
        `head`)."""
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=limit_s) as s:
            s.sendall(head)
            started = time.time()
            while time.time() - started < limit_s:
                readable, _, _ = select.select([s], [], [], 0.1)
                if readable:
                    break
                try:
                    s.sendall(byte)
                except (BrokenPipeError, ConnectionResetError):
                    break
            elapsed = time.time() - started
            return read_until_closed(s, limit_s), elapsed

    def test_slow_headers_time_out(self):
        data, elapsed = self.trickle(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ", b"a")
        self.assertRawError(data, 408, "TIMEOUT")
        self.assertGreater(elapsed, 0.35)
        self.assertLess(elapsed, 4)
        self.assertAlive()

    def test_slow_body_times_out(self):
        head = b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" \
               b"Content-Length: 1000\r\n\r\n{\"api_key\": \""
        data, elapsed = self.trickle(head, b"a")
        self.assertRawError(data, 408, "TIMEOUT")
        self.assertGreater(elapsed, 0.35)
        self.assertLess(elapsed, 4)
        self.assertAlive()

    def test_idle_keep_alive_connection_is_closed(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            s.settimeout(10)
            first = s.recv(65536)
            self.assertTrue(first.startswith(b"HTTP/1.1 200"), first[:100])
            started = time.time()
            rest = read_until_closed(s, 10)
            elapsed = time.time() - started
        # Whatever was left of the response, then the close, silently.
        self.assertNotIn(b"HTTP/1.1", rest)
        self.assertGreater(elapsed, 0.7)
        self.assertLess(elapsed, 5)
        self.assertAlive()

    def test_oversized_headers_and_bodies(self):
        self.assertError(self.server.request("GET", "/health", headers={"X-Big": "y" * 4096}), 431,
                         "PAYLOAD_TOO_LARGE")
        big = b'{"api_key": "' + b"x" * (300 << 10) + b'"}'
        self.assertError(self.server.request("POST", "/api/v1/auth/login", raw=big), 413, "PAYLOAD_TOO_LARGE")
        # Chunked: the limit holds without a Content-Length to check up front.
        chunk = b"x" * (64 << 10)
        body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(5)) + b"0\r\n\r\n"
        data = exchange(self.server.port, b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                                          b"Transfer-Encoding: chunked\r\n\r\n" + body)
        self.assertRawError(data, 413, "PAYLOAD_TOO_LARGE")
        self.assertAlive()

    SMUGGLED = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"

    def test_ambiguous_framing_is_refused(self):
        cases = {
            "CL and TE": b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
            "TE and CL": b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
            "TE chunked twice": b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
            "TE chunked, chunked": b"Transfer-Encoding: chunked, chunked\r\n",
            "TE gzip, chunked": b"Transfer-Encoding: gzip, chunked\r\n",
            "TE xchunked": b"Transfer-Encoding: xchunked\r\n",
            "TE identity": b"Transfer-Encoding: identity\r\n",
            "two different CL": b"Content-Length: 5\r\nContent-Length: 6\r\n",
            "two equal CL": b"Content-Length: 5\r\nContent-Length: 5\r\n",
            "CL list": b"Content-Length: 5, 5\r\n",
            "negative CL": b"Content-Length: -5\r\n",
            "non-numeric CL": b"Content-Length: five\r\n",
        }
        for name, headers in cases.items():
            with self.subTest(name):
                request = b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n0\r\n\r\n"
                data = exchange(self.server.port, request + self.SMUGGLED)
                payload, _ = self.assertRawError(data, 400, "VALIDATION_ERROR")
                # Refused for its framing, not for its (empty) body.
                self.assertRegex(payload["error"]["message"], r"Content-Length|Transfer-Encoding")
                self.assertEqual(data.count(b"HTTP/1.1 "), 1, data)
        self.assertAlive()

    def test_path_traversal_on_static_routes(self):
        for path in ("/api-docs/../../etc/passwd", "/api-docs/..%2f..%2fetc%2fpasswd",
                     "/api-docs/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/api-docs/swagger-ui.css/../x",
                     "/api-docs/swagger-ui.css/../../../etc/passwd", "/api-docs/%2e%2e/%2e%2e/etc/passwd",
                     "/api-docs/..", "/api-docs/....//etc/passwd"):
            with self.subTest(path):
                status, _, _, text = self.server.request("GET", path)
                self.assertIn(status, (400, 404), text[:300])
                self.assertNotIn("root:", text)
        self.assertAlive()

    def test_json_nesting_bombs(self):
        deep = b'{"api_key": ' + b"[" * 100000 + b"]" * 100000 + b"}"
        self.assertError(self.server.request("POST", "/api/v1/auth/login", raw=deep), 400, "VALIDATION_ERROR")
        deep_objects = b'{"a":' * 20000 + b"1" + b"}" * 20000
        self.assertError(self.server.request("POST", "/api/v1/auth/login", raw=deep_objects), 400,
                         "VALIDATION_ERROR")
        self.assertAlive()

    HUGE_NUMBERS = (b"1e999999", b"-1e999999", b"9" * 100000, b"-" + b"9" * 100000, b"1e-999999")

    def query_with_number(self, number):
        key = {"X-API-Key": self.server.admin_key, "Content-Type": "application/json"}
        body = b'{"query": "SELECT $1", "params": [' + number + b"]}"
        return self.server.request("POST", "/api/v1/query", raw=body, headers=key)

    def test_json_huge_numbers_get_an_answer(self):
        for number in self.HUGE_NUMBERS:
            status, payload, _, text = self.query_with_number(number)
            self.assertIsNotNone(payload, text[:300])  # an envelope, not a dropped connection
            self.assertEqual(payload["success"], status == 200, text[:300])
        self.assertAlive()

    def test_json_huge_numbers_are_client_errors(self):
        wrong = []
        for number in self.HUGE_NUMBERS:
            status, payload, _, text = self.query_with_number(number)
            if status != 200 and (status != 400 or payload["error"]["code"] != "VALIDATION_ERROR"):
                wrong.append((number[:12], status, text[:120]))
        self.assertEqual(wrong, [])

    def test_request_id_injection(self):
        def ids(raw_value):
            data = exchange(self.server.port, b"GET /health HTTP/1.1\r\nHost: x\r\nX-Request-Id: " + raw_value +
                            b"\r\nConnection: close\r\n\r\n")
            status, headers, _ = parse_response(data)
            self.assertNotIn("x-injected", [n for n, _ in headers], data[:500])
            return status, [v for n, v in headers if n == "x-request-id"]

        status, got = ids(b"client-id_1.2")
        self.assertEqual((status, got), (200, ["client-id_1.2"]))
        for name, value in (("LF", b"abc\nX-Injected: yes"), ("CR", b"abc\rX-Injected: yes"),
                            ("obs-fold", b"abc\r\n X-Injected: yes"), ("CRLF-encoded", b"abc%0d%0aX-Injected:%20yes"),
                            ("non-ASCII", "idé-ü".encode()), ("65 chars", b"a" * 65)):
            with self.subTest(name):
                status, got = ids(value)
                self.assertIn(status, (200, 400))
                self.assertEqual(len(got), 1, got)
                self.assertRegex(got[0], SERVER_MADE_ID)
        self.assertAlive()


class ConnectionCapTest(ServerTestCase, ErrorChecks):
    settings = ("server.max_connections_per_address=4",)

    def test_cap_per_client_address(self):
        held = []
        try:
            for _ in range(4):
                held.append(socket.create_connection(("127.0.0.1", self.server.port), timeout=10))
            time.sleep(0.3)  # the server has accepted them
            # Refused at the accept, before any request is read.
            data = exchange(self.server.port, b"")
            self.assertRawError(data, 503, "UNAVAILABLE")
            # Another client address is not affected.
            data = exchange(self.server.port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                            source=("127.0.0.2", 0))
            self.assertEqual(parse_response(data)[0], 200, data[:300])
            # The held connections still work.
            held[0].sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            self.assertEqual(parse_response(read_until_closed(held[0]))[0], 200)
        finally:
            for c in held:
                c.close()
        deadline = time.time() + 5
        while True:
            status, _, _, text = self.server.request("GET", "/health")
            if status == 200 or time.time() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(status, 200, text)


if __name__ == "__main__":
    harness.main(__file__)
