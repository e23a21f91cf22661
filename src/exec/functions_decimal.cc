// Exact decimal arithmetic for the operators (functions_internal.h).
//
// Operands have at most 38 digits, so a product or a dividend scaled up for
// division has at most 76 digits: that fits a 256-bit unsigned magnitude,
// which is what the wide paths below compute in before rounding back to 38
// digits.
#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>

#include "exec/internal/functions_internal.h"

namespace neuroquantum::exec::internal {

namespace {

constexpr int kMaxDigits = kMaxNumericPrecision;

constexpr std::array<int64_t, 19> kPow10Int64 = [] {
  std::array<int64_t, 19> powers{};
  int64_t v = 1;
  for (auto& p : powers) {
    p = v;
    if (&p != &powers.back()) v *= 10;
  }
  return powers;
}();

// A 256-bit unsigned integer, four 64-bit limbs, least significant first.
struct U256 {
  std::array<uint64_t, 4> limb{};

  static U256 From(UInt128 v) {
    U256 out;
    out.limb[0] = static_cast<uint64_t>(v);
    out.limb[1] = static_cast<uint64_t>(v >> 64);
    return out;
  }
  bool IsZero() const { return (limb[0] | limb[1] | limb[2] | limb[3]) == 0; }
  UInt128 ToU128() const { return (static_cast<UInt128>(limb[1]) << 64) | limb[0]; }
  bool Bit(int i) const { return (limb[i / 64] >> (i % 64)) & 1; }
  void SetBit(int i) { limb[i / 64] |= uint64_t{1} << (i % 64); }

  void Increment() {
    for (auto& l : limb) {
      if (++l != 0) break;
    }
  }
  void ShiftLeft1() {
    for (int i = 3; i > 0; --i) limb[i] = (limb[i] << 1) | (limb[i - 1] >> 63);
    limb[0] <<= 1;
  }
  int Compare(const U256& o) const {
    for (int i = 3; i >= 0; --i) {
      if (limb[i] != o.limb[i]) return limb[i] < o.limb[i] ? -1 : 1;
    }
    return 0;
  }
  void Subtract(const U256& o) {  // REQUIRES: *this >= o
    uint64_t borrow = 0;
    for (int i = 0; i < 4; ++i) {
      UInt128 d = static_cast<UInt128>(limb[i]) - o.limb[i] - borrow;
      limb[i] = static_cast<uint64_t>(d);
      borrow = (d >> 64) != 0 ? 1 : 0;
    }
  }
  // *this *= m; the caller keeps the product below 2^256.
  void MultiplySmall(uint64_t m) {
    UInt128 carry = 0;
    for (auto& l : limb) {
      UInt128 p = static_cast<UInt128>(l) * m + carry;
      l = static_cast<uint64_t>(p);
      carry = p >> 64;
    }
  }
  // *this /= d; returns the remainder.
  uint64_t DivideSmall(uint64_t d) {
    UInt128 rem = 0;
    for (int i = 3; i >= 0; --i) {
      UInt128 cur = (rem << 64) | limb[i];
      limb[i] = static_cast<uint64_t>(cur / d);
      rem = cur % d;
    }
    return static_cast<uint64_t>(rem);
  }
};

U256 Multiply(UInt128 a, UInt128 b) {
  uint64_t x[2] = {static_cast<uint64_t>(a), static_cast<uint64_t>(a >> 64)};
  uint64_t y[2] = {static_cast<uint64_t>(b), static_cast<uint64_t>(b >> 64)};
  U256 out;
  for (int i = 0; i < 2; ++i) {
    UInt128 carry = 0;
    for (int j = 0; j < 2; ++j) {
      UInt128 p = static_cast<UInt128>(x[i]) * y[j] + out.limb[i + j] + carry;
      out.limb[i + j] = static_cast<uint64_t>(p);
      carry = p >> 64;
    }
    out.limb[i + 2] = static_cast<uint64_t>(carry);
  }
  return out;
}

U256 Pow10Wide(int n) {  // REQUIRES: n <= 76
  U256 v = U256::From(1);
  for (int i = 0; i < n; ++i) v.MultiplySmall(10);
  return v;
}

// Bitwise long division: *quotient = n / d, *remainder = n % d.
// REQUIRES: d != 0 and d < 2^255 (so the shifted remainder cannot wrap).
void DivMod(const U256& n, const U256& d, U256* quotient, U256* remainder) {
  U256 q, r;
  for (int i = 255; i >= 0; --i) {
    r.ShiftLeft1();
    if (n.Bit(i)) r.limb[0] |= 1;
    if (r.Compare(d) >= 0) {
      r.Subtract(d);
      q.SetBit(i);
    }
  }
  *quotient = q;
  *remainder = r;
}

UInt128 Magnitude(Int128 v) { return v < 0 ? -static_cast<UInt128>(v) : static_cast<UInt128>(v); }

int Digits(UInt128 v) {
  int n = 0;
  for (; v != 0; v /= 10) ++n;
  return n;
}

const U256& Limit() {  // 10^38: the first magnitude that does not fit
  static const U256 limit = Pow10Wide(kMaxDigits);
  return limit;
}

// Makes a Decimal of sign and wide magnitude at `scale`, dropping
// fractional digits (rounding half away from zero) until it fits.
Result<Decimal> Narrow(bool negative, U256 magnitude, int scale) {
  uint64_t last_dropped = 0;
  bool dropped = false;
  while (scale > kMaxDigits || magnitude.Compare(Limit()) >= 0) {
    if (scale == 0) return OutOfRangeError("numeric");
    last_dropped = magnitude.DivideSmall(10);
    dropped = true;
    --scale;
  }
  if (dropped && last_dropped >= 5) {
    // Only the most significant dropped digit decides half away from zero.
    magnitude.Increment();
    if (magnitude.Compare(Limit()) >= 0) {
      if (scale == 0) return OutOfRangeError("numeric");
      magnitude.DivideSmall(10);  // exactly 10^38: the digit dropped is 0
      --scale;
    }
  }
  auto m = static_cast<Int128>(magnitude.ToU128());
  return Decimal{negative ? -m : m, static_cast<uint8_t>(scale)};
}

// Position of the most significant digit relative to the point: 0 for
// 1..9.99, -2 for 0.05. Zero counts as 0.
int Exponent(const Decimal& d) {
  int digits = Digits(Magnitude(d.unscaled));
  return digits == 0 ? 0 : digits - 1 - d.scale;
}

// Brings `a` and `b` to one scale for addition: the larger one, reduced
// when the integer digits (plus one for a carry) would not leave room.
int CommonScale(const Decimal& a, const Decimal& b) {
  int integer_digits = std::max(a.IntegerDigits(), b.IntegerDigits()) + 1;
  int scale = std::max(a.scale, b.scale);
  return std::clamp(kMaxDigits - integer_digits, 0, scale);
}

bool FitsInt64(Int128 v) {
  return v >= std::numeric_limits<int64_t>::min() && v <= std::numeric_limits<int64_t>::max();
}

Result<Decimal> AddSigned(const Decimal& a, const Decimal& b, bool subtract) {
  // Common case: magnitudes below 2^63 whose scales differ by at most 18
  // digits. Aligned, each is below 10^37, so the sum has at most 38 digits
  // at the larger scale: exact, nothing to round.
  if (FitsInt64(a.unscaled) && FitsInt64(b.unscaled) && a.scale <= kMaxDigits && b.scale <= kMaxDigits &&
      std::abs(a.scale - b.scale) <= 18) {
    Int128 x = a.unscaled, y = b.unscaled;
    if (a.scale < b.scale) x *= kPow10Int64[b.scale - a.scale];
    if (b.scale < a.scale) y *= kPow10Int64[a.scale - b.scale];
    return Decimal{subtract ? x - y : x + y, std::max(a.scale, b.scale)};
  }
  int scale = CommonScale(a, b);
  auto align = [scale](const Decimal& d) {
    return d.scale > scale ? Result<Decimal>(DecimalRoundDown(d, scale)) : d.Rescale(scale);
  };
  NQ_ASSIGN_OR_RETURN(Decimal x, align(a));
  NQ_ASSIGN_OR_RETURN(Decimal y, align(b));
  Int128 sum;
  bool overflow = subtract ? __builtin_sub_overflow(x.unscaled, y.unscaled, &sum)
                           : __builtin_add_overflow(x.unscaled, y.unscaled, &sum);
  if (overflow) return OutOfRangeError("numeric");
  return Narrow(sum < 0, U256::From(Magnitude(sum)), scale);
}

// a / b at `scale` fractional digits; truncated or rounded half away from
// zero. REQUIRES: b != 0, 0 <= scale <= 38.
Result<Decimal> DivideAt(const Decimal& a, const Decimal& b, int scale, bool truncate) {
  // a/b = (A / 10^sa) / (B / 10^sb), so at `scale`: A * 10^(scale - sa + sb) / B.
  int shift = scale - a.scale + b.scale;
  U256 dividend = U256::From(Magnitude(a.unscaled));
  U256 divisor = U256::From(Magnitude(b.unscaled));
  if (shift >= 0) {
    // A quotient of 77 or more digits cannot fit: stop before 256 bits wrap.
    if (Digits(Magnitude(a.unscaled)) + shift > 2 * kMaxDigits) return OutOfRangeError("numeric");
    for (int i = 0; i < shift; ++i) dividend.MultiplySmall(10);
  } else {
    for (int i = 0; i < -shift; ++i) divisor.MultiplySmall(10);  // B < 10^38, -shift <= 38
  }
  U256 quotient, remainder;
  DivMod(dividend, divisor, &quotient, &remainder);
  if (!truncate) {
    remainder.ShiftLeft1();
    if (remainder.Compare(divisor) >= 0) quotient.Increment();  // half away from zero
  }
  if (quotient.Compare(Limit()) >= 0) return OutOfRangeError("numeric");
  bool negative = (a.unscaled < 0) != (b.unscaled < 0);
  auto m = static_cast<Int128>(quotient.ToU128());
  return Decimal{negative ? -m : m, static_cast<uint8_t>(scale)};
}

}  // namespace

Result<Decimal> DecimalAdd(const Decimal& a, const Decimal& b) { return AddSigned(a, b, false); }

Result<Decimal> DecimalSubtract(const Decimal& a, const Decimal& b) { return AddSigned(a, b, true); }

Result<Decimal> DecimalMultiply(const Decimal& a, const Decimal& b) {
  // Magnitudes below 2^63: the product is below 2^126 < 10^38, exact.
  if (FitsInt64(a.unscaled) && FitsInt64(b.unscaled) && a.scale + b.scale <= kMaxDigits) {
    return Decimal{a.unscaled * b.unscaled, static_cast<uint8_t>(a.scale + b.scale)};
  }
  bool negative = (a.unscaled < 0) != (b.unscaled < 0);
  U256 product = Multiply(Magnitude(a.unscaled), Magnitude(b.unscaled));
  if (product.IsZero()) negative = false;
  return Narrow(negative, product, a.scale + b.scale);
}

Result<Decimal> DecimalDivide(const Decimal& a, const Decimal& b) {
  if (b.unscaled == 0) return DivisionByZeroError();
  // At least 16 significant digits, like PostgreSQL, and no fewer
  // fractional digits than the operands, as far as 38 digits allow.
  int quotient_exponent = Exponent(a) - Exponent(b);
  int scale = std::max({16 - quotient_exponent, static_cast<int>(a.scale), static_cast<int>(b.scale), 0});
  int integer_digits = std::max(quotient_exponent + 2, 1);
  scale = std::clamp(scale, 0, std::max(0, kMaxDigits - integer_digits));
  return DivideAt(a, b, scale, /*truncate=*/false);
}

Result<Decimal> DecimalIntegerDivide(const Decimal& a, const Decimal& b) {
  if (b.unscaled == 0) return DivisionByZeroError();
  return DivideAt(a, b, 0, /*truncate=*/true);
}

Result<Decimal> DecimalModulo(const Decimal& a, const Decimal& b) {
  if (b.unscaled == 0) return DivisionByZeroError();
  int scale = std::max(a.scale, b.scale);
  NQ_ASSIGN_OR_RETURN(Decimal x, a.Rescale(scale));
  NQ_ASSIGN_OR_RETURN(Decimal y, b.Rescale(scale));
  return Decimal{x.unscaled % y.unscaled, static_cast<uint8_t>(scale)};  // C++: sign of the dividend
}

Decimal DecimalRoundDown(const Decimal& d, int new_scale) {
  Int128 div = 1;
  for (int i = new_scale; i < d.scale; ++i) div *= 10;
  Int128 q = d.unscaled / div;
  Int128 r = d.unscaled % div;
  if (r < 0) r = -r;
  if (r >= div - r) q += d.unscaled < 0 ? -1 : 1;  // r * 2 >= div, without overflowing at div = 10^38
  return Decimal{q, static_cast<uint8_t>(new_scale)};
}

Decimal DecimalFloor(const Decimal& d) {
  Int128 div = 1;
  for (int i = 0; i < d.scale; ++i) div *= 10;
  Int128 q = d.unscaled / div;
  if (d.unscaled % div != 0 && d.unscaled < 0) --q;
  return Decimal{q, 0};
}

Decimal DecimalCeil(const Decimal& d) {
  Int128 div = 1;
  for (int i = 0; i < d.scale; ++i) div *= 10;
  Int128 q = d.unscaled / div;
  if (d.unscaled % div != 0 && d.unscaled > 0) ++q;
  return Decimal{q, 0};
}

}  // namespace neuroquantum::exec::internal
