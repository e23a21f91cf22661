// Options for opening a NeuroQuantumDB database. Every field has a documented
// default suited to a Raspberry Pi 4 (docs/reference/configuration.md).
//
// Thread safety: plain value type.
#pragma once

#include <cstdint>
#include <string>

namespace neuroquantum {
namespace storage {
class PageTransform;
}

class Env;

// When a commit is acknowledged relative to fsync of the WAL.
enum class Durability : uint8_t {
  // Commit returns after the WAL up to its commit record is fdatasync'ed.
  // Survives power loss. Default.
  kFull = 0,
  // Commit returns after the WAL is written to the OS; fsync happens at
  // checkpoints and WAL segment switches. Survives a process crash; a power
  // loss may lose the most recent commits (never corrupts).
  kNormal = 1,
  // No fsync at all. Survives a process crash (the OS keeps the data);
  // after a power loss the database may be lost or corrupt. For scratch data.
  kOff = 2,
};

struct Options {
  // Page size for a new database, in bytes: a power of two in [4096, 65536].
  // Ignored when opening an existing database (its header decides).
  uint32_t page_size = 4096;
  // Buffer pool capacity in MiB. The whole server aims at < 100 MB RSS.
  uint32_t buffer_pool_mib = 32;
  Durability durability = Durability::kFull;
  // Size of one WAL segment file, MiB.
  uint32_t wal_segment_mib = 4;
  // Bound on the WAL: whenever half of it has accumulated past the redo
  // point a checkpoint runs, after which older segments are recycled, so
  // recovery replays at most about max_wal_mib / 2. MiB.
  uint32_t max_wal_mib = 64;
  // Create the database when it does not exist.
  bool create_if_missing = true;
  // Fail when it already exists.
  bool error_if_exists = false;
  // Open read-only: no WAL writes, no checkpoints.
  bool read_only = false;
  // Background flusher period in milliseconds (0 disables the thread).
  uint32_t flush_interval_ms = 200;
  // The OS layer. Null means Env::Default(). Not owned; must outlive the db.
  Env* env = nullptr;
  // Transform applied to every data page written and read (encryption or
  // compression; see storage/page_transform.h). Null means none. Not
  // owned; must outlive the db, and a database must always be opened with
  // the transform it was written with. Not yet applied to the WAL.
  storage::PageTransform* page_transform = nullptr;
};

std::string_view DurabilityName(Durability d);

}  // namespace neuroquantum
