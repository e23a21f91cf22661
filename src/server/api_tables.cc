// Table and record resources: /api/v1/tables[/{name}[/data|/query]]. Each
// request becomes SQL built from quoted identifiers and bound values (never
// spliced text) and runs on a pooled connection, like POST /api/v1/query.
#include <fmt/format.h>

#include "common/json_text.h"
#include "server/api_internal.h"
#include "server/crypto.h"
#include "server/filter.h"
#include "server/sessions.h"
#include "sql/printer.h"

namespace neuroquantum::server {

namespace {

constexpr size_t kMaxRecords = 10000;
constexpr size_t kMaxBatch = 10000;
constexpr size_t kDefaultBatch = 100;

// The REST data types and the SQL types they create.
constexpr std::pair<std::string_view, std::string_view> kDataTypes[] = {
    {"BigSerial", "BIGSERIAL"}, {"Serial", "SERIAL"},   {"SmallSerial", "SMALLSERIAL"},
    {"Integer", "BIGINT"},      {"Float", "DOUBLE"},    {"Text", "TEXT"},
    {"Boolean", "BOOLEAN"},     {"Timestamp", "TIMESTAMP"}, {"Binary", "BLOB"},
};

// A pooled connection for one request: read-only unless the key may write,
// the time left as its statement timeout; given back (rolled back if still
// in a transaction) when it goes out of scope.
class PooledConnection {
 public:
  explicit PooledConnection(RequestContext& ctx) : pool_(ctx.api->pool), slot_(pool_->Take()) {
    slot_->connection->SetReadOnly(!Allows(ctx.key->permissions, Permission::kWrite));
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.deadline - std::chrono::steady_clock::now());
    slot_->connection->SetStatementTimeout(std::max(left, std::chrono::milliseconds(1)));
  }
  ~PooledConnection() { pool_->Give(std::move(slot_)); }
  PooledConnection(const PooledConnection&) = delete;
  PooledConnection& operator=(const PooledConnection&) = delete;
  ConnectionSlot* slot() { return slot_.get(); }
  Connection* connection() { return slot_->connection.get(); }

 private:
  ConnectionPool* pool_;
  std::unique_ptr<ConnectionSlot> slot_;
};

// The table named in the path, or the reply to give instead.
Result<TableDescription> PathTable(RequestContext& ctx) {
  return ctx.api->db->DescribeTable(ctx.path_params["name"]);
}
ApiError TableError(const Status& s) {
  if (s.code() == StatusCode::kNotFound) return ApiError{404, "TABLE_NOT_FOUND", std::string(s.message()), "42P01"};
  return ErrorFromStatus(s);
}

std::vector<std::string> ColumnNames(const TableDescription& t) {
  std::vector<std::string> names;
  for (const auto& c : t.columns) names.push_back(c.name);
  return names;
}

const ColumnDescription* FindColumn(const TableDescription& t, std::string_view name) {
  std::string resolved = ResolveColumn(ColumnNames(t), name);
  for (const auto& c : t.columns) {
    if (c.name == resolved) return &c;
  }
  return nullptr;
}

// A record value for a column: Binary columns take base64 text (as
// results give them back); other values go as JSON scalars.
Status CheckValue(const ColumnDescription& column, const Json& v, const std::string& path) {
  if (v.is_object() || v.is_array()) {
    return Status::InvalidArgument(fmt::format("{}: must be null, a boolean, a number or a string", path));
  }
  if (column.type == "BLOB" && v.is_string() && !Base64Decode(v.get_ref<const std::string&>())) {
    return Status::InvalidArgument(fmt::format("{}: a Binary value must be base64 text", path));
  }
  return Status::OK();
}

Status Bind(PreparedStatement* statement, const Json& values, const std::vector<bool>& blob) {
  NQ_RETURN_IF_ERROR(BindParams(statement, values).status());
  for (size_t i = 0; i < values.size() && i < blob.size(); ++i) {
    if (blob[i] && values[i].is_string()) {
      NQ_RETURN_IF_ERROR(statement->BindBlob(i + 1, *Base64Decode(values[i].get_ref<const std::string&>())));
    }
  }
  return Status::OK();
}

Result<size_t> Execute(ConnectionSlot* slot, const std::string& sql, const Json& values,
                       const std::vector<bool>& blob) {
  NQ_ASSIGN_OR_RETURN(PreparedStatement * statement, slot->Prepared(sql));
  NQ_RETURN_IF_ERROR(Bind(statement, values, blob));
  NQ_ASSIGN_OR_RETURN(ResultSet rs, statement->Execute());
  return static_cast<size_t>(rs.rows_affected());
}

std::string Quote(std::string_view name) { return sql::QuoteIdentifier(name); }

// "$first", "$first+1", ... n of them.
std::vector<std::string> ParamList(size_t n, size_t first = 1) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(fmt::format("${}", first + i));
  return out;
}

// The column definition of POST /api/v1/tables.
Result<std::string> ColumnSql(const Json& c, size_t i, bool* serial, std::string* name) {
  std::string where = fmt::format("schema.columns[{}]", i);
  if (!c.is_object()) return Status::InvalidArgument(where + ": must be an object");
  auto n = c.find("name");
  if (n == c.end() || !n->is_string() || n->get_ref<const std::string&>().empty() ||
      n->get_ref<const std::string&>().size() > 128) {
    return Status::InvalidArgument(where + ".name: must be a string of 1 to 128 bytes");
  }
  *name = n->get<std::string>();
  auto t = c.find("data_type");
  std::string_view sql_type;
  if (t != c.end() && t->is_string()) {
    for (const auto& [rest, type] : kDataTypes) {
      if (EqualsIgnoreCase(rest, t->get_ref<const std::string&>())) sql_type = type;
    }
  }
  if (sql_type.empty()) {
    std::vector<std::string_view> names;
    for (const auto& entry : kDataTypes) names.push_back(entry.first);
    return Status::InvalidArgument(fmt::format("{}.data_type: must be one of {}", where, fmt::join(names, ", ")));
  }
  std::string out = Quote(*name) + " " + std::string(sql_type);
  *serial = sql_type.ends_with("SERIAL");
  auto flag = [&c, &where](const char* key, bool fallback) -> Result<bool> {
    auto f = c.find(key);
    if (f == c.end() || f->is_null()) return fallback;
    if (!f->is_boolean()) return Status::InvalidArgument(fmt::format("{}.{}: must be true or false", where, key));
    return f->get<bool>();
  };
  NQ_ASSIGN_OR_RETURN(bool nullable, flag("nullable", true));
  NQ_ASSIGN_OR_RETURN(bool auto_increment, flag("auto_increment", false));
  if (auto_increment && !*serial) {
    if (sql_type != "BIGINT") {
      return Status::InvalidArgument(where + ".auto_increment: only an Integer column can be auto_increment");
    }
    out += " AUTO_INCREMENT";
    *serial = true;
  }
  if (!nullable) out += " NOT NULL";
  if (auto d = c.find("default_value"); d != c.end() && !d->is_null()) {
    if (d->is_string()) {
      out += " DEFAULT " + sql::QuoteString(d->get_ref<const std::string&>());
    } else if (d->is_boolean()) {
      out += d->get<bool>() ? " DEFAULT TRUE" : " DEFAULT FALSE";
    } else if (d->is_number_integer() || d->is_number_unsigned()) {
      out += " DEFAULT " + d->dump();
    } else if (d->is_number_float()) {
      // Doubles are written with all their digits; -0.0 and the like stay.
      std::string text;
      AppendJsonDouble(&text, d->get<double>());
      out += " DEFAULT " + text;
    } else {
      return Status::InvalidArgument(where + ".default_value: must be null, a boolean, a number or a string");
    }
  }
  return out;
}

Json ColumnJson(const ColumnDescription& c) {
  return Json{{"name", c.name},
              {"data_type", c.type},
              {"nullable", c.nullable},
              {"default_value", c.default_sql ? Json(*c.default_sql) : Json(nullptr)},
              {"auto_increment", c.auto_increment},
              {"primary_key", c.primary_key}};
}

Json TableJson(const TableDescription& t) {
  Json columns = Json::array();
  for (const auto& c : t.columns) columns.push_back(ColumnJson(c));
  return Json{{"name", t.name},       {"type", t.is_view ? "view" : "table"}, {"columns", std::move(columns)},
              {"primary_key", t.primary_key}, {"indexes", t.indexes},          {"sql", t.sql}};
}

// The "filter" of a data request: required (an empty object selects every
// row, so that a missing filter never updates or deletes a whole table by
// accident).
Result<std::string> WhereClause(const Json& body, const TableDescription& t, Json* params, bool required) {
  auto f = body.find("filter");
  if (f == body.end() || f->is_null()) {
    if (required) {
      return Status::InvalidArgument("\"filter\" is required; {} selects every row");
    }
    return std::string();
  }
  NQ_ASSIGN_OR_RETURN(std::string condition, FilterToSql(*f, ColumnNames(t), params));
  return " WHERE " + condition;
}

}  // namespace

Reply HandleListTables(RequestContext& ctx) {
  Json tables = Json::array();
  for (const std::string& name : ctx.api->db->TableNames()) {
    auto t = ctx.api->db->DescribeTable(name);
    if (!t.ok()) continue;  // dropped meanwhile
    tables.push_back({{"name", t->name}, {"type", t->is_view ? "view" : "table"}, {"columns", t->columns.size()}});
  }
  return Reply(Json{{"tables", std::move(tables)}});
}

Reply HandleDescribeTable(RequestContext& ctx) {
  auto t = PathTable(ctx);
  if (!t.ok()) return TableError(t.status());
  Json out = TableJson(*t);
  // An exact count (a scan): statistics-based estimates come with ANALYZE.
  PooledConnection conn(ctx);
  auto rs = conn.connection()->Execute("SELECT count(*) FROM " + Quote(t->name));
  if (!rs.ok()) return ErrorFromStatus(rs.status());
  auto more = rs->Next();
  if (!more.ok()) return ErrorFromStatus(more.status());
  out["row_estimate"] = rs->GetInt64(0);
  return Reply(std::move(out));
}

Reply HandleCreateTable(RequestContext& ctx) {
  auto body = ctx.BodyObject();
  if (!body.ok()) return ApiError::Validation(std::string(body.status().message()));
  auto schema = body->find("schema");
  if (schema == body->end() || !schema->is_object()) return ApiError::Validation("\"schema\" must be an object");
  auto name = schema->find("name");
  if (name == schema->end() || !name->is_string() || name->get_ref<const std::string&>().empty() ||
      name->get_ref<const std::string&>().size() > 128) {
    return ApiError::Validation("schema.name: must be a string of 1 to 128 bytes");
  }
  // The id strategy becomes the table's WITH option (the engine checks that
  // the primary key can hold its ids).
  std::string options;
  if (auto s = schema->find("id_strategy"); s != schema->end() && !s->is_null()) {
    static constexpr std::pair<std::string_view, std::string_view> kStrategies[] = {
        {"AutoIncrement", "auto_increment"}, {"auto_increment", "auto_increment"}, {"UUID", "uuid"},
        {"UUIDv7", "uuid_v7"}, {"UUIDv4", "uuid_v4"}, {"Snowflake", "snowflake"}};
    std::string_view chosen;
    for (const auto& [spelling, option] : kStrategies) {
      if (s->is_string() && EqualsIgnoreCase(s->get_ref<const std::string&>(), spelling)) chosen = option;
    }
    if (chosen.empty()) {
      return ApiError::Validation(
          "schema.id_strategy: must be \"AutoIncrement\", \"UUID\" (version 7), \"UUIDv4\" or \"Snowflake\"");
    }
    options = fmt::format(" WITH (id_strategy = '{}'", chosen);
    if (auto m = schema->find("machine_id"); m != schema->end() && !m->is_null()) {
      if (!m->is_number_integer() || m->get<int64_t>() < 0 || m->get<int64_t>() > 1023) {
        return ApiError::Validation("schema.machine_id: must be a whole number from 0 to 1023");
      }
      options += fmt::format(", machine_id = {}", m->get<int64_t>());
    }
    options += ")";
  }
  auto columns = schema->find("columns");
  if (columns == schema->end() || !columns->is_array() || columns->empty() || columns->size() > 1000) {
    return ApiError::Validation("schema.columns: must be an array of 1 to 1000 columns");
  }
  std::vector<std::string> definitions, names, explicit_key;
  std::string first_serial;
  for (size_t i = 0; i < columns->size(); ++i) {
    bool serial = false;
    std::string column;
    auto sql = ColumnSql((*columns)[i], i, &serial, &column);
    if (!sql.ok()) return ApiError::Validation(std::string(sql.status().message()));
    definitions.push_back(std::move(*sql));
    if (serial && first_serial.empty()) first_serial = column;
    const Json& c = (*columns)[i];
    if (auto pk = c.find("primary_key"); pk != c.end() && !pk->is_null()) {
      if (!pk->is_boolean()) {
        return ApiError::Validation(fmt::format("schema.columns[{}].primary_key: must be true or false", i));
      }
      if (pk->get<bool>()) explicit_key.push_back(Quote(column));
    }
    names.push_back(std::move(column));
  }
  // The key: the columns marked primary_key; else the first serial or
  // auto_increment column; else none (rows get a hidden row id).
  if (explicit_key.empty() && !first_serial.empty()) explicit_key.push_back(Quote(first_serial));
  if (!explicit_key.empty()) definitions.push_back(fmt::format("PRIMARY KEY ({})", fmt::join(explicit_key, ", ")));
  std::string sql = fmt::format("CREATE TABLE {} ({}){}", Quote(name->get_ref<const std::string&>()),
                                fmt::join(definitions, ", "), options);
  {
    PooledConnection conn(ctx);
    auto rs = conn.connection()->Execute(sql);
    if (!rs.ok()) return ErrorFromStatus(rs.status());
  }
  auto t = ctx.api->db->DescribeTable(name->get_ref<const std::string&>());
  if (!t.ok()) return ErrorFromStatus(t.status());
  return Reply(TableJson(*t), 201);
}

Reply HandleDropTable(RequestContext& ctx) {
  auto t = PathTable(ctx);
  if (!t.ok()) return TableError(t.status());
  PooledConnection conn(ctx);
  auto rs = conn.connection()->Execute(fmt::format("DROP {} {}", t->is_view ? "VIEW" : "TABLE", Quote(t->name)));
  if (!rs.ok()) return ErrorFromStatus(rs.status());
  return Reply(Json{{"name", t->name}, {"dropped", true}});
}

// POST /api/v1/tables/{name}/data: each batch is one transaction, each
// record a savepoint inside it, so a bad record is reported and skipped
// while the others of its batch are kept.
Reply HandleInsertRecords(RequestContext& ctx) {
  auto body = ctx.BodyObject();
  if (!body.ok()) return ApiError::Validation(std::string(body.status().message()));
  auto records = body->find("records");
  if (records == body->end() || !records->is_array() || records->empty() || records->size() > kMaxRecords) {
    return ApiError::Validation(fmt::format("\"records\" must be an array of 1 to {} objects", kMaxRecords));
  }
  size_t batch_size = kDefaultBatch;
  if (auto b = body->find("batch_size"); b != body->end() && !b->is_null()) {
    if (!b->is_number_integer() || b->get<int64_t>() < 1 || b->get<int64_t>() > static_cast<int64_t>(kMaxBatch)) {
      return ApiError::Validation(fmt::format("\"batch_size\" must be an integer in [1, {}]", kMaxBatch));
    }
    batch_size = b->get<size_t>();
  }
  auto t = PathTable(ctx);
  if (!t.ok()) return TableError(t.status());
  std::string returning;
  if (!t->primary_key.empty()) {
    std::vector<std::string> keys;
    for (const auto& k : t->primary_key) keys.push_back(Quote(k));
    returning = fmt::format(" RETURNING {}", fmt::join(keys, ", "));
  }

  PooledConnection conn(ctx);
  Connection* c = conn.connection();
  size_t inserted = 0, failed = 0;
  std::string ids = "[", errors = "[";
  auto add_error = [&](size_t index, const ApiError& e) {
    if (errors.size() > 1) errors += ',';
    errors += fmt::format("{{\"index\":{},", index);
    AppendErrorFields(&errors, e);
    errors += '}';
    ++failed;
  };
  for (size_t start = 0; start < records->size(); start += batch_size) {
    size_t end = std::min(records->size(), start + batch_size);
    auto begun = c->Execute("BEGIN");
    if (!begun.ok()) return ErrorFromStatus(begun.status());
    std::string batch_ids;
    size_t batch_inserted = 0;
    std::vector<size_t> batch_kept;
    for (size_t i = start; i < end; ++i) {
      const Json& record = (*records)[i];
      std::string where = fmt::format("records[{}]", i);
      if (!record.is_object()) {
        add_error(i, ApiError::Validation(where + ": must be an object"));
        continue;
      }
      std::vector<std::string> columns;
      Json values = Json::array();
      std::vector<bool> blob;
      Status bad;
      for (const auto& [key, value] : record.items()) {
        const ColumnDescription* column = FindColumn(*t, key);
        if (column == nullptr) {
          bad = Status::InvalidArgument(fmt::format("{}.{}: the table has no column \"{}\"", where, key, key));
          break;
        }
        bad = CheckValue(*column, value, where + "." + key);
        if (!bad.ok()) break;
        columns.push_back(Quote(column->name));
        values.push_back(value);
        blob.push_back(column->type == "BLOB");
      }
      if (!bad.ok()) {
        add_error(i, ApiError::Validation(std::string(bad.message())));
        continue;
      }
      std::string sql = columns.empty()
                            ? fmt::format("INSERT INTO {} DEFAULT VALUES{}", Quote(t->name), returning)
                            : fmt::format("INSERT INTO {} ({}) VALUES ({}){}", Quote(t->name), fmt::join(columns, ", "),
                                          fmt::join(ParamList(values.size()), ", "), returning);
      (void)c->Execute("SAVEPOINT record");
      auto statement = conn.slot()->Prepared(sql);
      Status s = statement.ok() ? Bind(*statement, values, blob) : statement.status();
      Result<ResultSet> rs = s.ok() ? (*statement)->Execute() : Result<ResultSet>(s);
      std::string id;
      if (rs.ok() && !returning.empty()) {
        auto more = rs->Next();
        if (!more.ok()) {
          rs = more.status();
        } else if (*more) {
          if (t->primary_key.size() == 1) {
            AppendField(&id, *rs, 0);
          } else {
            AppendRowObject(&id, *rs);  // the key columns, by name
          }
        }
      }
      if (!rs.ok()) {
        (void)c->Execute("ROLLBACK TO SAVEPOINT record");
        add_error(i, ErrorFromStatus(rs.status()));
        continue;
      }
      (void)c->Execute("RELEASE SAVEPOINT record");
      ++batch_inserted;
      if (!id.empty()) batch_ids += (batch_ids.empty() ? "" : ",") + id;
      batch_kept.push_back(i);
    }
    auto committed = c->Execute("COMMIT");
    if (!committed.ok()) {
      // The whole batch is lost: each record it kept fails with the reason.
      ApiError e = ErrorFromStatus(committed.status());
      for (size_t i : batch_kept) add_error(i, e);
      continue;
    }
    inserted += batch_inserted;
    if (!batch_ids.empty()) ids += (ids.size() > 1 ? "," : "") + batch_ids;
  }
  ids += ']';
  errors += ']';
  // 201 when every record is in; 200 with the errors when some are not.
  int status = failed == 0 ? 201 : 200;
  return Reply::Text(fmt::format("{{\"inserted_count\":{},\"failed_count\":{},\"inserted_ids\":{},\"errors\":{}}}",
                                 inserted, failed, ids, errors),
                     status);
}

// POST /api/v1/tables/{name}/query: {filter, columns, order_by, limit,
// offset}; the answer has the shape of POST /api/v1/query's.
Reply HandleQueryRecords(RequestContext& ctx) {
  auto body = ctx.BodyObject();
  if (!body.ok()) return ApiError::Validation(std::string(body.status().message()));
  auto t = PathTable(ctx);
  if (!t.ok()) return TableError(t.status());
  std::string select = "*";
  if (auto c = body->find("columns"); c != body->end() && !c->is_null()) {
    if (!c->is_array() || c->empty()) return ApiError::Validation("\"columns\" must be a non-empty array of names");
    std::vector<std::string> names;
    for (size_t i = 0; i < c->size(); ++i) {
      const Json& n = (*c)[i];
      const ColumnDescription* column = n.is_string() ? FindColumn(*t, n.get_ref<const std::string&>()) : nullptr;
      if (column == nullptr) {
        return ApiError::Validation(fmt::format("columns[{}]: the table has no column {}", i, n.dump()));
      }
      names.push_back(Quote(column->name));
    }
    select = fmt::format("{}", fmt::join(names, ", "));
  }
  Json params = Json::array();
  auto where = WhereClause(*body, *t, &params, /*required=*/false);
  if (!where.ok()) return ApiError::Validation(std::string(where.status().message()));
  std::string order;
  if (auto o = body->find("order_by"); o != body->end() && !o->is_null()) {
    // ["name", "-age"] or [{"column": "age", "direction": "desc", "nulls": "last"}]; a string is one item.
    Json items = o->is_array() ? *o : Json::array({*o});
    std::vector<std::string> terms;
    for (size_t i = 0; i < items.size(); ++i) {
      const Json& item = items[i];
      std::string where_item = fmt::format("order_by[{}]", i);
      std::string name, direction = "ASC", nulls;
      if (item.is_string()) {
        name = item.get<std::string>();
        if (name.starts_with('-')) {
          name = name.substr(1);
          direction = "DESC";
        }
      } else if (item.is_object() && item.contains("column") && item["column"].is_string()) {
        name = item["column"].get<std::string>();
        if (auto d = item.find("direction"); d != item.end() && !d->is_null()) {
          if (!d->is_string() || !(EqualsIgnoreCase(d->get_ref<const std::string&>(), "asc") ||
                                   EqualsIgnoreCase(d->get_ref<const std::string&>(), "desc"))) {
            return ApiError::Validation(where_item + ".direction: must be \"asc\" or \"desc\"");
          }
          direction = EqualsIgnoreCase(d->get_ref<const std::string&>(), "desc") ? "DESC" : "ASC";
        }
        if (auto n = item.find("nulls"); n != item.end() && !n->is_null()) {
          if (!n->is_string() || !(EqualsIgnoreCase(n->get_ref<const std::string&>(), "first") ||
                                   EqualsIgnoreCase(n->get_ref<const std::string&>(), "last"))) {
            return ApiError::Validation(where_item + ".nulls: must be \"first\" or \"last\"");
          }
          nulls = EqualsIgnoreCase(n->get_ref<const std::string&>(), "first") ? " NULLS FIRST" : " NULLS LAST";
        }
      } else {
        return ApiError::Validation(where_item + ": must be a column name or {\"column\", \"direction\", \"nulls\"}");
      }
      const ColumnDescription* column = FindColumn(*t, name);
      if (column == nullptr) {
        return ApiError::Validation(fmt::format("{}: the table has no column \"{}\"", where_item, name));
      }
      terms.push_back(fmt::format("{} {}{}", Quote(column->name), direction, nulls));
    }
    if (!terms.empty()) order = fmt::format(" ORDER BY {}", fmt::join(terms, ", "));
  }
  auto count = [&body](const char* key, int64_t* out) -> Status {
    auto v = body->find(key);
    if (v == body->end() || v->is_null()) return Status::OK();
    if (!v->is_number_integer() || v->get<int64_t>() < 0) {
      return Status::InvalidArgument(fmt::format("\"{}\" must be a non-negative integer", key));
    }
    *out = v->get<int64_t>();
    return Status::OK();
  };
  int64_t limit = -1, offset = 0;
  Status s = count("limit", &limit);
  if (s.ok()) s = count("offset", &offset);
  if (!s.ok()) return ApiError::Validation(std::string(s.message()));
  std::string sql = fmt::format("SELECT {} FROM {}{}{}", select, Quote(t->name), *where, order);
  if (limit >= 0) sql += fmt::format(" LIMIT {}", limit);
  if (offset > 0) sql += fmt::format(" OFFSET {}", offset);
  PooledConnection conn(ctx);
  QueryOutcome outcome = RunQuery(conn.slot(), sql, params, ctx.api->settings.max_result_rows);
  if (outcome.error) return *outcome.error;
  outcome.data += '}';
  return Reply::Text(std::move(outcome.data));
}

// PUT /api/v1/tables/{name}/data: {filter, set}.
Reply HandleUpdateRecords(RequestContext& ctx) {
  auto body = ctx.BodyObject();
  if (!body.ok()) return ApiError::Validation(std::string(body.status().message()));
  auto t = PathTable(ctx);
  if (!t.ok()) return TableError(t.status());
  auto set = body->find("set");
  if (set == body->end() || !set->is_object() || set->empty()) {
    return ApiError::Validation("\"set\" must be an object of column: value, at least one");
  }
  Json values = Json::array();
  std::vector<bool> blob;
  std::vector<std::string> assignments;
  for (const auto& [key, value] : set->items()) {
    const ColumnDescription* column = FindColumn(*t, key);
    if (column == nullptr) return ApiError::Validation(fmt::format("set.{}: the table has no column \"{}\"", key, key));
    Status s = CheckValue(*column, value, "set." + key);
    if (!s.ok()) return ApiError::Validation(std::string(s.message()));
    values.push_back(value);
    blob.push_back(column->type == "BLOB");
    assignments.push_back(fmt::format("{} = ${}", Quote(column->name), values.size()));
  }
  auto where = WhereClause(*body, *t, &values, /*required=*/true);
  if (!where.ok()) return ApiError::Validation(std::string(where.status().message()));
  PooledConnection conn(ctx);
  auto n = Execute(conn.slot(), fmt::format("UPDATE {} SET {}{}", Quote(t->name), fmt::join(assignments, ", "), *where),
                   values, blob);
  if (!n.ok()) return ErrorFromStatus(n.status());
  return Reply(Json{{"matched_count", *n}, {"updated_count", *n}});
}

// DELETE /api/v1/tables/{name}/data: {filter}.
Reply HandleDeleteRecords(RequestContext& ctx) {
  auto body = ctx.BodyObject();
  if (!body.ok()) return ApiError::Validation(std::string(body.status().message()));
  auto t = PathTable(ctx);
  if (!t.ok()) return TableError(t.status());
  Json params = Json::array();
  auto where = WhereClause(*body, *t, &params, /*required=*/true);
  if (!where.ok()) return ApiError::Validation(std::string(where.status().message()));
  PooledConnection conn(ctx);
  auto n = Execute(conn.slot(), fmt::format("DELETE FROM {}{}", Quote(t->name), *where), params, {});
  if (!n.ok()) return ErrorFromStatus(n.status());
  return Reply(Json{{"deleted_count", *n}});
}

}  // namespace neuroquantum::server
