// The server process: the data directory's layout, first-run
// initialisation, and `nqdb serve` from start to graceful shutdown.
//
// Data directory:
//   main.nqdb, main.nqdb-wal/, main.nqdb.lock   the database
//   auth/ (0700)
//     api_keys.json (0600) API key digests and settings (.lock: writers' flock)
//     jwt.secret (0600)    JWT signing secret (auth.jwt_secret_file moves it)
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/config.h"
#include "neuroquantum/database.h"
#include "neuroquantum/result.h"

namespace neuroquantum::server {

struct DataDirLayout {
  std::string database;
  std::string auth_dir;
  std::string api_keys;
  std::string jwt_secret;
  static DataDirLayout For(const Config& config);
};

// What InitializeDataDir did.
struct InitResult {
  bool created_database = false;
  uint32_t page_size = 0;
  std::string admin_key;     // shown once
  std::string admin_key_id;
};

// First-run setup: creates the database (if missing), the auth directory,
// the JWT secret and the first admin API key. AlreadyExists if the
// directory is already initialised (database, key store and secret all
// present).
Result<InitResult> InitializeDataDir(const Config& config);
// Whether `nqdb serve` can start on the data directory.
bool IsInitialized(const Config& config);
// The database settings the configuration makes (storage, query memory),
// creating the database file if missing when `create`.
DatabaseOptions DatabaseOptionsFor(const Config& config, bool create);

// Runs the server until SIGINT or SIGTERM, then shuts down gracefully.
// Prints "listening on http://HOST:PORT" to stdout once it accepts
// connections. Returns the process exit status.
int Serve(const Config& config);

}  // namespace neuroquantum::server
