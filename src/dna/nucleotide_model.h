// The nucleotide predictor: estimates, bit by bit, the next base of a
// sequence over {A, C, G, T} (coded 0..3) from everything seen so far.
//
// Each base is two binary decisions: the high bit (node 0), then the low bit
// given the high bit (node 1 or 2). Predictions come from:
//   - finite-context models of several orders k (the previous k bases);
//     low orders index a direct table, high orders a hashed table with a
//     16-bit check so that collisions reset a slot instead of polluting it.
//     Each context is one 8-byte slot of three 16-bit counters (node 0, 1,
//     2) and the check, so one lookup per model per base serves both bits;
//   - inverted repeats: a model may also learn from the reverse complement
//     strand, i.e. after each base it updates the context a reader of the
//     opposite strand would have seen (DNA is double-stranded and repeats
//     often occur reverse-complemented);
//   - two repeat ("copy") models that follow an earlier occurrence of the
//     recent k-mer, forwards and reverse-complemented, and tolerate isolated
//     substitutions before giving up (mutated repeats are the rule);
// mixed by a gated 16-bit logistic mixer (Mixer8) and refined by one APM
// stage.
// The default levels use two small context models whose tables stay in the
// L2 cache: the speed of this design is decided by cache misses more than by
// arithmetic. Table sizes also follow the expected number of bases so that a
// short sequence does not pay for large tables.
//
// Thread safety: not thread-safe; one model per stream. The encoder and the
// decoder must drive identical models with identical bits.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "dna/mixing.h"

namespace neuroquantum::dna {

struct ContextModelSpec {
  int order;          // bases of context, 1..24
  bool inverted;      // also learn from the reverse-complement strand
  uint32_t limit;     // counter adaptation limit 1..15 (higher = more stationary)
};

struct NucleotideModelConfig {
  std::vector<ContextModelSpec> models;  // at most Mixer8::kLanes - 3
  int repeat_kmer = 20;     // k-mer length that starts a repeat model
  int max_table_bits = 22;  // largest context table: 2^bits contexts
  int max_kmer_bits = 22;   // largest k-mer table of the repeat models
};

// The model set used by compression level 1..9 (persisted in the container:
// a level's configuration must never change once released).
NucleotideModelConfig ModelConfigForLevel(int level);

class NucleotideModel {
 public:
  // `expected_bases` sizes the tables (0 is allowed).
  NucleotideModel(const NucleotideModelConfig& config, uint64_t expected_bases);
  ~NucleotideModel();
  NucleotideModel(const NucleotideModel&) = delete;
  NucleotideModel& operator=(const NucleotideModel&) = delete;

  // P(next bit == 1) in 1..4095 for the current node.
  int Predict();
  // Learns the actual bit of the current node and moves to the next node
  // (after the low bit, to the next base).
  void Update(int bit);

  // Bytes of model tables allocated.
  uint64_t memory_bytes() const;

 private:
  struct ContextModel;
  struct RepeatModel;

  void BeginBase();
  void EndBase(int base);
  void UpdateRepeats(int base);
  void FindRepeat(RepeatModel* repeat, int64_t aligned, bool inverted);
  uint64_t KmerSlot(uint64_t kmer) const;

  std::vector<ContextModel> models_;
  std::unique_ptr<RepeatModel[]> repeats_;  // [0] forward, [1] inverted
  std::vector<uint32_t> kmer_table_;        // hash of k-mer -> position after it
  int kmer_bits_ = 10;
  int repeat_kmer_;
  // Slots of the forward k-mers ending at the last 4 (kKmerLag) bases and
  // of their reverse complements, indexed by base count modulo 4.
  std::array<uint64_t, 4> pending_kmer_slot_{};
  std::array<uint64_t, 4> pending_reverse_slot_{};

  std::vector<uint8_t> bases_;  // every base seen, for the repeat models
  uint64_t history_ = 0;        // last 32 bases, newest in the low bits
  uint64_t reverse_ = 0;        // complement of the last 32, newest high
  int node_ = 0;                // 0: high bit next; 1/2: low bit after 0/1
  int high_bit_ = 0;
  int inputs_ = 0;

  Mixer8 mixer_;
  Apm apm_;
  int p_mix_ = 2048;
};

}  // namespace neuroquantum::dna
