#include "generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <string_view>

namespace neuroquantum::bench::tpch {

__extension__ typedef unsigned __int128 Uint128;
__extension__ typedef __int128 Int128;

// A deterministic stream of pseudo-random numbers (splitmix64). Each table
// has its own stream, so a change to one table's rules leaves the others'
// rows as they were.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t x = (state_ += 0x9e3779b97f4a7c15ULL);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }
  // Uniform in [lo, hi] (multiply-shift; the bias is below 2^-40 for the
  // ranges used here).
  int64_t Uniform(int64_t lo, int64_t hi) {
    const auto span = static_cast<Uint128>(static_cast<uint64_t>(hi - lo) + 1);
    return lo + static_cast<int64_t>((span * Next()) >> 64);
  }
  template <typename T, size_t N>
  const T& Pick(const std::array<T, N>& items) {
    return items[static_cast<size_t>(Uniform(0, static_cast<int64_t>(N) - 1))];
  }

 private:
  uint64_t state_;
};

namespace {

// ------------------------------------------------------------ calendar ---

bool IsLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

// ---------------------------------------------------- fixed value lists ---
// Clause 4.2.2.13 and 4.2.3 of the specification.

constexpr std::array<std::string_view, 5> kRegions = {"AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"};

struct Nation {
  std::string_view name;
  int64_t region;
};
constexpr std::array<Nation, 25> kNations = {{
    {"ALGERIA", 0},   {"ARGENTINA", 1},  {"BRAZIL", 1},       {"CANADA", 1},         {"EGYPT", 4},
    {"ETHIOPIA", 0},  {"FRANCE", 3},     {"GERMANY", 3},      {"INDIA", 2},          {"INDONESIA", 2},
    {"IRAN", 4},      {"IRAQ", 4},       {"JAPAN", 2},        {"JORDAN", 4},         {"KENYA", 0},
    {"MOROCCO", 0},   {"MOZAMBIQUE", 0}, {"PERU", 1},         {"CHINA", 2},          {"ROMANIA", 3},
    {"SAUDI ARABIA", 4}, {"VIETNAM", 2}, {"RUSSIA", 3},       {"UNITED KINGDOM", 3}, {"UNITED STATES", 1},
}};

// The colour words part names are made of.
constexpr std::array<std::string_view, 92> kColours = {
    "almond",    "antique",   "aquamarine", "azure",     "beige",     "bisque",    "black",     "blanched",
    "blue",      "blush",     "brown",      "burlywood", "burnished", "chartreuse", "chiffon",  "chocolate",
    "coral",     "cornflower", "cornsilk",  "cream",     "cyan",      "dark",      "deep",      "dim",
    "dodger",    "drab",      "firebrick",  "floral",    "forest",    "frosted",   "gainsboro", "ghost",
    "goldenrod", "green",     "grey",       "honeydew",  "hot",       "indian",    "ivory",     "khaki",
    "lace",      "lavender",  "lawn",       "lemon",     "light",     "lime",      "linen",     "magenta",
    "maroon",    "medium",    "metallic",   "midnight",  "mint",      "misty",     "moccasin",  "navajo",
    "navy",      "olive",     "orange",     "orchid",    "pale",      "papaya",    "peach",     "peru",
    "pink",      "plum",      "powder",     "puff",      "purple",    "red",       "rose",      "rosy",
    "royal",     "saddle",    "salmon",     "sandy",     "seashell",  "sienna",    "sky",       "slate",
    "smoke",     "snow",      "spring",     "steel",     "tan",       "thistle",   "tomato",    "turquoise",
    "violet",    "wheat",     "white",      "yellow",
};

constexpr std::array<std::string_view, 6> kTypeSize = {"STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO"};
constexpr std::array<std::string_view, 5> kTypeFinish = {"ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED"};
constexpr std::array<std::string_view, 5> kTypeMaterial = {"TIN", "NICKEL", "BRASS", "STEEL", "COPPER"};
constexpr std::array<std::string_view, 5> kContainerSize = {"SM", "LG", "MED", "JUMBO", "WRAP"};
constexpr std::array<std::string_view, 8> kContainerKind = {"CASE", "BOX", "BAG", "JAR", "PKG", "PACK", "CAN", "DRUM"};
constexpr std::array<std::string_view, 5> kSegments = {"AUTOMOBILE", "BUILDING", "FURNITURE", "MACHINERY",
                                                       "HOUSEHOLD"};
constexpr std::array<std::string_view, 5> kPriorities = {"1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED",
                                                         "5-LOW"};
constexpr std::array<std::string_view, 4> kInstructions = {"DELIVER IN PERSON", "COLLECT COD", "NONE",
                                                           "TAKE BACK RETURN"};
constexpr std::array<std::string_view, 7> kShipModes = {"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"};

// ------------------------------------------------------ comment grammar ---
// A small grammar of our own for the free-text columns. It carries the
// words the queries look for ("special ... requests" in Q13) at ordinary
// frequencies, so that LIKE patterns select a realistic share of rows.

constexpr std::array<std::string_view, 24> kNouns = {
    "requests",  "accounts",  "deposits",  "packages",  "instructions", "theodolites",
    "ideas",     "foxes",     "pinto beans", "platelets", "asymptotes", "dependencies",
    "courts",    "excuses",   "patterns",  "dolphins",  "pearls",       "frays",
    "orbits",    "gifts",     "sheaves",   "waters",    "escapades",    "sentiments",
};
constexpr std::array<std::string_view, 20> kVerbs = {
    "sleep", "wake",  "cajole", "haggle", "nag",    "boost",  "detect", "integrate", "maintain", "nod",
    "use",   "solve", "promise", "engage", "print", "serve",  "doze",   "unwind",    "affix",    "believe",
};
constexpr std::array<std::string_view, 16> kAdjectives = {
    "special", "pending", "unusual", "express", "final",  "regular", "ironic", "even",
    "bold",    "silent",  "careful", "quick",   "fluffy", "blithe",  "idle",   "furious",
};
constexpr std::array<std::string_view, 14> kAdverbs = {
    "slyly",  "carefully", "blithely", "quickly", "fluffily", "slowly",   "quietly",
    "furiously", "busily", "regularly", "finally", "ironically", "evenly", "boldly",
};
constexpr std::array<std::string_view, 12> kPrepositions = {
    "about", "above", "across", "after", "against", "along", "among", "around", "beside", "beneath", "toward",
    "upon",
};
constexpr std::array<std::string_view, 6> kAuxiliaries = {"will", "may", "might", "could", "should", "must"};
constexpr std::array<std::string_view, 5> kTerminators = {".", ".", ";", "!", "?"};

void AppendNounPhrase(Random* random, std::string* out) {
  switch (random->Uniform(0, 3)) {
    case 0: break;
    case 1: *out += random->Pick(kAdjectives), *out += ' '; break;
    case 2:
      *out += random->Pick(kAdjectives), *out += ", ", *out += random->Pick(kAdjectives), *out += ' ';
      break;
    default: *out += random->Pick(kAdverbs), *out += ' ', *out += random->Pick(kAdjectives), *out += ' '; break;
  }
  *out += random->Pick(kNouns);
}

void AppendSentence(Random* random, std::string* out) {
  AppendNounPhrase(random, out);
  *out += ' ';
  switch (random->Uniform(0, 2)) {
    case 0: *out += random->Pick(kVerbs); break;
    case 1: *out += random->Pick(kAuxiliaries), *out += ' ', *out += random->Pick(kVerbs); break;
    default: *out += random->Pick(kVerbs), *out += ' ', *out += random->Pick(kAdverbs); break;
  }
  if (random->Uniform(0, 1) == 0) {
    *out += ' ';
    *out += random->Pick(kPrepositions);
    *out += ' ';
    AppendNounPhrase(random, out);
  }
  *out += random->Pick(kTerminators);
  *out += ' ';
}

// Characters of the random "v-strings" (addresses), clause 4.2.2.7.
constexpr std::string_view kAddressChars = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ, ";

std::string RandomAddress(Random* random) {
  std::string s(static_cast<size_t>(random->Uniform(10, 40)), ' ');
  const auto last = static_cast<int64_t>(kAddressChars.size()) - 1;
  for (char& c : s) c = kAddressChars[static_cast<size_t>(random->Uniform(0, last))];
  return s;
}

std::string Phone(Random* random, int64_t nationkey) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%02d-%03d-%03d-%04d", static_cast<int>(nationkey + 10),
                static_cast<int>(random->Uniform(100, 999)), static_cast<int>(random->Uniform(100, 999)),
                static_cast<int>(random->Uniform(1000, 9999)));
  return buffer;
}

std::string Numbered(std::string_view prefix, int64_t key) {
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "%.*s%09lld", static_cast<int>(prefix.size()), prefix.data(),
                static_cast<long long>(key));
  return buffer;
}

int64_t Scaled(double scale_factor, double per_unit, int64_t at_least) {
  return std::max<int64_t>(at_least, std::llround(scale_factor * per_unit));
}

// Stream seeds: one per table, derived from the generator's seed.
enum Stream : uint64_t { kTextStream = 1, kRegionStream, kNationStream, kSupplierStream, kCustomerStream,
                         kPartStream, kPartSuppStream, kOrderStream, kCommentPickStream };

uint64_t StreamSeed(uint64_t seed, Stream stream) { return Random(seed ^ (stream * 0x9e3779b97f4a7c15ULL)).Next(); }

const Day kStartDate = DayFromCivil(1992, 1, 1);
const Day kCurrentDate = DayFromCivil(1995, 6, 17);
const Day kEndDate = DayFromCivil(1998, 12, 31);

constexpr size_t kTextPoolBytes = size_t{1} << 20;

}  // namespace

Day DayFromCivil(int year, int month, int day) {
  int64_t days = 0;
  for (int y = 1970; y < year; ++y) days += IsLeap(y) ? 366 : 365;
  for (int y = year; y < 1970; ++y) days -= IsLeap(y) ? 366 : 365;
  for (int m = 1; m < month; ++m) days += DaysInMonth(year, m);
  return static_cast<Day>(days + day - 1);
}

std::string DayToString(Day day) {
  int year = 1970;
  int64_t rest = day;
  while (rest < 0) rest += IsLeap(--year) ? 366 : 365;
  while (rest >= (IsLeap(year) ? 366 : 365)) rest -= IsLeap(year++) ? 366 : 365;
  int month = 1;
  while (rest >= DaysInMonth(year, month)) rest -= DaysInMonth(year, month++);
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02d", year, month, static_cast<int>(rest + 1));
  return buffer;
}

std::string CentsToString(Cents value) {
  const uint64_t magnitude = value < 0 ? static_cast<uint64_t>(-value) : static_cast<uint64_t>(value);
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%s%llu.%02llu", value < 0 ? "-" : "",
                static_cast<unsigned long long>(magnitude / 100), static_cast<unsigned long long>(magnitude % 100));
  return buffer;
}

Generator::Generator(double scale_factor, uint64_t seed) : scale_factor_(scale_factor), seed_(seed) {
  counts_.supplier = Scaled(scale_factor, 10000, 4);
  counts_.part = Scaled(scale_factor, 200000, 1);
  counts_.partsupp = 4 * counts_.part;
  counts_.customer = Scaled(scale_factor, 150000, 1);
  counts_.orders = Scaled(scale_factor, 1500000, 1);
  counts_.lineitem_expected = 4 * counts_.orders;

  Random random(StreamSeed(seed, kTextStream));
  text_pool_.reserve(kTextPoolBytes + 256);
  while (text_pool_.size() < kTextPoolBytes) AppendSentence(&random, &text_pool_);

  // Clause 4.2.3: SF * 5 suppliers each get "Customer ... Complaints" and
  // "Customer ... Recommends" in their comment; at least one of each here,
  // so that Q16's filter has work to do at small scale factors.
  const int64_t per_kind = Scaled(scale_factor, 5, 1);
  Random pick(StreamSeed(seed, kCommentPickStream));
  std::vector<int64_t> chosen;
  while (static_cast<int64_t>(chosen.size()) < std::min(2 * per_kind, counts_.supplier)) {
    int64_t key = pick.Uniform(1, counts_.supplier);
    if (std::find(chosen.begin(), chosen.end(), key) == chosen.end()) chosen.push_back(key);
  }
  const auto half = chosen.begin() + static_cast<std::ptrdiff_t>((chosen.size() + 1) / 2);
  complaints_.assign(chosen.begin(), half);
  recommends_.assign(half, chosen.end());
  std::sort(complaints_.begin(), complaints_.end());
  std::sort(recommends_.begin(), recommends_.end());
}

std::string Generator::Comment(Random* random, int min_len, int max_len) const {
  const auto length = static_cast<size_t>(random->Uniform(min_len, max_len));
  const auto offset = static_cast<size_t>(random->Uniform(0, static_cast<int64_t>(text_pool_.size() - length)));
  return text_pool_.substr(offset, length);
}

int64_t Generator::SupplierOfPart(int64_t partkey, int i) const {
  const int64_t s = counts_.supplier;
  int64_t chosen[4];
  for (int k = 0; k <= i; ++k) {
    int64_t key = (partkey + k * (s / 4 + (partkey - 1) / s)) % s + 1;
    while (std::find(chosen, chosen + k, key) != chosen + k) key = key % s + 1;
    chosen[k] = key;
  }
  return chosen[i];
}

Cents Generator::RetailPrice(int64_t partkey) {
  return 90000 + (partkey / 10) % 20001 + 100 * (partkey % 1000);
}

void Generator::Regions(const std::function<void(const RegionRow&)>& sink) const {
  Random random(StreamSeed(seed_, kRegionStream));
  for (size_t r = 0; r < kRegions.size(); ++r) {
    sink(RegionRow{static_cast<int64_t>(r), std::string(kRegions[r]), Comment(&random, 31, 115)});
  }
}

void Generator::Nations(const std::function<void(const NationRow&)>& sink) const {
  Random random(StreamSeed(seed_, kNationStream));
  for (size_t n = 0; n < kNations.size(); ++n) {
    sink(NationRow{static_cast<int64_t>(n), std::string(kNations[n].name), kNations[n].region,
                   Comment(&random, 31, 114)});
  }
}

void Generator::Suppliers(const std::function<void(const SupplierRow&)>& sink) const {
  Random random(StreamSeed(seed_, kSupplierStream));
  SupplierRow row;
  for (int64_t key = 1; key <= counts_.supplier; ++key) {
    row.suppkey = key;
    row.name = Numbered("Supplier#", key);
    row.address = RandomAddress(&random);
    row.nationkey = random.Uniform(0, 24);
    row.phone = Phone(&random, row.nationkey);
    row.acctbal = random.Uniform(-99999, 999999);
    row.comment = Comment(&random, 25, 100);
    const bool complains = std::binary_search(complaints_.begin(), complaints_.end(), key);
    if (complains || std::binary_search(recommends_.begin(), recommends_.end(), key)) {
      // "Customer", then random text, then the second word, overwriting the
      // comment at a random place (clause 4.2.3).
      std::string_view second = complains ? "Complaints" : "Recommends";
      const int64_t room = static_cast<int64_t>(row.comment.size()) - 8 - static_cast<int64_t>(second.size());
      const auto gap = static_cast<size_t>(random.Uniform(0, room));
      const auto at = static_cast<size_t>(random.Uniform(0, room - static_cast<int64_t>(gap)));
      row.comment.replace(at, 8, "Customer");
      row.comment.replace(at + 8 + gap, second.size(), second);
    }
    sink(row);
  }
}

void Generator::Customers(const std::function<void(const CustomerRow&)>& sink) const {
  Random random(StreamSeed(seed_, kCustomerStream));
  CustomerRow row;
  for (int64_t key = 1; key <= counts_.customer; ++key) {
    row.custkey = key;
    row.name = Numbered("Customer#", key);
    row.address = RandomAddress(&random);
    row.nationkey = random.Uniform(0, 24);
    row.phone = Phone(&random, row.nationkey);
    row.acctbal = random.Uniform(-99999, 999999);
    row.mktsegment = random.Pick(kSegments);
    row.comment = Comment(&random, 29, 116);
    sink(row);
  }
}

void Generator::Parts(const std::function<void(const PartRow&)>& sink) const {
  Random random(StreamSeed(seed_, kPartStream));
  PartRow row;
  std::array<uint8_t, kColours.size()> order;
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint8_t>(i);
  for (int64_t key = 1; key <= counts_.part; ++key) {
    row.partkey = key;
    // Five distinct colour words: the first five of a partial shuffle.
    row.name.clear();
    for (size_t w = 0; w < 5; ++w) {
      auto j = static_cast<size_t>(random.Uniform(static_cast<int64_t>(w), static_cast<int64_t>(order.size()) - 1));
      std::swap(order[w], order[j]);
      if (w > 0) row.name += ' ';
      row.name += kColours[order[w]];
    }
    const int64_t m = random.Uniform(1, 5);
    row.mfgr = "Manufacturer#" + std::to_string(m);
    row.brand = "Brand#" + std::to_string(m) + std::to_string(random.Uniform(1, 5));
    row.type = std::string(random.Pick(kTypeSize)) + ' ' + std::string(random.Pick(kTypeFinish)) + ' ' +
               std::string(random.Pick(kTypeMaterial));
    row.size = random.Uniform(1, 50);
    row.container = std::string(random.Pick(kContainerSize)) + ' ' + std::string(random.Pick(kContainerKind));
    row.retailprice = RetailPrice(key);
    row.comment = Comment(&random, 5, 22);
    sink(row);
  }
}

void Generator::PartSupps(const std::function<void(const PartSuppRow&)>& sink) const {
  Random random(StreamSeed(seed_, kPartSuppStream));
  PartSuppRow row;
  for (int64_t key = 1; key <= counts_.part; ++key) {
    for (int i = 0; i < 4; ++i) {
      row.partkey = key;
      row.suppkey = SupplierOfPart(key, i);
      row.availqty = random.Uniform(1, 9999);
      row.supplycost = random.Uniform(100, 100000);
      row.comment = Comment(&random, 49, 198);
      sink(row);
    }
  }
}

void Generator::Orders(const std::function<void(const OrderRow&, const std::vector<LineItemRow>&)>& sink) const {
  Random random(StreamSeed(seed_, kOrderStream));
  const int64_t clerks = Scaled(scale_factor_, 1000, 1);
  OrderRow order;
  std::vector<LineItemRow> lines;
  for (int64_t n = 0; n < counts_.orders; ++n) {
    // Sparse keys: the first 8 of every 32.
    order.orderkey = (n / 8) * 32 + n % 8 + 1;
    do {
      order.custkey = random.Uniform(1, counts_.customer);
    } while (order.custkey % 3 == 0);
    order.orderdate = static_cast<Day>(random.Uniform(kStartDate, kEndDate - 151));
    order.orderpriority = random.Pick(kPriorities);
    order.clerk = Numbered("Clerk#", random.Uniform(1, clerks));
    order.shippriority = 0;
    order.comment = Comment(&random, 19, 78);

    lines.resize(static_cast<size_t>(random.Uniform(1, 7)));
    // Total price in ten-thousandths of cents until the end, to round once.
    Int128 total = 0;
    int shipped = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      LineItemRow& line = lines[i];
      line.orderkey = order.orderkey;
      line.partkey = random.Uniform(1, counts_.part);
      line.suppkey = SupplierOfPart(line.partkey, static_cast<int>(random.Uniform(0, 3)));
      line.linenumber = static_cast<int64_t>(i) + 1;
      const int64_t quantity = random.Uniform(1, 50);
      line.quantity = quantity * 100;
      line.extendedprice = quantity * RetailPrice(line.partkey);
      line.discount = random.Uniform(0, 10);
      line.tax = random.Uniform(0, 8);
      line.shipdate = order.orderdate + static_cast<Day>(random.Uniform(1, 121));
      line.commitdate = order.orderdate + static_cast<Day>(random.Uniform(30, 90));
      line.receiptdate = line.shipdate + static_cast<Day>(random.Uniform(1, 30));
      if (line.receiptdate <= kCurrentDate) {
        line.returnflag = random.Uniform(0, 1) == 0 ? "R" : "A";
      } else {
        line.returnflag = "N";
      }
      line.linestatus = line.shipdate > kCurrentDate ? "O" : "F";
      shipped += line.linestatus == "F" ? 1 : 0;
      line.shipinstruct = random.Pick(kInstructions);
      line.shipmode = random.Pick(kShipModes);
      line.comment = Comment(&random, 10, 43);
      total += static_cast<Int128>(line.extendedprice) * (100 + line.tax) * (100 - line.discount);
    }
    order.totalprice = static_cast<Cents>((total + 5000) / 10000);
    order.orderstatus = shipped == static_cast<int>(lines.size()) ? "F" : shipped == 0 ? "O" : "P";
    sink(order, lines);
  }
}

}  // namespace neuroquantum::bench::tpch
