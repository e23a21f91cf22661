// Parser for sqllogictest scripts (`nqdb slt`): the text of a .test file to
// a list of records.
//
// A script is a sequence of records separated by blank lines; lines that
// start with `#` outside a record's SQL or results are comments. Records:
//
//   statement ok | statement error [SQLSTATE]
//   <SQL, one or more lines>
//
//   query <types> [nosort|rowsort|valuesort [<label>]]
//   <SQL, one or more lines>
//   ----
//   <expected values, one per line, or "N values hashing to <md5>">
//
//   hash-threshold N      halt
//
// Any record may be preceded by `skipif <engine>` / `onlyif <engine>`
// lines. Two extensions serve NeuroQuantumDB's own tests:
//
//   restart               close the database and open it again
//   connection NAME       following records run on session NAME (created
//                         on first use; the initial session is "default")
//   statement async NAME ok | statement async NAME error [SQLSTATE]
//   <SQL>                 start the statement without waiting for it (it
//                         is expected to block, e.g. on another session's
//                         row lock)
//   awaitstatement NAME   wait for async statement NAME and check its
//                         outcome
//
// and `statement error` may name the SQLSTATE the statement must fail with.
//
// Thread safety: the functions are reentrant.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "neuroquantum/result.h"

namespace neuroquantum::shell {

enum class SltRecordType {
  kStatement, kQuery, kHashThreshold, kHalt, kRestart, kConnection, kAwaitStatement,
};

enum class SltSortMode { kNoSort, kRowSort, kValueSort };

// `skipif <engine>` (only_if false) or `onlyif <engine>` (only_if true).
struct SltCondition {
  bool only_if = false;
  std::string engine;
};

struct SltRecord {
  SltRecordType type = SltRecordType::kStatement;
  // 1-based line of the record's keyword line (after any conditions).
  size_t line = 0;
  std::vector<SltCondition> conditions;

  // kStatement and kQuery: the SQL text, lines joined with "\n".
  std::string sql;
  // kStatement: whether the statement must succeed; for `statement error`
  // the SQLSTATE it must fail with, empty for any error.
  bool expect_ok = true;
  std::string expected_sqlstate;
  // kStatement: the name of `statement async NAME ...`, empty for a
  // statement that runs to completion; kAwaitStatement: the name awaited.
  std::string async_name;

  // kQuery: one type letter per column (I, R or T), sort mode and label
  // (empty when none).
  std::string types;
  SltSortMode sort_mode = SltSortMode::kNoSort;
  std::string label;
  // kQuery: the expected block. Either the lines as written (one value per
  // line, or one row per line with values separated by spaces or tabs)
  // or, when `expected_hashed`, a value count and an MD5 in lower-case hex.
  std::vector<std::string> expected_lines;
  bool expected_hashed = false;
  size_t expected_value_count = 0;
  std::string expected_hash;

  // kHashThreshold: the new threshold (0 disables hashing).
  size_t hash_threshold = 0;
  // kConnection: the session name.
  std::string connection;
};

// Where and why a script failed to parse.
struct SltParseError {
  size_t line = 0;  // 1-based
  std::string message;
};

// Parses a whole script. Errors (unknown record keyword, bad type letters,
// a query without `----`, ...) are InvalidArgument whose message names the
// line, e.g. "line 12: unknown sort mode 'sorted'"; if `error` is not null
// it receives the line and the message without that prefix.
Result<std::vector<SltRecord>> ParseSlt(std::string_view text, SltParseError* error = nullptr);

// Recognises an expected-results line "N values hashing to <32 hex digits>".
bool ParseHashLine(std::string_view line, size_t* value_count, std::string* hash);

}  // namespace neuroquantum::shell
