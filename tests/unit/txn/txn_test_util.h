// Helpers for TxnEngine tests: an engine on the fault-injection env, and
// small SQL-like operations on a table of (id, value) rows.
#pragma once

#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "common/fault_injection_env.h"
#include "common/log.h"
#include "fmt/format.h"
#include "txn/txn_engine.h"

namespace neuroquantum::txn::testing {

using namespace std::chrono_literals;

template <typename T>
T Must(Result<T> result) {
  if (!result.ok()) {
    ADD_FAILURE() << result.status().ToString();
    std::abort();
  }
  return std::move(result).value();
}

inline Options TestOptions(Env* env) {
  (void)ConfigureLogging("error");
  Options o;
  o.env = env;
  o.buffer_pool_mib = 2;
  o.wal_segment_mib = 1;
  o.max_wal_mib = 8;
  o.flush_interval_ms = 0;
  return o;
}

inline TxnEngineOptions FastLocks() {
  TxnEngineOptions o;
  o.locks.deadlock_timeout = 50ms;
  o.locks.lock_timeout = 20s;
  o.purge_interval = 0ms;  // tests purge explicitly
  return o;
}

inline std::string Key(int id) { return fmt::format("{:06}", id); }

// Whether a future is still pending after a short grace period.
template <typename T>
bool StillWaiting(std::future<T>& f) {
  return f.wait_for(150ms) == std::future_status::timeout;
}

// A session over the (id, value) table `tree`: each call is one statement.
class Session {
 public:
  Session(TxnEngine* engine, TreeId tree, IsolationLevel level, bool read_only = false)
      : tree_(tree), txn_(engine->Begin(TxnOptions{level, read_only})) {}

  Transaction* txn() { return txn_.get(); }

  // SELECT value WHERE id = ?
  std::optional<int> Read(int id) {
    Scope s(this);
    auto v = txn_->Get(tree_, Key(id));
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    if (!v.ok() || !v->has_value()) return std::nullopt;
    return std::stoi(**v);
  }
  // SELECT * (id -> value); a failure fails the test and returns nothing.
  std::map<int, int> ReadAll() {
    Scope s(this);
    auto rows = ReadAllInStatement();
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::map<int, int>{};
  }
  // UPDATE SET value = f(value) WHERE id = ? (the row is locked, then
  // re-read as PostgreSQL's update does).
  Status UpdateWith(int id, const std::function<int(int)>& f) {
    Scope s(this);
    NQ_ASSIGN_OR_RETURN(auto current, txn_->GetForUpdate(tree_, Key(id)));
    if (!current) return Status::OK();
    return txn_->Update(tree_, Key(id), std::to_string(f(std::stoi(*current))));
  }
  Status Update(int id, int value) {
    return UpdateWith(id, [value](int) { return value; });
  }
  // UPDATE/DELETE WHERE pred(value): candidates come from the statement's
  // snapshot, each is locked and its newest version re-checked.
  Status ForEachWhere(const std::function<bool(int)>& pred,
                      const std::function<Status(int id, int value)>& action) {
    Scope s(this);
    NQ_ASSIGN_OR_RETURN(auto rows, ReadAllInStatement());
    for (const auto& [id, value] : rows) {
      if (!pred(value)) continue;
      NQ_ASSIGN_OR_RETURN(auto latest, txn_->GetForUpdate(tree_, Key(id)));
      if (!latest || !pred(std::stoi(*latest))) continue;
      NQ_RETURN_IF_ERROR(action(id, std::stoi(*latest)));
    }
    return Status::OK();
  }
  Status DeleteWhere(const std::function<bool(int)>& pred) {
    return ForEachWhere(pred, [&](int id, int) { return txn_->Delete(tree_, Key(id)); });
  }
  Status Insert(int id, int value) {
    Scope s(this);
    return txn_->Insert(tree_, Key(id), std::to_string(value));
  }
  Status Commit() { return txn_->Commit(); }
  Status Rollback() { return txn_->Rollback(); }

 private:
  struct Scope {
    explicit Scope(Session* s) : session(s) { session->txn_->BeginStatement(); }
    ~Scope() { session->txn_->EndStatement(); }
    Session* session;
  };
  Result<std::map<int, int>> ReadAllInStatement() {
    std::map<int, int> rows;
    NQ_ASSIGN_OR_RETURN(auto cursor, txn_->Scan(tree_, ""));
    for (; cursor->Valid(); cursor->Next()) rows[std::stoi(std::string(cursor->key()))] = std::stoi(std::string(cursor->value()));
    NQ_RETURN_IF_ERROR(cursor->status());
    return rows;
  }

  TreeId tree_;
  std::unique_ptr<Transaction> txn_;
};

// An engine with table "test" holding (1, 10) and (2, 20).
class TxnEngineTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    engine_ = Must(TxnEngine::Open("db", TestOptions(&env_), FastLocks()));
    auto found = engine_->FindTable("test");
    if (found.ok()) {
      tree_ = *found;
      return;
    }
    tree_ = Must(engine_->CreateTable("test"));
    auto setup = engine_->Begin();
    ASSERT_TRUE(setup->Insert(tree_, Key(1), "10").ok());
    ASSERT_TRUE(setup->Insert(tree_, Key(2), "20").ok());
    ASSERT_TRUE(setup->Commit().ok());
  }
  void Reopen() {
    engine_.reset();
    Open();
  }
  Session NewSession(IsolationLevel level) { return Session(engine_.get(), tree_, level); }
  std::map<int, int> Committed() {
    Session s(engine_.get(), tree_, IsolationLevel::kReadCommitted);
    auto rows = s.ReadAll();
    EXPECT_TRUE(s.Commit().ok());
    return rows;
  }

  FaultInjectionEnv env_;
  std::unique_ptr<TxnEngine> engine_;
  TreeId tree_ = 0;
};

}  // namespace neuroquantum::txn::testing
