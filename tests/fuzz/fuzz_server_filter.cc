// Fuzz target: the structured filters of the table resources. The input is
// read both as JSON text and as the choices of a filter generator (so that
// random bytes reach deep, well-formed filters too). Whatever the filter,
// translation never crashes; an accepted filter gives a condition that the
// QSQL parser accepts inside a WHERE clause, whose $n references are
// exactly 1..n for the n values it bound, all scalars.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_util.h"
#include "server/filter.h"
#include "sql/parser.h"

namespace {

using neuroquantum::fuzz::Require;
using neuroquantum::fuzz::Choices;

using Json = nlohmann::json;
using neuroquantum::server::FilterToSql;

const std::vector<std::string> kColumns = {"id", "name", "Mixed Case", "select", "x\"y", "and_or"};

Json Value(Choices& c) {
  switch (c.Next() % 9) {
    case 0: return static_cast<int64_t>(c.Next()) - 128;
    case 1: return c.Next() * 0.25;
    case 2: return std::string(c.Next() % 5, static_cast<char>('\'' + c.Next() % 3));
    case 3: return nullptr;
    case 4: return c.Next() % 2 == 0;
    case 5: return Json::array({c.Next(), "a"});
    case 6: return Json::object({{"k", 1}});
    case 7: return UINT64_MAX;
    default: return "%_";
  }
}

Json Filter(Choices& c, int depth) {
  static const char* kNames[] = {"id", "name", "Mixed Case", "mixed case", "select", "x\"y", "nope", "and_or"};
  static const char* kOps[] = {"eq", "ne", "lt", "le", "gt", "ge", "in", "like", "is_null", "bogus"};
  Json f = Json::object();
  int keys = c.Next() % 3;
  for (int k = 0; k <= keys && !c.done(); ++k) {
    uint8_t kind = c.Next() % 8;
    if (depth < 40 && (kind == 0 || kind == 1)) {
      Json list = Json::array();
      int n = c.Next() % 4;
      for (int i = 0; i < n; ++i) list.push_back(Filter(c, depth + 1));
      f[kind == 0 ? "and" : "or"] = std::move(list);
    } else if (depth < 40 && kind == 2) {
      f["not"] = Filter(c, depth + 1);
    } else {
      const char* column = kNames[c.Next() % 8];
      if (c.Next() % 3 == 0) {
        f[column] = Value(c);
      } else {
        Json ops = Json::object();
        int n = c.Next() % 3;
        for (int i = 0; i < n; ++i) {
          const char* op = kOps[c.Next() % 10];
          if (std::string_view(op) == "in" && c.Next() % 2 == 0) {
            Json values = Json::array();
            int m = c.Next() % 4;
            for (int j = 0; j < m; ++j) values.push_back(Value(c));
            ops[op] = std::move(values);
          } else {
            ops[op] = Value(c);
          }
        }
        f[column] = std::move(ops);
      }
    }
  }
  return f;
}

void Check(const Json& filter) {
  Json params = Json::array();
  auto sql = FilterToSql(filter, kColumns, &params);
  if (!sql.ok()) {
    Require(!sql.status().message().empty());
    return;
  }
  for (const Json& p : params) Require(p.is_string() || p.is_number() || p.is_boolean());
  // $1..$n, each once at least, and nothing beyond.
  std::vector<bool> seen(params.size() + 1, false);
  for (size_t i = 0; i < sql->size(); ++i) {
    if ((*sql)[i] != '$') continue;
    size_t n = 0, j = i + 1;
    while (j < sql->size() && (*sql)[j] >= '0' && (*sql)[j] <= '9') n = n * 10 + static_cast<size_t>((*sql)[j++] - '0');
    Require(n >= 1 && n <= params.size());
    seen[n] = true;
  }
  for (size_t n = 1; n <= params.size(); ++n) Require(seen[n]);
  auto parsed = neuroquantum::sql::ParseStatement("SELECT 1 FROM t WHERE " + *sql);
  Require(parsed.ok());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  Json text = Json::parse(input, nullptr, /*allow_exceptions=*/false);
  if (!text.is_discarded()) Check(text);
  Choices choices(input);
  Check(Filter(choices, 0));
  return 0;
}
