// `nqdb serve`, `nqdb key create|list|revoke` and `nqdb generate-jwt-secret`.
#pragma once

#include <functional>

#include "common/config.h"
#include "neuroquantum/result.h"

namespace CLI {
class App;
}

namespace neuroquantum::shell {

// Resolves the configuration of a subcommand from its common flags.
using ConfigResolver = std::function<Result<Config>()>;
// Registers `add_common` flags on each subcommand it creates.
using CommonFlagAdder = std::function<void(CLI::App*)>;

void AddServerCommands(CLI::App* app, const CommonFlagAdder& add_common, const ConfigResolver& resolve, int* rc);

// Prints what InitializeDataDir did, the admin key above all.
int InitDataDir(const Config& config);

}  // namespace neuroquantum::shell
