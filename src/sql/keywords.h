// QSQL keywords: one list (the X-macro below) from which the Keyword enum,
// the lookup table and the reserved-word test are all generated, so adding
// a keyword is a one-line change.
//
// Reserved words can never be bare identifiers (column, table or alias
// names); they may still be used when quoted ("select"). Non-reserved
// keywords only mean something in a particular position (READ in
// `READ ONLY`, KEY in `PRIMARY KEY`) and are ordinary identifiers elsewhere,
// so that common column names such as `key`, `level` or `action` keep
// working.
//
// Thread safety: the lookup table is immutable after static initialisation.
#pragma once

#include <cstdint>
#include <string_view>

namespace neuroquantum::sql {

// X(enum suffix, spelling, reserved)
#define NQ_SQL_KEYWORDS(X)                        \
  X(Abort, "abort", false)                        \
  X(Action, "action", false)                      \
  X(Add, "add", false)                            \
  X(After, "after", false)                        \
  X(All, "all", true)                             \
  X(Alter, "alter", true)                         \
  X(Always, "always", false)                      \
  X(Analyze, "analyze", false)                    \
  X(And, "and", true)                             \
  X(As, "as", true)                               \
  X(Asc, "asc", false)                            \
  X(AutoIncrement, "auto_increment", false)       \
  X(Autoincrement, "autoincrement", false)        \
  X(Before, "before", false)                      \
  X(Begin, "begin", false)                        \
  X(Both, "both", false)                          \
  X(Between, "between", true)                     \
  X(By, "by", false)                              \
  X(Cascade, "cascade", false)                    \
  X(Case, "case", true)                           \
  X(Cast, "cast", true)                           \
  X(Check, "check", true)                         \
  X(Collate, "collate", true)                     \
  X(Column, "column", false)                      \
  X(Commit, "commit", false)                      \
  X(Committed, "committed", false)                \
  X(Conflict, "conflict", false)                  \
  X(Constraint, "constraint", true)               \
  X(Continue, "continue", false)                  \
  X(Create, "create", true)                       \
  X(Cross, "cross", true)                         \
  X(Current, "current", false)                    \
  X(Data, "data", false)                          \
  X(Deallocate, "deallocate", false)              \
  X(Default, "default", true)                     \
  X(Deferred, "deferred", false)                  \
  X(Delete, "delete", true)                       \
  X(Desc, "desc", false)                          \
  X(Distinct, "distinct", true)                   \
  X(Div, "div", true)                             \
  X(Do, "do", false)                              \
  X(Drop, "drop", true)                           \
  X(Each, "each", false)                          \
  X(Else, "else", true)                           \
  X(End, "end", true)                             \
  X(Escape, "escape", true)                       \
  X(Except, "except", true)                       \
  X(Exclude, "exclude", false)                    \
  X(Exclusive, "exclusive", false)                \
  X(Execute, "execute", false)                    \
  X(Exists, "exists", true)                       \
  X(Explain, "explain", false)                    \
  X(Fail, "fail", false)                          \
  X(False, "false", true)                         \
  X(First, "first", false)                        \
  X(Following, "following", false)                \
  X(For, "for", false)                            \
  X(Foreign, "foreign", true)                     \
  X(From, "from", true)                           \
  X(Full, "full", true)                           \
  X(Generated, "generated", false)                \
  X(Glob, "glob", true)                           \
  X(Group, "group", true)                         \
  X(Groups, "groups", false)                      \
  X(Having, "having", true)                       \
  X(Identity, "identity", false)                  \
  X(If, "if", false)                              \
  X(Ignore, "ignore", false)                      \
  X(Ilike, "ilike", true)                         \
  X(Immediate, "immediate", false)                \
  X(In, "in", true)                               \
  X(Index, "index", false)                        \
  X(Indexed, "indexed", true)                     \
  X(Inner, "inner", true)                         \
  X(Insert, "insert", true)                       \
  X(Instead, "instead", false)                    \
  X(Intersect, "intersect", true)                 \
  X(Into, "into", true)                           \
  X(Is, "is", true)                               \
  X(Isnull, "isnull", true)                       \
  X(Isolation, "isolation", false)                \
  X(Join, "join", true)                           \
  X(Key, "key", false)                            \
  X(Last, "last", false)                          \
  X(Leading, "leading", false)                    \
  X(Left, "left", true)                           \
  X(Level, "level", false)                        \
  X(Like, "like", true)                           \
  X(Limit, "limit", true)                         \
  X(Natural, "natural", true)                     \
  X(No, "no", false)                              \
  X(Not, "not", true)                             \
  X(Notnull, "notnull", true)                     \
  X(Nothing, "nothing", false)                    \
  X(Null, "null", true)                           \
  X(Nulls, "nulls", false)                        \
  X(Of, "of", false)                              \
  X(Offset, "offset", true)                       \
  X(On, "on", true)                               \
  X(Only, "only", false)                          \
  X(Or, "or", true)                               \
  X(Order, "order", true)                         \
  X(Others, "others", false)                      \
  X(Outer, "outer", true)                         \
  X(Over, "over", false)                          \
  X(Partition, "partition", false)                \
  X(Preceding, "preceding", false)                \
  X(Precision, "precision", false)                \
  X(Prepare, "prepare", false)                    \
  X(Prepared, "prepared", false)                  \
  X(Primary, "primary", true)                     \
  X(Raise, "raise", false)                        \
  X(Range, "range", false)                        \
  X(Read, "read", false)                          \
  X(Recursive, "recursive", false)                \
  X(References, "references", true)               \
  X(Release, "release", false)                    \
  X(Rename, "rename", false)                      \
  X(Repeatable, "repeatable", false)              \
  X(Replace, "replace", false)                    \
  X(Restart, "restart", false)                    \
  X(Restrict, "restrict", false)                  \
  X(Returning, "returning", true)                 \
  X(Right, "right", true)                         \
  X(Rollback, "rollback", false)                  \
  X(Row, "row", false)                            \
  X(Rows, "rows", false)                          \
  X(Savepoint, "savepoint", false)                \
  X(Select, "select", true)                       \
  X(Serializable, "serializable", false)          \
  X(Set, "set", true)                             \
  X(Start, "start", false)                        \
  X(Table, "table", true)                         \
  X(Temp, "temp", false)                          \
  X(Temporary, "temporary", false)                \
  X(Then, "then", true)                           \
  X(Ties, "ties", false)                          \
  X(To, "to", false)                              \
  X(Trailing, "trailing", false)                  \
  X(Transaction, "transaction", false)            \
  X(Trigger, "trigger", false)                    \
  X(True, "true", true)                           \
  X(Truncate, "truncate", false)                  \
  X(Unbounded, "unbounded", false)                \
  X(Uncommitted, "uncommitted", false)            \
  X(Type, "type", false)                          \
  X(Union, "union", true)                         \
  X(Unique, "unique", true)                       \
  X(Update, "update", true)                       \
  X(Using, "using", true)                         \
  X(Values, "values", true)                       \
  X(View, "view", false)                          \
  X(When, "when", true)                           \
  X(Where, "where", true)                         \
  X(Window, "window", true)                       \
  X(With, "with", true)                           \
  X(Work, "work", false)                          \
  X(Write, "write", false)

enum class Keyword : uint8_t {
  kNone = 0,  // not a keyword (or a quoted identifier)
#define NQ_SQL_KEYWORD_ENUM(name, spelling, reserved) k##name,
  NQ_SQL_KEYWORDS(NQ_SQL_KEYWORD_ENUM)
#undef NQ_SQL_KEYWORD_ENUM
};

// The keyword spelled `lower_text` (already lower case), or kNone.
Keyword LookupKeyword(std::string_view lower_text);
// Whether `keyword` may not be used as a bare identifier.
bool IsReserved(Keyword keyword);
// Whether `lower_text` spells any keyword; the printer quotes such names so
// that they re-parse as identifiers.
bool IsKeywordText(std::string_view lower_text);

}  // namespace neuroquantum::sql
