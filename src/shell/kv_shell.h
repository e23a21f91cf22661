// The interactive storage shell behind `nqdb shell` until the SQL layer
// exists: commands on named B+ trees of an open database. Line editing and
// history come from libedit when standard input is a terminal.
//
// Thread safety: runs on the calling thread only.
#pragma once

#include <iosfwd>
#include <string>

#include "storage/engine.h"

namespace neuroquantum::shell {

// Executes one command line against `engine`, writing results to `out`.
// Returns false when the line asks to quit. Errors are printed, not thrown.
bool ExecuteShellLine(storage::StorageEngine* engine, const std::string& line, std::ostream& out);

// Reads commands from stdin until EOF or `.quit`. Returns the exit status.
int RunShell(storage::StorageEngine* engine);

}  // namespace neuroquantum::shell
