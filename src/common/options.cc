// Names of option enums, for logs and `nqdb config show`.
#include "neuroquantum/options.h"

namespace neuroquantum {

std::string_view DurabilityName(Durability d) {
  switch (d) {
    case Durability::kFull: return "full";
    case Durability::kNormal: return "normal";
    case Durability::kOff: return "off";
  }
  return "unknown";
}

}  // namespace neuroquantum
