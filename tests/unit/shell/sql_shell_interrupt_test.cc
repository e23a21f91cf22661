// Ctrl-C in the interactive `nqdb shell`: the built binary on a
// pseudo-terminal, where the terminal turns the ^C byte into SIGINT.
// Skipped when the binary is not built next to this test.
#include <pty.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "support/temp_dir.h"
#include "unit/shell/child_process.h"

namespace neuroquantum::shell {
namespace {

namespace fs = std::filesystem;
using testing_support::NqdbPath;

constexpr char kCtrlC = '\x03';

// `nqdb shell DB` with a pseudo-terminal as its standard input and output
// (so it runs interactively) and HOME in `home`, for its history file.
class TerminalShell {
 public:
  TerminalShell(const std::string& nqdb, const std::string& db, const std::string& home) {
    pid_ = ::forkpty(&master_, nullptr, nullptr, nullptr);
    if (pid_ == 0) {
      ::setenv("HOME", home.c_str(), 1);
      ::setenv("TERM", "dumb", 1);
      ::execl(nqdb.c_str(), nqdb.c_str(), "shell", db.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    EXPECT_GT(pid_, 0);
  }
  ~TerminalShell() {
    if (pid_ > 0 && !waited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) ::close(master_);
  }
  TerminalShell(const TerminalShell&) = delete;
  TerminalShell& operator=(const TerminalShell&) = delete;

  // Types `keys` (a line ends with "\r", as the Enter key sends).
  void Type(std::string_view keys) {
    ASSERT_EQ(::write(master_, keys.data(), keys.size()), static_cast<ssize_t>(keys.size()));
  }
  // Reads the terminal until its output contains `text` or 10 s pass;
  // returns what was read.
  std::string ReadUntil(const std::string& text) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::string seen;
    while (seen.find(text) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd pfd{master_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;
      char buffer[4096];
      ssize_t n = ::read(master_, buffer, sizeof buffer);
      if (n <= 0) break;
      seen.append(buffer, static_cast<size_t>(n));
    }
    return seen;
  }
  // Waits up to 10 s for the shell to exit; its exit status, or -1.
  int Wait() {
    for (int tries = 0; tries < 1000; ++tries) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        waited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      // Drain the terminal: a child blocked on a full one never exits.
      char buffer[4096];
      pollfd pfd{master_, POLLIN, 0};
      ssize_t n = ::poll(&pfd, 1, 10) > 0 ? ::read(master_, buffer, sizeof buffer) : 0;
      if (n > 0) {
        tail_.append(buffer, static_cast<size_t>(n));
      } else {
        ::usleep(10 * 1000);  // the terminal is closed; the shell is exiting
      }
    }
    return -1;
  }
  // What Wait read.
  const std::string& tail() const { return tail_; }

 private:
  pid_t pid_ = -1;
  int master_ = -1;
  bool waited_ = false;
  std::string tail_;
};

class SqlShellInterruptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    nqdb_ = NqdbPath();
    if (nqdb_.empty()) GTEST_SKIP() << "nqdb is not built next to this test";
    dir_ = tmp_.path();
  }
  std::unique_ptr<TerminalShell> Start() {
    auto shell = std::make_unique<TerminalShell>(nqdb_, (fs::path(dir_) / "t.nqdb").string(), dir_);
    EXPECT_NE(shell->ReadUntil("nqdb> ").find("nqdb> "), std::string::npos);
    return shell;
  }

  std::string nqdb_;
  neuroquantum::testing::TempDir tmp_{"nqdb-interrupt-test-"};
  std::string dir_;
};

TEST_F(SqlShellInterruptTest, CtrlCAtThePromptClearsTheLine) {
  auto shell = Start();
  shell->Type("SELECT 1");
  shell->ReadUntil("SELECT 1");
  shell->Type(std::string(1, kCtrlC));
  EXPECT_NE(shell->ReadUntil("nqdb> ").find("nqdb> "), std::string::npos);
  // Had the line been kept, this would be "SELECT 1SELECT 2;", an error.
  shell->Type("SELECT 2;\r");
  std::string out = shell->ReadUntil("nqdb> ");
  EXPECT_NE(out.find("| 2 |"), std::string::npos) << out;
  EXPECT_EQ(out.find("Error"), std::string::npos) << out;
  shell->Type(".quit\r");
  EXPECT_EQ(shell->Wait(), 0) << shell->tail();
}

// Typed non-ASCII text reaches the statement (the line editor runs in a
// UTF-8 locale).
TEST_F(SqlShellInterruptTest, TypedUtf8ReachesTheStatement) {
  auto shell = Start();
  shell->Type("SELECT length('\xc3\xa9\xe2\x82\xac');\r");
  std::string out = shell->ReadUntil("nqdb> ");
  EXPECT_NE(out.find("| 2 "), std::string::npos) << out;
  shell->Type(".quit\r");
  EXPECT_EQ(shell->Wait(), 0) << shell->tail();
}

TEST_F(SqlShellInterruptTest, CtrlCDropsAnUnfinishedStatement) {
  auto shell = Start();
  shell->Type("SELECT\r");
  shell->ReadUntil(" ...> ");
  shell->Type(std::string(1, kCtrlC));
  EXPECT_NE(shell->ReadUntil("nqdb> ").find("nqdb> "), std::string::npos);
  shell->Type("SELECT 3;\r");
  std::string out = shell->ReadUntil("nqdb> ");
  EXPECT_NE(out.find("| 3 |"), std::string::npos) << out;
  shell->Type(".quit\r");
  EXPECT_EQ(shell->Wait(), 0) << shell->tail();
}

TEST_F(SqlShellInterruptTest, CtrlCCancelsTheRunningStatement) {
  auto shell = Start();
  shell->Type("CREATE TABLE t(a INTEGER);\r");
  shell->ReadUntil("nqdb> ");
  shell->Type("INSERT INTO t VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10);\r");
  shell->ReadUntil("nqdb> ");
  // 10^10 rows: runs far longer than the test.
  shell->Type("SELECT count(*) FROM t a, t b, t c, t d, t e, t f, t g, t h, t i, t j;\r");
  shell->ReadUntil("t j;");
  ::usleep(300 * 1000);
  shell->Type(std::string(1, kCtrlC));
  std::string out = shell->ReadUntil("nqdb> ");
  EXPECT_NE(out.find("Error: 57014: "), std::string::npos) << out;
  // The shell goes on.
  shell->Type("SELECT 4;\r");
  out = shell->ReadUntil("nqdb> ");
  EXPECT_NE(out.find("| 4 |"), std::string::npos) << out;
  shell->Type(".quit\r");
  // A statement failed.
  EXPECT_EQ(shell->Wait(), 1) << shell->tail();
}

}  // namespace
}  // namespace neuroquantum::shell
