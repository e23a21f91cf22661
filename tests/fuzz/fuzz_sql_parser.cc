// Fuzz target: the QSQL lexer and parser on arbitrary bytes never crash,
// hang or overflow the stack; error messages are valid UTF-8; and whatever
// parses prints (ToSql) to text that re-parses and prints identically.
//
// Random bytes rarely get past the first token, so each input is also
// used a second way: its bytes drive a small SQL generator (Generator),
// whose output is mostly valid and nests expressions, subqueries and set
// operations deeply. That reaches the whole grammar and printer with the
// deterministic driver too; under libFuzzer the raw path is guided by
// coverage as usual.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "sql/lexer.h"
#include "sql/parser.h"
#include "sql/printer.h"
#include "fuzz/sql_generator.h"

namespace {

using neuroquantum::sql::ParseScript;
using neuroquantum::sql::ParseStatement;
using neuroquantum::sql::ToSql;

// Parses `text`; whatever parses must print to a fixed point.
void Check(std::string_view text) {
  (void)neuroquantum::sql::IsCompleteStatement(text);
  auto statements = ParseScript(text);
  if (!statements.ok()) {
    // Error messages end up in JSON and terminals: always valid UTF-8.
    std::string_view message = statements.status().message();
    for (size_t i = 0; i < message.size();) {
      size_t len = neuroquantum::sql::Utf8SequenceLength(
          reinterpret_cast<const unsigned char*>(message.data() + i), message.size() - i);
      if (len == 0) __builtin_trap();
      i += len;
    }
    return;
  }
  for (const auto& statement : *statements) {
    std::string printed = ToSql(*statement);
    auto again = ParseStatement(printed);
    if (!again.ok()) {
      std::fprintf(stderr, "printed SQL does not parse:\n%s\n%s\n", printed.c_str(),
                   std::string(again.status().message()).c_str());
      __builtin_trap();
    }
    std::string reprinted = ToSql(**again);
    if (reprinted != printed) {
      std::fprintf(stderr, "printing is not stable:\n%s\n%s\n", printed.c_str(), reprinted.c_str());
      __builtin_trap();
    }
  }
}

// Feeds `text` to the incremental parser in two pieces.
void CheckIncremental(std::string_view text, size_t split) {
  neuroquantum::sql::Parser parser;
  split = split % (text.size() + 1);
  parser.Append(text.substr(0, split));
  while (parser.HasCompleteStatement()) (void)parser.Next();
  parser.Append(text.substr(split));
  while (parser.HasCompleteStatement()) (void)parser.Next();
  (void)parser.InStatement();
  (void)parser.Finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  Check(raw);
  if (size < 2) return 0;
  CheckIncremental(raw, data[0]);
  neuroquantum::fuzz::Generator generator(data, size);
  Check(generator.Statement());
  return 0;
}
