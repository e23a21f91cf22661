// The concurrent records of `nqdb slt` (`statement async NAME ...` and
// `awaitstatement NAME`): parsing, and the runner against a fake engine
// whose statements take and wait for named locks, as row locks do.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <sstream>

#include "common/mutex.h"
#include "shell/slt_parser.h"
#include "shell/slt_runner.h"

namespace neuroquantum::shell {
namespace {

using std::chrono::milliseconds;

std::vector<SltRecord> MustParse(std::string_view text) {
  auto records = ParseSlt(text);
  EXPECT_TRUE(records.ok()) << records.status().ToString();
  return records.ok() ? std::move(records).value() : std::vector<SltRecord>{};
}

size_t ParseFailureLine(std::string_view text) {
  SltParseError error;
  EXPECT_FALSE(ParseSlt(text, &error).ok());
  return error.line;
}

// ---------------------------------------------------------------- parser

TEST(SltAsyncParserTest, AsyncStatementOkAndError) {
  auto records = MustParse(
      "statement async s1 ok\nUPDATE t SET a = 1\n\n"
      "statement async s2 error\nUPDATE t SET a = 2\n\n"
      "statement async s3 error 40001\nUPDATE t SET a = 3\n\n"
      "awaitstatement s1\n");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].type, SltRecordType::kStatement);
  EXPECT_EQ(records[0].async_name, "s1");
  EXPECT_TRUE(records[0].expect_ok);
  EXPECT_EQ(records[0].sql, "UPDATE t SET a = 1");
  EXPECT_EQ(records[1].async_name, "s2");
  EXPECT_FALSE(records[1].expect_ok);
  EXPECT_EQ(records[1].expected_sqlstate, "");
  EXPECT_EQ(records[2].async_name, "s3");
  EXPECT_EQ(records[2].expected_sqlstate, "40001");
  EXPECT_EQ(records[3].type, SltRecordType::kAwaitStatement);
  EXPECT_EQ(records[3].async_name, "s1");
  EXPECT_EQ(records[3].line, 10u);
}

TEST(SltAsyncParserTest, PlainStatementsHaveNoAsyncName) {
  auto records = MustParse("statement ok\nSELECT 1\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].async_name, "");
}

TEST(SltAsyncParserTest, RejectsMalformedAsyncRecords) {
  EXPECT_EQ(ParseFailureLine("statement async s1\nSELECT 1\n"), 1u);
  EXPECT_EQ(ParseFailureLine("statement async ok\nSELECT 1\n"), 1u);
  EXPECT_EQ(ParseFailureLine("statement async s1 maybe\nSELECT 1\n"), 1u);
  EXPECT_EQ(ParseFailureLine("statement async s1 error 4000\nSELECT 1\n"), 1u);
  EXPECT_EQ(ParseFailureLine("statement async s1 ok\n\n"), 1u);
  EXPECT_EQ(ParseFailureLine("\nawaitstatement\n"), 2u);
  EXPECT_EQ(ParseFailureLine("awaitstatement s1 s2\n"), 1u);
}

// ------------------------------------------------------------------ runner

// Statements:
//   LOCK k        take lock k for the connection, waiting while another
//                 connection holds it
//   LOCK k FAIL   the same, then fail with 40001 (as an update that waited
//                 for a row and found it changed)
//   UNLOCK        release every lock of the connection
// Anything else succeeds at once. Cancel makes a waiting LOCK fail with
// 57014. Thread-safe.
class LockingEngine : public SltEngine {
 public:
  Result<SltQueryResult> Execute(const std::string& connection, std::string_view sql) override {
    MutexLock lock(&mu_);
    ++statements_;
    if (sql == "UNLOCK") {
      for (auto it = holders_.begin(); it != holders_.end();) {
        it = it->second == connection ? holders_.erase(it) : std::next(it);
      }
      changed_.SignalAll();
      return SltQueryResult{};
    }
    if (!sql.starts_with("LOCK ")) return SltQueryResult{};
    std::string key(sql.substr(5, sql.find(' ', 5) - 5));
    cancelled_.erase(connection);
    while (holders_.contains(key) && holders_[key] != connection) {
      if (cancelled_.erase(connection) > 0) {
        return Status::Aborted("canceling statement due to user request").WithSqlState("57014");
      }
      changed_.Wait(&mu_);
    }
    holders_[key] = connection;
    if (sql.ends_with(" FAIL")) {
      return Status::SerializationFailure("could not serialize access due to concurrent update");
    }
    return SltQueryResult{};
  }
  Status Restart() override {
    MutexLock lock(&mu_);
    ++restarts_;
    return Status::OK();
  }
  void Cancel(const std::string& connection) override {
    MutexLock lock(&mu_);
    cancelled_.insert(connection);
    changed_.SignalAll();
  }

  int statements() {
    MutexLock lock(&mu_);
    return statements_;
  }
  int restarts() {
    MutexLock lock(&mu_);
    return restarts_;
  }

 private:
  Mutex mu_;
  CondVar changed_;
  std::map<std::string, std::string> holders_ GUARDED_BY(mu_);  // lock -> connection
  std::set<std::string> cancelled_ GUARDED_BY(mu_);
  int statements_ GUARDED_BY(mu_) = 0;
  int restarts_ GUARDED_BY(mu_) = 0;
};

class SltAsyncRunnerTest : public ::testing::Test {
 protected:
  SltAsyncRunnerTest() {
    options_.block_grace = milliseconds(50);
    options_.await_timeout = milliseconds(2000);
  }

  bool Run(std::string_view script) {
    SltRunner runner(options_, &out_);
    bool finished = runner.RunScript(&engine_, "t.test", MustParse(script));
    counts_ = runner.counts();
    return finished;
  }
  std::string output() const { return out_.str(); }

  LockingEngine engine_;
  SltRunOptions options_;
  std::ostringstream out_;
  SltCounts counts_;
};

// c1 holds lock a; c2 waits for it in s1 until c1 releases it.
constexpr std::string_view kBlockedOnA =
    "connection c1\n\nstatement ok\nLOCK a\n\n"                        // lines 1-4
    "connection c2\n\n";                                                // line 6

TEST_F(SltAsyncRunnerTest, BlockedStatementIsAwaited) {
  Run(std::string(kBlockedOnA) +
      "statement async s1 ok\nLOCK a\n\n"
      "connection c1\n\nstatement ok\nUNLOCK\n\n"
      "awaitstatement s1\n");
  EXPECT_EQ(output(), "");
  // LOCK, the async start, UNLOCK and the await.
  EXPECT_EQ(counts_.passed, 4u);
  EXPECT_EQ(counts_.failed, 0u);
}

TEST_F(SltAsyncRunnerTest, AwaitChecksTheSqlState) {
  Run(std::string(kBlockedOnA) +
      "statement async s1 error 40001\nLOCK a FAIL\n\n"
      "connection c1\n\nstatement ok\nUNLOCK\n\n"
      "awaitstatement s1\n");
  EXPECT_EQ(output(), "");
  EXPECT_EQ(counts_.passed, 4u);
}

TEST_F(SltAsyncRunnerTest, WrongOutcomeIsReportedAtTheAwait) {
  Run(std::string(kBlockedOnA) +
      "statement async s1 error 40001\nLOCK a\n\n"
      "connection c1\n\nstatement ok\nUNLOCK\n\n"
      "awaitstatement s1\n");
  EXPECT_EQ(output(),
            "t.test:16: async statement s1 (line 8) succeeded, expected error 40001: LOCK a\n");
  EXPECT_EQ(counts_.passed, 3u);
  EXPECT_EQ(counts_.failed, 1u);
}

TEST_F(SltAsyncRunnerTest, UnexpectedErrorIsReportedAtTheAwait) {
  Run(std::string(kBlockedOnA) +
      "statement async s1 ok\nLOCK a FAIL\n\n"
      "connection c1\n\nstatement ok\nUNLOCK\n\n"
      "awaitstatement s1\n");
  EXPECT_EQ(output(),
            "t.test:16: async statement s1 (line 8) failed: 40001: could not serialize access due "
            "to concurrent update\n");
}

TEST_F(SltAsyncRunnerTest, StatementThatDoesNotBlockFails) {
  Run("statement async s1 ok\nLOCK a\n\nawaitstatement s1\n");
  EXPECT_EQ(output(), "t.test:1: async statement s1 was expected to block, but it succeeded\n");
  // The await still checks the outcome.
  EXPECT_EQ(counts_.failed, 1u);
  EXPECT_EQ(counts_.passed, 1u);
}

TEST_F(SltAsyncRunnerTest, ConnectionIsBusyUntilAwaited) {
  Run(std::string(kBlockedOnA) +
      "statement async s1 ok\nLOCK a\n\n"
      "query I\nSELECT 1\n----\n1\n\n"  // line 11
      "statement async s2 ok\nLOCK a\n\n"  // line 16
      "connection c1\n\nstatement ok\nUNLOCK\n\n"
      "awaitstatement s1\n\n"
      "connection c2\n\nstatement ok\nSELECT 1\n");
  EXPECT_EQ(output(),
            "t.test:11: connection c2 is busy with async statement s1 (line 8); await it first\n"
            "t.test:16: connection c2 is busy with async statement s1 (line 8); await it first\n");
  EXPECT_EQ(counts_.failed, 2u);
  EXPECT_EQ(counts_.passed, 5u);
}

TEST_F(SltAsyncRunnerTest, AwaitOfUnknownStatementFails) {
  Run("awaitstatement nope\n");
  EXPECT_EQ(output(), "t.test:1: no async statement nope is running\n");
  EXPECT_EQ(counts_.failed, 1u);
}

TEST_F(SltAsyncRunnerTest, NameInUseFails) {
  Run(std::string(kBlockedOnA) +
      "statement async s1 ok\nLOCK a\n\n"
      "connection c3\n\nstatement async s1 ok\nLOCK a\n\n"  // line 13
      "connection c1\n\nstatement ok\nUNLOCK\n\nawaitstatement s1\n");
  EXPECT_EQ(output(), "t.test:13: async statement s1 (line 8) has not been awaited\n");
}

TEST_F(SltAsyncRunnerTest, NamesCanBeReusedAfterTheAwait) {
  Run(std::string(kBlockedOnA) +
      "statement async s1 ok\nLOCK a\n\n"
      "connection c1\n\nstatement ok\nUNLOCK\n\nawaitstatement s1\n\n"
      "statement ok\nLOCK b\n\n"
      "connection c2\n\nstatement async s1 ok\nLOCK b\n\n"
      "connection c1\n\nstatement ok\nUNLOCK\n\nawaitstatement s1\n");
  EXPECT_EQ(output(), "");
  EXPECT_EQ(counts_.passed, 8u);
}

TEST_F(SltAsyncRunnerTest, StatementNeverAwaitedFailsAndIsCancelled) {
  EXPECT_TRUE(Run(std::string(kBlockedOnA) + "statement async s1 ok\nLOCK a\n"));
  EXPECT_EQ(output(), "t.test:8: async statement s1 was never awaited\n");
  EXPECT_EQ(counts_.failed, 1u);
  EXPECT_EQ(counts_.passed, 2u);
}

TEST_F(SltAsyncRunnerTest, AwaitTimesOutAndCancels) {
  options_.await_timeout = milliseconds(100);
  Run(std::string(kBlockedOnA) + "statement async s1 ok\nLOCK a\n\nawaitstatement s1\n");
  EXPECT_EQ(output(),
            "t.test:11: async statement s1 (line 8) still running after 100 ms; cancelled, then it "
            "failed with 57014: canceling statement due to user request\n");
  EXPECT_EQ(counts_.failed, 1u);
}

TEST_F(SltAsyncRunnerTest, RestartWhileRunningFails) {
  Run(std::string(kBlockedOnA) + "statement async s1 ok\nLOCK a\n\nrestart\n\nstatement ok\nX\n");
  EXPECT_EQ(output(), "t.test:11: restart while async statement s1 (line 8) is running\n");
  EXPECT_EQ(engine_.restarts(), 0);
  // The script stops there; s1 is cancelled, not reported again.
  EXPECT_EQ(counts_.failed, 1u);
  EXPECT_EQ(counts_.skipped, 1u);
}

TEST_F(SltAsyncRunnerTest, HaltCancelsRunningStatementsQuietly) {
  Run(std::string(kBlockedOnA) + "statement async s1 ok\nLOCK a\n\nhalt\n\nawaitstatement s1\n");
  EXPECT_EQ(output(), "");
  EXPECT_EQ(counts_.skipped, 1u);
}

TEST_F(SltAsyncRunnerTest, StopOnFailureCancelsRunningStatements) {
  options_.stop_on_failure = true;
  EXPECT_FALSE(Run(std::string(kBlockedOnA) +
                   "statement async s1 ok\nLOCK a\n\nawaitstatement nope\n\nstatement ok\nX\n"));
  EXPECT_EQ(output(), "t.test:11: no async statement nope is running\n");
  EXPECT_EQ(engine_.statements(), 2);
}

TEST_F(SltAsyncRunnerTest, VerboseShowsTheAsyncStatementsSql) {
  options_.verbose = true;
  Run(std::string(kBlockedOnA) +
      "statement async s1 error\nLOCK a\n\n"
      "connection c1\n\nstatement ok\nUNLOCK\n\nawaitstatement s1\n");
  EXPECT_NE(output().find("t.test:16: async statement s1 (line 8) succeeded, expected an error: "
                          "LOCK a\n    LOCK a\n"),
            std::string::npos)
      << output();
}

}  // namespace
}  // namespace neuroquantum::shell
