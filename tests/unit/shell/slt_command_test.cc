// End-to-end tests of `nqdb slt` on the real database: the restart,
// connection and async statement extensions, SQLSTATE checks, failure
// output, exit status and the temporary database's removal. Skipped when
// nqdb is not built.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/temp_dir.h"
#include "unit/shell/child_process.h"

namespace neuroquantum::shell {
namespace {

namespace fs = std::filesystem;
using testing_support::Child;
using testing_support::NqdbPath;

class SltCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    nqdb_ = NqdbPath();
    if (nqdb_.empty()) GTEST_SKIP() << "nqdb is not built next to this test";
    dir_ = tmp_.path();
    fs::create_directory(fs::path(dir_) / "tmp");
  }

  // Writes `script` to a file and runs `nqdb slt` on it with TMPDIR inside
  // the test's directory; returns standard output.
  std::string RunSlt(const std::string& script, std::vector<std::string> flags = {}) {
    const std::string file = (fs::path(dir_) / "t.test").string();
    std::ofstream(file) << script;
    std::vector<std::string> argv = {"/usr/bin/env", "TMPDIR=" + dir_ + "/tmp", nqdb_, "slt", file};
    argv.insert(argv.end(), flags.begin(), flags.end());
    Child child(argv);
    std::string out, err;
    status_ = child.Finish(&out, &err);
    EXPECT_EQ(err, "");
    // Only the last line names no file; strip the directory from the rest.
    for (size_t pos; (pos = out.find(file)) != std::string::npos;) out.replace(pos, file.size(), "t.test");
    return out;
  }

  std::string nqdb_;
  neuroquantum::testing::TempDir tmp_{"nqdb-slt-test-"};
  std::string dir_;
  int status_ = -1;
};

TEST_F(SltCommandTest, RestartKeepsCommittedData) {
  EXPECT_EQ(RunSlt("statement ok\nCREATE TABLE t(a INTEGER PRIMARY KEY)\n\n"
                   "statement ok\nINSERT INTO t VALUES (1)\n\n"
                   "restart\n\n"
                   "query I\nSELECT a FROM t\n----\n1\n"),
            "3 passed, 0 failed\n");
  EXPECT_EQ(status_, 0);
}

TEST_F(SltCommandTest, ConnectionsAreSeparateSessions) {
  EXPECT_EQ(RunSlt("statement ok\nCREATE TABLE t(a INTEGER PRIMARY KEY)\n\n"
                   "connection a\n\nstatement ok\nBEGIN\n\n"
                   "statement ok\nINSERT INTO t VALUES (2)\n\n"
                   "connection b\n\n"
                   "query I\nSELECT count(*) FROM t\n----\n0\n\n"
                   "connection a\n\nstatement ok\nCOMMIT\n\n"
                   "connection b\n\n"
                   "query I\nSELECT count(*) FROM t\n----\n1\n"),
            "6 passed, 0 failed\n");
}

TEST_F(SltCommandTest, AsyncStatementWaitsForARowLock) {
  EXPECT_EQ(RunSlt("statement ok\nCREATE TABLE t(a INTEGER PRIMARY KEY, b INTEGER)\n\n"
                   "statement ok\nINSERT INTO t VALUES (1, 10)\n\n"
                   "connection a\n\nstatement ok\nBEGIN ISOLATION LEVEL REPEATABLE READ\n\n"
                   "statement ok\nUPDATE t SET b = 11 WHERE a = 1\n\n"
                   "connection b\n\nstatement ok\nBEGIN ISOLATION LEVEL REPEATABLE READ\n\n"
                   "statement async s1 error 40001\nUPDATE t SET b = 12 WHERE a = 1\n\n"
                   "connection a\n\nstatement ok\nCOMMIT\n\n"
                   "awaitstatement s1\n\n"
                   "connection b\n\nstatement ok\nROLLBACK\n\n"
                   "query I\nSELECT b FROM t\n----\n11\n"),
            "10 passed, 0 failed\n");
  EXPECT_EQ(status_, 0);
}

TEST_F(SltCommandTest, AsyncStatementThatDoesNotBlockFails) {
  EXPECT_EQ(RunSlt("statement async s1 ok\nSELECT 1\n\nawaitstatement s1\n"),
            "t.test:1: async statement s1 was expected to block, but it succeeded\n"
            "1 passed, 1 failed\n");
  EXPECT_EQ(status_, 1);
}

TEST_F(SltCommandTest, StatementErrorChecksTheSqlState) {
  std::string out = RunSlt("statement ok\nCREATE TABLE t(a INTEGER PRIMARY KEY)\n\n"
                           "statement ok\nINSERT INTO t VALUES (1)\n\n"
                           "statement error 23505\nINSERT INTO t VALUES (1)\n\n"
                           "statement error 42P01\nINSERT INTO t VALUES (1)\n");
  EXPECT_TRUE(out.starts_with("t.test:10: statement failed with 23505: ")) << out;
  EXPECT_TRUE(out.ends_with(", expected 42P01\n3 passed, 1 failed\n")) << out;
  EXPECT_EQ(status_, 1);
}

TEST_F(SltCommandTest, EngineNameDecidesVarcharLengthChecks) {
  const std::string script =
      "statement ok\nCREATE TABLE t(s VARCHAR(2))\n\n"
      "onlyif sqlite\nstatement ok\nINSERT INTO t VALUES ('abc')\n\n"
      "skipif sqlite\nstatement error 22001\nINSERT INTO t VALUES ('abc')\n";
  EXPECT_EQ(RunSlt(script), "2 passed, 0 failed\n");
  EXPECT_EQ(RunSlt(script, {"--engine", "nqdb"}), "2 passed, 0 failed\n");
}

TEST_F(SltCommandTest, FailuresNameFileAndLine) {
  std::string out = RunSlt("query I\nSELECT 1\n----\n2\n\nquery T\nSELECT 'x'\n----\nx\n");
  EXPECT_EQ(out, "t.test:1: wrong result at value 1: expected [2] got [1]\n1 passed, 1 failed\n");
  EXPECT_EQ(status_, 1);
}

TEST_F(SltCommandTest, SyntaxErrorInScriptIsAFailure) {
  EXPECT_EQ(RunSlt("statement ok\nSELECT 1\n\nbogus record\n"),
            "t.test:4: unknown record 'bogus record'\n0 passed, 1 failed\n");
  EXPECT_EQ(status_, 1);
}

TEST_F(SltCommandTest, TemporaryDatabaseIsRemoved) {
  RunSlt("statement ok\nCREATE TABLE t(a INTEGER)\n");
  EXPECT_EQ(status_, 0);
  EXPECT_TRUE(fs::is_empty(fs::path(dir_) / "tmp"));
}

TEST_F(SltCommandTest, DbOptionKeepsTheDatabase) {
  const std::string db = (fs::path(dir_) / "kept.nqdb").string();
  RunSlt("statement ok\nCREATE TABLE t(a INTEGER)\n", {"--db", db});
  EXPECT_EQ(RunSlt("statement error\nCREATE TABLE t(a INTEGER)\n", {"--db", db}), "1 passed, 0 failed\n");
}

}  // namespace
}  // namespace neuroquantum::shell
