// `nqdb slt`: each script runs on a fresh temporary database (removed
// afterwards) unless --db names one. Failures are printed as
// "file:line: message"; the last line is "N passed, N failed" and the exit
// status is 1 when anything failed.
#include "shell/slt_command.h"

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "common/env.h"
#include "shell/slt_database_engine.h"
#include "shell/slt_parser.h"
#include "shell/slt_runner.h"

namespace neuroquantum::shell {
namespace {

constexpr std::chrono::milliseconds kSltLockTimeout{2000};
constexpr std::chrono::milliseconds kSltDeadlockTimeout{300};

struct SltFlags {
  std::vector<std::string> files;
  std::string engine_name = "sqlite";
  std::string db_path;
  bool verbose = false;
  bool stop_on_failure = false;
};

// A directory of its own under the system's temporary directory; the
// database and its WAL files go inside and the whole directory is removed
// afterwards. (Env has no temporary directories or recursive removal.)
class ScratchDir {
 public:
  ScratchDir() {
    std::error_code ec;
    std::string pattern = (std::filesystem::temp_directory_path(ec) / "nqdb-slt-XXXXXX").string();
    if (!ec && ::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  // Empty when the directory could not be created.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Opens --db, or a new database in `scratch` (REQUIRES: not null then).
Result<std::unique_ptr<SltDatabaseEngine>> OpenEngine(const SltFlags& flags,
                                                      const ScratchDir* scratch) {
  DatabaseOptions options;
  // Scripts run as "sqlite" were written for SQLite, which stores strings
  // longer than their VARCHAR(n) whole; under any other name the database
  // behaves as it ships and refuses them with 22001.
  options.check_string_length = flags.engine_name != "sqlite";
  // Plans (EXPLAIN's output, join orders) must not depend on when a
  // background ANALYZE happens to finish: scripts run ANALYZE themselves.
  options.auto_analyze = false;
  // A script's blocked statements (`statement async`) wait for locks that
  // another session of the same script holds: a script that forgets to
  // release one should fail in seconds, and a deadlock should be found
  // soon after it forms. The deadlock check still comes after the
  // runner's grace period, so an async statement is seen blocking first.
  options.lock_timeout = kSltLockTimeout;
  options.deadlock_timeout = kSltDeadlockTimeout;
  if (!flags.db_path.empty()) return SltDatabaseEngine::Open(flags.db_path, options);
  if (scratch->path().empty()) return Status::IOError("cannot create a temporary directory");
  // Scratch data: skip fsync.
  options.storage.durability = Durability::kOff;
  return SltDatabaseEngine::Open(JoinPath(scratch->path(), "slt.nqdb"), options);
}

// Runs one script. Returns false to stop the whole run; problems before
// the first record (unreadable file, syntax, database) add to *failures.
bool RunFile(const SltFlags& flags, const std::string& file, SltRunner* runner, size_t* failures) {
  auto text = ReadFileToString(Env::Default(), file);
  if (!text.ok()) {
    ++*failures;
    std::cout << fmt::format("{}: {}\n", file, text.status().ToString());
    return !flags.stop_on_failure;
  }
  SltParseError parse_error;
  auto records = ParseSlt(*text, &parse_error);
  if (!records.ok()) {
    ++*failures;
    std::cout << fmt::format("{}:{}: {}\n", file, parse_error.line, parse_error.message);
    return !flags.stop_on_failure;
  }
  // Declared before the engine so that the directory outlives the database.
  std::optional<ScratchDir> scratch;
  if (flags.db_path.empty()) scratch.emplace();
  auto engine = OpenEngine(flags, scratch ? &*scratch : nullptr);
  if (!engine.ok()) {
    ++*failures;
    std::cout << fmt::format("{}: cannot open the database: {}\n", file, engine.status().ToString());
    return !flags.stop_on_failure;
  }
  return runner->RunScript(engine->get(), file, *records);
}

int RunSlt(const SltFlags& flags) {
  SltRunOptions options;
  options.engine_name = flags.engine_name;
  options.verbose = flags.verbose;
  options.stop_on_failure = flags.stop_on_failure;
  SltRunner runner(options, &std::cout);
  size_t setup_failures = 0;
  for (const std::string& file : flags.files) {
    if (!RunFile(flags, file, &runner, &setup_failures)) break;
  }
  const size_t failed = runner.counts().failed + setup_failures;
  std::cout << fmt::format("{} passed, {} failed\n", runner.counts().passed, failed);
  return failed > 0 ? 1 : 0;
}

}  // namespace

void AddSltCommand(CLI::App* app, int* rc) {
  auto flags = std::make_shared<SltFlags>();
  auto* cmd = app->add_subcommand("slt", "Run sqllogictest scripts against a fresh database");
  cmd->add_option("files", flags->files, "sqllogictest scripts (.test)")->required();
  cmd->add_option("--engine", flags->engine_name,
                  "name for skipif/onlyif (default sqlite; other names also check VARCHAR lengths)");
  cmd->add_option("--db", flags->db_path, "database file to use instead of a temporary one");
  cmd->add_flag("--verbose", flags->verbose, "show the SQL and full values of failures");
  cmd->add_flag("--stop-on-failure", flags->stop_on_failure, "stop at the first failure");
  cmd->callback([flags, rc] { *rc = RunSlt(*flags); });
}

}  // namespace neuroquantum::shell
