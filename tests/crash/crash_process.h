// Child processes for the SIGKILL crash tests. The parent re-executes its
// own test binary (/proc/self/exe) so that the child is a fresh process —
// no state inherited from GoogleTest or from the parent's threads, and
// sanitizers (TSan refuses threads after a multi-threaded fork) work. The
// child runs only `child_test`, a DISABLED_ test case that reads its task
// from NQ_CRASH_CHILD and writes report lines to file descriptor 3.
//
// Protocol: the child writes "S" when it starts, then whatever it reports.
// The parent kills it `delay_ms` after the "S" line, so that the delay does
// not depend on how long process start-up takes (sanitizers are slow).
//
// Thread safety: call SpawnAndKill from one thread at a time.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "fmt/format.h"
#include "neuroquantum/options.h"

extern char** environ;

namespace neuroquantum::storage::crash {

constexpr int kReportFd = 3;
constexpr char kChildEnv[] = "NQ_CRASH_CHILD";
constexpr int kStartTimeoutMs = 30000;

// Writes one report line from the child. Lines are shorter than PIPE_BUF,
// so lines written by several threads never interleave.
inline void WriteLine(std::string_view line) {
  std::string text = std::string(line) + "\n";
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(kReportFd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ::_exit(3);  // the parent is gone
    done += static_cast<size_t>(n);
  }
}

struct ChildRun {
  std::vector<std::string> lines;  // complete lines after "S", in order
  int wait_status = 0;             // from waitpid
  std::string error;               // the harness itself failed

  bool killed() const { return WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL; }
  bool exited_ok() const { return WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0; }
  std::string DescribeExit() const {
    if (WIFEXITED(wait_status)) return fmt::format("exited with code {}", WEXITSTATUS(wait_status));
    if (WIFSIGNALED(wait_status)) return fmt::format("died of signal {}", WTERMSIG(wait_status));
    return fmt::format("wait status {:#x}", wait_status);
  }
};

namespace internal {

// Everything exec needs, built before fork: the child may only make
// async-signal-safe calls until exec.
struct ExecPlan {
  std::vector<std::string> args, env;
  std::vector<char*> argv, envp;

  ExecPlan(const std::string& child_test, const std::string& spec) {
    args = {"crash_child", "--gtest_filter=" + child_test, "--gtest_also_run_disabled_tests"};
    std::string prefix = std::string(kChildEnv) + "=";
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::strncmp(*e, prefix.c_str(), prefix.size()) != 0) env.emplace_back(*e);
    }
    env.push_back(prefix + spec);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
  }
};

[[noreturn]] inline void ExecChild(const ExecPlan& plan, int report_fd, int null_fd) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a dead test
  // Stdout first: null_fd may itself be descriptor 3.
  if (::dup2(null_fd, STDOUT_FILENO) < 0) ::_exit(126);  // GoogleTest chatter; stderr stays
  if (report_fd == kReportFd) {
    ::fcntl(kReportFd, F_SETFD, 0);  // keep it across exec
  } else if (::dup2(report_fd, kReportFd) < 0) {
    ::_exit(126);
  }
  ::execve("/proc/self/exe", plan.argv.data(), plan.envp.data());
  ::_exit(127);
}

inline void SplitLines(const std::string& buffer, std::vector<std::string>* lines) {
  // A partial last line cannot happen (writes are atomic); ignore one anyway.
  for (size_t start = 0, end; (end = buffer.find('\n', start)) != std::string::npos;
       start = end + 1) {
    lines->push_back(buffer.substr(start, end - start));
  }
}

}  // namespace internal

// Starts the child, lets it run for `delay_ms` after it reported "S", kills
// it with SIGKILL (a no-op if it already exited), reaps it and returns its
// report lines.
inline ChildRun SpawnAndKill(const std::string& child_test, const std::string& spec,
                             int delay_ms) {
  using Clock = std::chrono::steady_clock;
  ChildRun run;
  internal::ExecPlan plan(child_test, spec);
  int fds[2];
  int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null_fd < 0 || ::pipe2(fds, O_CLOEXEC) != 0) {
    run.error = fmt::format("pipe or /dev/null: {}", std::strerror(errno));
    if (null_fd >= 0) ::close(null_fd);
    return run;
  }
  pid_t pid = ::fork();
  if (pid == 0) internal::ExecChild(plan, fds[1], null_fd);
  ::close(fds[1]);
  ::close(null_fd);
  if (pid < 0) {
    run.error = fmt::format("fork: {}", std::strerror(errno));
    ::close(fds[0]);
    return run;
  }
  std::string buffer;
  char chunk[4096];
  auto deadline = Clock::now() + std::chrono::milliseconds(kStartTimeoutMs);
  bool started = false, eof = false;
  // Drain while waiting so that a full pipe never blocks the child.
  while (!eof) {
    if (!started && buffer.find('\n') != std::string::npos) {
      started = true;
      deadline = Clock::now() + std::chrono::milliseconds(delay_ms);
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    pollfd pfd{fds[0], POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n > 0) buffer.append(chunk, static_cast<size_t>(n));
    eof = n == 0;
  }
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &run.wait_status, 0) < 0 && errno == EINTR) {
  }
  for (ssize_t n; (n = ::read(fds[0], chunk, sizeof chunk)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    buffer.append(chunk, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  internal::SplitLines(buffer, &run.lines);
  if (run.lines.empty() || run.lines.front() != "S") {
    run.error = fmt::format("child never started ({}; exec of /proc/self/exe failed?)",
                            run.DescribeExit());
  } else {
    run.lines.erase(run.lines.begin());
  }
  return run;
}

// ---- shared by the crash tests ----

// Small pool and WAL so that rounds evict dirty pages of open transactions,
// switch segments and checkpoint; durability is the default (kFull).
inline Options CrashOptions() {
  Options options;
  options.buffer_pool_mib = 1;
  options.wal_segment_mib = 1;
  options.max_wal_mib = 4;
  options.flush_interval_ms = 20;
  return options;
}

// A new directory on a disk-backed filesystem (not tmpfs): under the working
// directory if possible, else under /tmp. Empty on failure.
inline std::string MakeTempDir() {
  for (std::string parent : {std::filesystem::current_path().string(), std::string("/tmp")}) {
    struct statfs fs;
    constexpr long kTmpfsMagic = 0x01021994;  // TMPFS_MAGIC, linux/magic.h
    if (::statfs(parent.c_str(), &fs) != 0 || fs.f_type == kTmpfsMagic) continue;
    std::string tmpl = parent + "/nq_crash_XXXXXX";
    if (::mkdtemp(tmpl.data()) != nullptr) return tmpl;
  }
  return "";
}

}  // namespace neuroquantum::storage::crash
