// Tests for common/config: defaults, the TOML / environment / override layers
// and their precedence, error messages, validation, and DescribeConfig
// round-trips.
#include "common/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace neuroquantum {
namespace {

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "nqdb-config-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `text` to a file in the test directory and returns its path.
  std::string WriteToml(const std::string& text, const std::string& name = "nqdb.toml") {
    std::string path = dir_ + "/" + name;
    std::ofstream out(path, std::ios::binary);
    out << text;
    return path;
  }

  // Loads `text` as a config file; expects failure and returns the status.
  Status LoadError(const std::string& text) {
    Result<Config> config = LoadConfig(WriteToml(text), {});
    EXPECT_FALSE(config.ok()) << "accepted:\n" << text;
    return config.ok() ? Status::OK() : config.status();
  }

  std::string dir_;
};

void ExpectSameSettings(const Config& a, const Config& b) {
  EXPECT_EQ(a.data_dir, b.data_dir);
  EXPECT_EQ(a.log_spec, b.log_spec);
  EXPECT_EQ(a.listen, b.listen);
  EXPECT_EQ(a.options.page_size, b.options.page_size);
  EXPECT_EQ(a.options.buffer_pool_mib, b.options.buffer_pool_mib);
  EXPECT_EQ(a.options.durability, b.options.durability);
  EXPECT_EQ(a.options.wal_segment_mib, b.options.wal_segment_mib);
  EXPECT_EQ(a.options.max_wal_mib, b.options.max_wal_mib);
  EXPECT_EQ(a.options.flush_interval_ms, b.options.flush_interval_ms);
}

TEST_F(ConfigTest, Defaults) {
  Result<Config> config = LoadConfig("", {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->data_dir, "./nqdb-data");
  EXPECT_EQ(config->log_spec, "info");
  EXPECT_EQ(config->listen, "127.0.0.1:8080");
  EXPECT_EQ(config->options.page_size, 4096u);
  EXPECT_EQ(config->options.buffer_pool_mib, 32u);
  EXPECT_EQ(config->options.durability, Durability::kFull);
  EXPECT_EQ(config->options.wal_segment_mib, 4u);
  EXPECT_EQ(config->options.max_wal_mib, 64u);
  EXPECT_EQ(config->options.flush_interval_ms, 200u);
  EXPECT_EQ(config->query_memory_mib, 64u);
  EXPECT_TRUE(ValidateConfig(*config).ok());
}

TEST_F(ConfigTest, TomlOverridesDefaults) {
  std::string path = WriteToml(R"(
data_dir = "/var/lib/nqdb"
log = "storage=debug,info"

[storage]
page_size = 8192
buffer_pool_mib = 16
durability = "normal"
wal_segment_mib = 8
max_wal_mib = 128
flush_interval_ms = 0

[query]
memory_mib = 8

[server]
listen = "0.0.0.0:9000"
)");
  Result<Config> config = LoadConfig(path, {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->data_dir, "/var/lib/nqdb");
  EXPECT_EQ(config->log_spec, "storage=debug,info");
  EXPECT_EQ(config->listen, "0.0.0.0:9000");
  EXPECT_EQ(config->options.page_size, 8192u);
  EXPECT_EQ(config->options.buffer_pool_mib, 16u);
  EXPECT_EQ(config->options.durability, Durability::kNormal);
  EXPECT_EQ(config->options.wal_segment_mib, 8u);
  EXPECT_EQ(config->options.max_wal_mib, 128u);
  EXPECT_EQ(config->options.flush_interval_ms, 0u);
  EXPECT_EQ(config->query_memory_mib, 8u);
  EXPECT_TRUE(ValidateConfig(*config).ok());
}

TEST_F(ConfigTest, TomlKeysNotGivenKeepDefaults) {
  Result<Config> config = LoadConfig(WriteToml("[storage]\npage_size = 16384\n"), {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->options.page_size, 16384u);
  EXPECT_EQ(config->options.buffer_pool_mib, 32u);
  EXPECT_EQ(config->data_dir, "./nqdb-data");
}

TEST_F(ConfigTest, TomlDottedKeys) {
  Result<Config> config = LoadConfig(WriteToml("storage.page_size = 65536\n"), {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->options.page_size, 65536u);
}

TEST_F(ConfigTest, EmptyTomlFileGivesDefaults) {
  Result<Config> config = LoadConfig(WriteToml(""), {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ExpectSameSettings(*config, Config());
}

TEST_F(ConfigTest, EnvOverridesToml) {
  std::string path = WriteToml("data_dir = \"/from/toml\"\n[storage]\npage_size = 8192\n");
  EnvMap env = {{"NQDB_STORAGE_PAGE_SIZE", "16384"},
                {"NQDB_STORAGE_DURABILITY", "off"},
                {"NQDB_LOG", "wal=trace"},
                {"NQDB_SERVER_LISTEN", "[::1]:5433"}};
  Result<Config> config = LoadConfig(path, env);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->options.page_size, 16384u);
  EXPECT_EQ(config->options.durability, Durability::kOff);
  EXPECT_EQ(config->log_spec, "wal=trace");
  EXPECT_EQ(config->listen, "[::1]:5433");
  EXPECT_EQ(config->data_dir, "/from/toml");  // not in env: TOML value stays
}

TEST_F(ConfigTest, EnvWithoutToml) {
  Result<Config> config = LoadConfig("", {{"NQDB_DATA_DIR", "/tmp/x"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->data_dir, "/tmp/x");
}

TEST_F(ConfigTest, UnrelatedEnvVarsIgnored) {
  EnvMap env = {{"NQDB_CONFIG", "/etc/nqdb.toml"}, {"HOME", "/root"}, {"nqdb_data_dir", "/x"}};
  Result<Config> config = LoadConfig("", env);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->data_dir, "./nqdb-data");
}

TEST_F(ConfigTest, BadEnvValueNamesVariableAndKey) {
  Result<Config> config = LoadConfig("", {{"NQDB_STORAGE_BUFFER_POOL_MIB", "lots"}});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  std::string_view message = config.status().message();
  EXPECT_TRUE(Contains(message, "NQDB_STORAGE_BUFFER_POOL_MIB")) << message;
  EXPECT_TRUE(Contains(message, "storage.buffer_pool_mib")) << message;
  EXPECT_TRUE(Contains(message, "not a decimal integer")) << message;
}

TEST_F(ConfigTest, OverrideBeatsEnv) {
  Result<Config> config = LoadConfig("", {{"NQDB_STORAGE_PAGE_SIZE", "16384"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_TRUE(ApplyOverride(&*config, "storage.page_size", "32768").ok());
  EXPECT_EQ(config->options.page_size, 32768u);
}

TEST_F(ConfigTest, OverrideEveryKind) {
  Config config;
  ASSERT_TRUE(ApplyOverride(&config, "data_dir", "/data").ok());
  ASSERT_TRUE(ApplyOverride(&config, "log", "sql=debug").ok());
  ASSERT_TRUE(ApplyOverride(&config, "server.listen", "localhost:0").ok());
  ASSERT_TRUE(ApplyOverride(&config, "storage.durability", "NORMAL").ok());
  ASSERT_TRUE(ApplyOverride(&config, "storage.flush_interval_ms", "0").ok());
  EXPECT_EQ(config.data_dir, "/data");
  EXPECT_EQ(config.log_spec, "sql=debug");
  EXPECT_EQ(config.listen, "localhost:0");
  EXPECT_EQ(config.options.durability, Durability::kNormal);
  EXPECT_EQ(config.options.flush_interval_ms, 0u);
}

TEST_F(ConfigTest, OverrideAssignment) {
  Config config;
  ASSERT_TRUE(ApplyOverrideAssignment(&config, "storage.max_wal_mib=256").ok());
  EXPECT_EQ(config.options.max_wal_mib, 256u);
  ASSERT_TRUE(ApplyOverrideAssignment(&config, "log=storage=debug,info").ok());
  EXPECT_EQ(config.log_spec, "storage=debug,info");  // split at the first '='
  EXPECT_EQ(ApplyOverrideAssignment(&config, "storage.page_size").code(),
            StatusCode::kInvalidArgument);
}

TEST_F(ConfigTest, OverrideUnknownKeySuggests) {
  Config config;
  Status status = ApplyOverride(&config, "storage.pagesize", "8192");
  ASSERT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(status.message(), "unknown key \"storage.pagesize\"")) << status.ToString();
  EXPECT_TRUE(Contains(status.message(), "did you mean \"storage.page_size\""))
      << status.ToString();
}

TEST_F(ConfigTest, OverrideBadValueLeavesConfigUnchanged) {
  Config config;
  EXPECT_FALSE(ApplyOverride(&config, "storage.page_size", "8192x").ok());
  EXPECT_FALSE(ApplyOverride(&config, "storage.page_size", "").ok());
  EXPECT_FALSE(ApplyOverride(&config, "storage.page_size", "-4096").ok());
  EXPECT_FALSE(ApplyOverride(&config, "storage.page_size", "99999999999999999999999").ok());
  EXPECT_FALSE(ApplyOverride(&config, "storage.durability", "paranoid").ok());
  EXPECT_FALSE(ApplyOverride(&config, "data_dir", "").ok());
  ExpectSameSettings(config, Config());
}

TEST_F(ConfigTest, SyntaxErrorHasLineAndColumn) {
  std::string path = WriteToml("data_dir = \"x\"\n[storage]\npage_size = = 4\n");
  Result<Config> config = LoadConfig(path, {});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  std::string_view message = config.status().message();
  EXPECT_TRUE(Contains(message, path + ":3:")) << message;
  EXPECT_TRUE(Contains(message, "TOML syntax error")) << message;
}

TEST_F(ConfigTest, UnterminatedStringReportsPosition) {
  std::string path = WriteToml("\n\nlog = \"info\n");
  Result<Config> config = LoadConfig(path, {});
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(Contains(config.status().message(), path + ":3:")) << config.status().ToString();
}

TEST_F(ConfigTest, UnknownKeyIsNamedWithPosition) {
  Status status = LoadError("[storage]\npage_sise = 8192\n");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(status.message(), ":2:1: unknown key \"storage.page_sise\""))
      << status.ToString();
  EXPECT_TRUE(Contains(status.message(), "did you mean \"storage.page_size\""))
      << status.ToString();
}

TEST_F(ConfigTest, KeyInWrongSectionSuggestsRightOne) {
  Status status = LoadError("page_size = 8192\n");
  EXPECT_TRUE(Contains(status.message(), "unknown key \"page_size\"")) << status.ToString();
  EXPECT_TRUE(Contains(status.message(), "did you mean \"storage.page_size\""))
      << status.ToString();
}

TEST_F(ConfigTest, UnknownSectionRejected) {
  Status status = LoadError("[cache]\nsize = 1\n");
  EXPECT_TRUE(Contains(status.message(), "unknown key \"cache\"")) << status.ToString();
}

TEST_F(ConfigTest, NestedTableInSectionRejected) {
  Status status = LoadError("[storage.extra]\nx = 1\n");
  EXPECT_TRUE(Contains(status.message(), "unknown key \"storage.extra\"")) << status.ToString();
}

TEST_F(ConfigTest, SectionGivenAsValueRejected) {
  Status status = LoadError("storage = 5\n");
  EXPECT_TRUE(Contains(status.message(), "\"storage\" must be a table")) << status.ToString();
}

TEST_F(ConfigTest, WrongTypeNamesKey) {
  Status status = LoadError("[storage]\npage_size = \"8192\"\n");
  EXPECT_TRUE(Contains(status.message(), "storage.page_size: expected an integer, got a string"))
      << status.ToString();
  status = LoadError("data_dir = 7\n");
  EXPECT_TRUE(Contains(status.message(), "data_dir: expected a string, got an integer"))
      << status.ToString();
}

TEST_F(ConfigTest, OutOfRangePageSizeNamesRange) {
  Status status = LoadError("[storage]\npage_size = 1024\n");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(status.message(), ":2:13: storage.page_size: 1024 is out of range"))
      << status.ToString();
  EXPECT_TRUE(Contains(status.message(), "a power of two in [4096, 65536]")) << status.ToString();

  status = LoadError("[storage]\npage_size = 131072\n");
  EXPECT_TRUE(Contains(status.message(), "out of range")) << status.ToString();
  status = LoadError("[storage]\npage_size = 6144\n");
  EXPECT_TRUE(Contains(status.message(), "6144 is not a power of two")) << status.ToString();
  status = LoadError("[storage]\npage_size = -4096\n");
  EXPECT_TRUE(Contains(status.message(), "out of range")) << status.ToString();
}

TEST_F(ConfigTest, OtherRanges) {
  EXPECT_TRUE(Contains(LoadError("[storage]\nbuffer_pool_mib = 0\n").message(),
                       "storage.buffer_pool_mib"));
  EXPECT_TRUE(Contains(LoadError("[storage]\nwal_segment_mib = 2048\n").message(),
                       "storage.wal_segment_mib"));
  EXPECT_TRUE(Contains(LoadError("[storage]\ndurability = \"sometimes\"\n").message(),
                       "full, normal or off"));
  EXPECT_TRUE(Contains(LoadError("log = \"wal=loud\"\n").message(), "log: "));
  EXPECT_TRUE(Contains(LoadError("[server]\nlisten = \"localhost\"\n").message(),
                       "server.listen"));
  EXPECT_TRUE(Contains(LoadError("[query]\nmemory_mib = 0\n").message(), "query.memory_mib"));
}

TEST_F(ConfigTest, MissingFileIsNotFound) {
  Result<Config> config = LoadConfig(dir_ + "/absent.toml", {});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(config.status().message(), "absent.toml")) << config.status().ToString();
}

TEST_F(ConfigTest, ValidateSegmentAboveMaxWal) {
  Config config;
  ASSERT_TRUE(ApplyOverride(&config, "storage.wal_segment_mib", "128").ok());
  Status status = ValidateConfig(config);
  ASSERT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(status.message(), "storage.wal_segment_mib")) << status.ToString();
  EXPECT_TRUE(Contains(status.message(), "storage.max_wal_mib")) << status.ToString();
  // A later layer can fix it: validation runs after all layers.
  ASSERT_TRUE(ApplyOverride(&config, "storage.max_wal_mib", "256").ok());
  EXPECT_TRUE(ValidateConfig(config).ok());
}

TEST_F(ConfigTest, ValidateCatchesDirectlySetFields) {
  Config config;
  config.options.page_size = 5000;
  EXPECT_TRUE(Contains(ValidateConfig(config).message(), "storage.page_size"));
  config = Config();
  config.options.buffer_pool_mib = 0;
  EXPECT_TRUE(Contains(ValidateConfig(config).message(), "storage.buffer_pool_mib"));
  config = Config();
  config.options.durability = static_cast<Durability>(9);
  EXPECT_TRUE(Contains(ValidateConfig(config).message(), "storage.durability"));
  config = Config();
  config.log_spec = "=x";
  EXPECT_TRUE(Contains(ValidateConfig(config).message(), "log"));
}

TEST_F(ConfigTest, TlsFilesBothOrNeither) {
  Config config;
  EXPECT_TRUE(config.tls_cert_file.empty() && config.tls_key_file.empty());
  ASSERT_TRUE(ApplyOverride(&config, "server.tls_cert_file", "/etc/nqdb/cert.pem").ok());
  Status status = ValidateConfig(config);
  ASSERT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(status.message(), "server.tls_key_file")) << status.ToString();
  ASSERT_TRUE(ApplyOverride(&config, "server.tls_key_file", "/etc/nqdb/key.pem").ok());
  EXPECT_TRUE(ValidateConfig(config).ok());
  config.tls_cert_file.clear();
  EXPECT_FALSE(ValidateConfig(config).ok());
}

TEST_F(ConfigTest, ConnectionLimitsAndPhaseTimeouts) {
  Result<Config> config = LoadConfig(WriteToml("[server]\nheader_timeout_ms = 500\nbody_timeout_ms = 700\n"
                                               "read_timeout_ms = 900\nmax_connections_per_address = 4\n"),
                                     {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server.header_timeout_ms, 500u);
  EXPECT_EQ(config->server.body_timeout_ms, 700u);
  EXPECT_EQ(config->server.read_timeout_ms, 900u);
  EXPECT_EQ(config->server.max_connections_per_address, 4u);
  Config defaults;
  EXPECT_EQ(defaults.server.header_timeout_ms, 10000u);
  EXPECT_EQ(defaults.server.body_timeout_ms, 30000u);
  EXPECT_EQ(defaults.server.max_connections_per_address, 64u);
  EXPECT_FALSE(ApplyOverride(&defaults, "server.header_timeout_ms", "99").ok());
  EXPECT_FALSE(ApplyOverride(&defaults, "server.max_connections_per_address", "0").ok());
}

TEST_F(ConfigTest, ListenAddresses) {
  Config config;
  for (const char* good : {"127.0.0.1:8080", "localhost:0", "[::1]:5432", "0.0.0.0:65535"}) {
    EXPECT_TRUE(ApplyOverride(&config, "server.listen", good).ok()) << good;
  }
  for (const char* bad : {"localhost", ":8080", "::1:80", "host:", "host:65536", "host:8o"}) {
    EXPECT_FALSE(ApplyOverride(&config, "server.listen", bad).ok()) << bad;
  }
}

TEST_F(ConfigTest, DescribeDefaults) {
  std::string text = DescribeConfig(Config());
  EXPECT_TRUE(Contains(text, "data_dir = \"./nqdb-data\"\n")) << text;
  EXPECT_TRUE(Contains(text, "[storage]\npage_size = 4096\n")) << text;
  EXPECT_TRUE(Contains(text, "durability = \"full\"\n")) << text;
  EXPECT_TRUE(Contains(text, "[server]\nlisten = \"127.0.0.1:8080\"\n")) << text;
}

TEST_F(ConfigTest, DescribeRoundTrips) {
  Config config;
  config.data_dir = "/srv/db \"quoted\"\\back\tslash\x01 ünïcode";
  config.log_spec = "storage=debug, wal=trace,warn";
  config.listen = "[::1]:7000";
  config.options.page_size = 16384;
  config.options.buffer_pool_mib = 7;
  config.options.durability = Durability::kOff;
  config.options.wal_segment_mib = 2;
  config.options.max_wal_mib = 10;
  config.options.flush_interval_ms = 50;
  ASSERT_TRUE(ValidateConfig(config).ok());

  std::string text = DescribeConfig(config);
  Result<Config> loaded = LoadConfig(WriteToml(text), {});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString() << "\n" << text;
  ExpectSameSettings(*loaded, config);
  EXPECT_EQ(DescribeConfig(*loaded), text);
}

TEST_F(ConfigTest, CaptureEnvironmentTakesNqdbVariables) {
  ASSERT_EQ(::setenv("NQDB_TEST_CAPTURE", "a=b", 1), 0);
  EnvMap env = CaptureEnvironment();
  ::unsetenv("NQDB_TEST_CAPTURE");
  auto it = env.find("NQDB_TEST_CAPTURE");
  ASSERT_NE(it, env.end());
  EXPECT_EQ(it->second, "a=b");
  for (const auto& [name, value] : env) EXPECT_EQ(name.rfind("NQDB_", 0), 0u) << name;
}

}  // namespace
}  // namespace neuroquantum
