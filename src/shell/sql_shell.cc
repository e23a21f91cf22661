// The SQL shell (sql_shell.h).
#include "shell/sql_shell.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string_view>
#include <thread>

#include <editline/readline.h>
#include <fmt/format.h>

#include "common/env.h"

namespace neuroquantum::shell {
namespace {

// .read may nest (a file reading another), but not without bound.
constexpr int kMaxReadDepth = 16;

constexpr const char* kHelp =
    ".bail on|off           stop at the first error\n"
    ".exit                  leave the shell (also .quit or end of input)\n"
    ".headers on|off        column names in list and csv mode\n"
    ".help                  this text\n"
    ".mode [MODE]           show or set the output mode: table, csv, json, list\n"
    ".quit                  leave the shell\n"
    ".read FILE             run the statements and commands in FILE\n"
    ".schema [TABLE]        CREATE statements of TABLE (or of everything)\n"
    ".tables                names of the tables and views\n"
    ".timer on|off          print the run time of each statement\n"
    "SQL statements end with ';' and may span lines.\n";

std::string_view Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

std::string_view TrimLeadingBlanks(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  return begin == std::string_view::npos ? std::string_view() : text.substr(begin);
}

// Splits a dot-command into words; '...' or "..." quote a word with blanks.
std::vector<std::string> SplitArguments(std::string_view line) {
  std::vector<std::string> words;
  size_t pos = 0;
  while (true) {
    pos = line.find_first_not_of(" \t", pos);
    if (pos == std::string_view::npos) return words;
    if (line[pos] == '\'' || line[pos] == '"') {
      size_t end = line.find(line[pos], pos + 1);
      words.emplace_back(line.substr(pos + 1, end == std::string_view::npos ? end : end - pos - 1));
      if (end == std::string_view::npos) return words;
      pos = end + 1;
    } else {
      size_t end = line.find_first_of(" \t", pos);
      words.emplace_back(line.substr(pos, end == std::string_view::npos ? end : end - pos));
      pos = end;
    }
  }
}

Result<bool> ParseOnOff(const std::vector<std::string>& words) {
  if (words.size() == 2 && (words[1] == "on" || words[1] == "off")) return words[1] == "on";
  return Status::InvalidArgument(fmt::format("usage: {} on|off", words[0]));
}

CellKind KindOfCell(FieldKind kind) {
  switch (kind) {
    case FieldKind::kNull: return CellKind::kNull;
    case FieldKind::kBoolean: return CellKind::kBoolean;
    case FieldKind::kInteger:
    case FieldKind::kDouble:
    case FieldKind::kNumeric: return CellKind::kNumber;
    default: return CellKind::kText;
  }
}

}  // namespace

SqlShell::SqlShell(Database* db, SqlShellOptions options, std::ostream* out, std::ostream* err)
    : db_(db), connection_(db->Connect()), options_(std::move(options)), out_(out), err_(err) {}

SqlShell::~SqlShell() = default;

bool SqlShell::FeedLine(Input* input, std::string_view line) {
  if (stopped_) return false;
  if (!input->parser.InStatement() && Trim(line).starts_with('.')) {
    RunDotCommand(Trim(line));
    out_->flush();
    return !stopped_;
  }
  input->parser.Append(line);
  input->parser.Append("\n");
  while (!stopped_ && input->parser.HasCompleteStatement()) {
    bool empty = false;
    const std::string text = input->parser.NextText(&empty);
    // Only semicolons and comments: nothing to run. A syntax error is
    // reported by Execute, the same way as every other error.
    if (empty) continue;
    // Without the line breaks left from the previous statement, error
    // positions count from the statement's first line.
    RunStatement(TrimLeadingBlanks(text));
  }
  out_->flush();
  return !stopped_;
}

bool SqlShell::FinishInput(Input* input) {
  if (!stopped_ && input->parser.InStatement()) {
    std::string rest(input->parser.pending());
    RunStatement(TrimLeadingBlanks(rest));
  }
  input->parser = sql::Parser();
  out_->flush();
  return !stopped_;
}

bool SqlShell::RunText(std::string_view text) {
  Input input;
  while (!text.empty() && !stopped_) {
    size_t end = text.find('\n');
    FeedLine(&input, text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  return FinishInput(&input);
}

void SqlShell::SetRunning(bool running) {
  MutexLock lock(&running_mu_);
  running_ = running;
}

void SqlShell::CancelRunningStatement() {
  MutexLock lock(&running_mu_);
  // Under the mutex, so that a cancel meant for a statement that has just
  // ended cannot reach the next one before it is marked running. (One
  // that arrives between SetRunning and the start of Execute is lost:
  // the session clears its cancel flag when a statement starts.)
  if (running_) connection_->Cancel();
}

void SqlShell::RunStatement(std::string_view sql) {
  auto start = std::chrono::steady_clock::now();
  SetRunning(true);
  auto result = connection_->Execute(sql);
  if (result.ok()) {
    PrintResult(&*result);
  } else {
    ReportError(result.status());
  }
  SetRunning(false);
  if (options_.timer) {
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    *out_ << fmt::format("Run Time: real {:.3f}\n", elapsed.count());
  }
}

void SqlShell::PrintResult(ResultSet* rs) {
  const size_t columns = rs->column_count();
  if (columns == 0) return;
  std::vector<std::string> names;
  for (size_t col = 0; col < columns; ++col) names.push_back(rs->column_name(col));
  auto printer = MakeResultPrinter(options_.format, out_);
  printer->Begin(names);
  std::vector<Cell> cells(columns);
  Status status;
  while (true) {
    auto more = rs->Next();
    if (!more.ok()) {
      status = more.status();
      break;
    }
    if (!*more) break;
    for (size_t col = 0; col < columns; ++col) {
      cells[col].kind = KindOfCell(rs->kind(col));
      cells[col].text = cells[col].kind == CellKind::kNull ? std::string() : rs->GetText(col);
    }
    printer->Row(cells);
  }
  // Rows produced before an error are still shown, as sqlite3 does.
  printer->End();
  if (!status.ok()) ReportError(status);
}

void SqlShell::ReportError(const Status& status) {
  had_error_ = true;
  if (options_.bail) stopped_ = true;
  out_->flush();  // keep the order of output and errors on a shared terminal
  *err_ << "Error: " << SqlState(status) << ": " << status.message() << "\n";
  err_->flush();
}

Status SqlShell::SetMode(std::string_view name) {
  auto mode = ParseOutputMode(name);
  if (!mode) return Status::InvalidArgument(fmt::format("unknown mode '{}': use table, csv, json or list", name));
  options_.format.mode = *mode;
  options_.format.row_separator = *mode == OutputMode::kCsv ? "\r\n" : "\n";
  return Status::OK();
}

Status SqlShell::ReadFile(const std::string& path) {
  if (read_depth_ >= kMaxReadDepth) return Status::InvalidArgument(".read nested too deeply");
  NQ_ASSIGN_OR_RETURN(std::string text, ReadFileToString(Env::Default(), path));
  ++read_depth_;
  RunText(text);
  --read_depth_;
  return Status::OK();
}

void SqlShell::RunDotCommand(std::string_view line) {
  std::vector<std::string> words = SplitArguments(line);
  const std::string& command = words[0];
  Status status;
  if (command == ".quit" || command == ".exit") {
    stopped_ = true;
  } else if (command == ".help") {
    *out_ << kHelp;
  } else if (command == ".tables" && words.size() == 1) {
    for (const std::string& name : db_->TableNames()) *out_ << name << "\n";
  } else if (command == ".schema" && words.size() <= 2) {
    for (const std::string& sql : db_->SchemaSql(words.size() == 2 ? words[1] : "")) {
      *out_ << sql << (sql.ends_with(';') ? "\n" : ";\n");
    }
  } else if (command == ".mode" && words.size() == 1) {
    *out_ << "current output mode: " << OutputModeName(options_.format.mode) << "\n";
  } else if (command == ".mode" && words.size() == 2) {
    status = SetMode(words[1]);
  } else if (command == ".headers" || command == ".timer" || command == ".bail") {
    auto on = ParseOnOff(words);
    if (!on.ok()) {
      status = on.status();
    } else if (command == ".headers") {
      options_.format.headers = *on;
    } else if (command == ".timer") {
      options_.timer = *on;
    } else {
      options_.bail = *on;
    }
  } else if (command == ".read" && words.size() == 2) {
    status = ReadFile(words[1]);
  } else {
    status = Status::InvalidArgument(
        fmt::format("unknown command or wrong arguments: {} (enter .help for the list)", command));
  }
  if (!status.ok()) ReportError(status);
}

namespace {

std::string HistoryPath() {
  const char* home = std::getenv("HOME");
  return home == nullptr || *home == '\0' ? std::string() : JoinPath(home, ".nqdb_history");
}

// Ctrl-C in the interactive shell.
//
// The SIGINT handler does only async-signal-safe work: it writes a byte
// to each of two pipes. A watcher thread reads the first and cancels the
// running statement (Connection::Cancel takes locks, which a handler must
// not). At the prompt, ReadKey, which libedit calls for each character,
// waits on the terminal and the second pipe at once, so that a Ctrl-C
// always ends readline (as end of input) however it falls between reads,
// and says so in g_key_interrupted.

// Write ends of the two pipes: set before the handler is installed and
// not changed while it is.
int g_cancel_fd = -1;
int g_prompt_fd = -1;
// Read end of the prompt pipe, for ReadKey.
int g_prompt_read_fd = -1;
// Set by ReadKey when Ctrl-C ended the line; used by the main thread only.
bool g_key_interrupted = false;

extern "C" void OnInterrupt(int /*signal_number*/) {
  const int saved_errno = errno;
  const char byte = 'c';
  // Both pipes are non-blocking: when one is full, a wake-up is pending.
  [[maybe_unused]] ssize_t written = ::write(g_cancel_fd, &byte, 1);
  written = ::write(g_prompt_fd, &byte, 1);
  errno = saved_errno;
}

// Empties a non-blocking pipe.
void Drain(int fd) {
  char bytes[64];
  while (::read(fd, bytes, sizeof(bytes)) > 0) {
  }
}

// Reads one byte of the terminal; -1 at end of input or on an error.
int ReadByte(int fd) {
  unsigned char byte;
  while (true) {
    ssize_t n = ::read(fd, &byte, 1);
    if (n == 1) return byte;
    if (n < 0 && errno == EINTR) continue;
    return -1;
  }
}

// libedit's character source (rl_getc_function): the next character of
// the terminal, a UTF-8 sequence decoded to its code point (an invalid
// one byte by byte); -1, which readline takes for end of input, when
// Ctrl-C is pressed.
int ReadKey(FILE* in) {
  const int fd = in != nullptr ? ::fileno(in) : STDIN_FILENO;
  while (true) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {g_prompt_read_fd, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (fds[1].revents != 0) {
      Drain(g_prompt_read_fd);
      g_key_interrupted = true;
      return -1;
    }
    if (fds[0].revents != 0) break;
  }
  const int lead = ReadByte(fd);
  if (lead < 0x80) return lead;  // ASCII, or -1
  const int length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  int code_point = lead & (0x7f >> length);
  for (int i = 1; i < length; ++i) {
    const int next = ReadByte(fd);
    if (next < 0 || (next & 0xc0) != 0x80) return lead;
    code_point = (code_point << 6) | (next & 0x3f);
  }
  return length == 1 ? lead : code_point;
}

// Makes a pipe whose write end is non-blocking; false on failure.
bool MakePipe(int fds[2], bool non_blocking_read) {
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  ::fcntl(fds[1], F_SETFL, O_NONBLOCK);
  if (non_blocking_read) ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  return true;
}

// Installs the handler, ReadKey and the watcher for its lifetime. Does
// nothing when the pipes cannot be made (Ctrl-C then ends the shell, as
// by default).
class InterruptWatcher {
 public:
  explicit InterruptWatcher(SqlShell* shell) : shell_(shell) {
    if (!MakePipe(cancel_fds_, false)) return;
    if (!MakePipe(prompt_fds_, true)) {
      ::close(cancel_fds_[0]);
      ::close(cancel_fds_[1]);
      return;
    }
    g_cancel_fd = cancel_fds_[1];
    g_prompt_fd = prompt_fds_[1];
    g_prompt_read_fd = prompt_fds_[0];
    // The watcher starts with SIGINT blocked, so that the handler never
    // runs on it.
    sigset_t block, old_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    ::pthread_sigmask(SIG_BLOCK, &block, &old_mask);
    thread_ = std::thread([this] { Watch(); });
    ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    struct sigaction action = {};
    action.sa_handler = OnInterrupt;
    sigemptyset(&action.sa_mask);
    // The database's own system calls carry on; ReadKey's poll returns
    // anyway.
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, &previous_);
    // Before libedit initialises: it then reads through ReadKey and
    // leaves SIGINT to this handler.
    rl_catch_signals = 0;
    rl_getc_function = ReadKey;
  }
  ~InterruptWatcher() {
    if (!thread_.joinable()) return;
    ::sigaction(SIGINT, &previous_, nullptr);
    const char quit = 'q';
    while (::write(cancel_fds_[1], &quit, 1) < 0 && errno == EINTR) {
    }
    thread_.join();
    g_cancel_fd = g_prompt_fd = g_prompt_read_fd = -1;
    for (int fd : {cancel_fds_[0], cancel_fds_[1], prompt_fds_[0], prompt_fds_[1]}) ::close(fd);
  }
  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;

  // Forgets a Ctrl-C pressed while no line was being read (one that
  // cancelled a statement).
  void ForgetInterrupts() {
    g_key_interrupted = false;
    if (g_prompt_read_fd >= 0) Drain(g_prompt_read_fd);
  }

  // Returns once the watcher has handled every Ctrl-C pressed so far, so
  // that one pressed at the prompt cannot reach the statement typed after
  // it when the watcher thread runs late.
  void Settle() {
    if (!thread_.joinable()) return;
    MutexLock lock(&mu_);
    const uint64_t ticket = ++settle_requests_;
    const char settle = 's';
    // The write end is non-blocking; the watcher empties a full pipe.
    while (::write(cancel_fds_[1], &settle, 1) < 0 && (errno == EINTR || errno == EAGAIN)) {
      std::this_thread::yield();
    }
    while (settled_ < ticket) settled_cv_.Wait(&mu_);
  }

 private:
  void Watch() {
    char bytes[16];
    while (true) {
      ssize_t n = ::read(cancel_fds_[0], bytes, sizeof(bytes));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      for (ssize_t i = 0; i < n; ++i) {
        if (bytes[i] == 'q') return;
        if (bytes[i] == 's') {
          MutexLock lock(&mu_);
          ++settled_;
          settled_cv_.SignalAll();
          continue;
        }
        shell_->CancelRunningStatement();
      }
    }
  }

  SqlShell* shell_;
  int cancel_fds_[2] = {-1, -1};
  int prompt_fds_[2] = {-1, -1};
  struct sigaction previous_ = {};
  std::thread thread_;
  Mutex mu_;
  CondVar settled_cv_;
  // Settle calls made and answered.
  uint64_t settle_requests_ GUARDED_BY(mu_) = 0;
  uint64_t settled_ GUARDED_BY(mu_) = 0;
};

void RunInteractive(SqlShell* shell) {
  std::cout << "NeuroQuantumDB SQL shell. Enter .help for commands; end statements with ';'.\n";
  InterruptWatcher watcher(shell);
  // The line editor decodes keys by the locale: in the C locale it drops
  // every non-ASCII character typed. SQL text is UTF-8, so fall back to
  // C.UTF-8 when the environment names no UTF-8 locale.
  const char* ctype = std::setlocale(LC_CTYPE, "");
  if (ctype == nullptr || std::string_view(ctype) == "C" || std::string_view(ctype) == "POSIX") {
    std::setlocale(LC_CTYPE, "C.UTF-8");
  }
  const std::string history = HistoryPath();
  ::using_history();
  if (!history.empty()) ::read_history(history.c_str());
  SqlShell::Input input;
  while (!shell->stopped()) {
    watcher.ForgetInterrupts();
    char* raw = ::readline(SqlShell::InStatement(input) ? " ...> " : "nqdb> ");
    if (g_key_interrupted) {
      // Ctrl-C at the prompt: start again on an empty line, as sqlite3
      // does, dropping an unfinished statement too.
      std::free(raw);
      std::cout << std::endl;
      SqlShell::ClearInput(&input);
      continue;
    }
    if (raw == nullptr) break;
    watcher.Settle();
    std::string line(raw);
    std::free(raw);
    if (!Trim(line).empty()) ::add_history(line.c_str());
    shell->FeedLine(&input, line);
  }
  shell->FinishInput(&input);
  if (!history.empty()) ::write_history(history.c_str());
}

// Lines come through C stdio's buffer (std::cin, kept in step with stdio,
// would read byte by byte). A read returns as soon as a line has arrived, so
// a tool driving the shell through a pipe gets each answer before it sends
// the next statement.
void RunPiped(SqlShell* shell) {
  SqlShell::Input input;
  char* buffer = nullptr;
  size_t capacity = 0;
  ssize_t length = 0;
  while (!shell->stopped() && (length = ::getline(&buffer, &capacity, stdin)) >= 0) {
    std::string_view line(buffer, static_cast<size_t>(length));
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    shell->FeedLine(&input, line);
  }
  std::free(buffer);
  shell->FinishInput(&input);
}

}  // namespace

int RunSqlShell(Database* db, const SqlShellFlags& flags) {
  const bool interactive = flags.command.empty() && ::isatty(STDIN_FILENO) != 0;
  SqlShellOptions options;
  options.bail = flags.bail;
  options.format.headers = flags.headers;
  options.format.mode = interactive ? OutputMode::kTable : OutputMode::kList;
  if (!flags.mode.empty()) {
    auto mode = ParseOutputMode(flags.mode);
    if (!mode) {
      std::cerr << "nqdb: unknown mode '" << flags.mode << "': use table, csv, json or list\n";
      return 1;
    }
    options.format.mode = *mode;
  }
  SqlShell shell(db, options, &std::cout, &std::cerr);
  if (!flags.command.empty()) {
    shell.RunText(flags.command);
  } else if (interactive) {
    RunInteractive(&shell);
  } else {
    RunPiped(&shell);
  }
  return shell.exit_status();
}

}  // namespace neuroquantum::shell
