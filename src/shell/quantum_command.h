// `nqdb qubo solve` and `nqdb grover`: the quantum-inspired library
// (src/quantum) from the command line.
#pragma once

namespace CLI {
class App;
}

namespace neuroquantum::shell {

// Adds the `qubo` and `grover` subcommands to `app`; their callbacks store
// the exit status in *rc. REQUIRES: app and rc outlive parsing.
void AddQuantumCommands(CLI::App* app, int* rc);

}  // namespace neuroquantum::shell
