// Address allow-lists: comma-separated CIDR ranges ("127.0.0.0/8, ::1/128",
// a bare address meaning a single host), IPv4 and IPv6. An IPv4-mapped IPv6
// address (::ffff:10.0.0.1, as a dual-stack socket reports IPv4 clients)
// matches the IPv4 ranges.
//
// Thread safety: immutable after Parse.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "neuroquantum/result.h"

namespace neuroquantum {

class AddressAllowList {
 public:
  // InvalidArgument naming the entry that is not an address or CIDR range
  // (or whose prefix length is out of range). An empty text allows nothing.
  static Result<AddressAllowList> Parse(std::string_view text);

  // Whether `address` (textual IPv4 or IPv6) is in one of the ranges; an
  // unparsable address is not.
  bool Contains(std::string_view address) const;
  bool empty() const { return ranges_.empty(); }
  // The ranges in canonical form, comma-separated.
  std::string ToString() const;

 private:
  struct Range {
    std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4
    int prefix = 0;                   // bits
    bool v4 = false;
  };
  static bool ParseAddress(std::string_view text, Range* out);
  std::vector<Range> ranges_;
};

}  // namespace neuroquantum
