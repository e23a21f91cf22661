// Runs parsed sqllogictest records (slt_parser.h) against an SQL engine
// and reports every mismatch as "file:line: message".
//
// The engine is reached through SltEngine so that the runner can be tested
// with a fake; slt_database_engine.h adapts neuroquantum::Database.
//
// Per script: the hash threshold starts at 8 (the reference harness's
// default), the session is "default", and labels start empty. A query's
// values are hashed when there are more of them than the threshold (and
// the threshold is not 0); the expected block decides what is compared:
// "N values hashing to H" compares count and MD5, a value list compares
// the values (or, when it has one line per row of a multi-column result,
// each row's values joined by single spaces; tabs in the script count as
// spaces). Every query with the same label must produce the same MD5.
// A query that fails is a failure, except that under the engine name
// "sqlite" it counts as returning no rows when none are expected, as in
// the reference harness.
//
// Concurrent records: `statement async NAME ...` starts its statement on
// a thread of its own and checks, after SltRunOptions::block_grace, that
// it is still running (it is meant to block, typically on a row lock held
// by another session); `awaitstatement NAME` waits for it (at most
// await_timeout, then cancels it) and checks its outcome. Until then its
// connection runs nothing else, and a restart waits for every one to be
// awaited. Statements still running at the end of a script are failures;
// they are cancelled and waited for before RunScript returns.
//
// Thread safety: a runner is used by one thread at a time. It calls the
// engine from that thread and, for async statements, from threads it
// starts and joins within RunScript.
#pragma once

#include <chrono>
#include <cstddef>
#include <future>
#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "neuroquantum/result.h"
#include "shell/slt_parser.h"
#include "shell/slt_values.h"

namespace neuroquantum::shell {

inline constexpr size_t kDefaultSltHashThreshold = 8;

// All the rows of one statement.
struct SltQueryResult {
  size_t column_count = 0;
  std::vector<SltRow> rows;
};

// The SQL engine under test.
//
// Thread safety: Execute may be called from several threads at once for
// different connections (never twice at once for the same one); Cancel
// from any thread; Restart only while no Execute runs.
class SltEngine {
 public:
  virtual ~SltEngine() = default;
  // Runs one statement on session `connection` (created on first use) and
  // returns all its rows. An error is the statement's failure; its
  // SqlState() is what `statement error <SQLSTATE>` checks.
  virtual Result<SltQueryResult> Execute(const std::string& connection, std::string_view sql) = 0;
  // Closes every session and the database, then opens it again.
  virtual Status Restart() = 0;
  // Asks the statement running on `connection`, if any, to stop soon with
  // an error. Engines that cannot cancel do nothing (the runner then
  // waits for the statement to end by itself).
  virtual void Cancel(const std::string& connection) { (void)connection; }
};

struct SltRunOptions {
  // The name skipif/onlyif compare with.
  std::string engine_name = "sqlite";
  // Print the SQL and the full expected and actual values of each failure,
  // and a summary per script.
  bool verbose = false;
  // Stop at the first failure.
  bool stop_on_failure = false;
  // How long a `statement async` must still be running after it started.
  std::chrono::milliseconds block_grace{120};
  // How long `awaitstatement` waits before it cancels the statement.
  std::chrono::milliseconds await_timeout{10000};
};

// Records that ran (statements, queries, awaitstatement) and those
// skipped by conditions or after a halt.
struct SltCounts {
  size_t passed = 0;
  size_t failed = 0;
  size_t skipped = 0;
};

class SltRunner {
 public:
  // `out` is borrowed and must outlive the runner.
  SltRunner(SltRunOptions options, std::ostream* out);

  // Runs one script's records on `engine` (borrowed for the call);
  // failures go to `out` prefixed with "<file_name>:<line>: ". Returns
  // false when stop_on_failure ended the run early (the caller should not
  // start another script).
  bool RunScript(SltEngine* engine, std::string_view file_name,
                 const std::vector<SltRecord>& records);

  // Totals over every script run so far.
  const SltCounts& counts() const { return counts_; }

 private:
  struct LabelHash {
    std::string hash;
    size_t line;
  };
  // A `statement async` not awaited yet. Its thread owns the future's
  // shared state until the statement ends; destroying the future waits
  // for it.
  struct AsyncStatement {
    const SltRecord* record;  // borrowed from RunScript's records
    std::string connection;
    std::shared_future<Result<SltQueryResult>> outcome;
  };
  // Per-script state.
  struct ScriptState {
    SltEngine* engine;
    std::string_view file_name;
    size_t hash_threshold = kDefaultSltHashThreshold;
    std::string connection = "default";
    std::map<std::string, LabelHash, std::less<>> labels;
    // By name. Invariant: at most one per connection.
    std::map<std::string, AsyncStatement, std::less<>> running;
  };

  bool ShouldRun(const SltRecord& record) const;
  // Each returns true when the record passed.
  bool RunStatement(const SltRecord& record, ScriptState* state);
  bool StartAsyncStatement(const SltRecord& record, ScriptState* state);
  bool AwaitStatement(const SltRecord& record, ScriptState* state);
  bool RunQuery(const SltRecord& record, ScriptState* state);
  // Whether the current connection is free of async statements; if not,
  // reports that `record` cannot run.
  bool ConnectionIsFree(const SltRecord& record, const ScriptState& state);
  // Checks a statement's outcome against `record` (its expect_ok and
  // SQLSTATE); failures are reported at `line`, their message starting
  // with `what` ("statement", "async statement s1 (line 12)").
  bool CheckStatementOutcome(const SltRecord& record, size_t line, std::string_view what,
                             const Result<SltQueryResult>& result, const ScriptState& state);
  bool CheckQueryValues(const SltRecord& record, const SltQueryResult& result,
                        const std::vector<std::string>& values, const ScriptState& state);
  // Cancels and waits for every async statement still running; each is a
  // failure when `report` is true.
  void AbandonAsyncStatements(ScriptState* state, bool report);
  void Fail(const SltRecord& record, const ScriptState& state, std::string_view message,
            std::string_view details = {});
  void Fail(size_t line, std::string_view sql, const ScriptState& state, std::string_view message,
            std::string_view details = {});

  SltRunOptions options_;
  std::ostream* out_;
  SltCounts counts_;
};

}  // namespace neuroquantum::shell
