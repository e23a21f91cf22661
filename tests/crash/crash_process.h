// Child processes for the SIGKILL crash tests: fork a child that writes
// report lines to a pipe, kill it with SIGKILL after a delay, and collect
// what it reported before it died.
//
// REQUIRES: the calling process has no other threads when ForkAndKill runs
// (close every StorageEngine first), since only the forking thread survives
// in the child.
// Thread safety: call from one thread.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "fmt/format.h"

namespace neuroquantum::storage::crash {

// Writes one report line. Lines are shorter than PIPE_BUF, so lines written
// by several threads never interleave.
inline void WriteLine(int fd, std::string_view line) {
  std::string text = std::string(line) + "\n";
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ::_exit(3);  // the parent is gone
    done += static_cast<size_t>(n);
  }
}

struct ChildRun {
  std::vector<std::string> lines;  // complete lines, in order
  int wait_status = 0;             // from waitpid
  bool exited_before_kill = false;

  bool killed() const { return WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL; }
  std::string DescribeExit() const {
    if (WIFEXITED(wait_status)) return fmt::format("exited with code {}", WEXITSTATUS(wait_status));
    if (WIFSIGNALED(wait_status)) return fmt::format("died of signal {}", WTERMSIG(wait_status));
    return fmt::format("wait status {:#x}", wait_status);
  }
};

// Forks. The child runs body(report_fd) and _exits with its result: it never
// returns into the caller (or GoogleTest). The parent reads the pipe for
// `delay_ms`, sends SIGKILL (a no-op if the child already exited), reaps the
// child and returns its lines.
inline ChildRun ForkAndKill(const std::function<int(int report_fd)>& body, int delay_ms) {
  ChildRun run;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    run.lines.push_back(fmt::format("E pipe: {}", std::strerror(errno)));
    return run;
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    run.lines.push_back(fmt::format("E fork: {}", std::strerror(errno)));
    ::close(fds[0]);
    ::close(fds[1]);
    return run;
  }
  if (pid == 0) {
    ::close(fds[0]);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a dead test
    ::_exit(body(fds[1]));
  }
  ::close(fds[1]);
  std::string buffer;
  char chunk[4096];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms);
  bool eof = false;
  // Drain while waiting so that a full pipe never blocks the child.
  while (!eof) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd pfd{fds[0], POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready <= 0) continue;
    ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n > 0) buffer.append(chunk, static_cast<size_t>(n));
    eof = n == 0;
  }
  run.exited_before_kill = eof;
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &run.wait_status, 0) < 0 && errno == EINTR) {
  }
  for (ssize_t n; (n = ::read(fds[0], chunk, sizeof chunk)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    buffer.append(chunk, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  // A line cut short cannot happen (writes are atomic); ignore a tail anyway.
  for (size_t start = 0, end; (end = buffer.find('\n', start)) != std::string::npos;
       start = end + 1) {
    run.lines.push_back(buffer.substr(start, end - start));
  }
  return run;
}

}  // namespace neuroquantum::storage::crash
