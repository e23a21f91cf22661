#!/usr/bin/env python3
"""End-to-end tests of the WebSocket endpoint GET /ws with a real client
(Debian's python3-websockets): authentication at the upgrade, table events
from the change feed (once each, in commit order, none for rollbacks),
credit-based flow control for events and streamed queries, the slow
consumer cut off while others continue, 100 concurrent connections,
malformed messages and frames, and the message size limit.

Usage: test_websocket.py --nqdb PATH/TO/nqdb [unittest arguments]
"""
import asyncio
import base64
import json
import os
import socket
import struct
import time

import harness
from harness import ServerTestCase

try:
    import websockets
    import websockets.exceptions
except ImportError as e:  # bootstrap installs python3-websockets
    raise SystemExit(f"test_websocket.py needs the python3-websockets package: {e}")


def run(coro, timeout=120):
    return asyncio.run(asyncio.wait_for(coro, timeout))


class WebSocketTest(ServerTestCase):
    # Pending-message bound low enough for a test to cross it; 100
    # connections from one address.
    settings = ("websocket.max_pending_messages=50", "server.max_connections_per_address=300",
                "websocket.max_message_kib=4")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        for sql in ["CREATE TABLE ev (id INT PRIMARY KEY, name TEXT, score DOUBLE)",
                    "CREATE TABLE other (id INT PRIMARY KEY)",
                    "CREATE TABLE ten (i INT)", "INSERT INTO ten VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)",
                    "CREATE TABLE flood (id INT PRIMARY KEY)",
                    "CREATE TABLE many (id INT PRIMARY KEY)"]:
            status, payload, _, _ = s.query(s.admin_key, sql)
            assert status == 200, payload

    def url(self, query=""):
        return f"ws://127.0.0.1:{self.server.port}/ws{query}"

    async def connect(self, key=None, **kwargs):
        ws = await websockets.connect(self.url(), extra_headers={"X-API-Key": key or self.server.admin_key},
                                      ping_interval=None, max_size=None, **kwargs)
        welcome = json.loads(await ws.recv())
        self.assertEqual(welcome["type"], "welcome")
        self.assertEqual(welcome["credit"], 0)
        return ws

    async def send(self, ws, **message):
        await ws.send(json.dumps(message))

    async def recv(self, ws, timeout=20):
        return json.loads(await asyncio.wait_for(ws.recv(), timeout))

    async def nothing_within(self, ws, seconds):
        try:
            message = await asyncio.wait_for(ws.recv(), seconds)
        except asyncio.TimeoutError:
            return
        self.fail(f"unexpected message: {message}")

    async def subscribe(self, ws, channel, credit=None):
        await self.send(ws, type="subscribe", channel=channel)
        reply = await self.recv(ws)
        self.assertEqual(reply, {"type": "subscribed", "channel": channel})
        if credit:
            await self.send(ws, type="credit", n=credit)

    def sql(self, sql, key=None, session=None):
        status, payload, _, text = self.server.query(key or self.server.admin_key, sql, session=session)
        self.assertEqual(status, 200, text)
        return payload["data"]

    # --- the upgrade ---------------------------------------------------

    def test_upgrade_needs_credentials(self):
        async def body():
            with self.assertRaises(websockets.exceptions.InvalidStatusCode) as cm:
                await websockets.connect(self.url(), ping_interval=None)
            self.assertEqual(cm.exception.status_code, 401)
            with self.assertRaises(websockets.exceptions.InvalidStatusCode) as cm:
                await websockets.connect(self.url("?api_key=nqdb_wrong"), ping_interval=None)
            self.assertEqual(cm.exception.status_code, 401)
            # A key in the URL (browsers cannot set headers), and a token.
            async with websockets.connect(self.url("?api_key=" + self.server.admin_key), ping_interval=None) as ws:
                self.assertEqual((await self.recv(ws))["type"], "welcome")
            token = self.server.login(self.server.admin_key)
            async with websockets.connect(self.url("?access_token=" + token), ping_interval=None) as ws:
                self.assertEqual((await self.recv(ws))["type"], "welcome")
            async with websockets.connect(self.url(), extra_headers={"Authorization": "Bearer " + token},
                                          ping_interval=None) as ws:
                self.assertEqual((await self.recv(ws))["type"], "welcome")
            # A key without the read permission.
            key, _ = self.server.create_key(["dna"], name="no-read")
            with self.assertRaises(websockets.exceptions.InvalidStatusCode) as cm:
                await websockets.connect(self.url(), extra_headers={"X-API-Key": key}, ping_interval=None)
            self.assertEqual(cm.exception.status_code, 403)
        run(body())
        # A plain GET is told to upgrade; the query string is no credential there.
        status, payload, resp, text = self.server.request("GET", "/ws", headers={"X-API-Key": self.server.admin_key})
        self.assertEqual(status, 426, text)
        self.assertEqual(payload["error"]["code"], "UPGRADE_REQUIRED")
        self.assertEqual(self.server.request("GET", "/ws?api_key=" + self.server.admin_key)[0], 401)

    def test_ping_and_invalid_messages(self):
        async def body():
            ws = await self.connect()
            await self.send(ws, type="ping", id="p-1")
            self.assertEqual(await self.recv(ws), {"type": "pong", "id": "p-1"})
            cases = [
                ("not json", "INVALID_MESSAGE"),
                ("[1, 2]", "INVALID_MESSAGE"),
                ('{"type": 5}', "INVALID_MESSAGE"),
                ('{"type": "launch"}', "UNKNOWN_TYPE"),
                ('{"type": "subscribe", "channel": "table..x"}', "INVALID_CHANNEL"),
                ('{"type": "subscribe", "channel": "table.x*"}', "INVALID_CHANNEL"),
                ('{"type": "subscribe"}', "INVALID_MESSAGE"),
                ('{"type": "credit", "n": 0}', "INVALID_MESSAGE"),
                ('{"type": "credit", "n": -3}', "INVALID_MESSAGE"),
                ('{"type": "credit", "n": "ten"}', "INVALID_MESSAGE"),
                ('{"type": "stream_query", "sql": "SELECT 1"}', "INVALID_MESSAGE"),
                ('{"type": "stream_query", "id": "q", "sql": "SELECT 1", "batch_size": 0}', "INVALID_MESSAGE"),
                ('{"type": "cancel_query", "id": "nothing-runs"}', "NOT_FOUND"),
                ('{"type": "unsubscribe", "channel": "table.never"}', "NOT_SUBSCRIBED"),
                ("[" * 100000, "INVALID_MESSAGE"),
            ]
            for text, code in cases:
                if len(text) > 4096:
                    continue  # over the message limit: see test_message_size_limit
                await ws.send(text)
                reply = await self.recv(ws)
                self.assertEqual(reply["type"], "error", text)
                self.assertEqual(reply["error"]["code"], code, (text, reply))
                self.assertTrue(reply["error"]["message"])
            # The id of a refused message is echoed when it was readable.
            await ws.send('{"type": "stream_query", "id": "q7", "sql": 3}')
            reply = await self.recv(ws)
            self.assertEqual((reply["id"], reply["error"]["code"]), ("q7", "INVALID_MESSAGE"))
            await ws.send(b"\x00\x01binary")
            self.assertEqual((await self.recv(ws))["error"]["code"], "INVALID_MESSAGE")
            # Still serving.
            await self.send(ws, type="ping")
            self.assertEqual(await self.recv(ws), {"type": "pong"})
            await ws.close()
        run(body())

    def test_message_size_limit(self):
        async def body():
            ws = await self.connect()
            await ws.send(json.dumps({"type": "ping", "id": "x" * 8000}))
            with self.assertRaises(websockets.exceptions.ConnectionClosed) as cm:
                await self.recv(ws)
            self.assertEqual(cm.exception.code, 1009)
        run(body())
        self.assertEqual(self.server.request("GET", "/health")[0], 200)

    def test_malformed_frames(self):
        """Raw frames a conforming client never sends: the server closes
        the connection (protocol error) and keeps serving others."""
        frames = [
            bytes([0x81, 0x05]) + b"hello",              # unmasked client frame
            bytes([0x83, 0x80]) + b"\x00\x00\x00\x00",   # reserved opcode 3
            bytes([0xC1, 0x80]) + b"\x00\x00\x00\x00",   # RSV1 set without an extension
            bytes([0x89, 0xFE, 0x00, 0x80]) + b"\x00" * 4 + b"\x00" * 128,  # control frame over 125 bytes
            bytes([0x01, 0x80]) + b"\x00" * 4 + bytes([0x01, 0x80]) + b"\x00" * 4,  # continuation expected
        ]
        for frame in frames:
            sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
            key = base64.b64encode(os.urandom(16)).decode()
            sock.sendall((f"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                          f"X-API-Key: {self.server.admin_key}\r\n\r\n").encode())
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = sock.recv(4096)
                self.assertTrue(chunk)
                head += chunk
            self.assertTrue(head.startswith(b"HTTP/1.1 101"), head)
            sock.sendall(frame)
            received = head.split(b"\r\n\r\n", 1)[1]
            deadline = time.time() + 10
            while time.time() < deadline:
                try:
                    chunk = sock.recv(4096)
                except (ConnectionResetError, socket.timeout):
                    break
                if not chunk:
                    break
                received += chunk
            sock.close()
            # The welcome text frame, then a close frame with 1002 (or the
            # connection just ends).
            closes = [i for i in range(len(received) - 3) if received[i] == 0x88]
            if closes:
                i = closes[-1]
                code = struct.unpack(">H", received[i + 2:i + 4])[0]
                self.assertEqual(code, 1002, (frame, received))
        self.assertEqual(self.server.request("GET", "/health")[0], 200)

    # --- table events --------------------------------------------------

    def test_events_once_each_in_commit_order_never_for_rollbacks(self):
        async def body():
            exact = await self.connect()
            await self.subscribe(exact, "table.ev", credit=1000)
            wild = await self.connect()
            await self.subscribe(wild, "table.*", credit=1000)
            deep = await self.connect()
            await self.subscribe(deep, "**", credit=1000)
            elsewhere = await self.connect()
            await self.subscribe(elsewhere, "table.other", credit=1000)

            self.sql("INSERT INTO ev VALUES (1, 'one', 1.5)")
            self.sql("INSERT INTO ev VALUES (2, 'two', NULL), (3, 'three', 3.0)")
            self.sql("UPDATE ev SET name = 'uno' WHERE id = 1")
            self.sql("DELETE FROM ev WHERE id = 2")
            # Rolled back in a session: no event.
            status, payload, _, _ = self.server.request("POST", "/api/v1/sessions", {},
                                                        {"X-API-Key": self.server.admin_key})
            self.assertEqual(status, 201, payload)
            session = payload["data"]["session_id"]
            for sql in ["BEGIN", "INSERT INTO ev VALUES (99, 'ghost', 0)", "UPDATE ev SET name = 'x' WHERE id = 3",
                        "ROLLBACK"]:
                self.sql(sql, session=session)
            # A failed statement in autocommit: no event.
            status, _, _, _ = self.server.query(self.server.admin_key, "INSERT INTO ev VALUES (1, 'dup', 0)")
            self.assertEqual(status, 409)
            self.sql("INSERT INTO ev VALUES (4, 'four', 4.0)")

            expected = [("insert", {"id": 1, "name": "one", "score": 1.5}, None),
                        ("insert", {"id": 2, "name": "two", "score": None}, None),
                        ("insert", {"id": 3, "name": "three", "score": 3.0}, None),
                        ("update", {"id": 1, "name": "uno", "score": 1.5}, {"id": 1, "name": "one", "score": 1.5}),
                        ("delete", None, {"id": 2, "name": "two", "score": None}),
                        ("insert", {"id": 4, "name": "four", "score": 4.0}, None)]
            for ws in (exact, wild, deep):
                got = [await self.recv(ws) for _ in expected]
                self.assertEqual([(e["op"], e.get("row"), e.get("old")) for e in got], expected)
                self.assertTrue(all(e["type"] == "event" and e["channel"] == "table.ev" and e["table"] == "ev"
                                    for e in got))
                lsns = [e["lsn"] for e in got]
                self.assertEqual(lsns, sorted(lsns))
                self.assertEqual(got[1]["txn"], got[2]["txn"])  # one transaction, two rows
                self.assertLess(got[0]["txn"], got[1]["txn"])
                await self.nothing_within(ws, 0.3)  # once each
            await self.nothing_within(elsewhere, 0.1)
            # Unsubscribed: no more events.
            await self.send(exact, type="unsubscribe", channel="table.ev")
            self.assertEqual(await self.recv(exact), {"type": "unsubscribed", "channel": "table.ev"})
            self.sql("INSERT INTO ev VALUES (5, 'five', 5.0)")
            self.assertEqual((await self.recv(wild))["row"]["id"], 5)
            await self.nothing_within(exact, 0.3)
            for ws in (exact, wild, deep, elsewhere):
                await ws.close()
        run(body())

    def test_events_wait_for_credit(self):
        async def body():
            ws = await self.connect()
            await self.subscribe(ws, "table.other")
            self.sql("INSERT INTO other VALUES (1), (2), (3), (4), (5)")
            await self.nothing_within(ws, 0.5)  # no credit yet
            await self.send(ws, type="credit", n=2)
            got = [(await self.recv(ws))["row"]["id"] for _ in range(2)]
            self.assertEqual(got, [1, 2])
            await self.nothing_within(ws, 0.5)
            # Replies to requests do not wait for credit.
            await self.send(ws, type="ping", id="still")
            self.assertEqual(await self.recv(ws), {"type": "pong", "id": "still"})
            await self.send(ws, type="credit", n=10)
            got = [(await self.recv(ws))["row"]["id"] for _ in range(3)]
            self.assertEqual(got, [3, 4, 5])
            await ws.close()
        run(body())

    def test_slow_consumer_cut_off_while_others_continue(self):
        async def body():
            slow = await self.connect()
            await self.subscribe(slow, "table.flood")  # never grants credit
            fast = await self.connect()
            await self.subscribe(fast, "table.flood", credit=100000)
            # 60 events: over the bound of 50 waiting messages.
            values = ", ".join(f"({i})" for i in range(60))
            self.sql(f"INSERT INTO flood VALUES {values}")
            got = [(await self.recv(fast))["row"]["id"] for _ in range(60)]
            self.assertEqual(got, list(range(60)))
            with self.assertRaises(websockets.exceptions.ConnectionClosed) as cm:
                await self.recv(slow)
            self.assertEqual(cm.exception.code, 4008)
            self.assertIn("too slow", cm.exception.reason)
            # The fast one carries on.
            self.sql("INSERT INTO flood VALUES (1000)")
            self.assertEqual((await self.recv(fast))["row"]["id"], 1000)
            await fast.close()
        run(body())

    def test_hundred_connections(self):
        async def body():
            conns = await asyncio.gather(*[self.connect() for _ in range(100)])
            for ws in conns:
                await self.send(ws, type="subscribe", channel="table.many")
                await self.send(ws, type="credit", n=10)
            for ws in conns:
                self.assertEqual((await self.recv(ws))["type"], "subscribed")
            self.sql("INSERT INTO many VALUES (7)")
            events = await asyncio.gather(*[self.recv(ws) for ws in conns])
            self.assertTrue(all(e["row"] == {"id": 7} for e in events))
            pongs = []
            for i, ws in enumerate(conns):
                await self.send(ws, type="ping", id=str(i))
            for i, ws in enumerate(conns):
                pongs.append((await self.recv(ws))["id"])
            self.assertEqual(pongs, [str(i) for i in range(100)])
            await asyncio.gather(*[ws.close() for ws in conns])
        run(body())

    # --- streamed queries ----------------------------------------------

    async def stream(self, ws, query_id, sql, batch_size, credit, params=None):
        message = {"type": "stream_query", "id": query_id, "sql": sql, "batch_size": batch_size}
        if params is not None:
            message["params"] = params
        await ws.send(json.dumps(message))
        if credit:
            await self.send(ws, type="credit", n=credit)

    def test_stream_with_credit_one(self):
        async def body():
            ws = await self.connect()
            await self.stream(ws, "q1", "SELECT a.i * 10 + b.i AS n FROM ten a, ten b ORDER BY n", 10, credit=1)
            columns = await self.recv(ws)
            self.assertEqual(columns["type"], "columns")
            self.assertEqual(columns["id"], "q1")
            self.assertEqual([c["name"] for c in columns["columns"]], ["n"])
            first = await self.recv(ws)
            self.assertEqual((first["type"], first["seq"], first["rows"]), ("batch", 0, [[i] for i in range(10)]))
            # No second batch before more credit.
            await self.nothing_within(ws, 0.7)
            await self.send(ws, type="credit", n=1)
            second = await self.recv(ws)
            self.assertEqual((second["seq"], second["row_count"]), (1, 20))
            await self.nothing_within(ws, 0.3)
            await self.send(ws, type="credit", n=100)
            rows = first["rows"] + second["rows"]
            while True:
                m = await self.recv(ws)
                if m["type"] == "end":
                    break
                self.assertEqual(m["type"], "batch")
                rows += m["rows"]
            self.assertEqual(rows, [[i] for i in range(100)])
            self.assertEqual((m["id"], m["row_count"], m["command"]), ("q1", 100, "SELECT"))
            await ws.close()
        run(body())

    def test_stream_params_errors_and_cancel(self):
        async def body():
            ws = await self.connect()
            await self.stream(ws, "p", "SELECT i FROM ten WHERE i >= $1 ORDER BY i", 100, credit=5, params=[7])
            self.assertEqual((await self.recv(ws))["type"], "columns")
            self.assertEqual((await self.recv(ws))["rows"], [[7], [8], [9]])
            self.assertEqual((await self.recv(ws))["type"], "end")
            # An empty result: columns, then end, no credit spent.
            await self.stream(ws, "e", "SELECT i FROM ten WHERE i < 0", 100, credit=0)
            self.assertEqual([(await self.recv(ws))["type"] for _ in range(2)], ["columns", "end"])
            # Errors name the query.
            await self.stream(ws, "bad", "SELEC 1", 100, credit=0)
            reply = await self.recv(ws)
            self.assertEqual((reply["type"], reply["id"], reply["error"]["code"]), ("error", "bad", "INVALID_QUERY"))
            self.assertEqual(reply["error"]["sqlstate"], "42601")
            await self.stream(ws, "nt", "SELECT * FROM missing_table", 100, credit=0)
            self.assertEqual((await self.recv(ws))["error"]["code"], "TABLE_NOT_FOUND")
            await self.stream(ws, "tx", "BEGIN", 100, credit=0)
            self.assertEqual((await self.recv(ws))["error"]["code"], "VALIDATION_ERROR")
            # A runtime error after some rows: the rows sent, then the error.
            await self.stream(ws, "div", "SELECT 10 / (i - 5) FROM ten", 1, credit=100)
            seen = 0
            while True:
                m = await self.recv(ws)
                if m["type"] == "error":
                    break
                if m["type"] == "batch":
                    seen += len(m["rows"])
            self.assertEqual(m["error"]["sqlstate"], "22012")
            self.assertEqual(seen, 5)
            self.assertEqual(m["row_count"], 5)
            # Cancel: a query waiting for credit (on a new connection:
            # credit left over from the queries above is the connection's).
            await ws.close()
            ws = await self.connect()
            await self.stream(ws, "c", "SELECT a.i FROM ten a, ten b, ten c, ten d", 10, credit=1)
            self.assertEqual((await self.recv(ws))["type"], "columns")
            self.assertEqual((await self.recv(ws))["type"], "batch")
            await self.stream(ws, "c", "SELECT 1", 10, credit=0)  # the id is taken
            reply = await self.recv(ws)
            self.assertEqual((reply["id"], reply.get("error", {}).get("code")), ("c", "CONFLICT"), reply)
            await self.send(ws, type="cancel_query", id="c")
            reply = await self.recv(ws)
            while reply["type"] == "batch":  # one batch may have been queued already
                reply = await self.recv(ws)
            self.assertEqual((reply["type"], reply["id"], reply["error"]["code"]), ("error", "c", "CANCELLED"))
            # The id is free again.
            await self.stream(ws, "c", "SELECT 1 AS one", 10, credit=1)
            self.assertEqual([(await self.recv(ws))["type"] for _ in range(3)], ["columns", "batch", "end"])
            await ws.close()
        run(body())

    def test_stream_permissions(self):
        key, _ = self.server.create_key(["read"], name="reader")

        async def body():
            ws = await self.connect(key)
            await self.stream(ws, "w", "INSERT INTO other VALUES (500)", 10, credit=0)
            reply = await self.recv(ws)
            self.assertEqual(reply["error"]["code"], "PERMISSION_DENIED")
            await self.stream(ws, "r", "SELECT count(*) AS n FROM ten", 10, credit=1)
            msgs = [await self.recv(ws) for _ in range(3)]
            self.assertEqual(msgs[1]["rows"], [[10]])
            await ws.close()
            # A writer's INSERT ... RETURNING streams its rows and commits.
            ws = await self.connect()
            await self.stream(ws, "ins", "INSERT INTO other VALUES (501), (502) RETURNING id", 10, credit=1)
            msgs = [await self.recv(ws) for _ in range(3)]
            self.assertEqual(msgs[1]["rows"], [[501], [502]])
            self.assertEqual((msgs[2]["type"], msgs[2]["rows_affected"]), ("end", 2))
            await ws.close()
        run(body())
        self.assertEqual(self.sql("SELECT count(*) AS n FROM other WHERE id > 500")["rows"], [[2]])

    def test_closing_stops_waiting_queries(self):
        """Queries waiting for credit hold worker threads: at most half the
        workers (4 by default) stream at once, and closing connections
        frees theirs at once rather than at the statement timeout (30 s)."""
        async def body():
            conns = [await self.connect() for _ in range(3)]
            for i, ws in enumerate(conns[:2]):
                await self.stream(ws, f"w{i}", "SELECT a.i FROM ten a, ten b, ten c, ten d", 10, credit=1)
            for ws in conns[:2]:
                self.assertEqual((await self.recv(ws))["type"], "columns")
                self.assertEqual((await self.recv(ws))["type"], "batch")
            await self.stream(conns[2], "third", "SELECT 1", 10, credit=1)
            reply = await self.recv(conns[2])
            self.assertEqual((reply["id"], reply["error"]["code"]), ("third", "BUSY"))
            # REST requests still have workers.
            self.assertEqual(self.sql("SELECT 2 AS two")["rows"], [[2]])
            for ws in conns[:2]:
                await ws.close()
            deadline = time.time() + 10
            while True:
                await self.stream(conns[2], "again", "SELECT 1 AS one", 10, credit=0)
                reply = await self.recv(conns[2])
                if reply["type"] != "error" or time.time() > deadline:
                    break
                self.assertEqual(reply["error"]["code"], "BUSY")
                await asyncio.sleep(0.05)
            self.assertEqual(reply["type"], "columns")
            self.assertEqual((await self.recv(conns[2]))["type"], "batch")
            self.assertEqual((await self.recv(conns[2]))["type"], "end")
            await conns[2].close()
        run(body())


class WebSocketShutdownTest(ServerTestCase):
    def test_shutdown_with_open_connections_and_waiting_queries(self):
        async def body():
            ws = await websockets.connect(f"ws://127.0.0.1:{self.server.port}/ws",
                                          extra_headers={"X-API-Key": self.server.admin_key}, ping_interval=None)
            await ws.recv()
            self.server.query(self.server.admin_key, "CREATE TABLE ten (i INT)")
            self.server.query(self.server.admin_key, "INSERT INTO ten VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)")
            await ws.send(json.dumps({"type": "stream_query", "id": "w", "batch_size": 10,
                                      "sql": "SELECT a.i FROM ten a, ten b, ten c, ten d"}))
            await ws.send(json.dumps({"type": "credit", "n": 1}))
            await ws.recv()
            await ws.recv()
            started = time.time()
            rc = self.server.stop()
            self.assertEqual(rc, 0)
            self.assertLess(time.time() - started, 15)
            with self.assertRaises(websockets.exceptions.ConnectionClosed) as cm:
                while True:
                    await asyncio.wait_for(ws.recv(), 10)
            self.assertIn(cm.exception.code, (1001, 1006))
        run(body())
        self.server.start()  # tearDownClass stops it again


if __name__ == "__main__":
    harness.main(__file__)
