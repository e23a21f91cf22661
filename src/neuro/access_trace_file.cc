// Trace recording and the text trace format.
#include "neuro/access_trace_file.h"

#include <charconv>
#include <cstdio>
#include <fmt/format.h>

#include "neuro/dataset.h"

namespace neuroquantum::neuro {
namespace {

constexpr std::string_view kHeader = "# nqdb access trace v1";

bool ParseU64(std::string_view s, uint64_t* v) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return !s.empty() && ec == std::errc() && ptr == s.data() + s.size();
}

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

}  // namespace

void TraceRecorder::Record(const storage::AccessEvent& event) {
  MutexLock lock(&mu_);
  events_.push_back(event);
}

std::vector<storage::AccessEvent> TraceRecorder::events() const {
  MutexLock lock(&mu_);
  return events_;
}

void TraceRecorder::Clear() {
  MutexLock lock(&mu_);
  events_.clear();
}

std::string FormatTrace(const std::vector<storage::AccessEvent>& events) {
  std::string out(kHeader);
  out += '\n';
  for (const auto& e : events) {
    char kind = e.kind == storage::AccessKind::kWrite ? 'w' : e.kind == storage::AccessKind::kPrefetch ? 'p' : 'r';
    out += fmt::format("{} {} {} {} {}\n", e.page_id, e.object, kind, e.query_id, e.hit ? 1 : 0);
  }
  return out;
}

Result<std::vector<storage::AccessEvent>> ParseTrace(std::string_view text) {
  std::vector<storage::AccessEvent> events;
  size_t number = 0;
  bool header = false;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!header) {
      if (line != kHeader) {
        return Status::InvalidArgument(fmt::format("line 1: not an access trace (expected '{}')", kHeader));
      }
      header = true;
      continue;
    }
    auto words = Words(line);
    if (words.empty() || words[0][0] == '#') continue;
    storage::AccessEvent e{0, 0, storage::AccessKind::kRead, 0, false};
    uint64_t hit = 0;
    bool ok = ParseU64(words[0], &e.page_id) && words.size() <= 5;
    if (ok && words.size() > 1) ok = ParseU64(words[1], &e.object);
    if (ok && words.size() > 2) {
      if (words[2] == "r") e.kind = storage::AccessKind::kRead;
      else if (words[2] == "w") e.kind = storage::AccessKind::kWrite;
      else if (words[2] == "p") e.kind = storage::AccessKind::kPrefetch;
      else ok = false;
    }
    if (ok && words.size() > 3) ok = ParseU64(words[3], &e.query_id);
    if (ok && words.size() > 4) ok = ParseU64(words[4], &hit) && hit <= 1;
    if (!ok) {
      return Status::InvalidArgument(fmt::format("line {}: malformed access '{}' (expected: page [object [r|w|p [query [0|1]]]])",
                                                 number, line));
    }
    e.hit = hit == 1;
    events.push_back(e);
  }
  if (!header) return Status::InvalidArgument("empty trace: no header line");
  return events;
}

Status WriteTraceFile(const std::string& path, const std::vector<storage::AccessEvent>& events) {
  std::string text = FormatTrace(events);
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return Status::IOError(fmt::format("{}: cannot create", path));
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok) return Status::IOError(fmt::format("{}: write failed", path));
  return Status::OK();
}

Result<std::vector<storage::AccessEvent>> ReadTraceFile(const std::string& path) {
  NQ_ASSIGN_OR_RETURN(std::string text, ReadFileBytes(path));
  auto events = ParseTrace(text);
  if (!events.ok()) return events.status().WithContext(path);
  return events;
}

std::vector<uint64_t> DemandPages(const std::vector<storage::AccessEvent>& events) {
  std::vector<uint64_t> pages;
  pages.reserve(events.size());
  for (const auto& e : events) {
    if (e.kind != storage::AccessKind::kPrefetch) pages.push_back(e.page_id);
  }
  return pages;
}

}  // namespace neuroquantum::neuro
