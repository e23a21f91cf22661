// Parsers for G-set, OR-Library bqp and edge-list files; Max-Cut to QUBO.
#include "quantum/instance_reader.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>

namespace neuroquantum::quantum {
namespace {

// Whitespace-separated tokens with the line number of the last one read, for
// error messages.
class Tokenizer {
 public:
  explicit Tokenizer(std::string_view text, size_t first_line = 1)
      : text_(text), line_(first_line) {}

  bool AtEnd() {
    SkipSpace();
    return pos_ >= text_.size();
  }
  size_t line() const { return line_; }

  Result<uint64_t> NextUnsigned(std::string_view what) {
    std::string_view token = Next();
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
    if (token.empty() || ec != std::errc() || end != token.data() + token.size()) {
      return Error(what, token);
    }
    return value;
  }

  Result<double> NextNumber(std::string_view what) {
    std::string_view token = Next();
    if (!token.empty() && token[0] == '+') token.remove_prefix(1);
    double value = 0;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
    if (token.empty() || ec != std::errc() || end != token.data() + token.size() ||
        !std::isfinite(value)) {
      return Error(what, token);
    }
    return value;
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) {
      if (text_[pos_] == '\n') ++line_;
      ++pos_;
    }
  }
  std::string_view Next() {
    SkipSpace();
    size_t start = pos_;
    while (pos_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  Status Error(std::string_view what, std::string_view token) const {
    std::string shown = token.empty() ? "end of input" : "'" + std::string(token.substr(0, 32)) + "'";
    return Status::InvalidArgument("line " + std::to_string(line_) + ": expected " +
                                   std::string(what) + ", found " + shown);
  }

  std::string_view text_;
  size_t pos_ = 0;
  size_t line_;
};

// A 1-based index in [1, n] as a 0-based VarIndex.
Result<VarIndex> OneBased(Tokenizer* tokens, size_t n, std::string_view what) {
  NQ_ASSIGN_OR_RETURN(uint64_t value, tokens->NextUnsigned(what));
  if (value < 1 || value > n) {
    return Status::InvalidArgument("line " + std::to_string(tokens->line()) + ": " +
                                   std::string(what) + " " + std::to_string(value) +
                                   " outside 1.." + std::to_string(n));
  }
  return static_cast<VarIndex>(value - 1);
}

constexpr uint64_t kMaxVariables = uint64_t{1} << 31;

Result<QuboModel> ParseOneBqp(Tokenizer* tokens) {
  NQ_ASSIGN_OR_RETURN(uint64_t n, tokens->NextUnsigned("variable count"));
  NQ_ASSIGN_OR_RETURN(uint64_t nnz, tokens->NextUnsigned("entry count"));
  if (n == 0 || n > kMaxVariables) return Status::InvalidArgument("bad variable count");
  std::vector<double> linear(n, 0.0);
  std::vector<PairTerm> pairs;
  pairs.reserve(std::min<uint64_t>(nnz, 1u << 24));
  for (uint64_t k = 0; k < nnz; ++k) {
    NQ_ASSIGN_OR_RETURN(VarIndex i, OneBased(tokens, n, "row"));
    NQ_ASSIGN_OR_RETURN(VarIndex j, OneBased(tokens, n, "column"));
    NQ_ASSIGN_OR_RETURN(double q, tokens->NextNumber("coefficient"));
    // Minimise -x'Qx: -q x_i on the diagonal, -2q x_i x_j off it.
    if (i == j) {
      linear[i] -= q;
    } else {
      pairs.push_back({i, j, -2 * q});
    }
  }
  return QuboModel::Build(std::move(linear), pairs, 0.0);
}

}  // namespace

Result<QuboModel> MaxCutToQubo(const MaxCutGraph& graph) {
  std::vector<double> linear(graph.num_vertices, 0.0);
  std::vector<PairTerm> pairs;
  pairs.reserve(graph.edges.size());
  for (const WeightedEdge& e : graph.edges) {
    if (e.u >= graph.num_vertices || e.v >= graph.num_vertices) {
      return Status::InvalidArgument("edge outside the graph");
    }
    if (e.u == e.v) continue;
    linear[e.u] -= e.weight;
    linear[e.v] -= e.weight;
    pairs.push_back({e.u, e.v, 2 * e.weight});
  }
  return QuboModel::Build(std::move(linear), pairs, 0.0);
}

double CutValue(const MaxCutGraph& graph, std::span<const uint8_t> side) {
  assert(side.size() == graph.num_vertices);
  double cut = 0.0;
  for (const WeightedEdge& e : graph.edges) {
    if ((side[e.u] != 0) != (side[e.v] != 0)) cut += e.weight;
  }
  return cut;
}

Result<MaxCutGraph> ParseGset(std::string_view text) {
  Tokenizer tokens(text);
  NQ_ASSIGN_OR_RETURN(uint64_t n, tokens.NextUnsigned("vertex count"));
  NQ_ASSIGN_OR_RETURN(uint64_t m, tokens.NextUnsigned("edge count"));
  if (n == 0 || n > kMaxVariables) return Status::InvalidArgument("bad vertex count");
  MaxCutGraph graph;
  graph.num_vertices = n;
  graph.edges.reserve(std::min<uint64_t>(m, 1u << 26));
  for (uint64_t k = 0; k < m; ++k) {
    NQ_ASSIGN_OR_RETURN(VarIndex u, OneBased(&tokens, n, "vertex"));
    NQ_ASSIGN_OR_RETURN(VarIndex v, OneBased(&tokens, n, "vertex"));
    NQ_ASSIGN_OR_RETURN(double w, tokens.NextNumber("weight"));
    graph.edges.push_back({u, v, w});
  }
  if (!tokens.AtEnd()) {
    return Status::InvalidArgument("line " + std::to_string(tokens.line()) +
                                   ": data after the declared " + std::to_string(m) + " edges");
  }
  return graph;
}

Result<MaxCutGraph> ParseEdgeList(std::string_view text) {
  MaxCutGraph graph;
  size_t line_number = 0;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    ++line_number;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] == '#' || line[first] == '%') continue;
    Tokenizer tokens(line, line_number);
    NQ_ASSIGN_OR_RETURN(uint64_t u, tokens.NextUnsigned("vertex"));
    NQ_ASSIGN_OR_RETURN(uint64_t v, tokens.NextUnsigned("vertex"));
    double weight = 1.0;
    if (!tokens.AtEnd()) {
      NQ_ASSIGN_OR_RETURN(weight, tokens.NextNumber("weight"));
    }
    if (!tokens.AtEnd()) {
      return Status::InvalidArgument("line " + std::to_string(line_number) +
                                     ": more than three fields");
    }
    if (u >= kMaxVariables || v >= kMaxVariables) {
      return Status::InvalidArgument("line " + std::to_string(line_number) +
                                     ": vertex number too large");
    }
    graph.edges.push_back({static_cast<VarIndex>(u), static_cast<VarIndex>(v), weight});
    graph.num_vertices = std::max<size_t>(graph.num_vertices, std::max(u, v) + 1);
  }
  if (graph.edges.empty()) return Status::InvalidArgument("edge list has no edges");
  return graph;
}

Result<size_t> CountBqpInstances(std::string_view text) {
  Tokenizer tokens(text);
  NQ_ASSIGN_OR_RETURN(uint64_t count, tokens.NextUnsigned("instance count"));
  return static_cast<size_t>(count);
}

Result<std::vector<QuboModel>> ParseBqp(std::string_view text) {
  Tokenizer tokens(text);
  NQ_ASSIGN_OR_RETURN(uint64_t count, tokens.NextUnsigned("instance count"));
  if (count == 0) return Status::InvalidArgument("bqp file declares no instances");
  std::vector<QuboModel> models;
  for (uint64_t k = 0; k < count; ++k) {
    auto model = ParseOneBqp(&tokens);
    if (!model.ok()) {
      return model.status().WithContext("bqp instance " + std::to_string(k + 1));
    }
    models.push_back(std::move(model).value());
  }
  if (!tokens.AtEnd()) {
    return Status::InvalidArgument("line " + std::to_string(tokens.line()) +
                                   ": data after the declared " + std::to_string(count) +
                                   " instances");
  }
  return models;
}

Result<InstanceFormat> ParseInstanceFormat(std::string_view name) {
  if (name == "gset") return InstanceFormat::kGset;
  if (name == "bqp") return InstanceFormat::kBqp;
  if (name == "edges") return InstanceFormat::kEdgeList;
  return Status::InvalidArgument("unknown format '" + std::string(name) +
                                 "' (expected gset, bqp or edges)");
}

std::string_view InstanceFormatName(InstanceFormat format) {
  switch (format) {
    case InstanceFormat::kGset: return "gset";
    case InstanceFormat::kBqp: return "bqp";
    case InstanceFormat::kEdgeList: return "edges";
  }
  return "?";
}

InstanceFormat GuessInstanceFormat(std::string_view path) {
  std::string stem = std::filesystem::path(path).stem().string();
  if (stem.rfind("bqp", 0) == 0) return InstanceFormat::kBqp;
  if (stem.size() >= 2 && (stem[0] == 'G' || stem[0] == 'g') &&
      std::all_of(stem.begin() + 1, stem.end(), [](char c) { return std::isdigit(c) != 0; })) {
    return InstanceFormat::kGset;
  }
  return InstanceFormat::kEdgeList;
}

Result<std::string> ReadTextFile(Env* env, const std::string& path) {
  NQ_ASSIGN_OR_RETURN(auto file, env->OpenFile(path, OpenMode::kReadOnly));
  NQ_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  std::string text(size, '\0');
  size_t read = 0;
  while (read < size) {
    size_t got = 0;
    auto* dst = reinterpret_cast<uint8_t*>(text.data()) + read;
    NQ_RETURN_IF_ERROR(file->ReadAt(read, std::span<uint8_t>(dst, size - read), &got));
    if (got == 0) break;  // the file shrank under us
    read += got;
  }
  text.resize(read);
  return text;
}

Result<Instance> LoadInstance(Env* env, const std::string& path, InstanceFormat format,
                              size_t bqp_instance) {
  NQ_ASSIGN_OR_RETURN(std::string text, ReadTextFile(env, path));
  Instance instance;
  instance.name = std::filesystem::path(path).stem().string();
  instance.format = format;
  if (format == InstanceFormat::kBqp) {
    auto models = ParseBqp(text);
    if (!models.ok()) return models.status().WithContext(path);
    if (bqp_instance == 0) bqp_instance = 1;
    if (bqp_instance > models->size()) {
      return Status::InvalidArgument(path + " has " + std::to_string(models->size()) +
                                     " instances, not " + std::to_string(bqp_instance));
    }
    instance.model = std::move((*models)[bqp_instance - 1]);
    instance.name += "-" + std::to_string(bqp_instance);
    return instance;
  }
  auto graph = format == InstanceFormat::kGset ? ParseGset(text) : ParseEdgeList(text);
  if (!graph.ok()) return graph.status().WithContext(path);
  NQ_ASSIGN_OR_RETURN(instance.model, MaxCutToQubo(*graph));
  instance.graph = std::move(graph).value();
  return instance;
}

}  // namespace neuroquantum::quantum
