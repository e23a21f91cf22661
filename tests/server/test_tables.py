#!/usr/bin/env python3
"""End-to-end tests of the table and record resources
(/api/v1/tables[/{name}[/data|/query]]): every route's success and error
paths, and the structured filters.

Usage: test_tables.py --nqdb PATH/TO/nqdb [unittest arguments]
"""
import base64

import harness
from harness import ServerTestCase


class TablesTest(ServerTestCase):
    def setUp(self):
        s = self.server
        self.key = s.admin_key
        if not hasattr(TablesTest, "reader"):
            TablesTest.reader, _ = s.create_key(["read"], name="reader")
            TablesTest.writer, _ = s.create_key(["read", "write"], name="writer")

    def call(self, method, path, body=None, key=None):
        return self.server.request(method, path, body, {"X-API-Key": key or self.key})

    def create(self, name, columns, **extra):
        return self.call("POST", "/api/v1/tables", {"schema": {"name": name, "columns": columns, **extra}})

    def people(self, name):
        data = self.assertOk(self.create(name, [
            {"name": "id", "data_type": "BigSerial"},
            {"name": "name", "data_type": "Text", "nullable": False},
            {"name": "age", "data_type": "Integer"},
            {"name": "score", "data_type": "Float", "default_value": 1.5},
            {"name": "active", "data_type": "Boolean", "default_value": True},
            {"name": "seen", "data_type": "Timestamp"},
            {"name": "photo", "data_type": "Binary"},
        ]), 201)
        return data

    def insert(self, table, records, **extra):
        return self.call("POST", f"/api/v1/tables/{table}/data", {"records": records, **extra})

    def select(self, table, body):
        return self.call("POST", f"/api/v1/tables/{table}/query", body)

    def test_create_describe_list_drop(self):
        data = self.people("people_a")
        self.assertEqual(data["name"], "people_a")
        self.assertEqual(data["primary_key"], ["id"])  # the serial column became the key
        cols = {c["name"]: c for c in data["columns"]}
        self.assertEqual(cols["id"]["data_type"], "BIGINT")
        self.assertTrue(cols["id"]["auto_increment"])
        self.assertTrue(cols["id"]["primary_key"])
        self.assertFalse(cols["name"]["nullable"])
        self.assertEqual(cols["score"]["default_value"], "1.5")
        self.assertEqual(cols["active"]["default_value"], "TRUE")
        self.assertEqual(cols["seen"]["data_type"], "TIMESTAMP")
        self.assertEqual(cols["photo"]["data_type"], "BLOB")
        self.assertIn("CREATE TABLE", data["sql"])

        listed = self.assertOk(self.call("GET", "/api/v1/tables"))
        self.assertIn({"name": "people_a", "type": "table", "columns": 7}, listed["tables"])
        self.assertOk(self.insert("people_a", [{"name": "x"}, {"name": "y"}]), 201)
        described = self.assertOk(self.call("GET", "/api/v1/tables/people_a", key=self.reader))
        self.assertEqual(described["row_estimate"], 2)
        self.assertEqual(described["columns"], data["columns"])

        self.assertError(self.create("people_a", [{"name": "id", "data_type": "Integer"}]), 409, "CONFLICT")
        self.assertEqual(self.assertOk(self.call("DELETE", "/api/v1/tables/people_a")),
                         {"name": "people_a", "dropped": True})
        self.assertError(self.call("GET", "/api/v1/tables/people_a"), 404, "TABLE_NOT_FOUND")
        self.assertError(self.call("DELETE", "/api/v1/tables/people_a"), 404, "TABLE_NOT_FOUND")

    def test_id_strategies(self):
        self.assertOk(self.create("t_uuid", [{"name": "id", "data_type": "Text", "primary_key": True},
                                             {"name": "v", "data_type": "Text"}], id_strategy="UUID"), 201)
        ids = self.assertOk(self.insert("t_uuid", [{"v": "a"}, {"v": "b"}]), 201)["inserted_ids"]
        self.assertEqual(len(ids), 2)
        self.assertTrue(all(len(i) == 36 and i[14] == "7" for i in ids), ids)
        self.assertLess(ids[0], ids[1])
        self.assertOk(self.create("t_flake", [{"name": "id", "data_type": "Integer", "primary_key": True},
                                              {"name": "v", "data_type": "Text"}],
                                  id_strategy="Snowflake", machine_id=9), 201)
        ids = self.assertOk(self.insert("t_flake", [{"v": "a"}, {"v": "b"}]), 201)["inserted_ids"]
        self.assertEqual([(i >> 12) & 1023 for i in ids], [9, 9])
        self.assertLess(ids[0], ids[1])

    def test_create_validation(self):
        self.assertError(self.call("POST", "/api/v1/tables", {}), 400, "VALIDATION_ERROR")
        err = self.assertError(self.create("t_bad", [{"name": "a", "data_type": "Varchar"}]), 400,
                               "VALIDATION_ERROR")
        self.assertIn("schema.columns[0].data_type", err["message"])
        self.assertIn("BigSerial", err["message"])
        err = self.assertError(self.create("t_bad", [{"name": "a", "data_type": "Text", "auto_increment": True}]),
                               400, "VALIDATION_ERROR")
        self.assertIn("auto_increment", err["message"])
        err = self.assertError(self.create("t_bad", [{"name": "a", "data_type": "Text"}], id_strategy="ULID"),
                               400, "VALIDATION_ERROR")
        self.assertIn("Snowflake", err["message"])
        # The strategy needs a one-column key that can hold its ids.
        err = self.assertError(self.create("t_bad", [{"name": "a", "data_type": "Text"}], id_strategy="UUID"),
                               400, "INVALID_QUERY")
        self.assertEqual(err["sqlstate"], "42P16")
        self.assertError(self.create("t_bad", [{"name": "a", "data_type": "Integer", "primary_key": True}],
                                     id_strategy="Snowflake", machine_id=1024), 400, "VALIDATION_ERROR")
        self.assertError(self.create("t_bad", []), 400, "VALIDATION_ERROR")
        self.assertError(self.create("", [{"name": "a", "data_type": "Text"}]), 400, "VALIDATION_ERROR")
        self.assertError(self.create("t_bad", [{"name": "a", "data_type": "Text", "nullable": "no"}]), 400,
                         "VALIDATION_ERROR")
        # Names are identifiers, quoted: no way to smuggle SQL through them.
        data = self.assertOk(self.create('odd "name"; DROP TABLE x', [{"name": "a b", "data_type": "Text"}]), 201)
        self.assertEqual(data["name"], 'odd "name"; DROP TABLE x')
        # Path segments are percent-decoded.
        self.assertOk(self.call("DELETE", "/api/v1/tables/odd%20%22name%22%3B%20DROP%20TABLE%20x"))
        self.assertError(self.call("GET", "/api/v1/tables/odd%20%22name%22%3B%20DROP%20TABLE%20x"), 404,
                         "TABLE_NOT_FOUND")
        # Explicit and composite keys, no key at all.
        data = self.assertOk(self.create("t_comp", [{"name": "a", "data_type": "Integer", "primary_key": True},
                                                    {"name": "b", "data_type": "Text", "primary_key": True}]), 201)
        self.assertEqual(data["primary_key"], ["a", "b"])
        data = self.assertOk(self.create("t_nokey", [{"name": "a", "data_type": "Integer"}]), 201)
        self.assertEqual(data["primary_key"], [])

    def test_permissions(self):
        self.assertError(self.call("POST", "/api/v1/tables",
                                   {"schema": {"name": "t_perm", "columns": [{"name": "a", "data_type": "Text"}]}},
                                   key=self.reader), 403, "PERMISSION_DENIED")
        self.assertOk(self.call("POST", "/api/v1/tables",
                                {"schema": {"name": "t_perm", "columns": [{"name": "a", "data_type": "Text"}]}},
                                key=self.writer), 201)
        self.assertError(self.call("POST", "/api/v1/tables/t_perm/data", {"records": [{"a": "x"}]}, key=self.reader),
                         403, "PERMISSION_DENIED")
        self.assertError(self.call("DELETE", "/api/v1/tables/t_perm", key=self.reader), 403, "PERMISSION_DENIED")
        self.assertOk(self.call("POST", "/api/v1/tables/t_perm/query", {}, key=self.reader))
        status, _, _, _ = self.server.request("GET", "/api/v1/tables")
        self.assertEqual(status, 401)

    def test_insert_batches_ids_and_errors(self):
        self.people("people_b")
        self.assertOk(self.server.query(self.key, "CREATE UNIQUE INDEX people_b_name ON people_b (name)"))
        photo = bytes(range(256))
        records = [{"name": f"p{i}", "age": 20 + i} for i in range(5)]
        records += [
            {"name": "p0"},                       # 5: duplicate name
            {"nope": 1},                          # 6: unknown column
            {"age": 3},                           # 7: name is NOT NULL
            "not an object",                      # 8
            {"name": "pic", "photo": base64.b64encode(photo).decode()},  # 9
            {"name": "badpic", "photo": "%%%"},   # 10: not base64
            {"name": {"x": 1}},                   # 11: not a scalar
        ]
        data = self.assertOk(self.insert("people_b", records, batch_size=4))
        self.assertEqual(data["inserted_count"], 6)
        self.assertEqual(data["failed_count"], 6)
        # Failed inserts use up serial values, as sequences do in PostgreSQL.
        self.assertEqual(data["inserted_ids"][:5], [1, 2, 3, 4, 5])
        self.assertEqual(len(data["inserted_ids"]), 6)
        self.assertGreater(data["inserted_ids"][5], 5)
        by_index = {e["index"]: e for e in data["errors"]}
        self.assertEqual(sorted(by_index), [5, 6, 7, 8, 10, 11])
        self.assertEqual(by_index[5]["code"], "CONFLICT")
        self.assertEqual(by_index[5]["sqlstate"], "23505")
        self.assertEqual(by_index[6]["code"], "VALIDATION_ERROR")
        self.assertIn("records[6].nope", by_index[6]["message"])
        self.assertEqual(by_index[7]["sqlstate"], "23502")
        self.assertIn("base64", by_index[10]["message"])
        rows = self.assertOk(self.select("people_b", {"filter": {"name": "pic"}, "columns": ["photo", "score",
                                                                                           "active"]}))
        self.assertEqual(rows["rows"], [[base64.b64encode(photo).decode(), 1.5, True]])
        # Every record in: 201.
        data = self.assertOk(self.insert("people_b", [{"name": "q1"}, {"name": "q2"}]), 201)
        self.assertEqual(data["failed_count"], 0)
        self.assertError(self.insert("people_b", []), 400, "VALIDATION_ERROR")
        self.assertError(self.insert("people_b", [{}], batch_size=0), 400, "VALIDATION_ERROR")
        self.assertError(self.insert("missing", [{"a": 1}]), 404, "TABLE_NOT_FOUND")

    def test_query_filters_order_limit(self):
        self.people("people_c")
        self.assertOk(self.insert("people_c", [
            {"name": "ann", "age": 31}, {"name": "bob", "age": 17}, {"name": "cid", "age": None},
            {"name": "dee", "age": 65}, {"name": "eve", "age": 40, "active": False}]), 201)

        def names(body):
            data = self.assertOk(self.select("people_c", {"columns": ["name"], "order_by": ["name"], **body}))
            return [r[0] for r in data["rows"]]

        self.assertEqual(names({}), ["ann", "bob", "cid", "dee", "eve"])
        self.assertEqual(names({"filter": {"age": {"ge": 18, "lt": 65}}}), ["ann", "eve"])
        self.assertEqual(names({"filter": {"age": {"in": [17, 65]}}}), ["bob", "dee"])
        self.assertEqual(names({"filter": {"age": {"in": []}}}), [])
        self.assertEqual(names({"filter": {"name": {"like": "%e%"}}}), ["dee", "eve"])
        self.assertEqual(names({"filter": {"age": {"is_null": True}}}), ["cid"])
        self.assertEqual(names({"filter": {"or": [{"age": {"lt": 18}}, {"active": False}]}}), ["bob", "eve"])
        self.assertEqual(names({"filter": {"not": {"age": {"ne": 31}}}}), ["ann"])
        self.assertEqual(names({"filter": {"name": "x' OR '1'='1"}}), [])
        data = self.assertOk(self.select("people_c", {"columns": ["name", "age"],
                                                      "order_by": [{"column": "age", "direction": "desc",
                                                                    "nulls": "last"}],
                                                      "limit": 2, "offset": 1}))
        self.assertEqual(data["rows"], [["eve", 40], ["ann", 31]])
        self.assertEqual([c["name"] for c in data["columns"]], ["name", "age"])
        data = self.assertOk(self.select("people_c", {"order_by": "-age", "limit": 1,
                                                      "filter": {"age": {"is_null": False}}}))
        self.assertEqual(len(data["columns"]), 7)  # every column without "columns"
        self.assertEqual(data["rows"][0][1], "dee")
        for body, where in [({"filter": {"nope": 1}}, "filter.nope"),
                            ({"filter": {"age": {"gtx": 1}}}, "filter.age.gtx"),
                            ({"columns": ["nope"]}, "columns[0]"),
                            ({"order_by": ["nope"]}, "order_by[0]"),
                            ({"order_by": [{"column": "age", "direction": "up"}]}, "order_by[0].direction"),
                            ({"limit": -1}, "limit"),
                            ({"offset": "1"}, "offset")]:
            err = self.assertError(self.select("people_c", body), 400, "VALIDATION_ERROR")
            self.assertIn(where, err["message"])

    def test_update_and_delete(self):
        self.people("people_d")
        self.assertOk(self.insert("people_d", [{"name": n, "age": a} for n, a in
                                               [("a", 10), ("b", 20), ("c", 30), ("d", 40)]]), 201)
        data = self.assertOk(self.call("PUT", "/api/v1/tables/people_d/data",
                                       {"filter": {"age": {"ge": 20}}, "set": {"active": False, "score": 9}}))
        self.assertEqual(data, {"matched_count": 3, "updated_count": 3})
        rows = self.assertOk(self.select("people_d", {"filter": {"active": False}, "columns": ["name", "score"],
                                                      "order_by": ["name"]}))["rows"]
        self.assertEqual(rows, [["b", 9.0], ["c", 9.0], ["d", 9.0]])
        err = self.assertError(self.call("PUT", "/api/v1/tables/people_d/data", {"set": {"age": 1}}), 400,
                               "VALIDATION_ERROR")
        self.assertIn("filter", err["message"])
        self.assertError(self.call("PUT", "/api/v1/tables/people_d/data", {"filter": {}, "set": {}}), 400,
                         "VALIDATION_ERROR")
        self.assertError(self.call("PUT", "/api/v1/tables/people_d/data", {"filter": {}, "set": {"nope": 1}}), 400,
                         "VALIDATION_ERROR")
        self.assertError(self.call("PUT", "/api/v1/tables/people_d/data", {"filter": {}, "set": {"name": None}}),
                         409, "CONFLICT")  # NOT NULL
        data = self.assertOk(self.call("DELETE", "/api/v1/tables/people_d/data", {"filter": {"name": {"in": ["a",
                                                                                                          "b"]}}}))
        self.assertEqual(data, {"deleted_count": 2})
        self.assertError(self.call("DELETE", "/api/v1/tables/people_d/data", {}), 400, "VALIDATION_ERROR")
        data = self.assertOk(self.call("DELETE", "/api/v1/tables/people_d/data", {"filter": {}}))
        self.assertEqual(data, {"deleted_count": 2})
        self.assertEqual(self.assertOk(self.call("GET", "/api/v1/tables/people_d"))["row_estimate"], 0)

    def test_views_are_listed_and_readable(self):
        self.people("people_e")
        self.assertOk(self.insert("people_e", [{"name": "v", "age": 1}]), 201)
        self.assertOk(self.server.query(self.key, "CREATE VIEW adults_e AS SELECT name, age FROM people_e"))
        listed = self.assertOk(self.call("GET", "/api/v1/tables"))["tables"]
        self.assertIn("view", [t["type"] for t in listed if t["name"] == "adults_e"])
        described = self.assertOk(self.call("GET", "/api/v1/tables/adults_e"))
        self.assertEqual(described["type"], "view")
        self.assertEqual(described["row_estimate"], 1)
        rows = self.assertOk(self.select("adults_e", {}))["rows"]
        self.assertEqual(rows, [["v", 1]])


if __name__ == "__main__":
    harness.main("test_tables.py")
