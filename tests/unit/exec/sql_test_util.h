// A database in a fresh temporary directory and helpers that run SQL and
// render results as text, for the SQL engine tests.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "common/log.h"
#include "neuroquantum/database.h"
#include "support/temp_dir.h"

namespace neuroquantum::testing {

class SqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    (void)ConfigureLogging("error");
    dir_ = tmp_.path();
    path_ = tmp_.Path("db");
    options_.storage.buffer_pool_mib = 4;
    options_.lock_timeout = std::chrono::milliseconds(2000);
    options_.deadlock_timeout = std::chrono::milliseconds(50);
    Reopen();
  }
  void TearDown() override {
    conn_.reset();
    db_.reset();
  }

  // Closes and opens the database again (a clean restart).
  void Reopen() {
    conn_.reset();
    db_.reset();
    auto db = Database::Open(path_, options_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    conn_ = db_->Connect();
  }

  // Rows as "a|b" lines joined by '\n'; NULL prints as NULL. Errors come
  // back as "error <SQLSTATE>".
  static std::string Run(Connection* conn, const std::string& sql) {
    auto rs = conn->Execute(sql);
    if (!rs.ok()) return "error " + std::string(SqlState(rs.status()));
    std::string out;
    while (true) {
      auto more = rs->Next();
      if (!more.ok()) return "error " + std::string(SqlState(more.status()));
      if (!*more) break;
      if (!out.empty()) out += "\n";
      for (size_t i = 0; i < rs->column_count(); ++i) {
        if (i) out += "|";
        out += rs->IsNull(i) ? "NULL" : rs->GetText(i);
      }
    }
    return out;
  }
  std::string Run(const std::string& sql) { return Run(conn_.get(), sql); }
  void Ok(const std::string& sql) {
    auto rs = conn_->Execute(sql);
    ASSERT_TRUE(rs.ok()) << sql << ": " << rs.status().ToString();
  }

  TempDir tmp_{"nq_sql_"};
  std::string dir_, path_;
  DatabaseOptions options_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Connection> conn_;
};

}  // namespace neuroquantum::testing
