// FASTA layout split and rebuild; see fasta_layout.h for the stream format.
#include "dna/fasta_layout.h"

#include <algorithm>
#include <array>
#include <vector>

#include <fmt/format.h>

#include "common/coding.h"

namespace neuroquantum::dna {
namespace {

// Byte -> base code (0..3), plus 4 for lower case; -1 for everything else.
struct ResidueTable {
  std::array<int8_t, 256> code{};
  constexpr ResidueTable() {
    for (auto& c : code) c = -1;
    const char* upper = "ACGT";
    for (int i = 0; i < 4; ++i) {
      code[static_cast<uint8_t>(upper[i])] = static_cast<int8_t>(i);
      code[static_cast<uint8_t>(upper[i] + 32)] = static_cast<int8_t>(i + 4);
    }
  }
};
constexpr ResidueTable kResidues{};

// Appends (value, repeat) run-length pairs.
class RunWriter {
 public:
  void Add(uint64_t value) {
    if (repeat_ > 0 && value == value_) {
      ++repeat_;
      return;
    }
    Flush();
    value_ = value;
    repeat_ = 1;
  }
  void Flush() {
    if (repeat_ == 0) return;
    PutVarint64(&out_, value_);
    PutVarint64(&out_, repeat_);
    repeat_ = 0;
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
  uint64_t value_ = 0;
  uint64_t repeat_ = 0;
};

// Alternating runs of a boolean property, starting with `false`.
class ToggleRuns {
 public:
  void Add(bool flag) {
    if (flag != state_) {
      runs_.push_back(length_);
      length_ = 0;
      state_ = flag;
    }
    ++length_;
  }
  void AppendTo(std::string* out) {
    runs_.push_back(length_);
    PutVarint64(out, runs_.size());
    for (uint64_t run : runs_) PutVarint64(out, run);
  }

 private:
  std::vector<uint64_t> runs_;
  uint64_t length_ = 0;
  bool state_ = false;
};

struct Exception {
  uint64_t start;  // residue index
  uint64_t length;
  uint8_t byte;
};

Status Malformed(std::string_view what) {
  return Status::Corruption(fmt::format("sequence layout: {}", what));
}

// Reads alternating toggle runs and hands out one flag per call.
class ToggleReader {
 public:
  Status Read(ByteReader* reader, uint64_t limit) {
    uint64_t count = 0;
    if (!reader->GetVarint64(&count) || count > limit + 1) return Malformed("bad run count");
    runs_.resize(count);
    for (auto& run : runs_) {
      if (!reader->GetVarint64(&run) || run > limit) return Malformed("bad run");
    }
    return Status::OK();
  }
  // Returns 0/1, or -1 when the runs are exhausted.
  int Next() {
    while (left_ == 0) {
      if (index_ >= runs_.size()) return -1;
      left_ = runs_[index_];
      state_ = index_ % 2 == 1;
      ++index_;
    }
    --left_;
    return state_ ? 1 : 0;
  }

 private:
  std::vector<uint64_t> runs_;
  size_t index_ = 0;
  uint64_t left_ = 0;
  bool state_ = false;
};

}  // namespace

ParsedSequence ParseSequenceFile(std::string_view input) {
  ParsedSequence out;
  out.bases.reserve(input.size());
  RunWriter lines;
  ToggleRuns cr_runs;
  ToggleRuns case_runs;
  std::string headers;
  std::vector<Exception> exceptions;
  uint64_t line_count = 0;
  uint64_t residue = 0;
  size_t pos = 0;
  while (true) {
    const size_t newline = input.find('\n', pos);
    const size_t end = newline == std::string_view::npos ? input.size() : newline;
    std::string_view line = input.substr(pos, end - pos);
    const bool cr = !line.empty() && line.back() == '\r';
    if (cr) line.remove_suffix(1);
    cr_runs.Add(cr);
    ++line_count;
    if (!line.empty() && (line[0] == '>' || line[0] == ';')) {
      headers.append(line);
      headers.push_back('\n');
      ++out.headers;
      lines.Add(0);
    } else {
      for (char c : line) {
        const int code = kResidues.code[static_cast<uint8_t>(c)];
        if (code >= 0) {
          out.bases.push_back(static_cast<char>(code & 3));
          case_runs.Add(code >= 4);
        } else {
          const auto byte = static_cast<uint8_t>(c);
          if (!exceptions.empty() && exceptions.back().byte == byte &&
              exceptions.back().start + exceptions.back().length == residue) {
            ++exceptions.back().length;
          } else {
            exceptions.push_back({residue, 1, byte});
          }
          ++out.exceptions;
        }
        ++residue;
      }
      lines.Add(line.size() + 1);
    }
    if (newline == std::string_view::npos) break;
    pos = newline + 1;
  }
  lines.Flush();

  std::string& layout = out.layout;
  PutVarint64(&layout, line_count);
  layout.append(lines.out());
  cr_runs.AppendTo(&layout);
  PutLengthPrefixed(&layout, headers);
  PutVarint64(&layout, exceptions.size());
  uint64_t previous_end = 0;
  for (const auto& e : exceptions) {
    PutVarint64(&layout, e.start - previous_end);
    layout.push_back(static_cast<char>(e.byte));
    PutVarint64(&layout, e.length);
    previous_end = e.start + e.length;
  }
  case_runs.AppendTo(&layout);
  return out;
}

std::string PlainSequenceLayout(uint64_t bases) {
  std::string layout;
  PutVarint64(&layout, 1);          // one line
  PutVarint64(&layout, bases + 1);  // a sequence line of `bases` residues
  PutVarint64(&layout, 1);
  PutVarint64(&layout, 1);  // one run: no CR
  PutVarint64(&layout, 1);
  PutVarint64(&layout, 0);  // no headers
  PutVarint64(&layout, 0);  // no exceptions
  PutVarint64(&layout, 1);
  PutVarint64(&layout, bases);  // all upper case
  return layout;
}

Result<std::string> RebuildSequenceFile(std::string_view layout, std::string_view bases,
                                        uint64_t expected_size) {
  ByteReader reader(layout);
  uint64_t line_count = 0;
  if (!reader.GetVarint64(&line_count) || line_count == 0 || line_count > expected_size + 1) {
    return Malformed("bad line count");
  }
  std::vector<std::pair<uint64_t, uint64_t>> runs;
  for (uint64_t covered = 0; covered < line_count;) {
    uint64_t kind = 0;
    uint64_t repeat = 0;
    if (!reader.GetVarint64(&kind) || !reader.GetVarint64(&repeat) || repeat == 0 ||
        repeat > line_count - covered || kind > expected_size + 1) {
      return Malformed("bad line run");
    }
    runs.emplace_back(kind, repeat);
    covered += repeat;
  }
  ToggleReader cr_flags;
  NQ_RETURN_IF_ERROR(cr_flags.Read(&reader, line_count));
  std::string_view headers;
  if (!reader.GetLengthPrefixed(&headers)) return Malformed("bad header block");
  uint64_t exception_count = 0;
  if (!reader.GetVarint64(&exception_count) || exception_count > expected_size) {
    return Malformed("bad exception count");
  }
  std::vector<Exception> exceptions;
  exceptions.reserve(exception_count);
  uint64_t residue_end = 0;
  for (uint64_t i = 0; i < exception_count; ++i) {
    uint64_t gap = 0;
    uint8_t byte = 0;
    uint64_t length = 0;
    if (!reader.GetVarint64(&gap) || !reader.GetFixed8(&byte) || !reader.GetVarint64(&length) ||
        length == 0 || gap > expected_size || length > expected_size) {
      return Malformed("bad exception");
    }
    exceptions.push_back({residue_end + gap, length, byte});
    residue_end += gap + length;
    if (residue_end > expected_size) return Malformed("exception past the end");
  }
  ToggleReader case_flags;
  NQ_RETURN_IF_ERROR(case_flags.Read(&reader, bases.size()));
  if (reader.remaining() != 0) return Malformed("trailing bytes");

  static constexpr char kLetters[2][4] = {{'A', 'C', 'G', 'T'}, {'a', 'c', 'g', 't'}};
  std::string out;
  out.reserve(std::min<uint64_t>(expected_size, uint64_t{1} << 26));
  size_t base_index = 0;
  size_t header_pos = 0;
  size_t exception_index = 0;
  uint64_t residue = 0;
  uint64_t line = 0;
  for (const auto& [kind, repeat] : runs) {
    for (uint64_t r = 0; r < repeat; ++r, ++line) {
      if (kind == 0) {
        const size_t end = headers.find('\n', header_pos);
        if (end == std::string_view::npos) return Malformed("missing header line");
        out.append(headers.substr(header_pos, end - header_pos));
        header_pos = end + 1;
      } else {
        const uint64_t length = kind - 1;
        if (out.size() + length > expected_size) return Malformed("longer than recorded");
        for (uint64_t i = 0; i < length; ++i, ++residue) {
          if (exception_index < exceptions.size() && residue >= exceptions[exception_index].start) {
            const Exception& e = exceptions[exception_index];
            out.push_back(static_cast<char>(e.byte));
            if (residue + 1 == e.start + e.length) ++exception_index;
            continue;
          }
          if (base_index >= bases.size()) return Malformed("more residues than bases");
          const int lower = case_flags.Next();
          if (lower < 0) return Malformed("case runs too short");
          out.push_back(kLetters[lower][static_cast<uint8_t>(bases[base_index++]) & 3]);
        }
      }
      const int cr = cr_flags.Next();
      if (cr < 0) return Malformed("line-end runs too short");
      if (cr) out.push_back('\r');
      if (line + 1 < line_count) out.push_back('\n');
      if (out.size() > expected_size) return Malformed("longer than recorded");
    }
  }
  if (base_index != bases.size() || exception_index != exceptions.size() ||
      header_pos != headers.size() || out.size() != expected_size) {
    return Malformed("streams do not match the recorded size");
  }
  return out;
}

}  // namespace neuroquantum::dna
