// Storage shell commands.
#include "shell/kv_shell.h"

#include <cstdio>
#include <iostream>
#include <sstream>
#include <unistd.h>
#include <vector>

#include <editline/readline.h>

#include "fmt/format.h"
#include "storage/check.h"

namespace neuroquantum::shell {
namespace {

constexpr const char* kHelp =
    "Commands (storage shell; SQL arrives with the query layer):\n"
    "  .trees                      list trees\n"
    "  .create TREE                create a tree\n"
    "  put TREE KEY VALUE...       insert or replace (autocommit)\n"
    "  get TREE KEY                print a value\n"
    "  del TREE KEY                delete a key\n"
    "  scan TREE [FROM] [LIMIT]    list keys in order (default limit 20)\n"
    "  .stats                      buffer pool, WAL and file statistics\n"
    "  .check                      run the integrity checker\n"
    "  .checkpoint                 flush and checkpoint\n"
    "  .vacuum                     compact trees and shrink the file\n"
    "  .help  .quit\n";

std::vector<std::string> Split(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

void PrintStats(storage::StorageEngine* engine, std::ostream& out) {
  auto s = engine->stats();
  out << fmt::format(
      "pages: {} ({} free), page size {}\n"
      "buffer pool: {} frames, {} hits, {} misses, hit rate {:.3f}, {} evictions, {} writes\n"
      "wal: {} records, {} bytes, {} syncs, {} group-commit waits\n"
      "transactions: {} commits, {} rollbacks; {} checkpoints\n",
      s.page_count, s.free_pages, engine->page_size(), s.buffer_pool.capacity_frames,
      s.buffer_pool.hits, s.buffer_pool.misses, s.buffer_pool.hit_rate(), s.buffer_pool.evictions,
      s.buffer_pool.page_writes, s.wal.records, s.wal.bytes, s.wal.syncs,
      s.wal.group_commit_waits, s.commits, s.rollbacks, s.checkpoints);
}

Status Scan(storage::StorageEngine* engine, const std::vector<std::string>& w, std::ostream& out) {
  NQ_ASSIGN_OR_RETURN(auto tree, engine->FindTree(w[1]));
  NQ_ASSIGN_OR_RETURN(auto it, engine->NewIterator(tree));
  size_t limit = w.size() > 3 ? std::stoul(w[3]) : 20;
  size_t n = 0;
  for (it->Seek(w.size() > 2 ? w[2] : ""); it->Valid() && n < limit; it->Next(), ++n) {
    NQ_ASSIGN_OR_RETURN(std::string value, it->value());
    out << it->key() << " = " << value << "\n";
  }
  return it->status();
}

Status Autocommit(storage::StorageEngine* engine, const std::vector<std::string>& w, bool put) {
  NQ_ASSIGN_OR_RETURN(auto tree, engine->FindTree(w[1]));
  auto txn = engine->Begin();
  std::string value;
  for (size_t i = 3; i < w.size(); ++i) value += (i > 3 ? " " : "") + w[i];
  Status s = put ? engine->Put(txn.get(), tree, w[2], value) : engine->Delete(txn.get(), tree, w[2]);
  if (!s.ok()) {
    (void)engine->Rollback(txn.get());
    return s;
  }
  return engine->Commit(txn.get());
}

Status Execute(storage::StorageEngine* engine, const std::vector<std::string>& w,
               std::ostream& out) {
  const std::string& cmd = w[0];
  if (cmd == ".help") {
    out << kHelp;
  } else if (cmd == ".trees") {
    for (const auto& name : engine->ListTrees()) out << name << "\n";
  } else if (cmd == ".create" && w.size() == 2) {
    NQ_ASSIGN_OR_RETURN(auto id, engine->CreateTree(w[1]));
    out << "created tree " << w[1] << " (id " << id << ")\n";
  } else if (cmd == "put" && w.size() >= 4) {
    return Autocommit(engine, w, true);
  } else if (cmd == "del" && w.size() == 3) {
    return Autocommit(engine, w, false);
  } else if (cmd == "get" && w.size() == 3) {
    NQ_ASSIGN_OR_RETURN(auto tree, engine->FindTree(w[1]));
    NQ_ASSIGN_OR_RETURN(auto value, engine->Get(tree, w[2]));
    out << (value ? *value : "(not found)") << "\n";
  } else if (cmd == "scan" && w.size() >= 2 && w.size() <= 4) {
    return Scan(engine, w, out);
  } else if (cmd == ".stats") {
    PrintStats(engine, out);
  } else if (cmd == ".checkpoint") {
    return engine->Checkpoint();
  } else if (cmd == ".vacuum") {
    NQ_ASSIGN_OR_RETURN(auto stats, engine->Vacuum());
    out << "vacuum: " << stats.pages_before << " -> " << stats.pages_after << " pages ("
        << stats.pages_moved << " moved)\n";
  } else if (cmd == ".check") {
    storage::CheckReport report;
    NQ_RETURN_IF_ERROR(storage::CheckDatabase(engine, &report));
    for (const auto& p : report.problems) out << p << "\n";
    out << (report.ok() ? "ok" : "PROBLEMS FOUND") << ": " << report.page_count << " pages, "
        << report.entries << " entries\n";
  } else {
    return Status::InvalidArgument("unknown command or wrong arguments: " + cmd + " (try .help)");
  }
  return Status::OK();
}

}  // namespace

bool ExecuteShellLine(storage::StorageEngine* engine, const std::string& line, std::ostream& out) {
  std::vector<std::string> words = Split(line);
  if (words.empty()) return true;
  if (words[0] == ".quit" || words[0] == ".exit") return false;
  Status s;
  try {
    s = Execute(engine, words, out);
  } catch (const std::exception& e) {  // std::stoul on a bad LIMIT
    s = Status::InvalidArgument(std::string("bad argument: ") + e.what());
  }
  if (!s.ok()) out << "error: " << s.ToString() << "\n";
  return true;
}

int RunShell(storage::StorageEngine* engine) {
  bool tty = ::isatty(STDIN_FILENO) != 0;
  if (tty) std::cout << "NeuroQuantumDB storage shell. Type .help for commands.\n";
  while (true) {
    std::string line;
    if (tty) {
      char* raw = ::readline("nqdb> ");
      if (raw == nullptr) break;
      line = raw;
      if (!line.empty()) ::add_history(raw);
      std::free(raw);
    } else if (!std::getline(std::cin, line)) {
      break;
    }
    if (!ExecuteShellLine(engine, line, std::cout)) break;
  }
  return 0;
}

}  // namespace neuroquantum::shell
