#include "shell/server_commands.h"

#include <cmath>
#include <ctime>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "server/api_keys.h"
#include "server/jwt.h"
#include "server/server.h"

namespace neuroquantum::shell {

namespace {

using server::ApiKeyStore;
using server::DataDirLayout;

int Fail(const Status& s) {
  std::cerr << "nqdb: " << s.ToString() << "\n";
  return 1;
}

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

std::string FormatTime(int64_t t) {
  if (t == 0) return "-";
  std::time_t tt = t;
  std::tm utc{};
  gmtime_r(&tt, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

Result<std::unique_ptr<ApiKeyStore>> OpenKeys(const Config& config) {
  if (!server::IsInitialized(config)) {
    return Status::NotFound(fmt::format("data directory {} is not initialised: run `nqdb init --data-dir {}` first",
                                        config.data_dir, config.data_dir));
  }
  return ApiKeyStore::Open(DataDirLayout::For(config).api_keys);
}

struct KeyFlags {
  std::string name;
  std::vector<std::string> permissions;
  double expiry_hours = 0;
  uint32_t rate_limit = 0;
  std::string id;
};

int CmdKeyCreate(const Config& config, const KeyFlags& flags) {
  auto keys = OpenKeys(config);
  if (!keys.ok()) return Fail(keys.status());
  auto set = server::ParsePermissions(flags.permissions);
  if (!set.ok()) return Fail(set.status());
  if (flags.expiry_hours < 0) return Fail(Status::InvalidArgument("--expiry-hours must not be negative"));
  int64_t now = Now();
  int64_t expires = flags.expiry_hours > 0 ? now + static_cast<int64_t>(std::ceil(flags.expiry_hours * 3600)) : 0;
  auto created = (*keys)->Create(flags.name, *set, expires, flags.rate_limit, now);
  if (!created.ok()) return Fail(created.status());
  std::cout << fmt::format("created key {} (\"{}\", {}); store it now, it is not shown again:\n{}\n",
                           created->info.id, created->info.name,
                           fmt::join(server::PermissionNames(created->info.permissions), ","), created->key);
  return 0;
}

int CmdKeyList(const Config& config) {
  auto keys = OpenKeys(config);
  if (!keys.ok()) return Fail(keys.status());
  auto list = (*keys)->List();
  if (!list.ok()) return Fail(list.status());
  std::cout << fmt::format("{:<21} {:<20} {:<24} {:<20} {:<20} {}\n", "id", "name", "permissions", "created",
                           "expires", "state");
  int64_t now = Now();
  for (const auto& k : *list) {
    std::string state = k.revoked_at != 0 ? "revoked " + FormatTime(k.revoked_at) : k.active(now) ? "active" : "expired";
    std::cout << fmt::format("{:<21} {:<20} {:<24} {:<20} {:<20} {}\n", k.id, k.name,
                             fmt::format("{}", fmt::join(server::PermissionNames(k.permissions), ",")),
                             FormatTime(k.created_at), FormatTime(k.expires_at), state);
  }
  return 0;
}

int CmdKeyRevoke(const Config& config, const std::string& id) {
  auto keys = OpenKeys(config);
  if (!keys.ok()) return Fail(keys.status());
  Status s = (*keys)->Revoke(id, Now());
  if (!s.ok()) return Fail(s);
  std::cout << "revoked " << id << "; requests with it, and with tokens made from it, are refused\n";
  return 0;
}

}  // namespace

int InitDataDir(const Config& config) {
  auto result = server::InitializeDataDir(config);
  if (!result.ok()) return Fail(result.status());
  if (result->created_database) {
    std::cout << fmt::format("initialised database in {} (page size {})\n", config.data_dir, result->page_size);
  } else {
    std::cout << fmt::format("database in {} exists; added API keys and a JWT secret\n", config.data_dir);
  }
  if (!result->admin_key.empty()) {
    std::cout << fmt::format(
        "admin API key {} (shown only now; store it safely, only its digest is kept):\n{}\n",
        result->admin_key_id, result->admin_key);
  }
  return 0;
}

void AddServerCommands(CLI::App* app, const CommonFlagAdder& add_common, const ConfigResolver& resolve, int* rc) {
  auto with_config = [resolve, rc](auto&& fn) {
    return [resolve, rc, fn] {
      auto config = resolve();
      if (!config.ok()) {
        *rc = Fail(config.status());
        return;
      }
      *rc = fn(*config);
    };
  };

  auto* serve = app->add_subcommand("serve", "Run the HTTP server on an initialised data directory");
  add_common(serve);
  // Option storage lives as long as the callbacks that read it.
  struct Flags {
    std::string host;
    int port = -1;
    KeyFlags key;
    std::string output;
  };
  auto flags = std::make_shared<Flags>();
  serve->add_option("--host", flags->host, "bind address (server.listen's host; default 127.0.0.1)");
  serve->add_option("--port", flags->port, "port (server.listen's port; default 8080; 0 picks a free one)")
      ->check(CLI::Range(0, 65535));
  serve->callback(with_config([flags](Config config) {
    const std::string& host = flags->host;
    int port = flags->port;
    if (!host.empty() || port >= 0) {
      size_t colon = config.listen.rfind(':');
      std::string h = host.empty() ? config.listen.substr(0, colon) : host;
      if (!host.empty() && h.find(':') != std::string::npos && h.front() != '[') h = "[" + h + "]";
      std::string p = port >= 0 ? std::to_string(port) : config.listen.substr(colon + 1);
      config.listen = h + ":" + p;
    }
    return server::Serve(config);
  }));

  auto* key = app->add_subcommand("key", "Manage API keys (create, list, revoke)");
  key->require_subcommand(1);
  KeyFlags& key_flags = flags->key;
  auto* create = key->add_subcommand("create", "Create an API key and print it once");
  add_common(create);
  create->add_option("--name", key_flags.name, "a name for the key")->required();
  create->add_option("--permissions", key_flags.permissions,
                     "read, write, admin, dna, quantum, neural, biometric (comma-separated)")
      ->delimiter(',')
      ->required();
  create->add_option("--expiry-hours", key_flags.expiry_hours, "expires after this many hours (default never)");
  create->add_option("--rate-limit", key_flags.rate_limit, "requests per hour (default: the server's)");
  create->callback(with_config([flags](const Config& config) { return CmdKeyCreate(config, flags->key); }));
  auto* list = key->add_subcommand("list", "List API keys (never the keys themselves)");
  add_common(list);
  list->callback(with_config([](const Config& config) { return CmdKeyList(config); }));
  auto* revoke = key->add_subcommand("revoke", "Revoke an API key at once");
  add_common(revoke);
  revoke->add_option("id", key_flags.id, "the key's id (key_...)")->required();
  revoke->callback(with_config([flags](const Config& config) { return CmdKeyRevoke(config, flags->key.id); }));

  auto* secret = app->add_subcommand("generate-jwt-secret", "Write a fresh JWT signing secret (mode 0600)");
  add_common(secret);
  secret->add_option("--output", flags->output, "file to write (default: the data directory's auth/jwt.secret)");
  secret->callback(with_config([flags](const Config& config) {
    const std::string& output = flags->output;
    std::string path = output.empty() ? DataDirLayout::For(config).jwt_secret : output;
    Status s = server::WriteJwtSecret(path);
    if (!s.ok()) return Fail(s);
    std::cout << "wrote a new JWT secret to " << path
              << "; a server using it refuses tokens signed with the previous one after its restart\n";
    return 0;
  }));
}

}  // namespace neuroquantum::shell
