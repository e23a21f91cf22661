#include "common/cidr.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace neuroquantum {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

bool AddressAllowList::ParseAddress(std::string_view text, Range* out) {
  if (text.empty() || text.size() >= 64) return false;
  char buffer[64];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  *out = Range{};
  if (inet_pton(AF_INET, buffer, out->bytes.data()) == 1) {
    out->v4 = true;
    out->prefix = 32;
    return true;
  }
  if (inet_pton(AF_INET6, buffer, out->bytes.data()) != 1) return false;
  if (std::memcmp(out->bytes.data(), kMappedPrefix, sizeof kMappedPrefix) == 0) {
    std::memmove(out->bytes.data(), out->bytes.data() + 12, 4);
    std::memset(out->bytes.data() + 4, 0, 12);
    out->v4 = true;
    out->prefix = 32;
    return true;
  }
  out->prefix = 128;
  return true;
}

Result<AddressAllowList> AddressAllowList::Parse(std::string_view text) {
  AddressAllowList list;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view entry = Trim(text.substr(start, comma - start));
    start = comma + 1;
    if (entry.empty()) continue;
    size_t slash = entry.find('/');
    Range range;
    if (!ParseAddress(entry.substr(0, slash), &range)) {
      return Status::InvalidArgument(fmt::format("\"{}\" is not an IP address or CIDR range", entry));
    }
    if (slash != std::string_view::npos) {
      std::string_view bits = entry.substr(slash + 1);
      int prefix = -1;
      auto [end, error] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
      int max = range.v4 ? 32 : 128;
      if (bits.empty() || error != std::errc() || end != bits.data() + bits.size() || prefix < 0 || prefix > max) {
        return Status::InvalidArgument(
            fmt::format("\"{}\": the prefix length must be a number in [0, {}]", entry, max));
      }
      range.prefix = prefix;
    }
    // Host bits are cleared so that ToString shows the network.
    for (int bit = range.prefix; bit < (range.v4 ? 32 : 128); ++bit) {
      range.bytes[static_cast<size_t>(bit / 8)] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
    }
    list.ranges_.push_back(range);
  }
  return list;
}

bool AddressAllowList::Contains(std::string_view address) const {
  Range a;
  if (!ParseAddress(address, &a)) return false;
  for (const Range& r : ranges_) {
    if (r.v4 != a.v4) continue;
    int full = r.prefix / 8, rest = r.prefix % 8;
    if (std::memcmp(r.bytes.data(), a.bytes.data(), static_cast<size_t>(full)) != 0) continue;
    if (rest != 0) {
      auto mask = static_cast<uint8_t>(0xff00u >> rest);
      if ((r.bytes[static_cast<size_t>(full)] & mask) != (a.bytes[static_cast<size_t>(full)] & mask)) continue;
    }
    return true;
  }
  return false;
}

std::string AddressAllowList::ToString() const {
  std::string out;
  for (const Range& r : ranges_) {
    char buffer[INET6_ADDRSTRLEN];
    inet_ntop(r.v4 ? AF_INET : AF_INET6, r.bytes.data(), buffer, sizeof buffer);
    if (!out.empty()) out += ", ";
    out += fmt::format("{}/{}", buffer, r.prefix);
  }
  return out;
}

}  // namespace neuroquantum
