// Tests for the API key store on a real temporary directory: key creation
// and authentication, revocation and expiry, persistence, the reload that
// lets one process see another's changes, and refusal of corrupted files.
#include "server/api_keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "server/crypto.h"
#include "support/temp_dir.h"

namespace neuroquantum::server {
namespace {

constexpr int64_t kNow = 1'800'000'000;
constexpr PermissionSet kReadWrite = PermissionBit(Permission::kRead) | PermissionBit(Permission::kWrite);

class ApiKeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path();
    path_ = tmp_.Path("api_keys.json");
  }

  std::unique_ptr<ApiKeyStore> OpenStore() {
    Result<std::unique_ptr<ApiKeyStore>> store = ApiKeyStore::Open(path_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  NewApiKey CreateKey(ApiKeyStore* store, std::string_view name = "test",
                      PermissionSet permissions = kReadWrite, int64_t expires_at = 0,
                      int64_t now = kNow) {
    Result<NewApiKey> key = store->Create(name, permissions, expires_at, 0, now);
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    return key.ok() ? std::move(key).value() : NewApiKey{};
  }

  std::string ReadStoreFile() const {
    std::ifstream in(path_, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void WriteStoreFile(const std::string& text) const {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out << text;
  }
  unsigned Mode(const std::string& path) const {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 0777;
  }

  // Expects Open to refuse the current file as corrupt, naming it.
  void ExpectCorrupt(const std::string& text) {
    WriteStoreFile(text);
    Result<std::unique_ptr<ApiKeyStore>> store = ApiKeyStore::Open(path_);
    ASSERT_FALSE(store.ok()) << text;
    EXPECT_TRUE(store.status().IsCorruption()) << store.status().ToString();
    EXPECT_NE(store.status().message().find(path_), std::string_view::npos) << store.status().ToString();
  }

  static void ExpectRefused(const Result<ApiKeyInfo>& r, std::string_view message) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
    EXPECT_EQ(r.status().message(), message);
  }

  neuroquantum::testing::TempDir tmp_{"nq_api_keys_"};
  std::string dir_;
  std::string path_;
};

TEST_F(ApiKeyStoreTest, OpenCreatesEmptyStoreWithMode0600) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Mode(path_), 0600u);
  Result<std::vector<ApiKeyInfo>> keys = store->List();
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->empty());
  nlohmann::json doc = nlohmann::json::parse(ReadStoreFile(), nullptr, false);
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["format"], "nqdb-api-keys");
  EXPECT_EQ(doc["version"], 1);
  EXPECT_TRUE(doc["keys"].is_array());
  EXPECT_TRUE(doc["keys"].empty());
}

TEST_F(ApiKeyStoreTest, OpenFailsWithoutDirectory) {
  Result<std::unique_ptr<ApiKeyStore>> store = ApiKeyStore::Open(dir_ + "/missing/api_keys.json");
  EXPECT_FALSE(store.ok());
}

TEST_F(ApiKeyStoreTest, CreateThenAuthenticate) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  NewApiKey key = CreateKey(store.get(), "ci", kReadWrite, 0);
  ASSERT_EQ(key.key.substr(0, 5), "nqdb_");
  EXPECT_EQ(key.key.size(), 5u + 43u);
  std::optional<std::string> raw = Base64UrlDecode(key.key.substr(5));
  ASSERT_TRUE(raw.has_value());
  EXPECT_EQ(raw->size(), 32u);
  ASSERT_EQ(key.info.id.size(), 20u);
  EXPECT_EQ(key.info.id.substr(0, 4), "key_");
  EXPECT_TRUE(HexDecode(key.info.id.substr(4)).has_value());
  EXPECT_EQ(key.info.name, "ci");
  EXPECT_EQ(key.info.created_at, kNow);

  Result<ApiKeyInfo> info = store->Authenticate(key.key, kNow + 1);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->id, key.info.id);
  EXPECT_EQ(info->name, "ci");
  EXPECT_EQ(info->permissions, kReadWrite);
  EXPECT_TRUE(info->active(kNow + 1));

  // Only the digest is stored, never the key.
  std::string file = ReadStoreFile();
  EXPECT_EQ(file.find(key.key.substr(5)), std::string::npos);
  EXPECT_NE(file.find(HexEncode(Sha256(key.key))), std::string::npos);
  EXPECT_EQ(Mode(path_), 0600u);
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));

  // Two keys are different and each finds its own record.
  NewApiKey other = CreateKey(store.get(), "other", PermissionBit(Permission::kAdmin));
  EXPECT_NE(other.key, key.key);
  EXPECT_NE(other.info.id, key.info.id);
  Result<ApiKeyInfo> other_info = store->Authenticate(other.key, kNow);
  ASSERT_TRUE(other_info.ok());
  EXPECT_EQ(other_info->id, other.info.id);
  EXPECT_EQ(other_info->permissions, PermissionBit(Permission::kAdmin));
}

TEST_F(ApiKeyStoreTest, CreateValidatesArguments) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto expect_invalid = [&](std::string_view name, PermissionSet perms, int64_t expires_at) {
    Result<NewApiKey> r = store->Create(name, perms, expires_at, 0, kNow);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  };
  expect_invalid("", kReadWrite, 0);
  expect_invalid(std::string(129, 'n'), kReadWrite, 0);
  expect_invalid("name", 0, 0);
  expect_invalid("name", 1u << kPermissionCount, 0);
  expect_invalid("name", kReadWrite, kNow);      // already expired
  expect_invalid("name", kReadWrite, kNow - 1);
  expect_invalid("name", kReadWrite, -5);
  expect_invalid("bad\nname", kReadWrite, 0);
  expect_invalid("bad\x1b[31m", kReadWrite, 0);
  expect_invalid("bad\xff\xfe", kReadWrite, 0);   // not UTF-8
  Result<std::vector<ApiKeyInfo>> keys = store->List();
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->empty());

  EXPECT_TRUE(store->Create(std::string(128, 'n'), kReadWrite, 0, 0, kNow).ok());
  EXPECT_TRUE(store->Create("caf\xc3\xa9", kReadWrite, kNow + 1, 0, kNow).ok());
}

TEST_F(ApiKeyStoreTest, MalformedKeysAreRefusedFirst) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  NewApiKey key = CreateKey(store.get());
  const std::string body = key.key.substr(5);
  for (const std::string& bad :
       {std::string(), std::string("nqdb_"), std::string("nqdb"), "nqdc_" + body, "NQDB_" + body,
        "nqdb_" + body.substr(1), "nqdb_" + body + "A", key.key + "\n", " " + key.key,
        "nqdb_" + body.substr(0, 42) + "+", "nqdb_" + body.substr(0, 42) + "=",
        std::string("nqdb_") + std::string(43, '\0'), std::string(4096, 'x')}) {
    ExpectRefused(store->Authenticate(bad, kNow), "malformed API key");
  }
  // The last of 43 characters carries two spare bits that must be zero;
  // 'B' (000001) sets one.
  std::string last_bits = key.key;
  last_bits.back() = 'B';
  ExpectRefused(store->Authenticate(last_bits, kNow), "malformed API key");
}

TEST_F(ApiKeyStoreTest, UnknownKeyIsRefused) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  NewApiKey key = CreateKey(store.get());
  Result<std::string> random = RandomBytes(32);
  ASSERT_TRUE(random.ok());
  ExpectRefused(store->Authenticate("nqdb_" + Base64UrlEncode(*random), kNow), "unknown API key");
  // A one-character change of a real key.
  std::string changed = key.key;
  changed[10] = changed[10] == 'A' ? 'B' : 'A';
  ExpectRefused(store->Authenticate(changed, kNow), "unknown API key");
}

TEST_F(ApiKeyStoreTest, RevokeIsIdempotentAndRefusesTheKey) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  NewApiKey key = CreateKey(store.get());
  NewApiKey kept = CreateKey(store.get(), "kept");
  ASSERT_TRUE(store->Revoke(key.info.id, kNow + 10).ok());
  ExpectRefused(store->Authenticate(key.key, kNow + 11), "API key revoked");
  EXPECT_TRUE(store->Authenticate(kept.key, kNow + 11).ok());

  ASSERT_TRUE(store->Revoke(key.info.id, kNow + 20).ok());
  Result<ApiKeyInfo> found = store->Find(key.info.id);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->revoked_at, kNow + 10);  // the first revocation stands
  EXPECT_FALSE(found->active(kNow + 11));

  Status missing = store->Revoke("key_0000000000000000", kNow);
  EXPECT_TRUE(missing.IsNotFound()) << missing.ToString();
  EXPECT_EQ(store->Revoke(kept.info.id, 0).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(store->Authenticate(kept.key, kNow + 11).ok());
}

TEST_F(ApiKeyStoreTest, ExpiredKeyIsRefused) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  NewApiKey key = CreateKey(store.get(), "short", kReadWrite, kNow + 100);
  EXPECT_TRUE(store->Authenticate(key.key, kNow + 99).ok());
  ExpectRefused(store->Authenticate(key.key, kNow + 100), "API key expired");
  ExpectRefused(store->Authenticate(key.key, kNow + 1000), "API key expired");
  // Revocation is reported before expiry.
  ASSERT_TRUE(store->Revoke(key.info.id, kNow + 50).ok());
  ExpectRefused(store->Authenticate(key.key, kNow + 1000), "API key revoked");
}

TEST_F(ApiKeyStoreTest, FindAndList) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  NewApiKey c = CreateKey(store.get(), "c", kReadWrite, 0, 300);
  NewApiKey a = CreateKey(store.get(), "a", kReadWrite, 0, 100);
  NewApiKey b = CreateKey(store.get(), "b", kReadWrite, 0, 200);
  Result<std::vector<ApiKeyInfo>> keys = store->List();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 3u);
  EXPECT_EQ((*keys)[0].id, a.info.id);
  EXPECT_EQ((*keys)[1].id, b.info.id);
  EXPECT_EQ((*keys)[2].id, c.info.id);

  Result<ApiKeyInfo> found = store->Find(b.info.id);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->name, "b");
  EXPECT_TRUE(store->Find("key_ffffffffffffffff").status().IsNotFound());
  EXPECT_TRUE(store->Find("").status().IsNotFound());
}

TEST_F(ApiKeyStoreTest, PersistsAcrossReopen) {
  NewApiKey key, revoked;
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    PermissionSet perms = PermissionBit(Permission::kDna) | PermissionBit(Permission::kQuantum);
    Result<NewApiKey> r = store->Create("persist", perms, kNow + 500, 42, kNow);
    ASSERT_TRUE(r.ok());
    key = std::move(r).value();
    revoked = CreateKey(store.get(), "gone");
    ASSERT_TRUE(store->Revoke(revoked.info.id, kNow + 1).ok());
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  Result<ApiKeyInfo> info = store->Authenticate(key.key, kNow + 1);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->id, key.info.id);
  EXPECT_EQ(info->name, "persist");
  EXPECT_EQ(info->permissions, PermissionBit(Permission::kDna) | PermissionBit(Permission::kQuantum));
  EXPECT_EQ(info->created_at, kNow);
  EXPECT_EQ(info->expires_at, kNow + 500);
  EXPECT_EQ(info->rate_limit_per_hour, 42u);
  ExpectRefused(store->Authenticate(revoked.key, kNow + 2), "API key revoked");
  EXPECT_EQ(Mode(path_), 0600u);
}

TEST_F(ApiKeyStoreTest, SecondInstanceSeesChangesOfTheFirst) {
  auto first = OpenStore();
  auto second = OpenStore();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  NewApiKey key = CreateKey(first.get());
  ASSERT_TRUE(second->Authenticate(key.key, kNow).ok());
  ASSERT_TRUE(first->Revoke(key.info.id, kNow + 1).ok());
  ExpectRefused(second->Authenticate(key.key, kNow + 2), "API key revoked");

  // And the other way round, without losing the first instance's key.
  NewApiKey from_second = CreateKey(second.get(), "second");
  Result<std::vector<ApiKeyInfo>> keys = first->List();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 2u);
  EXPECT_TRUE(first->Authenticate(from_second.key, kNow).ok());
  Result<ApiKeyInfo> seen = first->Find(key.info.id);
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->revoked_at, kNow + 1);
}

TEST_F(ApiKeyStoreTest, ConcurrentWritersLoseNothing) {
  auto first = OpenStore();
  auto second = OpenStore();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  constexpr int kPerThread = 5;
  std::vector<std::thread> threads;
  std::vector<std::vector<NewApiKey>> created(4);
  for (int t = 0; t < 4; ++t) {
    ApiKeyStore* store = t % 2 == 0 ? first.get() : second.get();
    threads.emplace_back([store, t, &created] {
      for (int i = 0; i < kPerThread; ++i) {
        Result<NewApiKey> r = store->Create("t" + std::to_string(t), kReadWrite, 0, 0, kNow + i);
        if (r.ok()) created[t].push_back(std::move(r).value());
        Result<std::vector<ApiKeyInfo>> unused = store->List();
        (void)unused;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  Result<std::vector<ApiKeyInfo>> keys = first->List();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 4u * kPerThread);
  std::set<std::string> ids;
  for (const ApiKeyInfo& k : *keys) ids.insert(k.id);
  for (const auto& per_thread : created) {
    ASSERT_EQ(per_thread.size(), static_cast<size_t>(kPerThread));
    for (const NewApiKey& k : per_thread) {
      EXPECT_EQ(ids.count(k.info.id), 1u);
      EXPECT_TRUE(second->Authenticate(k.key, kNow).ok());
    }
  }
}

TEST_F(ApiKeyStoreTest, CorruptedFilesAreRefused) {
  ExpectCorrupt("");
  ExpectCorrupt("not json");
  ExpectCorrupt("[]");
  ExpectCorrupt(R"({"format":"nqdb-api-keys","version":1,"keys":[)");
  ExpectCorrupt(R"({"version":1,"keys":[]})");
  ExpectCorrupt(R"({"format":"other","version":1,"keys":[]})");
  ExpectCorrupt(R"({"format":"nqdb-api-keys","version":2,"keys":[]})");
  ExpectCorrupt(R"({"format":"nqdb-api-keys","version":"1","keys":[]})");
  ExpectCorrupt(R"({"format":"nqdb-api-keys","version":1,"keys":{}})");
  ExpectCorrupt(R"({"format":"nqdb-api-keys","version":1,"keys":[1]})");

  const std::string digest(64, 'a');
  auto one_key = [&](const std::string& id, const std::string& dig, const std::string& perms,
                     const std::string& created) {
    return R"({"format":"nqdb-api-keys","version":1,"keys":[{"id":")" + id + R"(","name":"n","digest":")" +
           dig + R"(","permissions":)" + perms + R"(,"created_at":)" + created +
           R"(,"expires_at":0,"revoked_at":0,"rate_limit_per_hour":0}]})";
  };
  // The well-formed version opens, so each refusal below is for its one change.
  WriteStoreFile(one_key("key_0123456789abcdef", digest, R"(["read"])", "1"));
  EXPECT_TRUE(ApiKeyStore::Open(path_).ok());
  ExpectCorrupt(one_key("key_0123", digest, R"(["read"])", "1"));
  ExpectCorrupt(one_key("key_0123456789abcdef", "abc", R"(["read"])", "1"));
  ExpectCorrupt(one_key("key_0123456789abcdef", std::string(64, 'A'), R"(["read"])", "1"));
  ExpectCorrupt(one_key("key_0123456789abcdef", digest, R"(["root"])", "1"));
  ExpectCorrupt(one_key("key_0123456789abcdef", digest, R"([])", "1"));
  ExpectCorrupt(one_key("key_0123456789abcdef", digest, R"("read")", "1"));
  ExpectCorrupt(one_key("key_0123456789abcdef", digest, R"(["read"])", "-1"));
  ExpectCorrupt(one_key("key_0123456789abcdef", digest, R"(["read"])", "1.5"));
  ExpectCorrupt(one_key("key_0123456789abcdef", digest, R"(["read"])", "\"1\""));
  ExpectCorrupt(one_key("key_0123456789abcdef", digest, R"(["read"])", "18446744073709551615"));

  // Two records with the same id.
  nlohmann::json doc = nlohmann::json::parse(one_key("key_0123456789abcdef", digest, R"(["read"])", "1"));
  nlohmann::json copy = doc["keys"][0];
  copy["digest"] = std::string(64, 'b');
  doc["keys"].push_back(copy);
  ExpectCorrupt(doc.dump());
}

TEST_F(ApiKeyStoreTest, CorruptionAfterOpenFailsClosed) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  NewApiKey key = CreateKey(store.get());
  WriteStoreFile("{ garbage that is longer than the store was before, so the size differs }");
  Result<ApiKeyInfo> r = store->Authenticate(key.key, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsCorruption()) << r.status().ToString();
  EXPECT_FALSE(store->List().ok());
  EXPECT_TRUE(store->Revoke(key.info.id, kNow).IsCorruption());
  EXPECT_FALSE(store->Create("x", kReadWrite, 0, 0, kNow).ok());
}

TEST_F(ApiKeyStoreTest, RemovedFileIsAnError) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  NewApiKey key = CreateKey(store.get());
  std::filesystem::remove(path_);
  EXPECT_FALSE(store->Authenticate(key.key, kNow).ok());
}

TEST(PermissionTest, NamesAndParsing) {
  for (int i = 0; i < kPermissionCount; ++i) {
    auto p = static_cast<Permission>(i);
    EXPECT_EQ(ParsePermission(PermissionName(p)), p);
  }
  EXPECT_EQ(PermissionName(Permission::kBiometric), "biometric");
  EXPECT_FALSE(ParsePermission("Read").has_value());
  EXPECT_FALSE(ParsePermission("").has_value());

  EXPECT_EQ(PermissionNames(PermissionBit(Permission::kAdmin) | PermissionBit(Permission::kRead)),
            (std::vector<std::string>{"read", "admin"}));
  EXPECT_TRUE(PermissionNames(0).empty());

  Result<PermissionSet> set = ParsePermissions({"write", "neural", "write"});
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(*set, PermissionBit(Permission::kWrite) | PermissionBit(Permission::kNeural));
  Result<PermissionSet> unknown = ParsePermissions({"read", "sudo"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("sudo"), std::string_view::npos);
  EXPECT_FALSE(ParsePermissions({}).ok());
}

TEST(PermissionTest, Allows) {
  const PermissionSet admin = PermissionBit(Permission::kAdmin);
  const PermissionSet write = PermissionBit(Permission::kWrite);
  const PermissionSet read = PermissionBit(Permission::kRead);
  for (int i = 0; i < kPermissionCount; ++i) EXPECT_TRUE(Allows(admin, static_cast<Permission>(i)));
  EXPECT_TRUE(Allows(write, Permission::kRead));
  EXPECT_TRUE(Allows(write, Permission::kWrite));
  EXPECT_FALSE(Allows(write, Permission::kAdmin));
  EXPECT_FALSE(Allows(write, Permission::kDna));
  EXPECT_TRUE(Allows(read, Permission::kRead));
  EXPECT_FALSE(Allows(read, Permission::kWrite));
  EXPECT_TRUE(Allows(PermissionBit(Permission::kDna), Permission::kDna));
  EXPECT_FALSE(Allows(PermissionBit(Permission::kDna), Permission::kRead));
  EXPECT_FALSE(Allows(0, Permission::kRead));
}

}  // namespace
}  // namespace neuroquantum::server
