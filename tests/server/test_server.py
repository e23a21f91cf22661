#!/usr/bin/env python3
"""End-to-end tests of `nqdb serve`: a real server process, real HTTP.

Usage: test_server.py --nqdb PATH/TO/nqdb [unittest arguments]

Only the Python standard library is used (http.client, socket), so the
tests run wherever python3 does.
"""
import hashlib
import hmac
import http.client
import json
import os
import re
import signal
import socket
import stat
import subprocess
import threading
import time
import unittest

import harness
from harness import Server, ServerTestCase, b64url, b64url_decode, slow_query


class FirstRunTest(unittest.TestCase):
    def test_serve_refuses_uninitialised_then_init_prints_key_once(self):
        s = Server(init=False)
        try:
            r = subprocess.run([harness.NQDB, "serve", *s.args(), "--port", "0"], capture_output=True, text=True,
                               timeout=30)
            self.assertEqual(r.returncode, 2)
            self.assertIn("nqdb init", r.stderr)
            out = s.cli("init")
            keys = re.findall(r"^nqdb_[A-Za-z0-9_-]{43}$", out, re.M)
            self.assertEqual(len(keys), 1, out)
            auth = os.path.join(s.data, "auth")
            for name in ("api_keys.json", "jwt.secret"):
                mode = stat.S_IMODE(os.stat(os.path.join(auth, name)).st_mode)
                self.assertEqual(mode, 0o600, name)
            with open(os.path.join(auth, "api_keys.json")) as f:
                stored = f.read()
            self.assertNotIn(keys[0], stored)
            self.assertIn(hashlib.sha256(keys[0].encode()).hexdigest(), stored)
            again = s.cli("init", check=False)
            self.assertNotEqual(again.returncode, 0)
            self.assertIn("already initialised", again.stderr)
            s.admin_key = keys[0]
            s.start()
            status, payload, _, _ = s.request("GET", "/api/v1/auth/keys", headers={"X-API-Key": keys[0]})
            self.assertEqual(status, 200)
            self.assertEqual([k["name"] for k in payload["data"]["keys"]], ["admin"])
            self.assertEqual(s.stop(), 0)
        finally:
            s.cleanup()

    def test_generate_jwt_secret_writes_private_file(self):
        s = Server()
        try:
            path = os.path.join(s.dir, "other.secret")
            s.cli("generate-jwt-secret", "--output", path)
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
            with open(path) as f:
                self.assertRegex(f.read().strip(), r"^[0-9a-f]{64}$")
        finally:
            s.cleanup()


class EndpointTest(ServerTestCase):
    def test_health(self):
        data = self.assertOk(self.server.request("GET", "/health"))
        self.assertEqual(data["status"], "healthy")
        self.assertTrue(data["ready"])
        self.assertTrue(data["checks"]["storage"]["ok"])
        self.assertGreater(data["memory"]["rss_bytes"], 1 << 20)
        self.assertGreater(data["uptime_seconds"], 0)
        self.assertRegex(data["version"], r"^\d+\.\d+\.\d+$")

    def test_metrics(self):
        self.server.request("GET", "/health")
        status, _, resp, text = self.server.request("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(resp.getheader("Content-Type").startswith("text/plain"))
        for family in ("nqdb_http_requests_total", "nqdb_http_request_duration_seconds_bucket",
                       "nqdb_http_requests_in_flight", "nqdb_buffer_pool_hits_total",
                       "nqdb_buffer_pool_misses_total", "nqdb_buffer_pool_hit_ratio", "nqdb_wal_fsyncs_total",
                       "nqdb_wal_bytes_total", "nqdb_commits_total", "nqdb_aborts_total", "nqdb_deadlocks_total",
                       "nqdb_lock_waits_total", "nqdb_lock_timeouts_total",
                       "nqdb_sessions_active"):
            self.assertRegex(text, rf"(?m)^{family}", family)
        self.assertRegex(text, r'nqdb_http_requests_total\{route="/health",method="GET",status="200"\} [1-9]')

    def test_stats(self):
        key = self.server.admin_key
        data = self.assertOk(self.server.request("GET", "/api/v1/stats", headers={"X-API-Key": key}))
        self.assertGreater(data["database"]["page_size"], 0)
        self.assertIn("hit_rate", data["database"]["buffer_pool"])
        for counter in ("commits", "rollbacks", "deadlocks", "serialization_failures", "lock_timeouts",
                        "lock_waits"):
            self.assertGreaterEqual(data["database"]["transactions"][counter], 0, counter)
        self.assertGreater(data["server"]["requests_total"], 0)
        perf = self.assertOk(self.server.request("GET", "/api/v1/stats/performance", headers={"X-API-Key": key}))
        self.assertGreater(perf["requests_per_second"], 0)
        self.assertTrue(any(r["route"] == "/api/v1/stats" for r in perf["routes"]))
        self.assertError(self.server.request("GET", "/api/v1/stats"), 401, "UNAUTHORIZED")

    def test_query_roundtrip_and_types(self):
        key = self.server.admin_key
        self.assertOk(self.server.query(key, "CREATE TABLE typed (id INT PRIMARY KEY, r DOUBLE, n NUMERIC(10,2), "
                                             "t TEXT, b BOOLEAN, d DATE, x BLOB)"))
        data = self.assertOk(self.server.query(
            key, "INSERT INTO typed VALUES ($1, $2, $3, $4, $5, $6, $7)", [1, 2.5, "12.30", "hé", True,
                                                                              "2024-02-29", None]))
        self.assertEqual(data["rows_affected"], 1)
        data = self.assertOk(self.server.query(key, "SELECT id, r, n, t, b, d, x FROM typed WHERE id = $1", [1]))
        self.assertEqual([c["name"] for c in data["columns"]], ["id", "r", "n", "t", "b", "d", "x"])
        self.assertEqual(data["rows"], [[1, 2.5, "12.30", "hé", True, "2024-02-29", None]])
        self.assertGreaterEqual(data["execution_time_ms"], 0)

    def test_query_errors(self):
        key = self.server.admin_key
        err = self.assertError(self.server.query(key, "SELEC 1"), 400, "INVALID_QUERY")
        self.assertEqual(err["sqlstate"], "42601")
        self.assertIn("line 1, column 1", err["message"])
        err = self.assertError(self.server.query(key, "SELECT * FROM missing_table"), 404, "TABLE_NOT_FOUND")
        self.assertEqual(err["sqlstate"], "42P01")
        self.assertOk(self.server.query(key, "CREATE TABLE uniq (id INT PRIMARY KEY)"))
        self.assertOk(self.server.query(key, "INSERT INTO uniq VALUES (1)"))
        err = self.assertError(self.server.query(key, "INSERT INTO uniq VALUES (1)"), 409, "CONFLICT")
        self.assertEqual(err["sqlstate"], "23505")
        self.assertError(self.server.query(key, "SELECT $1", [[1, 2]]), 400, "VALIDATION_ERROR")
        self.assertError(self.server.query(key, "SELECT $1", [1, 2]), 400, "VALIDATION_ERROR")
        self.assertError(self.server.query(key, "BEGIN"), 400, "VALIDATION_ERROR")

    def test_malformed_json(self):
        key = {"X-API-Key": self.server.admin_key}
        err = self.assertError(self.server.request("POST", "/api/v1/query", raw=b'{"query": "SELECT 1",',
                                                   headers=key), 400, "VALIDATION_ERROR")
        self.assertIn("byte", err["message"])
        self.assertError(self.server.request("POST", "/api/v1/query", raw=b"[1, 2]", headers=key), 400,
                         "VALIDATION_ERROR")
        self.assertError(self.server.request("POST", "/api/v1/query", raw=b'{"query": 7}', headers=key), 400,
                         "VALIDATION_ERROR")
        deep = b"[" * 100000 + b"]" * 100000
        err = self.assertError(self.server.request("POST", "/api/v1/query", raw=deep, headers=key), 400,
                               "VALIDATION_ERROR")
        self.assertIn("nested", err["message"])
        self.assertError(self.server.request("POST", "/api/v1/query", raw=b'\xff\xfe{"a"', headers=key), 400,
                         "VALIDATION_ERROR")
        self.assertOk(self.server.request("GET", "/health"))  # still serving

    def test_injection_through_params_is_data(self):
        key = self.server.admin_key
        self.assertOk(self.server.query(key, "CREATE TABLE victims (id INT PRIMARY KEY, name TEXT)"))
        self.assertOk(self.server.query(key, "INSERT INTO victims VALUES (1, 'alice')"))
        for attack in ["1; DROP TABLE victims", "' OR '1'='1", "alice'--", "\x00", "$2"]:
            data = self.assertOk(self.server.query(key, "SELECT id FROM victims WHERE name = $1", [attack]))
            self.assertEqual(data["rows"], [], attack)
        data = self.assertOk(self.server.query(key, "INSERT INTO victims VALUES ($1, $2)",
                                               [2, "x'); DROP TABLE victims; --"]))
        data = self.assertOk(self.server.query(key, "SELECT name FROM victims WHERE id = $1", [2]))
        self.assertEqual(data["rows"], [["x'); DROP TABLE victims; --"]])

    def test_routes_and_request_ids(self):
        self.assertError(self.server.request("GET", "/no/such/route"), 404, "NOT_FOUND")
        status, _, resp, _ = self.server.request("GET", "/api/v1/query")
        self.assertEqual(status, 405)
        self.assertEqual(resp.getheader("Allow"), "POST")
        _, payload, resp, _ = self.server.request("GET", "/health", headers={"X-Request-Id": "abc-123"})
        self.assertEqual(resp.getheader("X-Request-Id"), "abc-123")
        self.assertEqual(payload["metadata"]["request_id"], "abc-123")
        _, payload, resp, _ = self.server.request("GET", "/health", headers={"X-Request-Id": "bad id/" + "x" * 80})
        self.assertRegex(resp.getheader("X-Request-Id"), r"^[0-9a-f]{6}-[0-9a-f]{6,}$")
        self.assertEqual(resp.getheader("X-API-Version"), "v1")
        self.assertIn("[req=abc-123] GET /health 200", self.server.read_log())

    def test_openapi_lists_every_route(self):
        status, doc, _, _ = self.server.request("GET", "/api-docs/openapi.json")
        self.assertEqual(status, 200)
        self.assertTrue(doc["openapi"].startswith("3."))
        for path, method in [("/health", "get"), ("/metrics", "get"), ("/api/v1/query", "post"),
                             ("/api/v1/sessions", "post"), ("/api/v1/sessions/{id}", "delete"),
                             ("/api/v1/auth/login", "post"), ("/api/v1/auth/refresh", "post"),
                             ("/api/v1/auth/generate-key", "post"), ("/api/v1/auth/revoke-key", "post"),
                             ("/api/v1/auth/keys", "get"), ("/api/v1/stats", "get"),
                             ("/api/v1/stats/performance", "get")]:
            self.assertIn(method, doc["paths"][path], path)
        self.assertIn("ApiKeyAuth", doc["components"]["securitySchemes"])
        status, _, resp, text = self.server.request("GET", "/api-docs/")
        self.assertEqual(status, 200)
        self.assertIn("swagger-ui-bundle.js", text)
        self.assertNotIn("https://", text)  # no CDN
        status, _, _, _ = self.server.request("GET", "/api-docs/..%2f..%2fauth%2fapi_keys.json")
        self.assertEqual(status, 404)
        status, _, resp, text = self.server.request("GET", "/api-docs/swagger-ui-bundle.js")
        if status == 404:
            self.skipTest("swagger-ui-dist not installed (needs npm); " + text[:200])
        self.assertEqual(status, 200)
        self.assertGreater(len(text), 100000)

    def test_limits(self):
        key = {"X-API-Key": self.server.admin_key}
        big = b'{"query": "' + b"x" * (2 << 20) + b'"}'
        self.assertError(self.server.request("POST", "/api/v1/query", raw=big, headers=key), 413,
                         "PAYLOAD_TOO_LARGE")
        status, _, _, _ = self.server.request("GET", "/health", headers={"X-Big": "y" * (64 << 10)})
        self.assertEqual(status, 431)
        # Garbage instead of HTTP gets 400 and a closed connection.
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            s.sendall(b"\x16\x03\x01 this is not http\r\n\r\n")
            self.assertIn(b"400", s.recv(4096).split(b"\r\n")[0])
        self.assertOk(self.server.request("GET", "/health"))

    def test_keep_alive(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        for _ in range(5):
            conn.request("GET", "/health")
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200)
            resp.read()
        conn.close()


class AuthTest(ServerTestCase):
    def test_missing_and_wrong_keys(self):
        s = self.server
        self.assertError(s.query("", "SELECT 1"), 401, "UNAUTHORIZED")
        self.assertError(s.query("nqdb_" + "A" * 43, "SELECT 1"), 401, "UNAUTHORIZED")
        self.assertError(s.query("not-a-key", "SELECT 1"), 401, "UNAUTHORIZED")
        status, _, resp, _ = s.request("POST", "/api/v1/query", {"query": "SELECT 1"})
        self.assertEqual(status, 401)
        self.assertIn("Bearer", resp.getheader("WWW-Authenticate"))
        self.assertError(s.request("POST", "/api/v1/query", {"query": "SELECT 1"},
                                   {"Authorization": "Basic abc"}), 401, "UNAUTHORIZED")

    def test_permissions(self):
        s = self.server
        read, _ = s.create_key(["read"])
        write, _ = s.create_key(["write"])
        self.assertOk(s.query(write, "CREATE TABLE perm (id INT)"))
        self.assertOk(s.query(write, "INSERT INTO perm VALUES (1)"))
        self.assertEqual(self.assertOk(s.query(read, "SELECT count(*) FROM perm"))["rows"], [[1]])
        err = self.assertError(s.query(read, "INSERT INTO perm VALUES (2)"), 403, "PERMISSION_DENIED")
        self.assertEqual(err["sqlstate"], "25006")
        self.assertError(s.query(read, "DROP TABLE perm"), 403, "PERMISSION_DENIED")
        # BEGIN READ WRITE cannot lift a read-only key's restriction.
        self.assertError(s.query(read, "BEGIN READ WRITE; INSERT INTO perm VALUES (3); COMMIT"), 403,
                         "PERMISSION_DENIED")
        for key in (read, write):
            self.assertError(s.request("POST", "/api/v1/auth/generate-key", {"name": "x", "permissions": ["admin"]},
                                       {"X-API-Key": key}), 403, "PERMISSION_DENIED")
            self.assertError(s.request("GET", "/api/v1/auth/keys", headers={"X-API-Key": key}), 403,
                             "PERMISSION_DENIED")
        self.assertEqual(self.assertOk(s.query(read, "SELECT count(*) FROM perm"))["rows"], [[1]])

    def test_generate_key_validation_and_listing(self):
        s = self.server
        admin = {"X-API-Key": s.admin_key}
        for bad in [{}, {"name": "x"}, {"name": "x", "permissions": []}, {"name": "x", "permissions": ["root"]},
                    {"name": "", "permissions": ["read"]}, {"name": "x", "permissions": ["read"], "expiry_hours": -1},
                    {"name": "x", "permissions": ["read"], "rate_limit_per_hour": "many"}]:
            self.assertError(s.request("POST", "/api/v1/auth/generate-key", bad, admin), 400, "VALIDATION_ERROR")
        key, key_id = s.create_key(["read", "dna"], name="lister", rate_limit_per_hour=100)
        self.assertTrue(key.startswith("nqdb_"))
        data = self.assertOk(s.request("GET", "/api/v1/auth/keys", headers=admin))
        listed = {k["id"]: k for k in data["keys"]}
        self.assertEqual(listed[key_id]["permissions"], ["read", "dna"])
        self.assertEqual(listed[key_id]["rate_limit_per_hour"], 100)
        text = json.dumps(data)
        self.assertNotIn(key, text)
        self.assertNotIn(hashlib.sha256(key.encode()).hexdigest(), text)

    def test_revocation_is_immediate_for_keys_and_tokens(self):
        s = self.server
        key, key_id = s.create_key(["read"])
        token = s.login(key)
        bearer = {"Authorization": "Bearer " + token}
        self.assertOk(s.request("GET", "/api/v1/stats", headers=bearer))
        self.assertOk(s.request("POST", "/api/v1/auth/revoke-key", {"id": key_id}, {"X-API-Key": s.admin_key}))
        self.assertError(s.query(key, "SELECT 1"), 401, "UNAUTHORIZED")
        err = self.assertError(s.request("GET", "/api/v1/stats", headers=bearer), 401, "UNAUTHORIZED")
        self.assertIn("revoked", err["message"])
        self.assertError(s.request("POST", "/api/v1/auth/revoke-key", {"id": "key_0000000000000000"},
                                   {"X-API-Key": s.admin_key}), 404, "NOT_FOUND")

    def test_cli_revocation_reaches_running_server(self):
        s = self.server
        key, key_id = s.create_key(["read"])
        self.assertOk(s.query(key, "SELECT 1"))
        s.cli("key", "revoke", key_id)
        self.assertError(s.query(key, "SELECT 1"), 401, "UNAUTHORIZED")
        out = s.cli("key", "list")
        self.assertRegex(out, rf"{key_id}.*revoked")

    def test_expired_key(self):
        s = self.server
        key, _ = s.create_key(["read"], expiry_hours=0.0003)  # about one second
        self.assertOk(s.query(key, "SELECT 1"))
        time.sleep(2.2)
        err = self.assertError(s.query(key, "SELECT 1"), 401, "UNAUTHORIZED")
        self.assertIn("expired", err["message"])

    def test_login_refresh_and_forged_tokens(self):
        s = self.server
        key, key_id = s.create_key(["read"])
        status, payload, _, _ = s.request("POST", "/api/v1/auth/login", {"api_key": key})
        data = payload["data"]
        self.assertEqual(data["token_type"], "Bearer")
        self.assertGreater(data["expires_in"], 0)
        token = data["token"]
        header, claims, sig = token.split(".")
        self.assertEqual(json.loads(b64url_decode(header))["alg"], "HS256")
        self.assertEqual(json.loads(b64url_decode(claims))["sub"], key_id)
        refreshed = self.assertOk(s.request("POST", "/api/v1/auth/refresh",
                                            headers={"Authorization": "Bearer " + token}))["token"]
        self.assertOk(s.request("GET", "/api/v1/stats", headers={"Authorization": "Bearer " + refreshed}))
        self.assertError(s.request("POST", "/api/v1/auth/login", {"api_key": "nqdb_wrong"}), 401, "UNAUTHORIZED")
        self.assertError(s.request("POST", "/api/v1/auth/login", {}), 400, "VALIDATION_ERROR")

        def refused(tok):
            self.assertError(s.request("GET", "/api/v1/stats", headers={"Authorization": "Bearer " + tok}), 401,
                             "UNAUTHORIZED")

        # Payload changed to another key id: the signature no longer matches.
        admin_id = json.loads(b64url_decode(s.login(s.admin_key).split(".")[1]))["sub"]
        forged_claims = json.loads(b64url_decode(claims))
        forged_claims["sub"] = admin_id
        refused(f"{header}.{b64url(json.dumps(forged_claims).encode())}.{sig}")
        # alg none, with and without a signature.
        none_header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
        refused(f"{none_header}.{claims}.")
        refused(f"{none_header}.{claims}.{sig}")
        # A different algorithm, signed with HMAC over a guessed key.
        hs512 = b64url(json.dumps({"alg": "HS512", "typ": "JWT", "kid": "1"}).encode())
        mac = hmac.new(b"guess", f"{hs512}.{claims}".encode(), hashlib.sha512).digest()
        refused(f"{hs512}.{claims}.{b64url(mac)}")
        # Garbage.
        for junk in ["", "a.b", "a.b.c.d", "!!!.???.***", token + "x"]:
            refused(junk)


class BrokenKeyStoreTest(unittest.TestCase):
    def test_unreadable_key_store_is_a_server_error_not_a_bad_key(self):
        s = Server().start()
        try:
            key = s.admin_key
            self.assertEqual(s.query(key, "SELECT 1")[0], 200)
            path = os.path.join(s.data, "auth", "api_keys.json")
            with open(path, "w") as f:
                f.write("{ not json")
            status, payload, _, text = s.query(key, "SELECT 1")
            self.assertEqual(status, 500, text)
            self.assertEqual(payload["error"]["code"], "INTERNAL_ERROR")
            self.assertNotIn("api_keys.json", payload["error"]["message"])
            self.assertIn("api_keys.json", s.read_log())
            status, _, _, _ = s.request("POST", "/api/v1/auth/login", {"api_key": key})
            self.assertEqual(status, 500)
            self.assertEqual(s.stop(), 0)
        finally:
            s.cleanup()


class ExpiringTokenTest(ServerTestCase):
    # Expiry is in whole seconds (exp = issue second + ttl), so a token lives between ttl - 1 and ttl
    # seconds; a 2 s lifetime leaves at least one second for the first request even on a slow build.
    settings = ("auth.token_ttl_s=2", "auth.jwt_grace_s=2", "auth.jwt_rotation_s=30")

    def test_expired_token_refused(self):
        s = self.server
        token = s.login(s.admin_key)
        self.assertOk(s.request("GET", "/api/v1/stats", headers={"Authorization": "Bearer " + token}))
        time.sleep(3.1)
        err = self.assertError(s.request("GET", "/api/v1/stats", headers={"Authorization": "Bearer " + token}),
                               401, "UNAUTHORIZED")
        self.assertIn("expire", err["message"])


class SessionTest(ServerTestCase):
    def test_transaction_across_requests_and_isolation(self):
        s = self.server
        key = s.admin_key
        self.assertOk(s.query(key, "CREATE TABLE acct (id INT PRIMARY KEY, v INT)"))
        a = self.assertOk(s.request("POST", "/api/v1/sessions", headers={"X-API-Key": key}), 201)["session_id"]
        b = self.assertOk(s.request("POST", "/api/v1/sessions", headers={"X-API-Key": key}), 201)["session_id"]
        self.assertNotEqual(a, b)
        self.assertOk(s.query(key, "BEGIN", session=a))
        data = self.assertOk(s.query(key, "INSERT INTO acct VALUES (1, 10)", session=a))
        self.assertTrue(data["in_transaction"])
        self.assertEqual(self.assertOk(s.query(key, "SELECT count(*) FROM acct", session=b))["rows"], [[0]])
        self.assertEqual(self.assertOk(s.query(key, "SELECT count(*) FROM acct"))["rows"], [[0]])
        self.assertOk(s.query(key, "COMMIT", session=a))
        self.assertEqual(self.assertOk(s.query(key, "SELECT count(*) FROM acct", session=b))["rows"], [[1]])
        # Closing a session rolls back what it left open.
        self.assertOk(s.query(key, "BEGIN", session=b))
        self.assertOk(s.query(key, "INSERT INTO acct VALUES (2, 20)", session=b))
        self.assertOk(s.request("DELETE", f"/api/v1/sessions/{b}", headers={"X-API-Key": key}))
        self.assertError(s.query(key, "SELECT 1", session=b), 404, "NOT_FOUND")
        self.assertEqual(self.assertOk(s.query(key, "SELECT count(*) FROM acct"))["rows"], [[1]])
        self.assertError(s.request("DELETE", f"/api/v1/sessions/{b}", headers={"X-API-Key": key}), 404, "NOT_FOUND")
        self.assertOk(s.request("DELETE", f"/api/v1/sessions/{a}", headers={"X-API-Key": key}))

    def test_sessions_belong_to_their_key(self):
        s = self.server
        other, _ = s.create_key(["read", "write"])
        sid = self.assertOk(s.request("POST", "/api/v1/sessions", headers={"X-API-Key": s.admin_key}), 201)[
            "session_id"]
        self.assertError(s.query(other, "SELECT 1", session=sid), 404, "NOT_FOUND")
        self.assertError(s.request("DELETE", f"/api/v1/sessions/{sid}", headers={"X-API-Key": other}), 404,
                         "NOT_FOUND")
        self.assertOk(s.query(s.admin_key, "SELECT 1", session=sid))

    def test_read_only_key_session(self):
        s = self.server
        read, _ = s.create_key(["read"])
        data = self.assertOk(s.request("POST", "/api/v1/sessions", headers={"X-API-Key": read}), 201)
        self.assertTrue(data["read_only"])
        sid = data["session_id"]
        self.assertOk(s.query(read, "BEGIN", session=sid))
        self.assertError(s.query(read, "CREATE TABLE nope (i INT)", session=sid), 403, "PERMISSION_DENIED")

    def test_concurrent_clients_each_in_their_own_session(self):
        s = self.server
        key = s.admin_key
        self.assertOk(s.query(key, "CREATE TABLE counters (id INT PRIMARY KEY, n INT)"))
        clients = 6
        for i in range(clients):
            self.assertOk(s.query(key, "INSERT INTO counters VALUES ($1, 0)", [i]))
        errors = []

        def client(i):
            try:
                sid = s.request("POST", "/api/v1/sessions", headers={"X-API-Key": key})[1]["data"]["session_id"]
                for _ in range(10):
                    for sql in ["BEGIN", "UPDATE counters SET n = n + 1 WHERE id = $1", "COMMIT"]:
                        status, payload, _, text = s.query(key, sql, [i] if "$1" in sql else None, session=sid)
                        if status != 200:
                            errors.append(text)
                s.request("DELETE", f"/api/v1/sessions/{sid}", headers={"X-API-Key": key})
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(repr(e))

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        data = self.assertOk(s.query(key, "SELECT sum(n), count(*) FROM counters"))
        self.assertEqual(data["rows"], [[clients * 10, clients]])

    def test_session_in_use_is_refused_not_shared(self):
        s = self.server
        key = s.admin_key
        slow, _ = slow_query(s, key, 1.5)
        sid = self.assertOk(s.request("POST", "/api/v1/sessions", headers={"X-API-Key": key}), 201)["session_id"]
        results = {}
        t = threading.Thread(target=lambda: results.update(slow=s.query(key, slow, session=sid)))
        t.start()
        # Once the slow query is being handled (in flight beside the stats
        # request itself), a second request on the session is refused. In
        # flight is counted before the request takes its session, so the
        # second one waits a little, and asks again should it still have
        # come first; a session shared between them answers 200 every time.
        second = None
        while t.is_alive():
            stats = s.request("GET", "/api/v1/stats", headers={"X-API-Key": key})[1]["data"]
            if stats["server"]["in_flight"] >= 2:
                time.sleep(0.2)
                second = s.query(key, "SELECT 1", session=sid)
                if second[0] == 409:
                    break
            time.sleep(0.01)
        t.join()
        self.assertIsNotNone(second, "the slow query ended before a second request was sent")
        self.assertError(second, 409, "CONFLICT")
        self.assertEqual(results["slow"][0], 200, results["slow"][3])

    def test_session_limit_per_key(self):
        s = self.server
        key, _ = s.create_key(["read"])
        for _ in range(16):
            self.assertOk(s.request("POST", "/api/v1/sessions", headers={"X-API-Key": key}), 201)
        self.assertError(s.request("POST", "/api/v1/sessions", headers={"X-API-Key": key}), 409, "CONFLICT")


class TimeoutTest(ServerTestCase):
    settings = ("server.request_timeout_ms=500", "server.session_idle_timeout_s=1")

    def test_request_timeout_cancels_statement(self):
        s = self.server
        key = s.admin_key
        self.assertOk(s.query(key, "CREATE TABLE ten (i INT)"))
        self.assertOk(s.query(key, "INSERT INTO ten VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)"))
        started = time.time()
        err = self.assertError(s.query(key, "SELECT count(*) FROM ten a, ten b, ten c, ten d, ten e, ten f, ten g, "
                                            "ten h, ten i"), 408, "TIMEOUT")
        self.assertEqual(err["sqlstate"], "57014")
        self.assertLess(time.time() - started, 10)
        self.assertOk(s.query(key, "SELECT count(*) FROM ten"))

    def test_idle_session_is_closed(self):
        s = self.server
        key = s.admin_key
        sid = self.assertOk(s.request("POST", "/api/v1/sessions", headers={"X-API-Key": key}), 201)["session_id"]
        self.assertOk(s.query(key, "SELECT 1", session=sid))
        time.sleep(3)
        self.assertError(s.query(key, "SELECT 1", session=sid), 404, "NOT_FOUND")


class OperationTest(ServerTestCase):
    settings = ("log_format=json", "server.cors_origins=https://app.example", "server.max_connections=3")

    def test_json_log_lines_carry_the_request_id(self):
        s = self.server
        s.request("GET", "/health", headers={"X-Request-Id": "json-log-1"})
        s.query(s.admin_key, "SELECT 1")
        lines = [json.loads(line) for line in s.read_log().splitlines() if line.startswith("{")]
        self.assertTrue(lines)
        for line in lines:
            self.assertIn("time", line)
            self.assertIn("level", line)
            self.assertIn("module", line)
            self.assertIn("message", line)
        tagged = [l for l in lines if l.get("request_id") == "json-log-1"]
        self.assertEqual(len(tagged), 1, lines)
        self.assertIn("GET /health 200", tagged[0]["message"])

    def test_cors(self):
        s = self.server
        _, _, resp, _ = s.request("GET", "/health", headers={"Origin": "https://app.example"})
        self.assertEqual(resp.getheader("Access-Control-Allow-Origin"), "https://app.example")
        self.assertIn("X-Request-Id", resp.getheader("Access-Control-Expose-Headers"))
        _, _, resp, _ = s.request("GET", "/health", headers={"Origin": "https://evil.example"})
        self.assertIsNone(resp.getheader("Access-Control-Allow-Origin"))
        status, _, resp, _ = s.request("OPTIONS", "/api/v1/query", headers={"Origin": "https://app.example"})
        self.assertEqual(status, 204)
        self.assertIn("X-API-Key", resp.getheader("Access-Control-Allow-Headers"))
        self.assertEqual(resp.getheader("Access-Control-Allow-Methods"), "POST, OPTIONS")
        _, _, resp, _ = s.request("OPTIONS", "/api/v1/tables/t/data", headers={"Origin": "https://app.example"})
        self.assertEqual(resp.getheader("Access-Control-Allow-Methods"), "POST, PUT, DELETE, OPTIONS")

    def test_connection_limit(self):
        s = self.server
        held = []
        try:
            for _ in range(3):
                held.append(socket.create_connection(("127.0.0.1", s.port), timeout=10))
            time.sleep(0.2)
            extra = socket.create_connection(("127.0.0.1", s.port), timeout=10)
            reply = extra.recv(4096)
            extra.close()
            self.assertTrue(reply.startswith(b"HTTP/1.1 503"), reply)
        finally:
            for c in held:
                c.close()
        time.sleep(0.2)
        self.assertOk(s.request("GET", "/health"))


class ShutdownTest(unittest.TestCase):
    def test_graceful_shutdown_finishes_requests_in_flight(self):
        s = Server().start()
        try:
            key = s.admin_key
            slow, rows = slow_query(s, key, 1.5)
            s.query(key, "CREATE TABLE kept (i INT)")
            s.query(key, "INSERT INTO kept VALUES (42)")
            sid = s.request("POST", "/api/v1/sessions", headers={"X-API-Key": key})[1]["data"]["session_id"]
            s.query(key, "BEGIN", session=sid)
            s.query(key, "INSERT INTO kept VALUES (99)", session=sid)  # never committed
            results = {}
            t = threading.Thread(target=lambda: results.update(slow=s.query(key, slow)))
            t.start()
            time.sleep(0.3)
            s.proc.send_signal(signal.SIGTERM)
            t.join(60)
            self.assertEqual(s.proc.wait(timeout=60), 0)
            status, payload, _, text = results["slow"]
            self.assertEqual(status, 200, text)
            self.assertEqual(payload["data"]["rows"], [[rows]])
            with self.assertRaises(OSError):
                socket.create_connection(("127.0.0.1", s.port), timeout=2).close()
            s.proc.stdout.close()
            s.log.close()
            log = s.read_log()
            self.assertIn("shutting down", log)
            self.assertIn("stopped", log)
            s.proc = None
            s.start()
            data = s.query(key, "SELECT i FROM kept ORDER BY i")[1]["data"]
            self.assertEqual(data["rows"], [[42]])
            self.assertEqual(s.stop(signal.SIGINT), 0)
        finally:
            s.cleanup()


if __name__ == "__main__":
    harness.main("test_server.py")
