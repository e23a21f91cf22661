// API keys: what a client presents to the server (`X-API-Key: nqdb_...`).
//
// A key is 32 random bytes, base64url-encoded after the "nqdb_" prefix. Keys
// are high-entropy, so the store keeps only their SHA-256 digest and finds a
// presented key by its digest in O(1) (a slow password hash such as Argon2id
// is for secrets people choose). The key text is returned once, by Create.
//
// The store is a JSON file (mode 0600) in the data directory, shared by the
// server and the `nqdb key` commands: writers take an exclusive flock on
// "<path>.lock", write a temporary file, fsync it and rename it over the
// store; every read first checks whether the file changed (inode, size,
// modification time) and reloads it if so. A key revoked by any process is
// therefore refused by the next request everywhere.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"
#include "neuroquantum/result.h"

namespace neuroquantum::server {

enum class Permission : uint8_t {
  kRead = 0, kWrite = 1, kAdmin = 2,
  // Feature scopes for the DNA, quantum, neural and biometric endpoints.
  kDna = 3, kQuantum = 4, kNeural = 5, kBiometric = 6,
};
inline constexpr int kPermissionCount = 7;

// A set of permissions, bit i for Permission i.
using PermissionSet = uint32_t;
constexpr PermissionSet PermissionBit(Permission p) { return 1u << static_cast<unsigned>(p); }

// "read", "write", "admin", "dna", "quantum", "neural", "biometric".
std::string_view PermissionName(Permission p);
std::optional<Permission> ParsePermission(std::string_view name);
// Names of the permissions in `set`, in enum order.
std::vector<std::string> PermissionNames(PermissionSet set);
// Parses names; InvalidArgument naming the first unknown one, or an empty list.
Result<PermissionSet> ParsePermissions(const std::vector<std::string>& names);
// Whether `granted` allows `needed`: admin allows everything, write allows read.
bool Allows(PermissionSet granted, Permission needed);

inline constexpr std::string_view kApiKeyPrefix = "nqdb_";

struct ApiKeyInfo {
  std::string id;  // public identifier, "key_" + 16 hex digits; safe to log and list
  std::string name;
  PermissionSet permissions = 0;
  int64_t created_at = 0;            // Unix seconds
  int64_t expires_at = 0;            // Unix seconds; 0 = never
  int64_t revoked_at = 0;            // Unix seconds; 0 = not revoked
  uint32_t rate_limit_per_hour = 0;  // 0 = the server's default
  bool active(int64_t now) const { return revoked_at == 0 && (expires_at == 0 || now < expires_at); }
};

// A freshly created key: its text (shown once, never stored) and record.
struct NewApiKey {
  std::string key;
  ApiKeyInfo info;
};

class ApiKeyStore {
 public:
  // Opens the store at `path`, creating an empty one (mode 0600) if the file
  // does not exist; its directory must exist. Corruption if the file is not
  // a store this version understands.
  static Result<std::unique_ptr<ApiKeyStore>> Open(std::string path);

  // Creates and persists a key; `name` non-empty, `permissions` non-empty.
  Result<NewApiKey> Create(std::string_view name, PermissionSet permissions, int64_t expires_at,
                           uint32_t rate_limit_per_hour, int64_t now);
  // The active key whose text is `key`. Errors (all InvalidArgument, the
  // message says which): "malformed API key", "unknown API key", "API key
  // revoked", "API key expired".
  Result<ApiKeyInfo> Authenticate(std::string_view key, int64_t now);
  // The key with public id `id`, active or not; NotFound if there is none.
  Result<ApiKeyInfo> Find(std::string_view id);
  // Revokes a key (idempotent: revoking again keeps the first time);
  // NotFound if there is none.
  Status Revoke(std::string_view id, int64_t now);
  // Every key, by creation time.
  Result<std::vector<ApiKeyInfo>> List();

 private:
  explicit ApiKeyStore(std::string path);
  struct FileStamp {
    uint64_t inode = 0, size = 0;
    int64_t mtime_ns = 0;
    bool operator==(const FileStamp&) const = default;
  };
  struct Entry {
    ApiKeyInfo info;
    std::string digest;  // hex SHA-256 of the key text
  };
  Status ReloadIfChangedLocked() REQUIRES(mu_);
  Status LoadLocked() REQUIRES(mu_);
  Status SaveLocked() REQUIRES(mu_);
  // Runs `mutate` on a freshly loaded copy under the file lock, then saves;
  // on any failure the in-memory copy is left as it was before. The entries
  // are passed in because the analysis cannot see that a lambda runs with
  // mu_ held.
  Status MutateLocked(const std::function<Status(std::vector<Entry>&)>& mutate) REQUIRES(mu_);
  void IndexLocked() REQUIRES(mu_);

  const std::string path_;
  Mutex mu_;
  FileStamp stamp_ GUARDED_BY(mu_);
  std::vector<Entry> entries_ GUARDED_BY(mu_);
  std::unordered_map<std::string, size_t> by_digest_ GUARDED_BY(mu_);  // into entries_
};

}  // namespace neuroquantum::server
