// Fuzz target: opening, checking and scanning a database whose page file
// and WAL were damaged in arbitrary ways must give errors, never crashes.
// The input is a list of (file selector, offset, byte) mutations applied to
// a small valid database built once in memory.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/fault_injection_env.h"
#include "common/log.h"
#include "storage/check.h"
#include "storage/engine.h"

namespace {

using namespace neuroquantum;
using namespace neuroquantum::storage;

struct Image {
  std::string db;
  std::string wal_segment;
  std::string segment_name;
  std::string control;
};

std::string ReadWhole(Env* env, const std::string& path) {
  auto file = env->OpenFile(path, OpenMode::kReadOnly);
  if (!file.ok()) {
    std::fprintf(stderr, "cannot read %s: %s\n", path.c_str(), file.status().ToString().c_str());
    std::abort();
  }
  uint64_t size = *(*file)->Size();
  std::string out(size, '\0');
  size_t got = 0;
  (void)(*file)->ReadAt(0, {reinterpret_cast<uint8_t*>(out.data()), size}, &got);
  return out;
}

Options FuzzOptions(Env* env) {
  Options o;
  o.env = env;
  o.buffer_pool_mib = 1;
  o.wal_segment_mib = 1;
  o.max_wal_mib = 4;
  o.flush_interval_ms = 0;
  return o;
}

const Image& BaseImage() {
  static Image image = [] {
    (void)ConfigureLogging("off");
    FaultInjectionEnv env;
    {
      auto engine = std::move(StorageEngine::Open("db", FuzzOptions(&env))).value();
      TreeId tree = *engine->CreateTree("t");
      auto txn = engine->Begin();
      for (int i = 0; i < 400; ++i) {
        std::string value(i % 50 == 0 ? 6000 : 40, static_cast<char>('a' + i % 26));
        (void)engine->Put(txn.get(), tree, "key" + std::to_string(i), value);
      }
      (void)engine->Commit(txn.get());
      env.SimulateCrash(CrashMode::kDropUnsynced, 0);  // leave WAL to replay
    }
    Image out;
    out.db = ReadWhole(&env, "db");
    out.control = ReadWhole(&env, "db-wal/control");
    auto names = std::move(env.ListDir("db-wal")).value();
    for (const auto& name : names) {
      if (name.size() == 20) {
        out.segment_name = name;
        out.wal_segment = ReadWhole(&env, "db-wal/" + name);
      }
    }
    return out;
  }();
  return image;
}

void WriteWhole(Env* env, const std::string& path, const std::string& bytes) {
  auto opened = env->OpenFile(path, OpenMode::kCreate);
  if (!opened.ok()) {
    std::fprintf(stderr, "cannot write %s: %s\n", path.c_str(), opened.status().ToString().c_str());
    std::abort();
  }
  auto file = std::move(opened).value();
  (void)file->WriteAt(0, {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  (void)file->Sync();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Image image = BaseImage();
  for (size_t i = 0; i + 4 <= size; i += 4) {
    std::string* target = data[i] % 3 == 0 ? &image.db : (data[i] % 3 == 1 ? &image.wal_segment : &image.control);
    if (target->empty()) continue;
    size_t offset = (static_cast<size_t>(data[i + 1]) << 16 | static_cast<size_t>(data[i + 2]) << 8 | data[i + 3]) * 7 % target->size();
    (*target)[offset] = static_cast<char>((*target)[offset] ^ (1 + data[i] / 3));
  }
  FaultInjectionEnv env;
  (void)env.CreateDir("db-wal");
  WriteWhole(&env, "db", image.db);
  WriteWhole(&env, "db-wal/control", image.control);
  WriteWhole(&env, "db-wal/" + image.segment_name, image.wal_segment);
  (void)env.SyncDir("db-wal");
  (void)env.SyncDir(".");
  auto engine = StorageEngine::Open("db", FuzzOptions(&env));
  if (!engine.ok()) return 0;
  CheckReport report;
  (void)CheckDatabase(engine->get(), &report);
  auto tree = (*engine)->FindTree("t");
  if (tree.ok()) {
    auto it = (*engine)->NewIterator(*tree);
    if (it.ok()) {
      for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) (void)(*it)->value();
    }
  }
  return 0;
}
