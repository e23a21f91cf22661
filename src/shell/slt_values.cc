// Rendering, sorting and hashing of sqllogictest results (slt_values.h).
#include "shell/slt_values.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <limits>

#include <fmt/format.h>

namespace neuroquantum::shell {
namespace {

// SQLite's rule for a double held as an integer: truncate, saturating at
// the int64 range; NaN gives 0.
int64_t TruncateDouble(double v) {
  if (std::isnan(v)) return 0;
  if (v <= static_cast<double>(std::numeric_limits<int64_t>::min())) {
    return std::numeric_limits<int64_t>::min();
  }
  if (v >= static_cast<double>(std::numeric_limits<int64_t>::max())) {
    return std::numeric_limits<int64_t>::max();
  }
  return static_cast<int64_t>(v);
}

// The numeric prefix of text as a double ("1.5e3x" -> 1500), 0 if none.
double LeadingDouble(const std::string& text) {
  const char* begin = text.c_str();
  while (*begin == ' ' || *begin == '\t') ++begin;
  char* end = nullptr;
  double v = std::strtod(begin, &end);
  return end == begin ? 0.0 : v;
}

// printf("%.3f", v) as SQLite's printf does it, which is what the
// reference harness used: rounded to 16 significant digits, the rest zeros
// (2^63 prints as 9223372036854776000.000, not ...5808.000, as the corpus
// expects; SQLite 3.43 and later round the same way, older versions
// differ in the last digit).
std::string FormatReal(double v) {
  if (!std::isfinite(v) || std::fabs(v) < 1e13) return fmt::format("{:.3f}", v);
  // d.ddddddddddddddde+XX, correctly rounded to 16 significant digits.
  std::string scientific = fmt::format("{:.15e}", std::fabs(v));
  std::string digits = scientific.substr(0, 1) + scientific.substr(2, 15);
  int exponent = std::atoi(scientific.c_str() + scientific.find('e') + 1);
  // exponent >= 13, so at most two of the 16 digits fall after the point.
  const size_t integer_digits = static_cast<size_t>(exponent) + 1;
  if (digits.size() < integer_digits + 3) digits.append(integer_digits + 3 - digits.size(), '0');
  return (v < 0 ? "-" : "") + digits.substr(0, integer_digits) + "." +
         digits.substr(integer_digits, 3);
}

std::string RenderText(std::string text) {
  if (text.empty()) return "(empty)";
  for (char& c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte > 0x7e) c = '@';
  }
  return text;
}

}  // namespace

int64_t LeadingInteger(std::string_view text) {
  size_t pos = text.find_first_not_of(" \t\n\r\f\v");
  if (pos == std::string_view::npos) return 0;
  bool negative = false;
  if (text[pos] == '-' || text[pos] == '+') negative = text[pos++] == '-';
  // Accumulate as a negative number so INT64_MIN fits.
  int64_t value = 0;
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
    int digit = text[pos] - '0';
    if (value < (kMin + digit) / 10) {
      return negative ? kMin : std::numeric_limits<int64_t>::max();
    }
    value = value * 10 - digit;
  }
  if (negative) return value;
  return value == kMin ? std::numeric_limits<int64_t>::max() : -value;
}

std::string RenderSltValue(char type, const SltValue& value) {
  if (value.kind == SltValueKind::kNull) return "NULL";
  switch (type) {
    case 'I':
      if (value.kind == SltValueKind::kInteger) return std::to_string(value.integer);
      if (value.kind == SltValueKind::kDouble) return std::to_string(TruncateDouble(value.real));
      return std::to_string(LeadingInteger(value.text));
    case 'R': {
      double v = value.kind == SltValueKind::kInteger  ? static_cast<double>(value.integer)
                 : value.kind == SltValueKind::kDouble ? value.real
                                                       : LeadingDouble(value.text);
      return FormatReal(v);
    }
    case 'T':
      return RenderText(value.text);
    default:
      // The parser accepts only I, R and T.
      assert(false && "unknown sqllogictest type letter");
      return RenderText(value.text);
  }
}

std::vector<std::string> RenderSltRows(std::string_view types, const std::vector<SltRow>& rows,
                                       SltSortMode mode) {
  std::vector<std::vector<std::string>> rendered;
  rendered.reserve(rows.size());
  for (const SltRow& row : rows) {
    assert(row.size() == types.size());  // the runner checks the column count first
    std::vector<std::string> cells;
    cells.reserve(row.size());
    for (size_t col = 0; col < row.size(); ++col) cells.push_back(RenderSltValue(types[col], row[col]));
    rendered.push_back(std::move(cells));
  }
  // std::string compares bytes as unsigned char, as strcmp does.
  if (mode == SltSortMode::kRowSort) std::sort(rendered.begin(), rendered.end());
  std::vector<std::string> values;
  values.reserve(rows.size() * types.size());
  for (auto& row : rendered) {
    for (auto& cell : row) values.push_back(std::move(cell));
  }
  if (mode == SltSortMode::kValueSort) std::sort(values.begin(), values.end());
  return values;
}

std::string HashSltValues(const std::vector<std::string>& values) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  // MD5 is always present in OpenSSL's default provider; failure here is
  // a broken installation.
  bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_md5(), nullptr) == 1;
  for (const std::string& value : values) {
    ok = ok && EVP_DigestUpdate(ctx, value.data(), value.size()) == 1;
    ok = ok && EVP_DigestUpdate(ctx, "\n", 1) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(ctx, digest, &digest_size) == 1;
  EVP_MD_CTX_free(ctx);
  assert(ok && "OpenSSL MD5 failed");
  if (!ok) return "(md5 unavailable)";
  std::string hex;
  hex.reserve(digest_size * 2);
  for (unsigned int i = 0; i < digest_size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

}  // namespace neuroquantum::shell
