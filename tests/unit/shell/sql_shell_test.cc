// End-to-end tests of `nqdb shell`: the built binary driven through pipes,
// as scripts and tools use it. Skipped when the binary is not built next to
// this test (build/<preset>/src/nqdb).
#include <gtest/gtest.h>

#include <cstdlib>
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

struct ShellRun {
  std::string out;
  std::string err;
  int status;
};

class SqlShellTest : public ::testing::Test {
 protected:
  void SetUp() override {
    nqdb_ = NqdbPath();
    if (nqdb_.empty()) GTEST_SKIP() << "nqdb is not built next to this test";
    dir_ = tmp_.path();
    db_ = (fs::path(dir_) / "t.nqdb").string();
  }

  ShellRun Shell(const std::string& input, std::vector<std::string> flags = {}) {
    std::vector<std::string> argv = {nqdb_, "shell", db_};
    argv.insert(argv.end(), flags.begin(), flags.end());
    Child child(argv);
    child.Write(input);
    ShellRun run;
    run.status = child.Finish(&run.out, &run.err);
    return run;
  }

  std::string nqdb_;
  neuroquantum::testing::TempDir tmp_{"nqdb-shell-test-"};
  std::string dir_;
  std::string db_;
};

TEST_F(SqlShellTest, ScriptedInputPrintsListMode) {
  ShellRun run = Shell(
      "CREATE TABLE t(a INTEGER, b TEXT);\n"
      "INSERT INTO t VALUES (1, 'x'), (2, NULL);\n"
      "SELECT a, b\n  FROM t ORDER BY a;\n");
  EXPECT_EQ(run.out, "1|x\n2|\n");
  EXPECT_EQ(run.err, "");
  EXPECT_EQ(run.status, 0);
}

TEST_F(SqlShellTest, LastStatementMayLackItsSemicolon) {
  ShellRun run = Shell("SELECT 1;\nSELECT 2");
  EXPECT_EQ(run.out, "1\n2\n");
}

TEST_F(SqlShellTest, ErrorsGoToStderrWithSqlStateAndSetTheExitStatus) {
  ShellRun run = Shell("SELECT * FROM missing;\nSELECT 1;\n");
  EXPECT_EQ(run.out, "1\n");
  EXPECT_TRUE(run.err.starts_with("Error: 42P01: ")) << run.err;
  EXPECT_EQ(run.status, 1);
}

TEST_F(SqlShellTest, BailStopsAtTheFirstError) {
  ShellRun run = Shell("SELECT 1;\nSELEC 2;\nSELECT 3;\n", {"--bail"});
  EXPECT_EQ(run.out, "1\n");
  EXPECT_TRUE(run.err.starts_with("Error: 42601: syntax error")) << run.err;
  EXPECT_EQ(run.status, 1);
}

TEST_F(SqlShellTest, CommandOption) {
  ShellRun run = Shell("", {"-c", "CREATE TABLE t(a INTEGER); INSERT INTO t VALUES (5); SELECT a FROM t;"});
  EXPECT_EQ(run.out, "5\n");
  EXPECT_EQ(run.status, 0);
  // The data stays for the next process.
  run = Shell("SELECT a + 1 FROM t;\n");
  EXPECT_EQ(run.out, "6\n");
}

TEST_F(SqlShellTest, EachStatementIsAnsweredBeforeMoreInputIsRead) {
  Child child({nqdb_, "shell", db_});
  child.Write("CREATE TABLE t(a INTEGER);\nINSERT INTO t VALUES (41);\n");
  child.Write("SELECT a FROM t;\n");
  EXPECT_EQ(child.ReadUntil("41\n"), "41\n");
  child.Write("SELECT a\n");
  child.Write("  + 1 FROM t;\n");
  EXPECT_EQ(child.ReadUntil("42\n"), "42\n");
  child.Write(".mode csv\nSELECT 'a b';\n");
  EXPECT_EQ(child.ReadUntil("\r\n"), "\"a b\"\r\n");
  std::string out, err;
  EXPECT_EQ(child.Finish(&out, &err), 0);
  EXPECT_EQ(out + err, "");
}

TEST_F(SqlShellTest, DotCommands) {
  std::ofstream(fs::path(dir_) / "more.sql") << "INSERT INTO t VALUES (2, 'y');\n.headers on\n";
  ShellRun run = Shell(
      "CREATE TABLE t(a INTEGER, b TEXT);\n"
      "CREATE TABLE s(c INTEGER);\n"
      ".tables\n"
      ".read " + (fs::path(dir_) / "more.sql").string() + "\n"
      "SELECT a, b FROM t;\n"
      ".mode json\n"
      "SELECT a, b FROM t;\n"
      ".mode\n"
      ".mode table\n"
      "SELECT a, b FROM t;\n"
      ".nonsense\n");
  EXPECT_EQ(run.out,
            "s\nt\n"
            "a|b\n2|y\n"
            "[{\"a\":2,\"b\":\"y\"}]\n"
            "current output mode: json\n"
            "+---+---+\n| a | b |\n+---+---+\n| 2 | y |\n+---+---+\n");
  EXPECT_TRUE(run.err.starts_with("Error: 22023: unknown command")) << run.err;
  EXPECT_EQ(run.status, 1);
}

TEST_F(SqlShellTest, SchemaAndTimer) {
  ShellRun run = Shell("CREATE TABLE t(a INTEGER);\n.schema t\n.timer on\nSELECT 1;\n");
  EXPECT_NE(run.out.find("CREATE TABLE"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("1\nRun Time: real "), std::string::npos) << run.out;
}

TEST_F(SqlShellTest, QuitStopsReading) {
  ShellRun run = Shell("SELECT 1;\n.quit\nSELECT 2;\n");
  EXPECT_EQ(run.out, "1\n");
  EXPECT_EQ(run.status, 0);
}

// `--mode csv` prints what `sqlite3 -csv` prints for the same values.
TEST_F(SqlShellTest, CsvMatchesSqlite3) {
  if (!fs::exists("/usr/bin/sqlite3")) GTEST_SKIP() << "sqlite3 is not installed";
  const std::string query =
      "SELECT 1, 'a,b', 'q\"x', ' lead', 'trail ', 'plain', NULL, '', 'has''sq', "
      "'semi;colon', 'tab\tx', 'line\nbreak', 'caf\xc3\xa9', -7;";
  ShellRun ours = Shell(query + "\n", {"--mode", "csv"});
  Child sqlite({"/usr/bin/sqlite3", "-csv", ":memory:"});
  sqlite.Write(query + "\n");
  ShellRun theirs;
  theirs.status = sqlite.Finish(&theirs.out, &theirs.err);
  ASSERT_EQ(theirs.err, "");
  EXPECT_EQ(ours.err, "");
  EXPECT_EQ(ours.out, theirs.out);
}

}  // namespace
}  // namespace neuroquantum::shell
