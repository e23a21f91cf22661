"""Shared pieces of the server's end-to-end tests: a data directory with an
`nqdb serve` process on it, an HTTP client, and the test-case base class.

Only the Python standard library is used.
"""
import base64
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

NQDB = None
# Tests create keys freely: the key-generation limit (5 per hour) is
# lifted unless a test sets it.
DEFAULT_SETTINGS = ["rate_limit.key_generation_per_hour=0"]


def self_signed_certificate(directory):
    """Writes cert.pem and key.pem (P-256, for CN=localhost and 127.0.0.1)
    into `directory` with the openssl command-line tool; returns both
    paths."""
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


class Server:
    """An initialised data directory and the `nqdb serve` process on it.
    With `tls`, a self-signed certificate is made and served (HTTPS), and
    request() trusts it."""

    def __init__(self, settings=(), init=True, tls=False):
        self.dir = tempfile.mkdtemp(prefix="nqdb-server-test-")
        self.data = os.path.join(self.dir, "data")
        self.settings = [*DEFAULT_SETTINGS, *settings]
        self.tls = tls
        self.cert_file = self.key_file = None
        if tls:
            self.cert_file, self.key_file = self_signed_certificate(self.dir)
            self.settings += [f"server.tls_cert_file={self.cert_file}", f"server.tls_key_file={self.key_file}"]
        self.proc = None
        self.port = None
        self.admin_key = None
        self.log_path = os.path.join(self.dir, "server.log")
        if init:
            out = self.cli("init")
            keys = re.findall(r"^(nqdb_[A-Za-z0-9_-]+)$", out, re.M)
            assert len(keys) == 1, out
            self.admin_key = keys[0]

    def args(self):
        out = ["--data-dir", self.data]
        for s in self.settings:
            out += ["--set", s]
        return out

    def cli(self, *args, check=True):
        result = subprocess.run([NQDB, *args, *self.args()], capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"nqdb {args} failed ({result.returncode}): {result.stderr}")
        return result.stdout if check else result

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([NQDB, "serve", *self.args(), "--port", "0"], stdout=subprocess.PIPE,
                                     stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"listening on https?://127\.0\.0\.1:(\d+)", line)
        if not m:
            self.proc.kill()
            raise AssertionError(f"server did not start: {line!r}; log: {self.read_log()}")
        self.port = int(m.group(1))
        return self

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            rc = self.proc.wait(timeout=timeout)
        else:
            rc = self.proc.returncode if self.proc else None
        if self.proc:
            self.proc.stdout.close()
            self.log.close()
        self.proc = None
        return rc

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def ssl_context(self):
        """A client context trusting this server's certificate."""
        return ssl.create_default_context(cafile=self.cert_file)

    def connection(self, timeout=60, context=None, source=None):
        """A client connection; `source` picks the client's address (any of
        127.0.0.0/8 works on Linux), so one test can be several clients."""
        bind = (source, 0) if source else None
        if self.tls:
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout, source_address=bind,
                                               context=context or self.ssl_context())
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout, source_address=bind)

    def request(self, method, path, body=None, headers=None, raw=None, timeout=60, source=None):
        conn = self.connection(timeout, source=source)
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=h)
        resp = conn.getresponse()
        text = resp.read().decode()
        conn.close()
        try:
            payload = json.loads(text)
        except ValueError:
            payload = None
        return resp.status, payload, resp, text

    def query(self, key, sql, params=None, session=None, timeout=60):
        headers = {"X-API-Key": key}
        if session:
            headers["X-Session-Id"] = session
        body = {"query": sql}
        if params is not None:
            body["params"] = params
        return self.request("POST", "/api/v1/query", body, headers, timeout=timeout)

    def create_key(self, permissions, name="test", **extra):
        status, payload, _, _ = self.request("POST", "/api/v1/auth/generate-key",
                                             {"name": name, "permissions": permissions, **extra},
                                             {"X-API-Key": self.admin_key})
        assert status == 201, payload
        return payload["data"]["key"], payload["data"]["id"]

    def login(self, key):
        status, payload, _, _ = self.request("POST", "/api/v1/auth/login", {"api_key": key})
        assert status == 200, payload
        return payload["data"]["token"]


def slow_query(server, key, seconds):
    """A query over a table `ten` (created if missing) that runs about
    `seconds` on this build: calibrated, so sanitizer builds get smaller
    joins rather than timeouts."""
    status, _, _, _ = server.query(key, "SELECT count(*) FROM ten")
    if status != 200:
        server.query(key, "CREATE TABLE ten (i INT)")
        server.query(key, "INSERT INTO ten VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)")
    started = time.time()
    server.query(key, "SELECT count(*) FROM ten a, ten b, ten c, ten d, ten e")
    per_row = max(time.time() - started, 1e-3) / 1e5
    rows = seconds / per_row
    tables = 1
    while 10 ** (tables + 1) <= rows:
        tables += 1
    factor = min(9, max(1, round(rows / 10 ** tables)))
    names = ", ".join(f"ten t{i}" for i in range(tables))
    return (f"SELECT count(*) FROM {names}, (SELECT i FROM ten WHERE i < {factor}) f",
            10 ** tables * factor)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ServerTestCase(unittest.TestCase):
    settings = ()
    tls = False

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.settings, tls=cls.tls).start()

    @classmethod
    def tearDownClass(cls):
        rc = cls.server.stop()
        log = cls.server.read_log()
        cls.server.cleanup()
        assert rc == 0, f"server exited with {rc}; its log:\n{log[-3000:]}"

    def assertError(self, result, status, code):
        got_status, payload, resp, text = result
        self.assertEqual(got_status, status, text)
        self.assertIsNotNone(payload, text)
        self.assertFalse(payload["success"], text)
        self.assertEqual(payload["error"]["code"], code, text)
        self.assertTrue(payload["error"]["message"])
        self.assertEqual(payload["metadata"]["version"], "v1")
        return payload["error"]

    def assertOk(self, result, status=200):
        got_status, payload, resp, text = result
        self.assertEqual(got_status, status, text)
        self.assertTrue(payload["success"], text)
        meta = payload["metadata"]
        self.assertTrue(meta["request_id"])
        self.assertGreaterEqual(meta["response_time_ms"], 0)
        self.assertRegex(meta["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(meta["version"], "v1")
        return payload["data"]


def main(script):
    """Runs the unittest cases of the calling module; `--nqdb PATH` names
    the binary under test."""
    global NQDB
    args = sys.argv[1:]
    if "--nqdb" in args:
        i = args.index("--nqdb")
        NQDB = os.path.abspath(args[i + 1])
        del args[i:i + 2]
    if not NQDB or not os.access(NQDB, os.X_OK):
        sys.exit(f"{script}: pass --nqdb PATH to the nqdb binary")
    unittest.main(argv=[sys.argv[0], *args], verbosity=2)
