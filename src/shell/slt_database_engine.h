// The SltEngine of `nqdb slt`: runs sqllogictest records on a
// neuroquantum::Database through the public embedding API.
//
// Thread safety: as SltEngine says. Each session is a Connection used by
// one thread at a time; the map of sessions is guarded by a mutex, so
// that sessions can be created and found while others run statements.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/mutex.h"
#include "neuroquantum/database.h"
#include "shell/slt_runner.h"

namespace neuroquantum::shell {

class SltDatabaseEngine : public SltEngine {
 public:
  // Opens (creating if `options` allow) the database file at `path`.
  static Result<std::unique_ptr<SltDatabaseEngine>> Open(std::string path, DatabaseOptions options);
  ~SltDatabaseEngine() override;

  Result<SltQueryResult> Execute(const std::string& connection, std::string_view sql) override;
  // Drops every connection, closes the database and opens it again.
  // REQUIRES: no Execute running.
  Status Restart() override;
  // Connection::Cancel of the session, if it exists.
  void Cancel(const std::string& connection) override;

 private:
  SltDatabaseEngine(std::string path, DatabaseOptions options);

  // The session `name`, created on first use; null when the database did
  // not reopen. The pointer stays valid until Restart or destruction.
  Connection* Session(const std::string& name);

  const std::string path_;
  const DatabaseOptions options_;
  // Replaced only by Restart, when no statement runs.
  std::unique_ptr<Database> db_;
  Mutex mu_;
  // Declared after db_ so they are destroyed first, as Database requires.
  std::map<std::string, std::unique_ptr<Connection>, std::less<>> connections_ GUARDED_BY(mu_);
};

// Reads every row of `rs` into runner values.
Result<SltQueryResult> CollectSltRows(ResultSet* rs);

}  // namespace neuroquantum::shell
