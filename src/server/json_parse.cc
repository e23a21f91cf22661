#include "server/json_parse.h"

#include <fmt/format.h>

namespace neuroquantum::server {

Result<nlohmann::json> ParseJsonObject(std::string_view text, std::string_view what) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) {
        return Status::InvalidArgument(fmt::format("JSON nested deeper than {} levels at byte {}", kMaxJsonDepth, i));
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  try {
    nlohmann::json parsed = nlohmann::json::parse(text);
    if (!parsed.is_object()) return Status::InvalidArgument(fmt::format("{} must be a JSON object", what));
    return parsed;
  } catch (const nlohmann::json::parse_error& error) {
    return Status::InvalidArgument(fmt::format("malformed JSON at byte {}: {}", error.byte, error.what()));
  } catch (const nlohmann::json::exception& error) {
    // out_of_range: a number beyond a double (1e999999).
    return Status::InvalidArgument(fmt::format("unusable JSON: {}", error.what()));
  }
}

}  // namespace neuroquantum::server
