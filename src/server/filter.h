// Structured filters of the table resources (POST /api/v1/tables/{t}/query,
// PUT and DELETE /api/v1/tables/{t}/data), turned into an SQL condition
// whose values are bound parameters, never spliced into the text.
//
//   {"age": {"ge": 18, "lt": 65}, "name": {"like": "A%"}}     AND of terms
//   {"status": "active"}                                       eq shorthand
//   {"or": [{"id": {"in": [1, 2, 3]}}, {"deleted_at": {"is_null": true}}]}
//   {"not": {"role": {"eq": "admin"}}}
//   {}                                                          every row
//
// Operators: eq, ne, lt, le, gt, ge (a scalar), in (an array of scalars),
// like (a string; % and _ as in SQL), is_null (a boolean). Scalars are
// strings, numbers and booleans; comparing with null is refused (use
// is_null), as SQL's "= NULL" is never true. Column names must be the
// table's (matched exactly, then ASCII case-insensitively); "and", "or"
// and "not" are keywords, so a column of that name cannot be filtered.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "neuroquantum/result.h"

namespace neuroquantum::server {

inline constexpr int kMaxFilterDepth = 32;
inline constexpr size_t kMaxFilterValues = 10000;

// ASCII case-insensitive equality (SQL's comparison of unquoted names and
// keywords).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// The table's column named `name`: exact, else the only case-insensitive
// match; empty if none.
std::string ResolveColumn(const std::vector<std::string>& columns, std::string_view name);

// The SQL condition for `filter` over a table with `columns`. Values go to
// the end of *params (a JSON array) and are referred to as $n, n counting
// from params' size on entry plus one. InvalidArgument naming the place in
// the filter ("filter.or[1].age: unknown operator \"gtx\" ...") for an
// unknown column or operator, a malformed operand, nesting deeper than
// kMaxFilterDepth or more than kMaxFilterValues values.
Result<std::string> FilterToSql(const nlohmann::json& filter, const std::vector<std::string>& columns,
                                nlohmann::json* params);

}  // namespace neuroquantum::server
