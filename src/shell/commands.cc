// `nqdb` subcommands: init, run, serve, key, shell, slt, check, vacuum, config, version.
#include "shell/commands.h"

#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "common/config.h"
#include "common/env.h"
#include "common/log.h"
#include "neuroquantum/database.h"
#include "shell/dna_command.h"
#include "shell/neuro_command.h"
#include "server/server.h"
#include "shell/quantum_command.h"
#include "shell/server_commands.h"
#include "shell/slt_command.h"
#include "shell/sql_shell.h"
#include "storage/check.h"
#include "storage/engine.h"

namespace neuroquantum::shell {
namespace {

constexpr const char* kDatabaseFile = "main.nqdb";

struct CommonFlags {
  std::string config_path;
  std::string data_dir;
  std::vector<std::string> overrides;
};

// defaults < TOML file < NQDB_* environment < --set flags < --data-dir.
Result<Config> ResolveConfig(const CommonFlags& flags) {
  NQ_ASSIGN_OR_RETURN(Config config, LoadConfig(flags.config_path, CaptureEnvironment()));
  for (const auto& assignment : flags.overrides) {
    NQ_RETURN_IF_ERROR(ApplyOverrideAssignment(&config, assignment));
  }
  if (!flags.data_dir.empty()) config.data_dir = flags.data_dir;
  NQ_RETURN_IF_ERROR(ValidateConfig(config));
  NQ_RETURN_IF_ERROR(ConfigureLogging(config.log_spec));
  return config;
}

int Fail(const Status& s) {
  std::cerr << "nqdb: " << s.ToString() << "\n";
  return 1;
}

int CmdInit(const CommonFlags& flags) {
  auto config = ResolveConfig(flags);
  if (!config.ok()) return Fail(config.status());
  return InitDataDir(*config);
}

Result<std::unique_ptr<Database>> OpenSqlDatabase(const Config& config, const std::string& path,
                                                  bool create) {
  return Database::Open(path, server::DatabaseOptionsFor(config, create));
}

// `make run`: first-run initialisation, then the server.
int CmdRun(const CommonFlags& flags) {
  auto config = ResolveConfig(flags);
  if (!config.ok()) return Fail(config.status());
  if (!server::IsInitialized(*config)) {
    if (int rc = InitDataDir(*config); rc != 0) return rc;
  }
  return server::Serve(*config);
}

// With PATH the file is created if missing (as sqlite3 does); without it
// the data directory's database must exist (`nqdb init` or `nqdb run`).
int CmdShell(const CommonFlags& flags, const std::string& path, const SqlShellFlags& shell_flags) {
  auto config = ResolveConfig(flags);
  if (!config.ok()) return Fail(config.status());
  auto db = path.empty() ? OpenSqlDatabase(*config, JoinPath(config->data_dir, kDatabaseFile), false)
                         : OpenSqlDatabase(*config, path, true);
  if (!db.ok()) return Fail(db.status());
  return RunSqlShell(db->get(), shell_flags);
}

// Checks a database file; exit status 1 on any problem.
int CmdCheck(const std::string& path) {
  Options options;
  options.create_if_missing = false;
  options.flush_interval_ms = 0;
  auto db = storage::StorageEngine::Open(path, options);
  if (!db.ok()) return Fail(db.status());
  storage::CheckReport report;
  Status s = storage::CheckDatabase(db->get(), &report);
  if (!s.ok()) return Fail(s);
  for (const auto& problem : report.problems) std::cout << path << ": " << problem << "\n";
  std::cout << (report.ok() ? "ok" : "FAILED") << ": " << report.page_count << " pages ("
            << report.tree_pages << " tree, " << report.overflow_pages << " overflow, "
            << report.free_pages << " free), " << report.entries << " entries\n";
  return report.ok() ? 0 : 1;
}

// Compacts and shrinks a database file.
int CmdVacuum(const std::string& path) {
  Options options;
  options.create_if_missing = false;
  auto db = storage::StorageEngine::Open(path, options);
  if (!db.ok()) return Fail(db.status());
  auto stats = (*db)->Vacuum();
  if (!stats.ok()) return Fail(stats.status());
  std::cout << "vacuum: " << stats->pages_before << " -> " << stats->pages_after << " pages ("
            << stats->pages_moved << " moved)\n";
  return 0;
}

}  // namespace

int RunMain(int argc, char** argv) {
  InitLoggingFromEnv();
  CLI::App app{"NeuroQuantumDB command-line tool"};
  app.require_subcommand(1);
  CommonFlags flags;
  auto add_common = [&flags](CLI::App* cmd) {
    cmd->add_option("--config", flags.config_path, "TOML configuration file");
    cmd->add_option("--data-dir", flags.data_dir, "data directory (default ./nqdb-data)");
    cmd->add_option("--set", flags.overrides, "override a setting, e.g. storage.page_size=8192");
  };
  int rc = 0;
  auto* init = app.add_subcommand("init", "Create a new database in the data directory");
  add_common(init);
  init->callback([&] { rc = CmdInit(flags); });
  auto* run = app.add_subcommand("run", "Initialise on first use, then start the server");
  add_common(run);
  run->callback([&] { rc = CmdRun(flags); });
  auto* shell = app.add_subcommand("shell", "Open the SQL shell on a database file");
  add_common(shell);
  std::string shell_path;
  SqlShellFlags shell_flags;
  shell->add_option("path", shell_path, "database file (default: DATA_DIR/main.nqdb)");
  shell->add_option("-c,--command", shell_flags.command, "run this SQL and exit");
  shell->add_option("--mode", shell_flags.mode, "output mode: table, csv, json or list");
  shell->add_flag("--headers", shell_flags.headers, "print column names in list and csv mode");
  shell->add_flag("--bail", shell_flags.bail, "stop at the first error");
  shell->callback([&] { rc = CmdShell(flags, shell_path, shell_flags); });
  AddSltCommand(&app, &rc);
  std::string check_path;
  auto* check = app.add_subcommand("check", "Verify every page and tree of a database file");
  check->add_option("path", check_path, "database file (e.g. nqdb-data/main.nqdb)")->required();
  check->callback([&] { rc = CmdCheck(check_path); });
  std::string vacuum_path;
  auto* vacuum = app.add_subcommand("vacuum", "Compact a database file and return free space to the OS");
  vacuum->add_option("path", vacuum_path, "database file (e.g. nqdb-data/main.nqdb)")->required();
  vacuum->callback([&] { rc = CmdVacuum(vacuum_path); });
  auto* config = app.add_subcommand("config", "Show the effective configuration");
  add_common(config);
  config->callback([&] {
    auto resolved = ResolveConfig(flags);
    if (!resolved.ok()) {
      rc = Fail(resolved.status());
      return;
    }
    std::cout << DescribeConfig(*resolved);
  });
  AddServerCommands(&app, add_common, [&flags] { return ResolveConfig(flags); }, &rc);
  AddDnaCommands(&app, &rc);
  AddNeuroCommands(&app, &rc);
  AddQuantumCommands(&app, &rc);
  auto* version = app.add_subcommand("version", "Print the version");
  version->callback([] { std::printf("nqdb 0.1.0\n"); });
  CLI11_PARSE(app, argc, argv);
  return rc;
}

}  // namespace neuroquantum::shell
