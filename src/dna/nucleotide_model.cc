// Nucleotide predictor; see nucleotide_model.h for the model set.
#include "dna/nucleotide_model.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <tuple>

namespace neuroquantum::dna {
namespace {

constexpr int kMinTableBits = 8;
// Bases between computing a k-mer's table slots (and prefetching them) and
// using them; see UpdateRepeats. Persisted in effect: changing it changes
// the code.
constexpr int kKmerLag = 4;

// Mixes a context value of up to 48 bits and its order into a 64-bit hash;
// the top bits index a table, other bits form the collision check.
inline uint64_t HashContext(uint64_t context, int order) {
  uint64_t h = (context + 1) * 0x9E3779B97F4A7C15ull;
  h ^= static_cast<uint64_t>(order) * 0xD6E8FEB86659FD93ull;
  h ^= h >> 29;
  return h * 0xBF58476D1CE4E5B9ull;
}

inline uint64_t OrderMask(int order) {
  return order >= 32 ? ~0ull : (1ull << (2 * order)) - 1;
}

// Bits of table for `expected` items: about one slot per item, so that a
// short sequence allocates little.
int TableBitsFor(uint64_t expected, int max_bits) {
  int bits = kMinTableBits;
  while (bits < max_bits && (1ull << bits) < expected) ++bits;
  return bits;
}

// Repeat length -> one of 16 buckets, finer for short lengths where each
// extra matching base changes the odds most.
int LengthBucket(int length) {
  if (length < 8) return length;
  if (length < 16) return 8 + (length - 8) / 4;
  if (length < 32) return 10 + (length - 16) / 8;
  return std::min(12 + (length - 32) / 16, 15);
}

}  // namespace

NucleotideModelConfig ModelConfigForLevel(int level) {
  NucleotideModelConfig config;
  level = std::clamp(level, 1, 9);
  if (level <= 6) {
    // The two repeat models carry most of the gain on real genomes; next to
    // them, orders 3 and 12 in small tables come within 0.004 bit per base
    // of the rich set below at three times its speed (docs/benchmarks/dna.md).
    // Tables of at most 2^16 contexts (512 KiB) stay in the L2 cache, which
    // is what makes this level fast: larger ones did not help on the
    // public genomes but cost a cache miss per model per base.
    config.models = {{3, false, 15}, {12, false, 15}};
    config.max_table_bits = 16;
    config.max_kmer_bits = level <= 2 ? 18 : 22;
  } else {
    config.models = {
        {2, false, 15}, {4, false, 15}, {8, false, 15}, {12, true, 15}, {16, true, 15}};
    config.max_table_bits = 22;
    config.max_kmer_bits = 22;
  }
  return config;
}

// One finite-context model. Every context owns four 16-bit words: the
// counters of nodes 0..2 and, in hashed tables, a check word. Contexts that
// differ only in their newest base share 32 bytes (a group, half a cache
// line), so the group of the next context is known one base ahead and is
// prefetched while the current base is coded. Orders whose full table fits
// the size budget are indexed directly; higher orders hash their group.
struct NucleotideModel::ContextModel {
  int order;
  bool inverted;
  int limit;
  bool direct;
  int bits;  // hashed: log2 of the number of groups
  std::vector<uint16_t> table;
  uint16_t* cur = nullptr;  // counters of the current context
  // Inverted-repeat update waiting for its group to arrive in cache.
  bool has_pending = false;
  uint64_t pending_context = 0;
  int pending_symbol = 0;

  ContextModel(const ContextModelSpec& spec, int table_bits)
      : order(spec.order),
        inverted(spec.inverted),
        limit(static_cast<int>(std::min<uint32_t>(spec.limit, 15))) {
    direct = 2 * order <= table_bits;
    bits = direct ? 2 * (order - 1) : table_bits - 2;
    table.assign(size_t{16} << bits, Counter16::kInit);
    if (!direct) {
      for (size_t i = 3; i < table.size(); i += 4) table[i] = 0;
    }
  }

  size_t GroupIndex(uint64_t key) const {
    return direct ? key : HashContext(key, order) >> (64 - bits);
  }

  // Returns the counters of `context`, claiming a hashed slot on a miss.
  uint16_t* Lookup(uint64_t context) {
    const uint64_t key = context >> 2;
    uint16_t* slot = &table[GroupIndex(key) * 16 + (context & 3) * 4];
    if (!direct) {
      const auto check = static_cast<uint16_t>((HashContext(key, order) & 0xffffu) | 1u);
      if (slot[3] != check) {
        slot[0] = slot[1] = slot[2] = Counter16::kInit;
        slot[3] = check;
      }
    }
    return slot;
  }

  // Prefetches the group of every context whose older bases are `key`.
  void PrefetchGroup(uint64_t key) const { __builtin_prefetch(&table[GroupIndex(key) * 16]); }

  void UpdateSymbol(uint16_t* counters, int symbol) const {
    Counter16::Update(counters, symbol >> 1, limit);
    Counter16::Update(counters + 1 + (symbol >> 1), symbol & 1, limit);
  }
};

// Follows an earlier occurrence of the recent bases (forwards) or of their
// reverse complement (backwards along the earlier copy).
struct NucleotideModel::RepeatModel {
  int64_t ptr = -1;     // index in bases_ of the copy's next base; -1: none
  int length = 0;       // correct predictions since the last miss (<= 95)
  uint32_t misses = 0;  // last 16 outcomes, bit set = mispredicted
  int predicted = -1;   // base predicted for the current position, or -1
  int expected_bit = -1;
  int context = 0;  // Context() of the current base
  uint32_t* counter = nullptr;
  std::array<uint32_t, 16 * 4 * 2> counters;

  RepeatModel() { counters.fill(Counter32::kInit); }
  int Context() const { return LengthBucket(length) * 4 + std::min(std::popcount(misses), 3); }
  int Bucket() const {
    if (predicted < 0) return 0;
    return length < 12 ? 1 : (length < 24 ? 2 : 3);
  }
};

NucleotideModel::NucleotideModel(const NucleotideModelConfig& config, uint64_t expected_bases)
    : repeats_(std::make_unique<RepeatModel[]>(2)),
      repeat_kmer_(config.repeat_kmer),
      mixer_(3 * 16, 3, 750),
      apm_(3 * 256, 5) {
  assert(config.models.size() + 3 <= Mixer8::kLanes);
  static_assert(kKmerLag <= std::tuple_size_v<decltype(pending_kmer_slot_)>);
  const int bits = TableBitsFor(expected_bases, config.max_table_bits);
  models_.reserve(config.models.size());
  for (const auto& spec : config.models) models_.emplace_back(spec, bits);
  kmer_bits_ = TableBitsFor(expected_bases, config.max_kmer_bits);
  kmer_table_.assign(size_t{1} << kmer_bits_, 0);
  bases_.reserve(std::min<uint64_t>(expected_bases, uint64_t{1} << 26));
  inputs_ = static_cast<int>(models_.size());
  BeginBase();
}

NucleotideModel::~NucleotideModel() = default;

uint64_t NucleotideModel::memory_bytes() const {
  uint64_t total = kmer_table_.size() * sizeof(uint32_t) + bases_.capacity();
  for (const auto& m : models_) total += m.table.size() * sizeof(uint16_t);
  return total;
}

void NucleotideModel::BeginBase() {
  node_ = 0;
  for (auto& m : models_) m.cur = m.Lookup(history_ & OrderMask(m.order));
  for (int i = 0; i < 2; ++i) {
    RepeatModel& r = repeats_[i];
    if (r.ptr < 0) {
      r.predicted = -1;
    } else {
      const int base = bases_[static_cast<size_t>(r.ptr)];
      r.predicted = i == 1 ? 3 - base : base;
      r.context = r.Context();
    }
  }
}

int NucleotideModel::Predict() {
  int i = 0;
  for (const auto& m : models_) mixer_.Set(i++, Stretch(Counter16::P12(m.cur[node_])));
  for (int r_index = 0; r_index < 2; ++r_index) {
    RepeatModel& r = repeats_[r_index];
    r.expected_bit = -1;
    int st = 0;
    if (r.predicted >= 0 && (node_ == 0 || high_bit_ == (r.predicted >> 1))) {
      r.expected_bit = node_ == 0 ? r.predicted >> 1 : r.predicted & 1;
      r.counter = &r.counters[static_cast<size_t>(r.context * 2 + (node_ != 0))];
      st = Stretch(Counter32::P12(*r.counter));
      if (r.expected_bit == 0) st = -st;
    }
    mixer_.Set(i++, st);
  }
  mixer_.Set(i, 256);

  const int ctx = (node_ * 4 + repeats_[0].Bucket()) * 4 + repeats_[1].Bucket();
  p_mix_ = mixer_.Mix(ctx);
  // One APM on the last four bases; averaging it with the mixer's output
  // is steadier than either alone.
  const int p_apm = apm_.Refine(p_mix_, node_ * 256 + static_cast<int>(history_ & 255));
  return std::clamp((p_mix_ + p_apm + 1) >> 1, 1, kProbMax);
}

void NucleotideModel::Update(int bit) {
  for (auto& m : models_) Counter16::Update(m.cur + node_, bit, m.limit);
  for (int r_index = 0; r_index < 2; ++r_index) {
    RepeatModel& r = repeats_[r_index];
    if (r.expected_bit >= 0) Counter32::Update(r.counter, bit == r.expected_bit, 1023);
  }
  mixer_.Update(bit);
  apm_.Update(bit);
  if (node_ == 0) {
    high_bit_ = bit;
    node_ = 1 + bit;
    return;
  }
  EndBase(high_bit_ * 2 + bit);
  BeginBase();
}

void NucleotideModel::EndBase(int base) {
  bases_.push_back(static_cast<uint8_t>(base));
  history_ = (history_ << 2) | static_cast<uint64_t>(base);
  reverse_ = (reverse_ >> 2) | (static_cast<uint64_t>(3 - base) << 62);
  const uint64_t count = bases_.size();

  // Inverted repeats: teach each such model what the opposite strand shows,
  // the complement of the base k back following the complement of the
  // k newest bases read backwards. The update is applied one base late so
  // that its group can be prefetched first.
  for (auto& m : models_) {
    const int k = m.order;
    if (m.has_pending) m.UpdateSymbol(m.Lookup(m.pending_context), m.pending_symbol);
    m.has_pending = false;
    if (m.inverted && count > static_cast<uint64_t>(k)) {
      const uint64_t context = reverse_ >> (64 - 2 * k);
      m.PrefetchGroup(context >> 2);
      m.pending_symbol = 3 - static_cast<int>((history_ >> (2 * k)) & 3);
      m.pending_context = context;
      m.has_pending = true;
    }
    // The next base's context minus its newest base is known now.
    m.PrefetchGroup(history_ & OrderMask(k - 1));
  }
  UpdateRepeats(base);
}

uint64_t NucleotideModel::KmerSlot(uint64_t kmer) const {
  return HashContext(kmer, 64) >> (64 - kmer_bits_);
}

void NucleotideModel::UpdateRepeats(int base) {
  for (int i = 0; i < 2; ++i) {
    RepeatModel& r = repeats_[i];
    if (r.predicted < 0) continue;
    const bool hit = base == r.predicted;
    r.length = hit ? std::min(r.length + 1, 95) : 0;
    r.misses = ((r.misses << 1) | (hit ? 0u : 1u)) & 0xffffu;
    r.ptr += i == 1 ? -1 : 1;
    // A copy with more than half of its recent bases wrong has ended.
    if (std::popcount(r.misses) > 8 || r.ptr < 0) {
      r.ptr = -1;
      r.length = 0;
      r.misses = 0;
    }
  }
  const int k = repeat_kmer_;
  const auto count = static_cast<int64_t>(bases_.size());
  // The k-mer table is consulted kKmerLag bases late: the slots of the
  // k-mer that ended kKmerLag bases ago were prefetched then, which hides a
  // memory access once the table outgrows the caches.
  const int64_t lag = kKmerLag;
  const size_t ring = static_cast<size_t>(count % lag);
  if (count >= k + lag) {
    const int64_t newest = count - 1;
    const uint64_t slot = pending_kmer_slot_[ring];
    // After an earlier copy of the k-mer that ended at newest - lag, so
    // aligned with newest - lag + 1.
    const int64_t end = kmer_table_[slot];
    RepeatModel& fwd = repeats_[0];
    if (end != 0 && (fwd.ptr < 0 || fwd.length < k)) FindRepeat(&fwd, end + lag - 1, false);
    RepeatModel& inv = repeats_[1];
    const int64_t inv_end = kmer_table_[pending_reverse_slot_[ring]];
    // The earlier copy x[inv_end-k .. inv_end-1] mirrors our bases up to
    // newest - lag, so x[inv_end-k-lag] mirrors the newest.
    if (inv_end != 0 && (inv.ptr < 0 || inv.length < k)) {
      FindRepeat(&inv, inv_end - k - lag, true);
    }
    kmer_table_[slot] = static_cast<uint32_t>(newest - lag + 1);
  }
  if (count >= k) {
    pending_kmer_slot_[ring] = KmerSlot(history_ & OrderMask(k));
    pending_reverse_slot_[ring] = KmerSlot(reverse_ >> (64 - 2 * k));
    __builtin_prefetch(&kmer_table_[pending_kmer_slot_[ring]]);
    __builtin_prefetch(&kmer_table_[pending_reverse_slot_[ring]]);
  }
}

// `aligned` is the position in the earlier copy that corresponds to the
// newest base (for an inverted copy: whose complement does).
void NucleotideModel::FindRepeat(RepeatModel* repeat, int64_t aligned, bool inverted) {
  const auto count = static_cast<int64_t>(bases_.size());
  const int64_t newest = count - 1;
  const int64_t ptr = inverted ? aligned - 1 : aligned + 1;
  if (aligned < 0 || aligned >= newest || ptr < 0 || ptr == repeat->ptr) return;
  // Verify (the table is hashed and unchecked) and measure the match.
  int length = 0;
  if (!inverted) {
    while (length < 32 && aligned - length >= 0 &&
           bases_[static_cast<size_t>(aligned - length)] ==
               bases_[static_cast<size_t>(newest - length)]) {
      ++length;
    }
  } else {
    while (length < 32 && aligned + length < newest - length &&
           bases_[static_cast<size_t>(aligned + length)] ==
               3 - bases_[static_cast<size_t>(newest - length)]) {
      ++length;
    }
  }
  if (length < repeat_kmer_) return;
  repeat->ptr = ptr;
  repeat->length = length;
  repeat->misses = 0;
}

}  // namespace neuroquantum::dna
