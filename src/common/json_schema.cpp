#include "common/json_schema.hpp"

#include "common/json_text.hpp"

#include <cmath>
#include <optional>
#include <set>
#include <stdexcept>

namespace pe {
namespace {

namespace json = boost::json;

constexpr int kMaxDepth = 32;

Error problem(const std::string& where, std::string_view what) {
  return Error{Errc::invalid_argument,
               (where.empty() ? std::string("the body") : where) + ": " + std::string(what)};
}

std::string child(const std::string& where, std::string_view key) {
  return where.empty() ? std::string(key) : where + "." + std::string(key);
}

// Characters, not bytes: maxLength counts what a person sees (UTF-8 continuation bytes skipped).
size_t characters(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

const json::value* member(const json::object& o, std::string_view key) {
  return o.if_contains(key);
}

std::optional<double> number(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return std::nullopt;
}

bool has_type(const json::value& v, std::string_view type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_bool();
  if (type == "number") return v.is_number();
  if (type == "integer") {
    if (v.is_int64() || v.is_uint64()) return true;
    return v.is_double() && std::isfinite(v.get_double()) &&
           v.get_double() == std::floor(v.get_double());
  }
  return true;
}

std::string article(std::string_view type) {
  if (type == "object" || type == "array" || type == "integer") return "an " + std::string(type);
  return "a " + std::string(type);
}

}  // namespace

SchemaValidator::SchemaValidator(const json::object& document) : document_(document) {}

const std::regex& SchemaValidator::pattern(const std::string& text) const {
  auto& slot = patterns_[text];
  if (!slot) {
    try {
      slot = std::make_unique<std::regex>(text, std::regex::ECMAScript);
    } catch (const std::regex_error&) {
      patterns_.erase(text);
      throw std::invalid_argument("the schema pattern " + text + " does not compile");
    }
  }
  return *slot;
}

const json::object* SchemaValidator::resolve(const json::object& schema) const {
  const json::object* at = &schema;
  for (int hops = 0; hops < 8; ++hops) {
    const json::value* ref = member(*at, "$ref");
    if (!ref) return at;
    if (!ref->is_string()) return nullptr;
    std::string_view path = ref->get_string();
    constexpr std::string_view kPrefix = "#/components/schemas/";
    if (path.substr(0, kPrefix.size()) != kPrefix) return nullptr;
    const json::value* components = member(document_, "components");
    const json::value* schemas = components && components->is_object()
                                     ? member(components->get_object(), "schemas")
                                     : nullptr;
    const json::value* target = schemas && schemas->is_object()
                                    ? member(schemas->get_object(), path.substr(kPrefix.size()))
                                    : nullptr;
    if (!target || !target->is_object()) return nullptr;
    at = &target->get_object();
  }
  return nullptr;
}

Result<void> SchemaValidator::validate(const json::value& value, const json::object& schema) const {
  return check(value, schema, "", 0);
}

Result<void> SchemaValidator::check(const json::value& value, const json::object& given,
                                    const std::string& where, int depth) const {
  if (depth > kMaxDepth) return problem(where, "is nested too deeply");
  const json::object* schema = resolve(given);
  if (!schema) return Error{Errc::internal, "the API document has a broken $ref"};

  const json::value* nullable = member(*schema, "nullable");
  if (value.is_null() && nullable && nullable->is_bool() && nullable->get_bool()) return {};
  if (const json::value* type = member(*schema, "type"); type && type->is_string()) {
    if (!has_type(value, type->get_string())) {
      return problem(where, "must be " + article(type->get_string()));
    }
  }
  if (const json::value* options = member(*schema, "enum"); options && options->is_array()) {
    bool found = false;
    for (const auto& option : options->get_array()) found = found || option == value;
    if (!found) return problem(where, "must be one of " + json_text(*options));
  }

  if (value.is_string()) {
    std::string_view s = value.get_string();
    if (const json::value* v = member(*schema, "maxLength");
        v && v->is_int64() && characters(s) > size_t(v->get_int64())) {
      return problem(where, "must be at most " + std::to_string(v->get_int64()) + " characters");
    }
    if (const json::value* v = member(*schema, "minLength");
        v && v->is_int64() && characters(s) < size_t(v->get_int64())) {
      return problem(where, "must be at least " + std::to_string(v->get_int64()) + " characters");
    }
    if (const json::value* v = member(*schema, "pattern"); v && v->is_string()) {
      std::string text(v->get_string());
      if (!std::regex_search(s.begin(), s.end(), pattern(text))) {
        return problem(where, "must match " + text);
      }
    }
  }
  if (value.is_number()) {
    double n = *number(value);
    if (const json::value* v = member(*schema, "minimum"); v && number(*v) && n < *number(*v)) {
      return problem(where, "must be at least " + json_text(*v));
    }
    if (const json::value* v = member(*schema, "maximum"); v && number(*v) && n > *number(*v)) {
      return problem(where, "must be at most " + json_text(*v));
    }
  }
  if (value.is_array()) {
    const auto& items = value.get_array();
    if (const json::value* v = member(*schema, "minItems");
        v && v->is_int64() && items.size() < size_t(v->get_int64())) {
      return problem(where, "must hold at least " + std::to_string(v->get_int64()) + " items");
    }
    if (const json::value* v = member(*schema, "maxItems");
        v && v->is_int64() && items.size() > size_t(v->get_int64())) {
      return problem(where, "must hold at most " + std::to_string(v->get_int64()) + " items");
    }
    const json::value* item_schema = member(*schema, "items");
    for (size_t i = 0; item_schema && item_schema->is_object() && i < items.size(); ++i) {
      auto ok = check(items[i], item_schema->get_object(), where + "[" + std::to_string(i) + "]",
                      depth + 1);
      if (!ok) return ok;
    }
    if (const json::value* v = member(*schema, "uniqueItems"); v && v->is_bool() && v->get_bool()) {
      std::set<std::string> seen;
      for (size_t i = 0; i < items.size(); ++i) {
        if (!seen.insert(json_text(items[i])).second) {
          return problem(where + "[" + std::to_string(i) + "]", "repeats an earlier item");
        }
      }
    }
  }
  if (value.is_object()) {
    const auto& o = value.get_object();
    if (const json::value* required = member(*schema, "required");
        required && required->is_array()) {
      for (const auto& name : required->get_array()) {
        if (name.is_string() && !o.contains(name.get_string())) {
          return problem(child(where, name.get_string()), "is required");
        }
      }
    }
    const json::value* properties = member(*schema, "properties");
    const json::value* additional = member(*schema, "additionalProperties");
    for (const auto& kv : o) {
      const json::value* property = properties && properties->is_object()
                                        ? member(properties->get_object(), kv.key())
                                        : nullptr;
      std::string at = child(where, kv.key());
      if (property && property->is_object()) {
        auto ok = check(kv.value(), property->get_object(), at, depth + 1);
        if (!ok) return ok;
      } else if (additional && additional->is_bool() && !additional->get_bool()) {
        return problem(at.size() > 80 ? at.substr(0, 80) + "..." : at, "is not a known field");
      } else if (additional && additional->is_object()) {
        auto ok = check(kv.value(), additional->get_object(), at, depth + 1);
        if (!ok) return ok;
      }
    }
  }
  return {};
}

}  // namespace pe
