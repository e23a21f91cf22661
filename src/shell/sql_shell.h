// The SQL shell behind `nqdb shell` and `nqdb run` (docs/reference/shell.md).
//
// Input is SQL statements, each ended by a semicolon and possibly spanning
// lines, and dot-commands (.tables, .schema, .mode, .headers, .timer,
// .bail, .read, .help, .quit), which are recognised only at the start of a
// line outside a statement. Each statement runs as soon as its semicolon
// arrives and its output is flushed before more input is read, so that a
// program can drive the shell through pipes. Results go to `out` in the
// current output mode (output_format.h); errors go to `err` as
// "Error: <SQLSTATE>: <message>".
//
// In an interactive session Ctrl-C cancels the running statement (it fails
// with 57014 and the shell goes on) and, at the prompt, discards the line
// being typed and any unfinished statement.
//
// Thread safety: a shell is used by one thread at a time, except that
// CancelRunningStatement may be called from any thread.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

#include "common/mutex.h"
#include "neuroquantum/database.h"
#include "shell/output_format.h"
#include "sql/parser.h"

namespace neuroquantum::shell {

struct SqlShellOptions {
  FormatOptions format;
  // Stop at the first error.
  bool bail = false;
  // Print "Run Time: real <seconds>" after each statement.
  bool timer = false;
};

class SqlShell {
 public:
  // One statement buffer; a shell reading a file with .read uses a second
  // one for the file.
  struct Input {
    sql::Parser parser;
  };

  // `db`, `out` and `err` are borrowed and must outlive the shell.
  SqlShell(Database* db, SqlShellOptions options, std::ostream* out, std::ostream* err);
  ~SqlShell();
  SqlShell(const SqlShell&) = delete;
  SqlShell& operator=(const SqlShell&) = delete;

  // Takes one line of input (without its newline). Returns false once the
  // shell should stop (.quit, or an error with bail on).
  bool FeedLine(Input* input, std::string_view line);
  // Runs what is left in `input` at the end of the input (a last statement
  // without its semicolon). Returns false once the shell should stop.
  bool FinishInput(Input* input);
  // FeedLine for every line of `text`, then FinishInput: -c and .read.
  bool RunText(std::string_view text);

  // Whether `input` holds part of a statement (for the continuation prompt).
  static bool InStatement(const Input& input) { return input.parser.InStatement(); }
  // Drops what `input` holds of an unfinished statement.
  static void ClearInput(Input* input) { input->parser = sql::Parser(); }

  // Cancels the statement running now, if any: it fails with 57014 (rows
  // it printed stay printed). Callable from any thread; not from a signal
  // handler.
  void CancelRunningStatement();
  // 1 once any statement or command failed, else 0.
  int exit_status() const { return had_error_ ? 1 : 0; }
  bool stopped() const { return stopped_; }

 private:
  void RunStatement(std::string_view sql);
  void PrintResult(ResultSet* rs);
  void RunDotCommand(std::string_view line);
  // `.mode NAME`. As in sqlite3, csv rows then end with "\r\n" (those of
  // `--mode csv`, like `sqlite3 -csv`, end with "\n").
  Status SetMode(std::string_view name);
  Status ReadFile(const std::string& path);
  void ReportError(const Status& status);

  // Marks the span in which CancelRunningStatement reaches the connection:
  // from before Execute until the last row is printed.
  void SetRunning(bool running);

  Database* db_;
  // Set once by the constructor.
  const std::unique_ptr<Connection> connection_;
  Mutex running_mu_;
  bool running_ GUARDED_BY(running_mu_) = false;
  SqlShellOptions options_;
  std::ostream* out_;
  std::ostream* err_;
  bool had_error_ = false;
  bool stopped_ = false;
  int read_depth_ = 0;  // nesting of .read, bounded against loops
};

struct SqlShellFlags {
  // Run this text and exit instead of reading standard input.
  std::string command;
  // "table", "csv", "json" or "list"; empty picks table for a terminal,
  // list otherwise.
  std::string mode;
  bool headers = false;
  bool bail = false;
};

// Runs the shell on `db` with standard input and output: interactively
// with line editing and history (~/.nqdb_history) when standard input is
// a terminal and no command is given, as a script otherwise. Returns the
// exit status.
int RunSqlShell(Database* db, const SqlShellFlags& flags);

}  // namespace neuroquantum::shell
