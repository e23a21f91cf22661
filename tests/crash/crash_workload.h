// Deterministic workload for the SIGKILL crash tests (crash_test.cc).
//
// Transaction number k of stream s is a pure function of (seed, s, k): its
// operations, whether it ends in Rollback, and every value byte. A killed
// child process therefore only has to report which transactions finished;
// the parent recomputes what they wrote. Streams own disjoint key ranges
// ("s<stream>/..."), so streams can run concurrently in one child.
//
// A value is "s<stream> t<txn> o<op> k<key>;" followed by pseudo-random
// bytes, so a wrong value found after recovery names the write it came from.
//
// Thread safety: pure functions and plain values.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "fmt/format.h"

namespace neuroquantum::storage::crash {

constexpr int kStreams = 4;
constexpr int kKeysPerStream = 300;

struct Op {
  bool is_delete = false;
  int key_index = 0;
  uint32_t filler_bytes = 0;  // puts: value size after the header
};

struct TxnPlan {
  int stream = 0;
  uint64_t number = 0;  // 1, 2, ... per stream
  std::vector<Op> ops;  // 1 to 20
  bool rollback = false;          // ends in an explicit Rollback
  bool checkpoint_after = false;  // the child checkpoints after finishing it
};

// The write that produced a key's current value.
struct Version {
  uint64_t txn = 0;
  uint32_t op = 0;
  uint32_t filler_bytes = 0;
};

// Key index -> version present. Absent keys are not in the map.
using StreamState = std::map<int, Version>;

inline uint64_t Mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

inline std::string KeyName(int stream, int key_index) {
  std::string key = fmt::format("s{}/{:04}", stream, key_index);
  // Some long keys make the tree deeper and splits more frequent.
  if (key_index % 13 == 0) {
    key.append(60 + key_index % 140, static_cast<char>('a' + key_index % 26));
  }
  return key;
}

// Mostly small values; some spill into overflow pages; about 3% of puts are
// 10-200 KiB.
inline uint32_t RandomValueSize(std::mt19937_64& rng) {
  uint64_t r = rng() % 100;
  if (r < 70) return static_cast<uint32_t>(rng() % 100);
  if (r < 90) return static_cast<uint32_t>(100 + rng() % 2900);
  if (r < 97) return static_cast<uint32_t>(3000 + rng() % 7000);
  return static_cast<uint32_t>(10 * 1024 + rng() % (190 * 1024));
}

inline TxnPlan MakePlan(uint64_t seed, int stream, uint64_t number) {
  std::mt19937_64 rng(Mix(seed ^ Mix((static_cast<uint64_t>(stream) << 48) ^ number)));
  TxnPlan plan;
  plan.stream = stream;
  plan.number = number;
  plan.rollback = rng() % 100 < 12;
  plan.checkpoint_after = rng() % 100 < 3;
  size_t op_count = 1 + rng() % 20;
  for (size_t i = 0; i < op_count; ++i) {
    Op op;
    op.is_delete = rng() % 100 < 35;
    op.key_index = static_cast<int>(rng() % kKeysPerStream);
    if (!op.is_delete) op.filler_bytes = RandomValueSize(rng);
    plan.ops.push_back(op);
  }
  return plan;
}

inline std::string MakeValue(uint64_t seed, int stream, int key_index, const Version& v) {
  std::string value = fmt::format("s{} t{} o{} k{};", stream, v.txn, v.op, key_index);
  uint64_t state = Mix(seed ^ Mix(v.txn * kStreams + stream) ^ (uint64_t{v.op} << 40));
  size_t header = value.size();
  value.resize(header + v.filler_bytes);
  for (size_t i = header; i < value.size(); i += 8) {
    state = Mix(state);
    for (size_t b = 0; b < 8 && i + b < value.size(); ++b) {
      value[i + b] = static_cast<char>(state >> (8 * b));
    }
  }
  return value;
}

// Applies a finished transaction to the expected state of its stream.
// A rolled-back transaction changes nothing.
inline void Apply(const TxnPlan& plan, StreamState* state) {
  if (plan.rollback) return;
  for (size_t i = 0; i < plan.ops.size(); ++i) {
    const Op& op = plan.ops[i];
    if (op.is_delete) {
      state->erase(op.key_index);
    } else {
      (*state)[op.key_index] = Version{plan.number, static_cast<uint32_t>(i), op.filler_bytes};
    }
  }
}

// "s0 t12 o3 k77; 4021 bytes" for a workload value, a hex prefix otherwise.
inline std::string DescribeValue(const std::string& value) {
  size_t end = value.find(';');
  if (!value.empty() && value[0] == 's' && end != std::string::npos && end < 48) {
    return fmt::format("[{}; {} bytes]", value.substr(0, end), value.size());
  }
  std::string hex;
  for (size_t i = 0; i < value.size() && i < 16; ++i) {
    hex += fmt::format("{:02x}", static_cast<uint8_t>(value[i]));
  }
  return fmt::format("[unrecognised {} bytes: {}]", value.size(), hex);
}

inline std::string DescribePlan(const TxnPlan& plan) {
  std::string text = fmt::format("txn s{} t{} ({} ops, {}):", plan.stream, plan.number,
                                 plan.ops.size(), plan.rollback ? "rollback" : "commit");
  for (const Op& op : plan.ops) {
    text += op.is_delete ? fmt::format(" del k{}", op.key_index)
                         : fmt::format(" put k{}+{}B", op.key_index, op.filler_bytes);
  }
  return text;
}

}  // namespace neuroquantum::storage::crash
