// sqllogictest script parser; the format is described in slt_parser.h.
#include "shell/slt_parser.h"

#include <charconv>
#include <cstdint>

#include <fmt/format.h>

namespace neuroquantum::shell {
namespace {

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::vector<std::string_view> SplitWords(std::string_view line) {
  std::vector<std::string_view> words;
  size_t pos = 0;
  while (true) {
    pos = line.find_first_not_of(" \t", pos);
    if (pos == std::string_view::npos) break;
    size_t end = line.find_first_of(" \t", pos);
    words.push_back(line.substr(pos, end == std::string_view::npos ? end : end - pos));
    pos = end;
  }
  return words;
}

bool IsBlank(std::string_view line) { return line.find_first_not_of(" \t") == std::string_view::npos; }

bool ParseCount(std::string_view word, size_t* out) {
  const char* end = word.data() + word.size();
  auto [ptr, ec] = std::from_chars(word.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

// Walks the lines of one script, turning them into records.
class SltParser {
 public:
  SltParser(std::string_view text, SltParseError* error) : lines_(SplitLines(text)), error_(error) {}

  Result<std::vector<SltRecord>> Parse() {
    std::vector<SltRecord> records;
    while (next_ < lines_.size()) {
      std::string_view line = lines_[next_];
      if (IsBlank(line) || line.front() == '#') {
        ++next_;
        continue;
      }
      SltRecord record;
      NQ_RETURN_IF_ERROR(ParseRecord(&record));
      records.push_back(std::move(record));
    }
    return records;
  }

 private:
  Status Error(size_t line, std::string_view message) const {
    if (error_ != nullptr) *error_ = {line, std::string(message)};
    return Status::InvalidArgument(fmt::format("line {}: {}", line, message));
  }

  // Conditions, then the keyword line and whatever body it takes.
  Status ParseRecord(SltRecord* record) {
    std::vector<std::string_view> words = SplitWords(lines_[next_]);
    while (words[0] == "skipif" || words[0] == "onlyif") {
      if (words.size() < 2) return Error(next_ + 1, "missing engine name");
      record->conditions.push_back({words[0] == "onlyif", std::string(words[1])});
      ++next_;
      if (next_ == lines_.size() || IsBlank(lines_[next_])) {
        return Error(next_, "condition without a record");
      }
      words = SplitWords(lines_[next_]);
    }
    record->line = next_ + 1;
    ++next_;
    const std::string_view keyword = words[0];
    if (keyword == "statement") return ParseStatement(words, record);
    if (keyword == "query") return ParseQuery(words, record);
    if (keyword == "awaitstatement") {
      if (words.size() != 2) return Error(record->line, "expected 'awaitstatement NAME'");
      record->type = SltRecordType::kAwaitStatement;
      record->async_name = std::string(words[1]);
      return Status::OK();
    }
    if (keyword == "hash-threshold" || keyword == "connection") {
      if (words.size() != 2) return Error(record->line, fmt::format("{} takes one argument", keyword));
      if (keyword == "connection") {
        record->type = SltRecordType::kConnection;
        record->connection = std::string(words[1]);
        return Status::OK();
      }
      record->type = SltRecordType::kHashThreshold;
      if (!ParseCount(words[1], &record->hash_threshold)) {
        return Error(record->line, fmt::format("bad hash threshold '{}'", words[1]));
      }
      return Status::OK();
    }
    if ((keyword == "halt" || keyword == "restart") && words.size() == 1) {
      record->type = keyword == "halt" ? SltRecordType::kHalt : SltRecordType::kRestart;
      return Status::OK();
    }
    return Error(record->line, fmt::format("unknown record '{}'", lines_[record->line - 1]));
  }

  // statement [async NAME] ok | statement [async NAME] error [SQLSTATE]
  Status ParseStatement(std::vector<std::string_view> words, SltRecord* record) {
    record->type = SltRecordType::kStatement;
    if (words.size() >= 2 && words[1] == "async") {
      if (words.size() < 4) {
        return Error(record->line, "expected 'statement async NAME ok' or "
                                   "'statement async NAME error [SQLSTATE]'");
      }
      record->async_name = std::string(words[2]);
      words.erase(words.begin() + 1, words.begin() + 3);
    }
    if (words.size() == 2 && words[1] == "ok") {
      record->expect_ok = true;
    } else if ((words.size() == 2 || words.size() == 3) && words[1] == "error") {
      record->expect_ok = false;
      if (words.size() == 3) {
        if (words[2].size() != 5) {
          return Error(record->line, fmt::format("bad SQLSTATE '{}'", words[2]));
        }
        record->expected_sqlstate = std::string(words[2]);
      }
    } else {
      return Error(record->line, "expected 'statement [async NAME] ok' or "
                                 "'statement [async NAME] error [SQLSTATE]'");
    }
    ReadSql(record);
    if (record->sql.empty()) return Error(record->line, "statement without SQL");
    return Status::OK();
  }

  Status ParseQuery(const std::vector<std::string_view>& words, SltRecord* record) {
    record->type = SltRecordType::kQuery;
    if (words.size() < 2 || words.size() > 4) {
      return Error(record->line, "expected 'query <types> [<sortmode> [<label>]]'");
    }
    record->types = std::string(words[1]);
    for (char type : record->types) {
      if (type != 'I' && type != 'R' && type != 'T') {
        return Error(record->line, fmt::format("unknown column type '{}'", type));
      }
    }
    if (words.size() >= 3) {
      if (words[2] == "nosort") {
        record->sort_mode = SltSortMode::kNoSort;
      } else if (words[2] == "rowsort") {
        record->sort_mode = SltSortMode::kRowSort;
      } else if (words[2] == "valuesort") {
        record->sort_mode = SltSortMode::kValueSort;
      } else {
        return Error(record->line, fmt::format("unknown sort mode '{}'", words[2]));
      }
    }
    if (words.size() == 4) record->label = std::string(words[3]);
    if (!ReadSql(record)) return Error(record->line, "query without a '----' line");
    if (record->sql.empty()) return Error(record->line, "query without SQL");
    while (next_ < lines_.size() && !IsBlank(lines_[next_])) {
      record->expected_lines.emplace_back(lines_[next_++]);
    }
    if (record->expected_lines.size() == 1) {
      record->expected_hashed = ParseHashLine(record->expected_lines[0],
                                              &record->expected_value_count, &record->expected_hash);
    }
    return Status::OK();
  }

  // Reads SQL lines up to a blank line or `----`. Returns whether it
  // stopped at `----` (which it consumes).
  bool ReadSql(SltRecord* record) {
    while (next_ < lines_.size() && !IsBlank(lines_[next_])) {
      std::string_view line = lines_[next_++];
      if (line == "----") return true;
      if (!record->sql.empty()) record->sql += '\n';
      record->sql += line;
    }
    return false;
  }

  std::vector<std::string_view> lines_;
  size_t next_ = 0;  // index of the next unread line
  SltParseError* error_;  // may be null
};

}  // namespace

Result<std::vector<SltRecord>> ParseSlt(std::string_view text, SltParseError* error) {
  return SltParser(text, error).Parse();
}

bool ParseHashLine(std::string_view line, size_t* value_count, std::string* hash) {
  std::vector<std::string_view> words = SplitWords(line);
  if (words.size() != 5 || words[1] != "values" || words[2] != "hashing" || words[3] != "to") {
    return false;
  }
  if (!ParseCount(words[0], value_count) || words[4].size() != 32) return false;
  for (char c : words[4]) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  *hash = std::string(words[4]);
  return true;
}

}  // namespace neuroquantum::shell
