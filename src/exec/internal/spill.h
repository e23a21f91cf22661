// Spilling shared by the operators (operators.cc, joins.cc, row_spool.h):
// spill files in the statement's spill directory, rows read back from
// them, and partitions of rows set aside by a hash of their key.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exec/plan.h"
#include "exec/row_codec.h"
#include "storage/spill_file.h"

namespace neuroquantum::exec {

// A new spill file where the statement spills. REQUIRES: ctx.spill.
inline Result<std::unique_ptr<storage::SpillFile>> NewSpillFile(const ExecContext& ctx) {
  return storage::SpillFile::Create(ctx.spill->dir, ctx.spill->page_size, ctx.spill->transform);
}

// Appends `row` to `file` (EncodeTaggedRow); `scratch` is reused between
// calls.
inline Status AppendRow(storage::SpillFile* file, const Row& row, std::string* scratch) {
  scratch->clear();
  EncodeTaggedRow(row, scratch);
  return file->Append(*scratch);
}

// Reads the rows (EncodeTaggedRow) of a finished spill file in order; a
// null file has none. With `width`, a row of another width is Corruption.
class SpilledRows {
 public:
  explicit SpilledRows(storage::SpillFile* file, std::optional<size_t> width = std::nullopt)
      : file_(file), width_(width) {}
  Result<bool> operator()(Row* row) {
    if (file_ == nullptr) return false;
    NQ_ASSIGN_OR_RETURN(bool more, file_->Next(&bytes_));
    if (!more) return false;
    NQ_RETURN_IF_ERROR(DecodeTaggedRow(bytes_, row));
    if (width_ && row->size() != *width_) return Status::Corruption("spilled row has the wrong width");
    return true;
  }

 private:
  storage::SpillFile* file_;
  std::optional<size_t> width_;
  std::string bytes_;
};

// Partitioned spilling, for hash operators whose table fills the memory
// budget (hash aggregate, DISTINCT, a hash join's build side): rows are
// set aside in kSpillPartitions spill files by a hash of their key, so
// equal keys meet in one partition, and each partition is processed later
// on its own as a fresh input. A partition still too large splits again
// by the next level's hash, up to kMaxSpillLevel.
constexpr size_t kSpillPartitions = 8;
constexpr int kMaxSpillLevel = 6;

inline size_t PartitionOf(const Row& key, int level) {
  uint64_t h = RowHash()(key) ^ (static_cast<uint64_t>(level + 1) * 0x9E3779B97F4A7C15ULL);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return static_cast<size_t>(h % kSpillPartitions);
}

// The spill files of one pass, created when the pass first sets rows
// aside.
class SpillPartitions {
 public:
  bool active() const { return !files_.empty(); }
  Status Add(ExecContext* ctx, const Row& key, int level, const Row& record) {
    if (files_.empty()) {
      for (size_t i = 0; i < kSpillPartitions; ++i) {
        NQ_ASSIGN_OR_RETURN(auto file, NewSpillFile(*ctx));
        files_.push_back(std::move(file));
      }
      used_.assign(kSpillPartitions, false);
    }
    const size_t p = PartitionOf(key, level);
    used_[p] = true;
    return AppendRow(files_[p].get(), record, &bytes_);
  }
  // Finishes the files and moves those holding rows onto `pending` (to be
  // taken from the back: the first partition last), each for `level`.
  // Adds the bytes written to *written.
  Status MoveTo(std::vector<std::pair<std::unique_ptr<storage::SpillFile>, int>>* pending, int level,
                uint64_t* written) {
    NQ_ASSIGN_OR_RETURN(auto files, Take(written));
    for (size_t i = files.size(); i-- > 0;) {
      if (files[i]) pending->emplace_back(std::move(files[i]), level);
    }
    return Status::OK();
  }
  // The finished files by partition, null for those that got no rows (all
  // null when nothing was set aside). Adds the bytes written to *written.
  Result<std::vector<std::unique_ptr<storage::SpillFile>>> Take(uint64_t* written) {
    std::vector<std::unique_ptr<storage::SpillFile>> out(kSpillPartitions);
    for (size_t i = 0; i < files_.size(); ++i) {
      if (!used_[i]) continue;
      NQ_RETURN_IF_ERROR(files_[i]->Finish());
      *written += files_[i]->bytes_written();
      out[i] = std::move(files_[i]);
    }
    files_.clear();
    return out;
  }

 private:
  std::vector<std::unique_ptr<storage::SpillFile>> files_;
  std::vector<bool> used_;
  std::string bytes_;
};

// A hash table over the memory budget: with somewhere to spill and below
// the deepest level, the caller sets rows aside instead; else the budget's
// error (53200).
inline Status OverBudget(const ExecContext& ctx, Status charged, int level) {
  if (ctx.spill == nullptr || level >= kMaxSpillLevel) return charged;
  return Status::OK();
}

}  // namespace neuroquantum::exec
