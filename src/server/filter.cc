#include "server/filter.h"

#include <fmt/format.h>

#include "sql/printer.h"

namespace neuroquantum::server {

namespace {

using Json = nlohmann::json;

constexpr std::string_view kOperators = "eq, ne, lt, le, gt, ge, in, like, is_null";

class Translator {
 public:
  Translator(const std::vector<std::string>& columns, Json* params) : columns_(columns), params_(params) {}

  Result<std::string> Filter(const Json& f, const std::string& path, int depth) {
    if (depth > kMaxFilterDepth) {
      return Error(path, fmt::format("filters nest deeper than {} levels", kMaxFilterDepth));
    }
    if (!f.is_object()) return Error(path, "a filter must be a JSON object");
    if (f.empty()) return std::string("TRUE");
    std::vector<std::string> terms;
    for (const auto& [key, value] : f.items()) {
      std::string where = path + "." + key;
      if (key == "and" || key == "or") {
        if (!value.is_array() || value.empty()) return Error(where, "must be a non-empty array of filters");
        std::vector<std::string> parts;
        for (size_t i = 0; i < value.size(); ++i) {
          NQ_ASSIGN_OR_RETURN(std::string part, Filter(value[i], fmt::format("{}[{}]", where, i), depth + 1));
          parts.push_back(std::move(part));
        }
        terms.push_back(Join(parts, key == "and" ? " AND " : " OR "));
      } else if (key == "not") {
        NQ_ASSIGN_OR_RETURN(std::string inner, Filter(value, where, depth + 1));
        terms.push_back("NOT (" + inner + ")");
      } else {
        NQ_ASSIGN_OR_RETURN(std::string term, Column(key, value, where));
        terms.push_back(std::move(term));
      }
    }
    return Join(terms, " AND ");
  }

 private:
  // The terms of one column: a scalar (eq) or an object of operators.
  Result<std::string> Column(const std::string& name, const Json& spec, const std::string& path) {
    std::string column = ResolveColumn(columns_, name);
    if (column.empty()) return Error(path, fmt::format("the table has no column \"{}\"", name));
    std::string quoted = sql::QuoteIdentifier(column);
    if (!spec.is_object()) {
      NQ_ASSIGN_OR_RETURN(std::string value, Scalar(spec, path));
      return quoted + " = " + value;
    }
    if (spec.empty()) return Error(path, fmt::format("names no operator; use one of {}", kOperators));
    std::vector<std::string> terms;
    for (const auto& [op, operand] : spec.items()) {
      std::string where = path + "." + op;
      static constexpr std::pair<std::string_view, std::string_view> kComparisons[] = {
          {"eq", "="}, {"ne", "<>"}, {"lt", "<"}, {"le", "<="}, {"gt", ">"}, {"ge", ">="}};
      bool done = false;
      for (const auto& [name_of_op, sql_op] : kComparisons) {
        if (op != name_of_op) continue;
        NQ_ASSIGN_OR_RETURN(std::string value, Scalar(operand, where));
        terms.push_back(fmt::format("{} {} {}", quoted, sql_op, value));
        done = true;
      }
      if (done) continue;
      if (op == "in") {
        if (!operand.is_array()) return Error(where, "must be an array of values");
        if (operand.empty()) {
          terms.push_back("FALSE");  // x IN () holds for no row
          continue;
        }
        std::vector<std::string> values;
        for (size_t i = 0; i < operand.size(); ++i) {
          NQ_ASSIGN_OR_RETURN(std::string value, Scalar(operand[i], fmt::format("{}[{}]", where, i)));
          values.push_back(std::move(value));
        }
        terms.push_back(fmt::format("{} IN ({})", quoted, fmt::join(values, ", ")));
      } else if (op == "like") {
        if (!operand.is_string()) return Error(where, "must be a string pattern");
        NQ_ASSIGN_OR_RETURN(std::string value, Scalar(operand, where));
        terms.push_back(fmt::format("{} LIKE {}", quoted, value));
      } else if (op == "is_null") {
        if (!operand.is_boolean()) return Error(where, "must be true or false");
        terms.push_back(quoted + (operand.get<bool>() ? " IS NULL" : " IS NOT NULL"));
      } else {
        return Error(where, fmt::format("unknown operator \"{}\"; use one of {}", op, kOperators));
      }
    }
    return Join(terms, " AND ");
  }

  // A bound value: its parameter reference.
  Result<std::string> Scalar(const Json& v, const std::string& path) {
    if (v.is_null()) return Error(path, "compares with null, which is never true in SQL; use {\"is_null\": true}");
    if (!v.is_string() && !v.is_number() && !v.is_boolean()) {
      return Error(path, "must be a string, a number or a boolean");
    }
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      return Error(path, "is larger than a BIGINT");
    }
    if (params_->size() >= kMaxFilterValues) {
      return Error(path, fmt::format("the filter has more than {} values", kMaxFilterValues));
    }
    params_->push_back(v);
    return fmt::format("${}", params_->size());
  }

  static std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
    if (parts.size() == 1) return parts[0];
    return fmt::format("({})", fmt::join(parts, separator));
  }

  static Status Error(const std::string& path, std::string_view what) {
    return Status::InvalidArgument(fmt::format("{}: {}", path, what));
  }

  const std::vector<std::string>& columns_;
  Json* params_;
};

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string ResolveColumn(const std::vector<std::string>& columns, std::string_view name) {
  for (const std::string& c : columns) {
    if (c == name) return c;
  }
  std::string found;
  for (const std::string& c : columns) {
    if (!EqualsIgnoreCase(c, name)) continue;
    if (!found.empty()) return "";  // ambiguous: "a" and "A" both exist
    found = c;
  }
  return found;
}

Result<std::string> FilterToSql(const Json& filter, const std::vector<std::string>& columns, Json* params) {
  if (!params->is_array()) *params = Json::array();
  Translator translator(columns, params);
  return translator.Filter(filter, "filter", 0);
}

}  // namespace neuroquantum::server
