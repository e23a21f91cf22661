// `nqdb slt FILE...`: runs sqllogictest scripts against NeuroQuantumDB
// (docs/reference/shell.md).
#pragma once

namespace CLI {
class App;
}

namespace neuroquantum::shell {

// Registers the `slt` subcommand; its exit status goes to *rc.
void AddSltCommand(CLI::App* app, int* rc);

}  // namespace neuroquantum::shell
