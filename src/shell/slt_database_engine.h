// The SltEngine of `nqdb slt`: runs sqllogictest records on a
// neuroquantum::Database through the public embedding API.
//
// Thread safety: used by one thread at a time.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

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
  Status Restart() override;

 private:
  SltDatabaseEngine(std::string path, DatabaseOptions options);

  std::string path_;
  DatabaseOptions options_;
  std::unique_ptr<Database> db_;
  // Declared after db_ so they are destroyed first, as Database requires.
  std::map<std::string, std::unique_ptr<Connection>, std::less<>> connections_;
};

// Reads every row of `rs` into runner values.
Result<SltQueryResult> CollectSltRows(ResultSet* rs);

}  // namespace neuroquantum::shell
