// `nqdb shell` passes the configuration's query settings to the database:
// query.memory_mib bounds what one statement holds before it spills.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/temp_dir.h"
#include "unit/shell/child_process.h"

namespace neuroquantum {
namespace {

using shell::testing_support::Child;
using shell::testing_support::NqdbPath;

class ShellSettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    nqdb_ = NqdbPath();
    if (nqdb_.empty()) GTEST_SKIP() << "nqdb is not built next to this test";
  }
  // Runs `script` in `nqdb shell` on a fresh database with `flags`.
  std::string Shell(const std::string& script, const std::vector<std::string>& flags) {
    std::vector<std::string> argv = {nqdb_, "shell", tmp_.Path("db" + std::to_string(++runs_))};
    argv.insert(argv.end(), flags.begin(), flags.end());
    Child child(argv);
    child.Write(script);
    std::string out, err;
    EXPECT_EQ(child.Finish(&out, &err), 0) << err;
    return out;
  }

  std::string nqdb_;
  int runs_ = 0;
  testing::TempDir tmp_{"nqdb-shell-settings-"};
};

// About 4 MB of rows to sort: within the default 64 MiB, over 1 MiB.
TEST_F(ShellSettingsTest, QueryMemoryLimitDecidesWhenASortSpills) {
  const std::string script =
      "EXPLAIN ANALYZE SELECT x FROM (WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r "
      "WHERE x < 100000) SELECT x FROM r) ORDER BY -x;\n";
  const std::string roomy = Shell(script, {});
  EXPECT_NE(roomy.find("Sort"), std::string::npos) << roomy;
  EXPECT_EQ(roomy.find("spilled="), std::string::npos) << roomy;
  const std::string tight = Shell(script, {"--set", "query.memory_mib=1"});
  EXPECT_NE(tight.find("spilled="), std::string::npos) << tight;
}

}  // namespace
}  // namespace neuroquantum
