// Builds SQL from fuzz input bytes, one choice per byte, so that most
// inputs are valid SQL that nests expressions, subqueries and set
// operations deeply; shared by the parser and execution fuzz targets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>

namespace neuroquantum::fuzz {

class Generator {
 public:
  // Reads at most kMaxChoices bytes: enough for deep statements, while
  // keeping each one small enough that the run stays quick under ASan.
  Generator(const uint8_t* data, size_t size)
      : data_(data), size_(size < kMaxChoices ? size : kMaxChoices) {}

  std::string Statement() {
    switch (Next() % 9) {
      case 0: return "INSERT INTO t (a, b) VALUES (" + Expr(0) + ", " + Expr(0) + ") RETURNING " + Expr(0);
      case 1: return "UPDATE t SET a = " + Expr(0) + " WHERE " + Expr(0);
      case 2: return "DELETE FROM t WHERE " + Expr(0);
      case 3: return "CREATE TABLE t (a INT DEFAULT " + Operand(3) + " CHECK (" + Expr(0) + "))";
      case 4: return "CREATE INDEX i ON t (" + Expr(0) + " DESC)";
      case 5:
        return "INSERT INTO u VALUES (" + Expr(0) + ", " + Expr(0) + ") ON CONFLICT (b) DO UPDATE SET a = u.a + " +
               "excluded.a, b = " + Expr(0) + " WHERE " + Expr(0);
      case 6: return "DEALLOCATE ALL; PREPARE p AS SELECT " + Expr(0) + " + $1; EXECUTE p(" + Expr(0) + ")";
      case 7:
        return "CREATE TRIGGER g BEFORE UPDATE ON t WHEN " + Expr(0) + " BEGIN INSERT INTO u VALUES (new.a, " +
               Expr(0) + "); SELECT RAISE(IGNORE) WHERE " + Expr(0) + "; UPDATE t SET b = old.b WHERE " + Expr(0) +
               "; END; UPDATE t SET a = " + Expr(0);
      default: return Query(0);
    }
  }

 private:
  uint8_t Next() { return pos_ < size_ ? data_[pos_++] : 0; }
  bool Done() const { return pos_ >= size_; }

  std::string Query(int depth) {
    if (depth > 6 || Done()) return "SELECT 1";
    std::string sql = "SELECT ";
    if (Next() % 4 == 0) sql += "DISTINCT ";
    sql += Expr(depth + 1) + " AS x, " + Expr(depth + 1) + " FROM t";
    switch (Next() % 4) {
      case 0: sql += " JOIN u ON " + Expr(depth + 1); break;
      case 1: sql += ", (" + Query(depth + 1) + ") AS s"; break;
      default: break;
    }
    if (Next() % 2) sql += " WHERE " + Expr(depth + 1);
    if (Next() % 4 == 0) sql += " GROUP BY " + Expr(depth + 1) + " HAVING " + Expr(depth + 1);
    switch (Next() % 6) {
      case 0: sql += " UNION ALL " + Query(depth + 1); break;
      case 1: sql += " INTERSECT SELECT 1, 2"; break;
      case 2: sql += " ORDER BY " + Expr(depth + 1) + " DESC NULLS LAST LIMIT " + Expr(depth + 1); break;
      default: break;
    }
    return sql;
  }

  // An operand: parenthesised unless it is a single token, so that the
  // text stays valid whatever the operator; the printer then decides
  // which parentheses to keep, and the re-parse checks its decisions.
  std::string Operand(int depth) {
    std::string e = Expr(depth + 1);
    return e.find(' ') == std::string::npos ? e : "(" + e + ")";
  }

  std::string Expr(int depth) {
    static constexpr const char* kLeaves[] = {
        "a", "b", "t.c", "\"Q\"", "1", "2.5", "1e3", "'s'", "'it''s'", "X'00ff'", "NULL",
        "TRUE", "$1", "?", "9223372036854775808", ".5", "key"};
    static constexpr const char* kBinary[] = {
        "OR", "AND", "=", "<>", "<", "<=", ">", ">=", "&", "|", "<<", ">>", "||",
        "+", "-", "*", "/", "%", "DIV", "==", "!="};
    uint8_t choice = Next();
    if (depth > 6 || Done()) return kLeaves[choice % std::size(kLeaves)];
    switch (choice % 28) {
      case 0: case 1: case 2: case 3: case 4:
        return Operand(depth) + " " + kBinary[Next() % std::size(kBinary)] + " " + Operand(depth);
      case 5: return "-" + Operand(depth);
      case 6: return "NOT " + Operand(depth);
      case 7: return Operand(depth) + (Next() % 2 ? " IS NULL" : " IS NOT NULL");
      case 8: return Operand(depth) + (Next() % 2 ? " IS DISTINCT FROM " : " IS ") + Operand(depth);
      case 9: return Operand(depth) + " IN (" + Expr(depth + 1) + ", " + Expr(depth + 1) + ")";
      case 10: return Operand(depth) + " NOT IN (" + Query(depth + 1) + ")";
      case 11: return Operand(depth) + (Next() % 2 ? " IN ()" : " IN t");
      case 12: return Operand(depth) + " LIKE " + Operand(depth) + (Next() % 2 ? " ESCAPE '!'" : "");
      case 13: return Operand(depth) + " NOT BETWEEN " + Operand(depth) + " AND " + Operand(depth);
      case 14:
        return "CASE " + (Next() % 2 ? Expr(depth + 1) + " " : std::string()) + "WHEN " +
               Expr(depth + 1) + " THEN " + Expr(depth + 1) + " ELSE " + Expr(depth + 1) + " END";
      case 15: return "CAST(" + Expr(depth + 1) + " AS NUMERIC(10, 2))";
      case 16: return Operand(depth) + "::DOUBLE PRECISION";
      case 17: return Operand(depth) + " COLLATE nocase";
      case 18: return "coalesce(" + Expr(depth + 1) + ", " + Expr(depth + 1) + ")";
      case 19: return Next() % 2 ? "count(*)" : "count(DISTINCT " + Expr(depth + 1) + ")";
      case 20: return "EXISTS (" + Query(depth + 1) + ")";
      case 21: return "(" + Query(depth + 1) + ")";
      case 22: return "~" + Operand(depth);
      case 23: return "POSITION(" + Operand(depth) + " IN " + Expr(depth + 1) + ")";
      case 24:
        return "SUBSTRING(" + Expr(depth + 1) + (Next() % 2 ? " FROM " + Expr(depth + 1) : "") +
               " FOR " + Expr(depth + 1) + ")";
      case 25: return "TRIM(LEADING " + Expr(depth + 1) + " FROM " + Expr(depth + 1) + ")";
      case 26:
        return "sum(" + Expr(depth + 1) + ") OVER (PARTITION BY " + Expr(depth + 1) + " ORDER BY " +
               Expr(depth + 1) + (Next() % 2 ? " ROWS BETWEEN 1 PRECEDING AND CURRENT ROW EXCLUDE TIES)" : ")");
      default: return kLeaves[Next() % std::size(kLeaves)];
    }
  }

  static constexpr size_t kMaxChoices = 64;

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace neuroquantum::fuzz
