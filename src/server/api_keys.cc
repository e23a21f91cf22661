#include "server/api_keys.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <unordered_set>
#include <utility>

#include "server/crypto.h"
#include "server/file_util.h"

namespace neuroquantum::server {
namespace {

using nlohmann::json;

constexpr std::string_view kFormat = "nqdb-api-keys";
constexpr int64_t kVersion = 1;
constexpr size_t kKeyBytes = 32;
constexpr size_t kKeyTextChars = 43;  // 32 bytes in unpadded base64url
constexpr size_t kMaxNameBytes = 128;
constexpr size_t kIdRandomBytes = 8;
constexpr PermissionSet kAllPermissions = (1u << kPermissionCount) - 1;

constexpr std::array<std::string_view, kPermissionCount> kPermissionNames = {
    "read", "write", "admin", "dna", "quantum", "neural", "biometric"};


// Blocks until this process holds the writers' lock of the store at `path`;
// released when the returned descriptor closes.
Result<Fd> LockStore(const std::string& path) {
  const std::string lock_path = path + ".lock";
  Fd fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoStatus("open " + lock_path, errno);
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return ErrnoStatus("lock " + lock_path, errno);
  }
  return fd;
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool ValidId(std::string_view id) {
  return id.size() == 4 + 2 * kIdRandomBytes && id.substr(0, 4) == "key_" && IsLowerHex(id.substr(4));
}

// Reads a non-negative integer field that fits an int64_t.
bool GetTime(const json& obj, const char* field, int64_t* out) {
  auto it = obj.find(field);
  if (it == obj.end() || !it->is_number_integer()) return false;
  if (it->is_number_unsigned()) {
    uint64_t v = it->get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
    *out = static_cast<int64_t>(v);
  } else {
    *out = it->get<int64_t>();
  }
  return *out >= 0;
}

bool GetString(const json& obj, const char* field, std::string* out) {
  auto it = obj.find(field);
  if (it == obj.end() || !it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

struct ParsedEntry {
  ApiKeyInfo info;
  std::string digest;
};

// Every malformed store is Corruption naming the file: the store guards
// access, so a file this version misreads must stop the server, not be
// silently treated as empty.
Result<std::vector<ParsedEntry>> ParseStore(const std::string& text, const std::string& path) {
  auto bad = [&path](std::string_view why) {
    return Status::Corruption(path + ": not a valid API key store (" + std::string(why) + ")");
  };
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return bad("not a JSON object");
  std::string format;
  if (!GetString(doc, "format", &format) || format != kFormat) return bad("unknown format");
  auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer() || version->get<int64_t>() != kVersion) {
    return bad("unsupported version");
  }
  auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array()) return bad("\"keys\" is not an array");

  std::vector<ParsedEntry> out;
  std::unordered_set<std::string> ids, digests;
  for (const json& k : *keys) {
    if (!k.is_object()) return bad("a key is not an object");
    ParsedEntry e;
    ApiKeyInfo& info = e.info;
    if (!GetString(k, "id", &info.id) || !ValidId(info.id)) return bad("a key has an invalid id");
    const std::string where = "key " + info.id + ": ";
    if (!GetString(k, "name", &info.name)) return bad(where + "invalid name");
    if (!GetString(k, "digest", &e.digest) || e.digest.size() != 64 || !IsLowerHex(e.digest)) {
      return bad(where + "invalid digest");
    }
    auto perms = k.find("permissions");
    if (perms == k.end() || !perms->is_array()) return bad(where + "invalid permissions");
    std::vector<std::string> names;
    for (const json& p : *perms) {
      if (!p.is_string()) return bad(where + "invalid permissions");
      names.push_back(p.get<std::string>());
    }
    Result<PermissionSet> set = ParsePermissions(names);
    if (!set.ok()) return bad(where + std::string(set.status().message()));
    info.permissions = *set;
    if (!GetTime(k, "created_at", &info.created_at) || !GetTime(k, "expires_at", &info.expires_at) ||
        !GetTime(k, "revoked_at", &info.revoked_at)) {
      return bad(where + "invalid timestamps");
    }
    int64_t rate = 0;
    if (!GetTime(k, "rate_limit_per_hour", &rate) || rate > std::numeric_limits<uint32_t>::max()) {
      return bad(where + "invalid rate_limit_per_hour");
    }
    info.rate_limit_per_hour = static_cast<uint32_t>(rate);
    if (!ids.insert(info.id).second) return bad(where + "duplicate id");
    if (!digests.insert(e.digest).second) return bad(where + "duplicate digest");
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

std::string_view PermissionName(Permission p) {
  auto i = static_cast<size_t>(p);
  return i < kPermissionNames.size() ? kPermissionNames[i] : std::string_view("unknown");
}

std::optional<Permission> ParsePermission(std::string_view name) {
  for (size_t i = 0; i < kPermissionNames.size(); ++i) {
    if (kPermissionNames[i] == name) return static_cast<Permission>(i);
  }
  return std::nullopt;
}

std::vector<std::string> PermissionNames(PermissionSet set) {
  std::vector<std::string> out;
  for (int i = 0; i < kPermissionCount; ++i) {
    if (set & PermissionBit(static_cast<Permission>(i))) out.emplace_back(kPermissionNames[i]);
  }
  return out;
}

Result<PermissionSet> ParsePermissions(const std::vector<std::string>& names) {
  if (names.empty()) return Status::InvalidArgument("no permissions given");
  PermissionSet set = 0;
  for (const std::string& name : names) {
    std::optional<Permission> p = ParsePermission(name);
    if (!p) return Status::InvalidArgument("unknown permission \"" + name + "\"");
    set |= PermissionBit(*p);
  }
  return set;
}

bool Allows(PermissionSet granted, Permission needed) {
  if (granted & PermissionBit(Permission::kAdmin)) return true;
  if (needed == Permission::kRead && (granted & PermissionBit(Permission::kWrite))) return true;
  return (granted & PermissionBit(needed)) != 0;
}

ApiKeyStore::ApiKeyStore(std::string path) : path_(std::move(path)) {}

Result<std::unique_ptr<ApiKeyStore>> ApiKeyStore::Open(std::string path) {
  std::unique_ptr<ApiKeyStore> store(new ApiKeyStore(std::move(path)));
  {
    MutexLock lock(&store->mu_);
    const std::string& p = store->path_;
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) {
      if (errno != ENOENT) return ErrnoStatus("stat " + p, errno);
      // Another process (a second `nqdb key create`, the server) may be
      // creating the store at the same moment: decide under the lock.
      NQ_ASSIGN_OR_RETURN(Fd file_lock, LockStore(p));
      if (::stat(p.c_str(), &st) != 0) {
        if (errno != ENOENT) return ErrnoStatus("stat " + p, errno);
        NQ_RETURN_IF_ERROR(store->SaveLocked());
      }
    }
    NQ_RETURN_IF_ERROR(store->LoadLocked());
  }
  return store;
}

void ApiKeyStore::IndexLocked() {
  by_digest_.clear();
  for (size_t i = 0; i < entries_.size(); ++i) by_digest_.emplace(entries_[i].digest, i);
}

Status ApiKeyStore::LoadLocked() {
  Fd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus("open " + path_, errno);
  // The stamp comes from the descriptor that is read, so a rename between
  // a stat and the open cannot pair new content with an old stamp.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("fstat " + path_, errno);
  NQ_ASSIGN_OR_RETURN(std::string text, ReadAll(fd.get(), path_));
  std::vector<ParsedEntry> parsed;
  try {
    NQ_ASSIGN_OR_RETURN(parsed, ParseStore(text, path_));
  } catch (const std::exception& e) {
    return Status::Corruption(path_ + ": not a valid API key store (" + e.what() + ")");
  }
  entries_.clear();
  entries_.reserve(parsed.size());
  for (ParsedEntry& e : parsed) entries_.push_back(Entry{std::move(e.info), std::move(e.digest)});
  IndexLocked();
  stamp_ = FileStamp{static_cast<uint64_t>(st.st_ino), static_cast<uint64_t>(st.st_size),
                     static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
  return Status::OK();
}

Status ApiKeyStore::ReloadIfChangedLocked() {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) return ErrnoStatus("stat " + path_, errno);
  FileStamp now{static_cast<uint64_t>(st.st_ino), static_cast<uint64_t>(st.st_size),
                static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
  if (now == stamp_) return Status::OK();
  return LoadLocked();
}

Status ApiKeyStore::SaveLocked() {
  std::string text;
  try {
    json keys = json::array();
    for (const Entry& e : entries_) {
      const ApiKeyInfo& info = e.info;
      keys.push_back(json{{"id", info.id},
                          {"name", info.name},
                          {"digest", e.digest},
                          {"permissions", PermissionNames(info.permissions)},
                          {"created_at", info.created_at},
                          {"expires_at", info.expires_at},
                          {"revoked_at", info.revoked_at},
                          {"rate_limit_per_hour", info.rate_limit_per_hour}});
    }
    json doc = {{"format", kFormat}, {"version", kVersion}, {"keys", std::move(keys)}};
    text = doc.dump(2) + "\n";
  } catch (const std::exception& e) {
    return Status::Internal(std::string("serialising the API key store: ") + e.what());
  }
  NQ_RETURN_IF_ERROR(WriteFileAtomically(path_, text));
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    // Written and durable, but unknown stamp: the next read reloads.
    stamp_ = FileStamp{};
    return Status::OK();
  }
  stamp_ = FileStamp{static_cast<uint64_t>(st.st_ino), static_cast<uint64_t>(st.st_size),
                     static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
  return Status::OK();
}

Status ApiKeyStore::MutateLocked(const std::function<Status(std::vector<Entry>&)>& mutate) {
  NQ_ASSIGN_OR_RETURN(Fd file_lock, LockStore(path_));
  // Unconditionally: another process may have written since our last read.
  NQ_RETURN_IF_ERROR(LoadLocked());
  std::vector<Entry> before = entries_;
  Status s = mutate(entries_);
  if (s.ok()) {
    IndexLocked();
    s = SaveLocked();
  }
  if (!s.ok()) {
    entries_ = std::move(before);
    IndexLocked();
    // The file may or may not have been replaced; make the next read look.
    stamp_ = FileStamp{};
  }
  return s;
}

Result<NewApiKey> ApiKeyStore::Create(std::string_view name, PermissionSet permissions,
                                      int64_t expires_at, uint32_t rate_limit_per_hour, int64_t now) {
  if (name.empty()) return Status::InvalidArgument("API key name must not be empty");
  if (name.size() > kMaxNameBytes) {
    return Status::InvalidArgument("API key name longer than " + std::to_string(kMaxNameBytes) +
                                   " bytes");
  }
  // Names end up in terminal listings and logs.
  if (std::any_of(name.begin(), name.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return Status::InvalidArgument("API key name contains control characters");
  }
  try {
    (void)json(std::string(name)).dump();
  } catch (const std::exception&) {
    return Status::InvalidArgument("API key name is not valid UTF-8");
  }
  if (permissions == 0) return Status::InvalidArgument("an API key needs at least one permission");
  if ((permissions & ~kAllPermissions) != 0) return Status::InvalidArgument("unknown permission bits");
  if (now < 0) return Status::InvalidArgument("negative creation time");
  if (expires_at < 0) return Status::InvalidArgument("negative expiry time");
  if (expires_at != 0 && expires_at <= now) {
    return Status::InvalidArgument("API key expiry must be in the future");
  }

  NQ_ASSIGN_OR_RETURN(std::string secret, RandomBytes(kKeyBytes));
  NQ_ASSIGN_OR_RETURN(std::string id_bytes, RandomBytes(kIdRandomBytes));
  NewApiKey out;
  out.key = std::string(kApiKeyPrefix) + Base64UrlEncode(secret);
  out.info.id = "key_" + HexEncode(id_bytes);
  out.info.name = std::string(name);
  out.info.permissions = permissions;
  out.info.created_at = now;
  out.info.expires_at = expires_at;
  out.info.rate_limit_per_hour = rate_limit_per_hour;
  std::string digest = HexEncode(Sha256(out.key));
  if (digest.size() != 64) return Status::Internal("SHA-256 failed");

  MutexLock lock(&mu_);
  Status s = MutateLocked([&](std::vector<Entry>& entries) -> Status {
    for (const Entry& e : entries) {
      // 64 random bits (ids) and 256 (keys): a collision means a broken
      // generator, not bad luck.
      if (e.info.id == out.info.id || e.digest == digest) {
        return Status::Internal("API key collision; the random generator is not random");
      }
    }
    entries.push_back(Entry{out.info, digest});
    return Status::OK();
  });
  if (!s.ok()) return s;
  return out;
}

Result<ApiKeyInfo> ApiKeyStore::Authenticate(std::string_view key, int64_t now) {
  // The shape is checked before anything else so that junk never reaches
  // the store (or the logs, through an error that quotes it).
  if (key.size() != kApiKeyPrefix.size() + kKeyTextChars ||
      key.substr(0, kApiKeyPrefix.size()) != kApiKeyPrefix) {
    return Status::InvalidArgument("malformed API key");
  }
  std::optional<std::string> raw = Base64UrlDecode(key.substr(kApiKeyPrefix.size()));
  if (!raw || raw->size() != kKeyBytes) return Status::InvalidArgument("malformed API key");
  const std::string digest = HexEncode(Sha256(key));

  MutexLock lock(&mu_);
  NQ_RETURN_IF_ERROR(ReloadIfChangedLocked());
  auto it = by_digest_.find(digest);
  if (it == by_digest_.end()) return Status::InvalidArgument("unknown API key");
  const ApiKeyInfo& info = entries_[it->second].info;
  if (info.revoked_at != 0) return Status::InvalidArgument("API key revoked");
  if (info.expires_at != 0 && now >= info.expires_at) return Status::InvalidArgument("API key expired");
  return info;
}

Result<ApiKeyInfo> ApiKeyStore::Find(std::string_view id) {
  MutexLock lock(&mu_);
  NQ_RETURN_IF_ERROR(ReloadIfChangedLocked());
  for (const Entry& e : entries_) {
    if (e.info.id == id) return e.info;
  }
  return Status::NotFound("no API key with id \"" + std::string(id) + "\"");
}

Status ApiKeyStore::Revoke(std::string_view id, int64_t now) {
  // 0 means "not revoked" in the record.
  if (now <= 0) return Status::InvalidArgument("revocation time must be positive");
  MutexLock lock(&mu_);
  return MutateLocked([&](std::vector<Entry>& entries) -> Status {
    for (Entry& e : entries) {
      if (e.info.id != id) continue;
      if (e.info.revoked_at == 0) e.info.revoked_at = now;
      return Status::OK();
    }
    return Status::NotFound("no API key with id \"" + std::string(id) + "\"");
  });
}

Result<std::vector<ApiKeyInfo>> ApiKeyStore::List() {
  MutexLock lock(&mu_);
  NQ_RETURN_IF_ERROR(ReloadIfChangedLocked());
  std::vector<ApiKeyInfo> out;
  out.reserve(entries_.size());
  for (const Entry& e : entries_) out.push_back(e.info);
  std::stable_sort(out.begin(), out.end(),
                   [](const ApiKeyInfo& a, const ApiKeyInfo& b) { return a.created_at < b.created_at; });
  return out;
}

}  // namespace neuroquantum::server
