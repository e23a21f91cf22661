// `nqdb dna compress|decompress|stats`: the DNA compressor on files.
#pragma once

namespace CLI {
class App;
}

namespace neuroquantum::shell {

// Adds the `dna` subcommand group to `app`; a command's exit status is
// stored in *rc (0 success, 1 failure with a message on stderr).
void AddDnaCommands(CLI::App* app, int* rc);

}  // namespace neuroquantum::shell
