#include "common/json_text.hpp"

#include "common/json_exact.hpp"

#include <boost/json/serialize.hpp>

#include <charconv>
#include <cmath>

namespace pe {

void append_json_text(std::string& out, const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::double_: {
      double d = value.get_double();
      // JSON has no infinities or NaN; boost::json writes them as 1e99999 / null-like text.
      if (!std::isfinite(d)) {
        out += boost::json::serialize(value);
      } else {
        out += double_to_plain_text(d);
      }
      return;
    }
    case boost::json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& kv : value.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        out += boost::json::serialize(boost::json::string_view(kv.key()));
        out.push_back(':');
        append_json_text(out, kv.value());
      }
      out.push_back('}');
      return;
    }
    case boost::json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& v : value.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        append_json_text(out, v);
      }
      out.push_back(']');
      return;
    }
    default:
      out += boost::json::serialize(value);
  }
}

std::string json_text(const boost::json::value& value) {
  std::string out;
  append_json_text(out, value);
  return out;
}

}  // namespace pe
