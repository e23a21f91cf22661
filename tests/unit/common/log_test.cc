// Tests for common/log: NQDB_LOG spec parsing, per-module levels, error
// positions, sinks and the NQ_LOG macros.
//
// The log configuration is process-wide; the fixture restores the defaults
// around every test. Module slots are never freed, so the tests stick to a
// handful of module names.
#include "common/log.h"

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace neuroquantum {
namespace {

struct Captured {
  std::string module;
  LogLevel level;
  std::string message;
};

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ConfigureLogging("").ok());
    SetLogSink(nullptr);
  }
  void TearDown() override {
    SetLogSink(nullptr);
    EXPECT_TRUE(ConfigureLogging("").ok());
  }

  // Routes messages into captured_.
  void Capture() {
    SetLogSink([this](std::string_view module, LogLevel level, std::string_view message) {
      captured_.push_back({std::string(module), level, std::string(message)});
    });
  }

  std::vector<Captured> captured_;
};

TEST_F(LogTest, DefaultIsInfo) {
  EXPECT_TRUE(LogEnabled("storage", LogLevel::kInfo));
  EXPECT_TRUE(LogEnabled("storage", LogLevel::kError));
  EXPECT_FALSE(LogEnabled("storage", LogLevel::kDebug));
  EXPECT_FALSE(LogEnabled("never_configured", LogLevel::kTrace));
}

TEST_F(LogTest, BareLevelSetsDefaultForAllModules) {
  ASSERT_TRUE(ConfigureLogging("debug").ok());
  EXPECT_TRUE(LogEnabled("storage", LogLevel::kDebug));
  EXPECT_TRUE(LogEnabled("sql", LogLevel::kDebug));
  EXPECT_FALSE(LogEnabled("sql", LogLevel::kTrace));
}

TEST_F(LogTest, PerModuleLevels) {
  ASSERT_TRUE(ConfigureLogging("storage=debug,wal=trace,info").ok());
  EXPECT_TRUE(LogEnabled("storage", LogLevel::kDebug));
  EXPECT_FALSE(LogEnabled("storage", LogLevel::kTrace));
  EXPECT_TRUE(LogEnabled("wal", LogLevel::kTrace));
  EXPECT_FALSE(LogEnabled("sql", LogLevel::kDebug));
  EXPECT_TRUE(LogEnabled("sql", LogLevel::kInfo));
}

TEST_F(LogTest, ModuleQuieterThanDefault) {
  ASSERT_TRUE(ConfigureLogging("debug,server=error").ok());
  EXPECT_FALSE(LogEnabled("server", LogLevel::kWarn));
  EXPECT_TRUE(LogEnabled("server", LogLevel::kError));
  EXPECT_TRUE(LogEnabled("btree", LogLevel::kDebug));
}

TEST_F(LogTest, ModuleNameMustMatchExactly) {
  ASSERT_TRUE(ConfigureLogging("wal=trace").ok());
  EXPECT_FALSE(LogEnabled("wa", LogLevel::kTrace));
  EXPECT_FALSE(LogEnabled("wal2", LogLevel::kTrace));
  EXPECT_FALSE(LogEnabled("WAL", LogLevel::kTrace));
}

TEST_F(LogTest, LaterItemsWin) {
  ASSERT_TRUE(ConfigureLogging("wal=trace,wal=error,debug,warn").ok());
  EXPECT_FALSE(LogEnabled("wal", LogLevel::kWarn));
  EXPECT_FALSE(LogEnabled("sql", LogLevel::kInfo));
  EXPECT_TRUE(LogEnabled("sql", LogLevel::kWarn));
}

TEST_F(LogTest, ReconfigureForgetsEarlierModules) {
  ASSERT_TRUE(ConfigureLogging("storage=trace").ok());
  ASSERT_TRUE(LogEnabled("storage", LogLevel::kTrace));
  ASSERT_TRUE(ConfigureLogging("warn").ok());
  EXPECT_FALSE(LogEnabled("storage", LogLevel::kTrace));
  EXPECT_FALSE(LogEnabled("storage", LogLevel::kInfo));
  EXPECT_TRUE(LogEnabled("storage", LogLevel::kWarn));
}

TEST_F(LogTest, WhitespaceCaseAndEmptyItems) {
  ASSERT_TRUE(ConfigureLogging(" storage = DEBUG ,, Warning ,").ok());
  EXPECT_TRUE(LogEnabled("storage", LogLevel::kDebug));
  EXPECT_FALSE(LogEnabled("sql", LogLevel::kInfo));
  EXPECT_TRUE(LogEnabled("sql", LogLevel::kWarn));
}

TEST_F(LogTest, OffSilencesEverything) {
  ASSERT_TRUE(ConfigureLogging("off,wal=trace").ok());
  EXPECT_FALSE(LogEnabled("storage", LogLevel::kError));
  EXPECT_TRUE(LogEnabled("wal", LogLevel::kTrace));
}

TEST_F(LogTest, OffIsNeverAMessageLevel) {
  ASSERT_TRUE(ConfigureLogging("trace").ok());
  EXPECT_FALSE(LogEnabled("storage", LogLevel::kOff));
}

TEST_F(LogTest, UnknownLevelReportsColumn) {
  Status status = ConfigureLogging("storage=debug,wal=loud");
  ASSERT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("unknown level \"loud\""), std::string_view::npos)
      << status.ToString();
  EXPECT_NE(status.message().find("column 19"), std::string_view::npos) << status.ToString();
}

TEST_F(LogTest, UnknownBareLevelReportsColumn) {
  Status status = ConfigureLogging("wal=debug, verbose");
  ASSERT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("column 12"), std::string_view::npos) << status.ToString();
}

TEST_F(LogTest, MissingModuleReportsColumn) {
  Status status = ConfigureLogging("=debug");
  ASSERT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("missing module"), std::string_view::npos) << status.ToString();
  EXPECT_NE(status.message().find("column 1"), std::string_view::npos) << status.ToString();
}

TEST_F(LogTest, MissingLevelReportsColumn) {
  Status status = ConfigureLogging("storage=");
  ASSERT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("missing level at column 9"), std::string_view::npos)
      << status.ToString();
}

TEST_F(LogTest, BadModuleCharacterReportsColumn) {
  Status status = ConfigureLogging("info,sto rage=debug");
  ASSERT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("column 9"), std::string_view::npos) << status.ToString();
}

TEST_F(LogTest, TwoEqualsSignsRejected) {
  Status status = ConfigureLogging("wal=debug=trace");
  ASSERT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("column 10"), std::string_view::npos) << status.ToString();
}

TEST_F(LogTest, ModuleNameTooLong) {
  std::string spec = std::string(kMaxLogModuleName + 1, 'm') + "=debug";
  EXPECT_EQ(ConfigureLogging(spec).code(), StatusCode::kInvalidArgument);
}

TEST_F(LogTest, BadSpecLeavesConfigurationUnchanged) {
  ASSERT_TRUE(ConfigureLogging("wal=trace").ok());
  EXPECT_FALSE(ConfigureLogging("error,wal=nope").ok());
  EXPECT_TRUE(LogEnabled("wal", LogLevel::kTrace));
  EXPECT_TRUE(LogEnabled("sql", LogLevel::kInfo));
}

TEST_F(LogTest, TooManyModulesRejectedWithoutChange) {
  std::string spec;
  for (size_t i = 0; i <= kMaxLogModules; ++i) spec += "overflow" + std::to_string(i) + "=trace,";
  spec += "error";
  EXPECT_EQ(ConfigureLogging(spec).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(LogEnabled("sql", LogLevel::kInfo));
  EXPECT_FALSE(LogEnabled("overflow0", LogLevel::kTrace));
}

TEST_F(LogTest, ValidateDoesNotApply) {
  EXPECT_TRUE(ValidateLogSpec("trace").ok());
  EXPECT_FALSE(LogEnabled("sql", LogLevel::kTrace));
  EXPECT_EQ(ValidateLogSpec("sql=").code(), StatusCode::kInvalidArgument);
}

TEST_F(LogTest, LevelNamesRoundTrip) {
  for (LogLevel level : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn,
                         LogLevel::kError, LogLevel::kOff}) {
    LogLevel parsed = LogLevel::kOff;
    ASSERT_TRUE(ParseLogLevel(LogLevelName(level), &parsed)) << LogLevelName(level);
    EXPECT_EQ(parsed, level);
  }
  LogLevel untouched = LogLevel::kError;
  EXPECT_FALSE(ParseLogLevel("loud", &untouched));
  EXPECT_EQ(untouched, LogLevel::kError);
}

TEST_F(LogTest, SinkCapturesEnabledMessagesOnly) {
  ASSERT_TRUE(ConfigureLogging("storage=debug").ok());
  Capture();
  NQ_LOG_DEBUG("storage", "opened {} pages from {}", 7, "db.nq");
  NQ_LOG_TRACE("storage", "too detailed");
  NQ_LOG_DEBUG("sql", "not enabled");
  NQ_LOG_WARN("sql", "enabled");
  ASSERT_EQ(captured_.size(), 2u);
  EXPECT_EQ(captured_[0].module, "storage");
  EXPECT_EQ(captured_[0].level, LogLevel::kDebug);
  EXPECT_EQ(captured_[0].message, "opened 7 pages from db.nq");
  EXPECT_EQ(captured_[1].module, "sql");
  EXPECT_EQ(captured_[1].level, LogLevel::kWarn);
}

TEST_F(LogTest, LongMessagesAreNotTruncated) {
  Capture();
  std::string long_text(5000, 'x');
  NQ_LOG_INFO("storage", "{}", long_text);
  ASSERT_EQ(captured_.size(), 1u);
  EXPECT_EQ(captured_[0].message, long_text);
}

TEST_F(LogTest, ArgumentsNotEvaluatedWhenDisabled) {
  Capture();
  int calls = 0;
  auto expensive = [&calls] { return ++calls; };
  NQ_LOG_DEBUG("storage", "value {}", expensive());
  EXPECT_EQ(calls, 0);
  NQ_LOG_ERROR("storage", "value {}", expensive());
  EXPECT_EQ(calls, 1);
}

TEST_F(LogTest, SinkThatLogsDoesNotDeadlock) {
  int calls = 0;
  SetLogSink([&calls](std::string_view, LogLevel, std::string_view) {
    ++calls;
    NQ_LOG_INFO("sql", "logged from inside the sink");  // goes to stderr
  });
  ::testing::internal::CaptureStderr();
  NQ_LOG_INFO("storage", "outer");
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(calls, 1);
  EXPECT_NE(err.find("logged from inside the sink"), std::string::npos) << err;
}

TEST_F(LogTest, StderrLineHasLevelAndModule) {
  ::testing::internal::CaptureStderr();
  NQ_LOG_WARN("btree", "split page {}", 42);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("warn  [btree] split page 42"), std::string::npos) << err;
  // Timestamp first: "YYYY-MM-DDTHH:MM:SS.mmm".
  ASSERT_GE(err.size(), 23u);
  EXPECT_EQ(err[4], '-');
  EXPECT_EQ(err[10], 'T');
}

TEST_F(LogTest, ClearingSinkRestoresStderr) {
  Capture();
  SetLogSink(nullptr);
  ::testing::internal::CaptureStderr();
  NQ_LOG_INFO("shell", "back to stderr");
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(captured_.empty());
  EXPECT_NE(err.find("[shell] back to stderr"), std::string::npos) << err;
}

TEST_F(LogTest, InitFromEnvApplies) {
  ASSERT_EQ(::setenv("NQDB_LOG", "wal=trace,warn", 1), 0);
  InitLoggingFromEnv();
  ::unsetenv("NQDB_LOG");
  EXPECT_TRUE(LogEnabled("wal", LogLevel::kTrace));
  EXPECT_FALSE(LogEnabled("sql", LogLevel::kInfo));
}

TEST_F(LogTest, InitFromEnvWarnsOnBadSpecAndKeepsLevels) {
  ASSERT_TRUE(ConfigureLogging("wal=debug").ok());
  Capture();
  ASSERT_EQ(::setenv("NQDB_LOG", "wal=shouty", 1), 0);
  InitLoggingFromEnv();
  ::unsetenv("NQDB_LOG");
  EXPECT_TRUE(LogEnabled("wal", LogLevel::kDebug));
  ASSERT_EQ(captured_.size(), 1u);
  EXPECT_EQ(captured_[0].level, LogLevel::kWarn);
  EXPECT_NE(captured_[0].message.find("shouty"), std::string::npos) << captured_[0].message;
}

TEST_F(LogTest, InitFromEnvUnsetKeepsLevels) {
  ASSERT_TRUE(ConfigureLogging("wal=debug").ok());
  ::unsetenv("NQDB_LOG");
  InitLoggingFromEnv();
  EXPECT_TRUE(LogEnabled("wal", LogLevel::kDebug));
}

// Smoke test for the lock-free readers; most useful under TSan.
TEST_F(LogTest, ConcurrentReconfigureAndLog) {
  std::atomic<int> delivered{0};
  SetLogSink([&delivered](std::string_view, LogLevel, std::string_view) { ++delivered; });
  std::atomic<bool> stop{false};
  std::vector<std::thread> loggers;
  for (int t = 0; t < 2; ++t) {
    loggers.emplace_back([&stop] {
      while (!stop.load()) {
        NQ_LOG_DEBUG("buffer", "evicted frame {}", 3);
        NQ_LOG_ERROR("wal", "error {}", 4);
      }
    });
  }
  // At least 200 rounds, and until the loggers have got some messages through.
  for (int round = 0; round < 200 || (delivered.load() == 0 && round < 1000000); ++round) {
    EXPECT_TRUE(ConfigureLogging(round % 2 ? "buffer=debug" : "wal=off,buffer=warn").ok());
  }
  stop.store(true);
  for (std::thread& thread : loggers) thread.join();
  SetLogSink(nullptr);
  EXPECT_GT(delivered.load(), 0);
}

}  // namespace
}  // namespace neuroquantum
