// Parses the SQL of every `statement ok` and `query` record in the public
// sqllogictest corpus (../shared/data/sqllogictest, see its README for the
// format) and requires nearly all of them to parse and to survive the
// printer round trip. Records marked `statement error` are skipped: some
// fail in the parser, some only later.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sql/parser.h"
#include "sql/printer.h"
#include "support/test_data.h"

namespace neuroquantum::sql {
namespace {

struct Record {
  std::string file;
  int line = 0;
  std::string sql;
};

// Splits a sqllogictest file into the SQL texts of its statement-ok and
// query records.
void CollectRecords(const std::filesystem::path& path, std::vector<Record>* records) {
  std::ifstream in(path);
  std::string line;
  int line_number = 0;
  bool in_sql = false;
  Record current;
  auto finish = [&] {
    if (in_sql && !current.sql.empty()) records->push_back(current);
    in_sql = false;
  };
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (in_sql) {
      if (line.empty() || line == "----") {
        finish();
      } else {
        current.sql += current.sql.empty() ? "" : "\n";
        current.sql += line;
      }
      continue;
    }
    bool statement_ok = line.rfind("statement ok", 0) == 0;
    bool query = line.rfind("query ", 0) == 0 || line == "query";
    if (statement_ok || query) {
      current = Record{path.string(), line_number + 1, ""};
      in_sql = true;
    }
  }
  finish();
}

TEST(SqlLogicTestParseTest, NearlyAllCorpusStatementsParseAndRoundTrip) {
  NQ_REQUIRE_TEST_DATA(dir, "sqllogictest");
  std::vector<Record> records;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".test") {
      CollectRecords(entry.path(), &records);
    }
  }
  ASSERT_GT(records.size(), 40000u) << "corpus looks incomplete";
  size_t parsed = 0;
  size_t round_trip_failures = 0;
  size_t printed_failures = 0;
  for (const auto& record : records) {
    // A record may hold several statements (the reference runner executes
    // its text as a script).
    auto statements = ParseScript(record.sql);
    if (statements.ok() && statements->empty()) statements = Status::InvalidArgument("no statement");
    if (!statements.ok()) {
      if (++printed_failures <= 50) {
        std::cout << record.file << ":" << record.line << ": " << statements.status().message()
                  << "\n  " << record.sql << "\n";
      }
      continue;
    }
    ++parsed;
    for (const auto& statement : *statements) {
      std::string printed = ToSql(*statement);
      auto again = ParseStatement(printed);
      if (!again.ok() || ToSql(**again) != printed) {
        ++round_trip_failures;
        ADD_FAILURE() << record.file << ":" << record.line << ": round trip failed\n  "
                      << record.sql << "\n  printed: " << printed;
      }
    }
  }
  double rate = static_cast<double>(parsed) / static_cast<double>(records.size());
  std::cout << parsed << " of " << records.size() << " records parse (" << rate * 100 << "%)\n";
  EXPECT_GE(rate, 0.999);
  EXPECT_EQ(round_trip_failures, 0u);
}

}  // namespace
}  // namespace neuroquantum::sql
