#!/usr/bin/env python3
"""End-to-end tests of POST /api/v1/query/stream: NDJSON lines (columns,
rows in batches, end) over chunked transfer coding, no row limit, the
stream stopping when the client leaves, and errors.

Usage: test_stream.py --nqdb PATH/TO/nqdb [unittest arguments]
"""
import http.client
import json
import socket
import time

import harness
from harness import ServerTestCase


class StreamTest(ServerTestCase):
    settings = ("server.max_result_rows=1000",)
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        for sql in ["CREATE TABLE ten (i INT)", "INSERT INTO ten VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)",
                    "CREATE TABLE n (i INT PRIMARY KEY)"]:
            status, payload, _, _ = s.query(s.admin_key, sql)
            assert status == 200, payload
        status, payload, _, _ = s.query(s.admin_key, "INSERT INTO n SELECT a.i * 1000 + b.i * 100 + c.i * 10 + d.i "
                                                     "FROM ten a, ten b, ten c, ten d")
        assert status == 200, payload

    def open_stream(self, body, key=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        conn.request("POST", "/api/v1/query/stream", json.dumps(body).encode(),
                     {"X-API-Key": key or self.server.admin_key, "Content-Type": "application/json"})
        return conn, conn.getresponse()

    def lines(self, body):
        conn, resp = self.open_stream(body)
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.getheader("Content-Type"), "application/x-ndjson")
        self.assertEqual(resp.getheader("Transfer-Encoding"), "chunked")
        out = [json.loads(line) for line in resp.read().decode().splitlines()]
        conn.close()
        return out

    def test_rows_in_batches_then_end(self):
        out = self.lines({"query": "SELECT i, i * 2 AS twice FROM n WHERE i >= $1 ORDER BY i", "params": [1000],
                          "batch_size": 700})
        self.assertEqual(out[0]["type"], "columns")
        self.assertEqual([c["name"] for c in out[0]["columns"]], ["i", "twice"])
        batches = [line for line in out[1:-1]]
        self.assertTrue(all(b["type"] == "rows" for b in batches))
        self.assertTrue(all(len(b["rows"]) <= 700 for b in batches))
        rows = [r for b in batches for r in b["rows"]]
        self.assertEqual(rows, [[i, 2 * i] for i in range(1000, 10000)])
        self.assertEqual(out[-1]["type"], "end")
        self.assertEqual(out[-1]["row_count"], 9000)
        # An empty result: columns, then end.
        out = self.lines({"query": "SELECT i FROM n WHERE i < 0"})
        self.assertEqual([line["type"] for line in out], ["columns", "end"])
        self.assertEqual(out[-1]["row_count"], 0)
        # The connection serves the next request after a stream.
        conn, resp = self.open_stream({"query": "SELECT 1"})
        resp.read()
        conn.request("GET", "/health")
        self.assertEqual(conn.getresponse().status, 200)
        conn.close()

    def test_no_row_limit(self):
        # server.max_result_rows (1000 here) cuts /query, not a stream.
        status, payload, _, _ = self.server.query(self.server.admin_key, "SELECT i FROM n")
        self.assertEqual(status, 413, payload)
        out = self.lines({"query": "SELECT a.i FROM n a, ten b"})
        self.assertEqual(out[-1], {**out[-1], "type": "end", "row_count": 100000})
        self.assertEqual(sum(len(line["rows"]) for line in out if line["type"] == "rows"), 100000)

    def test_client_leaving_stops_the_stream(self):
        # About 25 MB of NDJSON: more than socket buffers hold, so the server
        # is still writing when the client leaves.
        padding = "x" * 240
        body = json.dumps({"query": f"SELECT a.i, '{padding}' FROM n a, ten b"}).encode()
        sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=30)
        sock.sendall(b"POST /api/v1/query/stream HTTP/1.1\r\nHost: x\r\nX-API-Key: " +
                     self.server.admin_key.encode() + b"\r\nContent-Type: application/json\r\nContent-Length: " +
                     str(len(body)).encode() + b"\r\n\r\n" + body)
        received = sock.recv(4096)
        self.assertTrue(received.startswith(b"HTTP/1.1 200 "), received[:300])
        sock.close()
        deadline = time.time() + 20
        stopped = []
        while time.time() < deadline and not stopped:
            stopped = [line for line in self.server.read_log().splitlines() if "the client went away" in line]
            time.sleep(0.1)
        self.assertTrue(stopped, "the server did not notice the client leaving; log:\n" + self.server.read_log()[-2000:])
        rows = int(stopped[0].split("stopped after ")[1].split()[0])
        self.assertLess(rows, 100000)
        in_flight = None
        while time.time() < deadline and in_flight != ["nqdb_http_requests_in_flight 1"]:  # this request only
            _, _, _, text = self.server.request("GET", "/metrics")
            in_flight = [line for line in text.splitlines() if line.startswith("nqdb_http_requests_in_flight ")]
        self.assertEqual(in_flight, ["nqdb_http_requests_in_flight 1"])

    def test_errors_are_ordinary_responses(self):
        status, payload, _, _ = self.server.request("POST", "/api/v1/query/stream", {"query": "SELEC 1"},
                                                    {"X-API-Key": self.server.admin_key})
        self.assertEqual(status, 400)
        self.assertEqual(payload["error"]["code"], "INVALID_QUERY")
        status, payload, _, _ = self.server.request("POST", "/api/v1/query/stream", {"query": "SELECT * FROM nope"},
                                                    {"X-API-Key": self.server.admin_key})
        self.assertEqual(status, 404)
        status, payload, _, _ = self.server.request("POST", "/api/v1/query/stream", {"query": "SELECT 1",
                                                                                     "batch_size": 0},
                                                    {"X-API-Key": self.server.admin_key})
        self.assertEqual(status, 400)
        status, _, _, _ = self.server.request("POST", "/api/v1/query/stream", {"query": "SELECT 1"})
        self.assertEqual(status, 401)
        # An error at the first row, before anything was sent: still an
        # ordinary error response.
        status, payload, _, _ = self.server.request("POST", "/api/v1/query/stream",
                                                    {"query": "SELECT 10 / (i - 0) FROM n"},
                                                    {"X-API-Key": self.server.admin_key})
        self.assertEqual(status, 400)
        self.assertEqual(payload["error"]["sqlstate"], "22012")

    def test_rows_stream_while_the_statement_runs(self):
        # Division by zero at the 5001st row (of a scan in key order): the
        # rows are sent as they are produced, so the 5000 before it arrive,
        # then an error line. A result computed whole before its first row
        # could only fail as a whole.
        out = self.lines({"query": "SELECT i, 10 / (i - 5000) FROM n", "batch_size": 500})
        self.assertEqual(out[0]["type"], "columns")
        rows = [r for line in out if line["type"] == "rows" for r in line["rows"]]
        self.assertEqual([r[0] for r in rows], list(range(5000)))
        self.assertEqual(out[-1]["type"], "error")
        self.assertEqual(out[-1]["error"]["sqlstate"], "22012")
        self.assertEqual(out[-1]["row_count"], 5000)
        # A result larger than the query memory budget (64 MiB) when held
        # whole streams through: about 100 MB of rows.
        padding = "y" * 1000
        out = self.lines({"query": f"SELECT a.i, '{padding}' AS pad FROM n a, ten b WHERE b.i < 10",
                          "batch_size": 5000})
        self.assertEqual(out[-1]["type"], "end", out[-1])
        self.assertEqual(out[-1]["row_count"], 100000)
        # Sorting them spills sorted runs to disk past the budget.
        status, payload, _, _ = self.server.query(self.server.admin_key, f"SELECT count(*) FROM (SELECT a.i, '{padding}' "
                                                  "AS pad FROM n a, ten b WHERE b.i < 10 ORDER BY pad) s")
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["data"]["rows"], [[100000]])

    def test_read_only_keys_cannot_write_through_a_stream(self):
        key, _ = self.server.create_key(["read"], name="stream-reader")
        status, payload, _, _ = self.server.request("POST", "/api/v1/query/stream",
                                                    {"query": "INSERT INTO ten VALUES (99) RETURNING i"},
                                                    {"X-API-Key": key})
        self.assertEqual(status, 403, payload)
        out = self.lines({"query": "INSERT INTO ten VALUES (42) RETURNING i * 2"})
        self.assertEqual([r for line in out if line["type"] == "rows" for r in line["rows"]], [[84]])
        status, payload, _, _ = self.server.query(self.server.admin_key, "SELECT count(*) FROM ten WHERE i = 42")
        self.assertEqual(payload["data"]["rows"], [[1]])


if __name__ == "__main__":
    harness.main("test_stream.py")
