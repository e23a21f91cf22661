// CommitLog: write sets of recent commits and SERIALIZABLE validation.
#include "txn/commit_log.h"

#include <algorithm>

#include "common/coding.h"

namespace neuroquantum::txn {

namespace {

void PutBigEndian64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}

}  // namespace

std::string RowName(uint64_t tree, std::string_view key) {
  std::string row;
  row.reserve(8 + key.size());
  PutBigEndian64(&row, tree);
  row.append(key);
  return row;
}

std::string TxnLockName(TxnId id) {
  std::string name;
  PutBigEndian64(&name, 0);
  PutBigEndian64(&name, id);
  return name;
}

std::string ObjectLockName(uint64_t object) {
  std::string name;
  PutBigEndian64(&name, 0);
  name.push_back('\xff');
  PutBigEndian64(&name, object);
  return name;
}

std::string TreeEnd(uint64_t tree) {
  std::string row;
  PutBigEndian64(&row, tree + 1);
  return row;
}

bool ReadSet::Covers(const std::string& row) const {
  if (rows.count(row) != 0) return true;
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const auto& r) { return r.first <= row && row < r.second; });
}

bool CommitLog::Conflicts(const Snapshot& snapshot, const ReadSet& reads, TxnId* with) const {
  MutexLock lock(&mu_);
  for (const Entry& e : entries_) {
    if (e.txn == snapshot.self || !snapshot.InProgress(e.txn)) continue;
    for (const std::string& row : e.rows) {
      if (reads.Covers(row)) {
        *with = e.txn;
        return true;
      }
    }
  }
  return false;
}

void CommitLog::Append(TxnId txn, std::vector<std::string> rows) {
  if (rows.empty()) return;
  MutexLock lock(&mu_);
  entries_.push_back(Entry{txn, std::move(rows)});
}

void CommitLog::Trim(TxnId horizon) {
  MutexLock lock(&mu_);
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [&](const Entry& e) { return e.txn < horizon; }),
                 entries_.end());
}

size_t CommitLog::size() const {
  MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace neuroquantum::txn
