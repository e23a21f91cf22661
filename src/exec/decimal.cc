// Decimal: parsing, rescaling with rounding, comparison, text.
#include <algorithm>
#include <array>
#include <cmath>

#include "exec/value.h"
#include "fmt/format.h"

namespace neuroquantum::exec {

namespace {

using i128 = Int128;

constexpr int kMaxDigits = kMaxNumericPrecision;

// 10^n for n in [0, 38].
// 10^0 .. 10^38, the powers an Int128 holds.
constexpr std::array<i128, 39> kPowersOf10 = [] {
  std::array<i128, 39> powers{};
  i128 v = 1;
  for (size_t i = 0; i < powers.size(); ++i) {
    powers[i] = v;
    if (i + 1 < powers.size()) v *= 10;
  }
  return powers;
}();

i128 Pow10(int n) {
  if (n >= 0 && n < static_cast<int>(kPowersOf10.size())) return kPowersOf10[static_cast<size_t>(n)];
  i128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

i128 Abs(i128 v) { return v < 0 ? -v : v; }

// Decimal digits of |v| (0 for 0), by comparison: 128-bit division is slow.
int CountDigits(i128 v) {
  v = Abs(v);
  int n = 0;
  while (n < static_cast<int>(kPowersOf10.size()) && kPowersOf10[static_cast<size_t>(n)] <= v) ++n;
  return n;
}

// Whether v * 10^k has more than kMaxDigits digits (k >= 0): one comparison,
// since digits(v) + k > kMaxDigits exactly when |v| >= 10^(kMaxDigits - k).
bool ScaleUpOverflows(i128 v, int k) {
  if (k > kMaxDigits) return v != 0;
  return Abs(v) >= kPowersOf10[static_cast<size_t>(kMaxDigits - k)];
}

Status OutOfRange(std::string_view what) {
  return Status::OutOfRange(fmt::format("numeric value out of range: {}", what)).WithSqlState("22003");
}

}  // namespace

Result<Decimal> Decimal::Parse(std::string_view text) {
  auto invalid = [&] {
    return Status::InvalidArgument(fmt::format("invalid input syntax for type numeric: \"{}\"", text))
        .WithSqlState("22P02");
  };
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  i128 unscaled = 0;
  int digits = 0, scale = 0;
  bool any = false, point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any = true;
    if (digits == 0 && c == '0') {
      if (point) ++scale;  // leading zeros after the point still count as scale
      continue;
    }
    if (digits >= kMaxDigits) return OutOfRange(text);
    unscaled = unscaled * 10 + (c - '0');
    ++digits;
    if (point) ++scale;
  }
  if (!any) return invalid();
  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    if (i == text.size()) return invalid();
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      exponent = exponent * 10 + (text[i] - '0');
      if (exponent > 1000) return OutOfRange(text);
    }
    if (exp_negative) exponent = -exponent;
  }
  if (i != text.size()) return invalid();
  int64_t new_scale = scale - exponent;
  if (new_scale < 0) {
    if (digits - new_scale > kMaxDigits) return OutOfRange(text);
    unscaled *= Pow10(static_cast<int>(-new_scale));
    new_scale = 0;
  }
  if (new_scale > kMaxDigits) {
    // More fractional digits than we keep: round to 38.
    Decimal wide{negative ? -unscaled : unscaled, kMaxDigits};
    int drop = static_cast<int>(new_scale - kMaxDigits);
    if (drop > kMaxDigits) return Decimal{0, kMaxDigits};
    i128 div = Pow10(drop);
    i128 q = unscaled / div, r = unscaled % div;
    if (r >= div - r) ++q;  // 2r >= div without overflowing
    wide.unscaled = negative ? -q : q;
    return wide;
  }
  return Decimal{negative ? -unscaled : unscaled, static_cast<uint8_t>(new_scale)};
}

Result<Decimal> Decimal::Rescale(int new_scale) const {
  if (new_scale < 0 || new_scale > kMaxDigits) return OutOfRange(ToString());
  if (new_scale == scale) return *this;
  if (new_scale > scale) {
    int up = new_scale - scale;
    if (ScaleUpOverflows(unscaled, up)) return OutOfRange(ToString());
    return Decimal{unscaled * Pow10(up), static_cast<uint8_t>(new_scale)};
  }
  i128 div = Pow10(scale - new_scale);
  i128 q = unscaled / div, r = unscaled % div;
  if (Abs(r) >= div - Abs(r)) q += unscaled < 0 ? -1 : 1;  // 2|r| >= div without overflowing
  return Decimal{q, static_cast<uint8_t>(new_scale)};
}

int Decimal::IntegerDigits() const { return std::max(0, CountDigits(unscaled) - scale); }

int Decimal::Digits() const { return CountDigits(unscaled); }

double Decimal::ToDouble() const {
  // Both operands exact as doubles: IEEE division rounds the quotient
  // correctly. Else through the text form, which strtod rounds correctly.
  constexpr i128 kExact = i128{1} << 53;
  static constexpr double kPowers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  if (unscaled <= kExact && unscaled >= -kExact && scale < std::size(kPowers)) {
    return static_cast<double>(static_cast<int64_t>(unscaled)) / kPowers[scale];
  }
  return std::strtod(ToString().c_str(), nullptr);
}

std::string Decimal::ToString() const {
  i128 v = Abs(unscaled);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  while (digits.size() <= scale) digits.push_back('0');
  std::reverse(digits.begin(), digits.end());
  if (scale > 0) digits.insert(digits.end() - scale, '.');
  if (unscaled < 0) digits.insert(digits.begin(), '-');
  return digits;
}

int Decimal::Compare(const Decimal& other) const {
  if ((unscaled < 0) != (other.unscaled < 0)) return unscaled < 0 ? -1 : 1;
  auto three_way = [](i128 x, i128 y) { return x < y ? -1 : x > y ? 1 : 0; };
  if (scale == other.scale) return three_way(unscaled, other.unscaled);
  // Bring the smaller scale up to the larger; if that would overflow, the
  // one scaled up has more integer digits, so its magnitude decides.
  const bool this_up = scale < other.scale;
  const Decimal& low = this_up ? *this : other;
  const Decimal& high = this_up ? other : *this;
  const int k = high.scale - low.scale;
  if (ScaleUpOverflows(low.unscaled, k)) {
    const int sign = unscaled < 0 ? -1 : 1;
    return this_up ? sign : -sign;
  }
  const i128 scaled = low.unscaled * kPowersOf10[static_cast<size_t>(k)];
  return this_up ? three_way(scaled, other.unscaled) : three_way(unscaled, scaled);
}

}  // namespace neuroquantum::exec
