// Canonical SQL text for a syntax tree.
//
// The output re-parses to a tree that prints identically (the round-trip
// property the tests and the fuzz target check), so it can be stored, for
// example as a view's definition in the catalog. Canonical means: keywords
// in upper case, single spaces, identifiers quoted only when they would
// otherwise read differently (upper case, keywords, odd characters),
// parentheses only where precedence requires them, `x::t` for CAST(x AS t),
// `LIMIT n OFFSET m` for `LIMIT m, n`, INSERT OR REPLACE for REPLACE.
//
// Thread safety: reentrant.
#pragma once

#include <string>
#include <string_view>

#include "sql/ast.h"

namespace neuroquantum::sql {

std::string ToSql(const Statement& statement);
std::string ToSql(const Query& query);
std::string ToSql(const Expr& expr);

// `name` as written in SQL: bare when it re-lexes to itself, otherwise in
// double quotes with embedded quotes doubled.
std::string QuoteIdentifier(std::string_view name);
// `text` as a SQL string literal.
std::string QuoteString(std::string_view text);

}  // namespace neuroquantum::sql
