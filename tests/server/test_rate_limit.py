#!/usr/bin/env python3
"""End-to-end tests of the server's access limits: token-bucket rate limits
per client address, per API key and for key generation (in memory, and in
a real redis-server shared by two server processes, including Redis dying
and coming back), the admin allow-list, and the security headers.

Usage: test_rate_limit.py --nqdb PATH/TO/nqdb [unittest arguments]

Clients pick their source address among 127.0.0.0/8 (every one of them is
loopback on Linux), so one test can be several clients.
"""
import socket
import subprocess
import time
import unittest

import harness
from harness import Server, ServerTestCase


def request_from(server, source, method, path, body=None, headers=None):
    """One request from client address `source`; (status, payload, response)."""
    status, payload, resp, _ = server.request(method, path, body, headers, source=source, timeout=30)
    return status, payload, resp


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A redis-server on a loopback port, without persistence."""

    def __init__(self):
        self.port = free_port()
        self.proc = None

    def start(self):
        try:
            self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                          "--save", "", "--appendonly", "no", "--logfile", "/dev/null"])
        except FileNotFoundError:
            raise AssertionError("redis-server not found: scripts/bootstrap.sh installs it")
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def kill(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}"


class AddressLimitTest(ServerTestCase):
    settings = ("rate_limit.per_address_per_minute=5",)

    def test_limit_headers_then_429_with_retry_after(self):
        s = self.server
        for remaining in (4, 3, 2, 1, 0):
            status, payload, resp = request_from(s, "127.0.0.10", "GET", "/health")
            self.assertEqual(status, 200, payload)
            self.assertEqual(resp.getheader("X-RateLimit-Limit"), "5")
            self.assertEqual(resp.getheader("X-RateLimit-Remaining"), str(remaining))
            self.assertGreaterEqual(int(resp.getheader("X-RateLimit-Reset")), 1)
            self.assertLessEqual(int(resp.getheader("X-RateLimit-Reset")), 60)
        status, payload, resp = request_from(s, "127.0.0.10", "GET", "/health")
        self.assertEqual(status, 429)
        self.assertEqual(payload["error"]["code"], "RATE_LIMITED")
        self.assertIn("client address", payload["error"]["message"])
        retry = int(resp.getheader("Retry-After"))
        self.assertGreaterEqual(retry, 1)
        self.assertLessEqual(retry, 12)
        self.assertEqual(resp.getheader("X-RateLimit-Remaining"), "0")
        # Guessing keys costs tokens too: refused before authentication.
        status, payload, _ = request_from(s, "127.0.0.10", "POST", "/api/v1/query", {"query": "SELECT 1"},
                                          {"X-API-Key": "nqdb_wrong"})
        self.assertEqual(status, 429)
        # Another client is unaffected.
        status, _, resp = request_from(s, "127.0.0.11", "GET", "/health")
        self.assertEqual(status, 200)
        self.assertEqual(resp.getheader("X-RateLimit-Remaining"), "4")
        _, _, _, text = s.request("GET", "/metrics", source="127.0.0.12")
        self.assertRegex(text, r"(?m)^nqdb_rate_limit_refused_total [2-9]")
        self.assertIn('nqdb_rate_limit_backend{backend="memory"} 1', text)


class KeyLimitTest(ServerTestCase):
    settings = ("rate_limit.per_key_per_hour=50", "rate_limit.key_generation_per_hour=3")

    def test_per_key_limits_from_the_key_and_the_default(self):
        s = self.server
        own, _ = s.create_key(["read"], name="own", rate_limit_per_hour=2)
        default, _ = s.create_key(["read"], name="default")
        for _ in range(2):
            self.assertOk(s.query(own, "SELECT 1"))
        error = self.assertError(s.query(own, "SELECT 1"), 429, "RATE_LIMITED")
        self.assertIn("API key", error["message"])
        self.assertIn("2 requests per hour", error["message"])
        status, _, resp, _ = s.query(default, "SELECT 1")
        self.assertEqual(status, 200)
        self.assertEqual(resp.getheader("X-RateLimit-Limit"), "50")
        self.assertEqual(resp.getheader("X-RateLimit-Remaining"), "49")

    def test_key_generation_per_address(self):
        s = self.server
        made = 0
        for i in range(3):
            status, payload, _ = request_from(s, "127.0.0.20", "POST", "/api/v1/auth/generate-key",
                                              {"name": f"k{i}", "permissions": ["read"]},
                                              {"X-API-Key": s.admin_key})
            if status == 201:
                made += 1
        # The class's other test made two keys from 127.0.0.1, not this address.
        self.assertEqual(made, 3)
        status, payload, resp = request_from(s, "127.0.0.20", "POST", "/api/v1/auth/generate-key",
                                             {"name": "k4", "permissions": ["read"]}, {"X-API-Key": s.admin_key})
        self.assertEqual(status, 429, payload)
        self.assertIn("key generation", payload["error"]["message"])
        self.assertGreater(int(resp.getheader("Retry-After")), 60)
        # Listing keys is not key generation.
        status, _, _ = request_from(s, "127.0.0.20", "GET", "/api/v1/auth/keys", headers={"X-API-Key": s.admin_key})
        self.assertEqual(status, 200)


class AdminAllowListTest(ServerTestCase):
    settings = ("server.admin_allow=127.0.0.1/32, ::1",)

    def test_admin_routes_only_from_allowed_addresses(self):
        s = self.server
        headers = {"X-API-Key": s.admin_key}
        status, payload, _ = request_from(s, "127.0.0.1", "GET", "/api/v1/auth/keys", headers=headers)
        self.assertEqual(status, 200, payload)
        status, payload, _ = request_from(s, "127.0.0.2", "GET", "/api/v1/auth/keys", headers=headers)
        self.assertEqual(status, 403, payload)
        self.assertEqual(payload["error"]["code"], "PERMISSION_DENIED")
        self.assertIn("127.0.0.2", payload["error"]["message"])
        self.assertIn("server.admin_allow", payload["error"]["message"])
        status, payload, _ = request_from(s, "127.0.0.2", "POST", "/api/v1/auth/generate-key",
                                          {"name": "x", "permissions": ["read"]}, headers)
        self.assertEqual(status, 403, payload)
        # The admin key still works from there on routes that are not admin-only.
        status, payload, _ = request_from(s, "127.0.0.2", "POST", "/api/v1/query", {"query": "SELECT 1"}, headers)
        self.assertEqual(status, 200, payload)

    def test_bad_allow_list_is_refused_at_start(self):
        bad = Server(("server.admin_allow=127.0.0.1/40",), init=False)
        try:
            r = subprocess.run([harness.NQDB, "serve", *bad.args(), "--port", "0"], capture_output=True, text=True,
                               timeout=60)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("server.admin_allow", r.stderr)
            self.assertIn("127.0.0.1/40", r.stderr)
        finally:
            bad.cleanup()


class SecurityHeadersTest(ServerTestCase):
    def test_headers_on_api_and_docs_responses(self):
        s = self.server
        status, _, resp, _ = s.request("GET", "/health")
        self.assertEqual(status, 200)
        self.assertEqual(resp.getheader("X-Content-Type-Options"), "nosniff")
        self.assertEqual(resp.getheader("X-Frame-Options"), "DENY")
        self.assertEqual(resp.getheader("Referrer-Policy"), "no-referrer")
        self.assertEqual(resp.getheader("Cache-Control"), "no-store")
        self.assertEqual(resp.getheader("Content-Security-Policy"), "default-src 'none'; frame-ancestors 'none'")
        self.assertIsNone(resp.getheader("Strict-Transport-Security"))  # plain HTTP
        status, _, resp, _ = s.request("GET", "/api-docs/")
        self.assertEqual(status, 200)
        self.assertEqual(len(resp.headers.get_all("Content-Security-Policy")), 1)
        self.assertIn("script-src 'self'", resp.getheader("Content-Security-Policy"))
        self.assertEqual(len(resp.headers.get_all("Cache-Control")), 1)


class RedisSharedLimitTest(unittest.TestCase):
    """Two server processes on one Redis share each client's limit; Redis
    dying moves both to in-memory limits without failing a request, and its
    return moves them back."""

    LIMIT = 8

    def setUp(self):
        self.redis = RedisServer().start()
        settings = (f"rate_limit.redis_url={self.redis.url}", f"rate_limit.per_address_per_minute={self.LIMIT}",
                    "rate_limit.redis_retry_ms=100", "rate_limit.redis_timeout_ms=500")
        self.servers = []
        first = Server(settings)
        self.servers.append(first)
        # The second process serves the same data directory's keys on its
        # own database copy: only the limits are shared.
        second = Server(settings)
        self.servers.append(second)
        for s in self.servers:
            s.start()

    def tearDown(self):
        for s in self.servers:
            rc = s.stop()
            log = s.read_log()
            s.cleanup()
            self.assertEqual(rc, 0, log[-3000:])
        self.redis.kill()

    def health(self, server, source):
        status, payload, _ = request_from(server, source, "GET", "/health")
        self.assertEqual(status, 200, payload)
        return payload["data"]

    def spend(self, source):
        """Requests from `source`, alternating between the servers, until
        one is refused; returns the statuses."""
        statuses = []
        for i in range(self.LIMIT + 2):
            status, _, _ = request_from(self.servers[i % 2], source, "GET", "/health")
            statuses.append(status)
        return statuses

    def test_shared_limit_fallback_and_return(self):
        a, b = self.servers
        self.assertEqual(self.health(a, "127.0.1.1")["checks"]["rate_limit"]["backend"], "redis")
        statuses = self.spend("127.0.1.2")
        # One bucket across both processes: LIMIT allowed in all, not per process.
        self.assertEqual(statuses, [200] * self.LIMIT + [429, 429])

        self.redis.kill()
        # No request fails because Redis is gone; each process now limits on its own.
        for i in range(6):
            status, payload, _ = request_from(self.servers[i % 2], "127.0.1.3", "GET", "/health")
            self.assertEqual(status, 200, payload)
            self.assertEqual(payload["data"]["status"], "degraded")
            self.assertEqual(payload["data"]["checks"]["rate_limit"]["backend"], "memory-fallback")
            self.assertFalse(payload["data"]["checks"]["rate_limit"]["ok"])
        for s in self.servers:
            _, _, _, text = s.request("GET", "/metrics", source="127.0.1.4")
            self.assertIn("nqdb_rate_limit_fallbacks_total 1", text)
            self.assertIn('nqdb_rate_limit_backend{backend="memory-fallback"} 1', text)
            self.assertIn("Redis", s.read_log())

        self.redis.start()  # same port, empty
        deadline = time.time() + 10
        polls = 0
        for s in self.servers:
            while True:
                polls += 1  # each poll from its own address, so polling is never limited
                data = self.health(s, f"127.0.2.{polls}")
                if data["checks"]["rate_limit"]["backend"] == "redis" or time.time() > deadline:
                    break
                time.sleep(0.05)
            self.assertEqual(data["status"], "healthy")
        self.assertEqual(self.spend("127.0.1.6"), [200] * self.LIMIT + [429, 429])
        self.assertIn("answers again", a.read_log())


if __name__ == "__main__":
    harness.main("test_rate_limit.py")
