// `nqdb neural train|predict` and `nqdb trace replay`: the neuromorphic
// library (src/neuro) from the command line.
#pragma once

namespace CLI {
class App;
}

namespace neuroquantum::shell {

// Adds the `neural` and `trace` subcommands to `app`; their callbacks store
// the exit status in *rc. REQUIRES: app and rc outlive parsing.
void AddNeuroCommands(CLI::App* app, int* rc);

}  // namespace neuroquantum::shell
