// Entry point of the `nqdb` command: parses the command line (CLI11) and
// dispatches to subcommands. Returns the process exit status.
#pragma once

namespace neuroquantum::shell {

int RunMain(int argc, char** argv);

}  // namespace neuroquantum::shell
