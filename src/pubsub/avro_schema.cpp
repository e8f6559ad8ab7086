#include "pubsub/avro_schema.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <unordered_map>

namespace pe::pubsub::avro {

namespace json = boost::json;

std::string_view to_string(Type type) {
  static constexpr std::array<std::string_view, 14> kNames = {
      "null",   "boolean", "int",  "long",  "float", "double", "bytes",
      "string", "record",  "enum", "array", "map",   "union",  "fixed"};
  return kNames[static_cast<size_t>(type)];
}

int Node::field_index(std::string_view field_name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == field_name) return static_cast<int>(i);
  }
  return -1;
}

int Node::symbol_index(std::string_view symbol) const {
  for (size_t i = 0; i < symbols.size(); ++i) {
    if (symbols[i] == symbol) return static_cast<int>(i);
  }
  return -1;
}

const Field* Node::field(std::string_view field_name) const {
  int i = field_index(field_name);
  return i < 0 ? nullptr : &fields[static_cast<size_t>(i)];
}

const Node* Schema::find(std::string_view full_name) const {
  for (const auto& node : nodes_) {
    if (node->is_named() && node->name == full_name) return node.get();
  }
  return nullptr;
}

namespace {

Error bad(std::string_view where, std::string_view problem) {
  std::string message = "avro schema: ";
  if (!where.empty()) message.append(where).append(": ");
  message.append(problem);
  return Error{Errc::invalid_argument, std::move(message)};
}

// [A-Za-z_][A-Za-z0-9_]*, the specification's rule for names and enum symbols.
bool is_simple_name(std::string_view name) {
  if (name.empty()) return false;
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!alpha(name[0])) return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); });
}

// A full name or a namespace: simple names joined by dots.
bool is_dotted_name(std::string_view name) {
  while (true) {
    auto dot = name.find('.');
    if (!is_simple_name(name.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    name.remove_prefix(dot + 1);
  }
}

std::string quoted(std::string_view s) {
  std::string out = "'";
  out.append(s.substr(0, 80));
  if (s.size() > 80) out += "...";
  out += "'";
  return out;
}

constexpr std::array<std::pair<std::string_view, Type>, 8> kPrimitives = {{
    {"null", Type::null},
    {"boolean", Type::boolean},
    {"int", Type::int_},
    {"long", Type::long_},
    {"float", Type::float_},
    {"double", Type::double_},
    {"bytes", Type::bytes},
    {"string", Type::string},
}};

const Type* primitive(std::string_view name) {
  for (const auto& [text, type] : kPrimitives) {
    if (text == name) return &type;
  }
  return nullptr;
}

size_t compute_min_size(const Node* node, std::unordered_map<const Node*, size_t>& done) {
  switch (node->type) {
    case Type::null:
      return 0;
    case Type::boolean:
    case Type::int_:
    case Type::long_:
    case Type::bytes:
    case Type::string:
    case Type::enum_:
    case Type::array:
    case Type::map:
      return 1;
    case Type::float_:
      return 4;
    case Type::double_:
      return 8;
    case Type::fixed:
      return node->size;
    case Type::union_: {
      size_t least = SIZE_MAX;
      for (const Node* b : node->branches) least = std::min(least, compute_min_size(b, done));
      return 1 + (least == SIZE_MAX ? 0 : least);
    }
    case Type::record: {
      auto [it, fresh] = done.try_emplace(node, 0);
      if (!fresh) return it->second;  // recursion (counted as 0: a safe underestimate) or known
      size_t sum = 0;
      for (const Field& f : node->fields) {
        sum = std::min<size_t>(sum + compute_min_size(f.type, done), SIZE_MAX / 2);
      }
      done[node] = sum;
      return sum;
    }
  }
  return 0;
}

}  // namespace

// Walks the JSON document once, depth first, in document order, which is also the order in which
// Avro requires named types to be defined before they are referenced.
class SchemaParser {
 public:
  explicit SchemaParser(const SchemaLimits& limits) : limits_(limits) {}

  Result<Schema> run(std::string_view text) {
    if (text.size() > limits_.max_bytes) {
      return Error{Errc::payload_too_large,
                   "avro schema: more than " + std::to_string(limits_.max_bytes) + " bytes"};
    }
    json::parse_options options;
    options.max_depth = limits_.max_depth * 4 + 8;  // a field's type sits 3 JSON levels down
    json::error_code ec;
    json::value doc = json::parse(text, ec, {}, options);
    if (ec) return bad("", "invalid JSON: " + ec.message());
    auto root = parse_type(doc, "", "the schema", 0);
    if (!root) return root.error();
    schema_.root_ = *root;
    std::unordered_map<const Node*, size_t> done;
    for (auto& node : schema_.nodes_) node->min_size = compute_min_size(node.get(), done);
    return std::move(schema_);
  }

 private:
  Result<Node*> new_node(Type type, std::string_view where) {
    if (schema_.nodes_.size() >= limits_.max_nodes) {
      return bad(where, "more than " + std::to_string(limits_.max_nodes) + " types");
    }
    schema_.nodes_.push_back(std::make_unique<Node>());
    Node* node = schema_.nodes_.back().get();
    node->type = type;
    return node;
  }

  // A primitive without annotations is one shared node per type.
  Result<const Node*> primitive_node(Type type, std::string_view where) {
    auto& slot = primitives_[static_cast<size_t>(type)];
    if (slot) return slot;
    auto node = new_node(type, where);
    if (!node) return node.error();
    slot = *node;
    return slot;
  }

  Result<const Node*> parse_type(const json::value& v, const std::string& ns,
                                 const std::string& where, size_t depth) {
    if (depth > limits_.max_depth) {
      return bad(where, "nested deeper than " + std::to_string(limits_.max_depth) + " types");
    }
    if (v.is_string()) return reference(v.get_string(), ns, where);
    if (v.is_array()) return parse_union(v.get_array(), ns, where, depth);
    if (v.is_object()) return parse_object(v.get_object(), ns, where, depth);
    return bad(where, "a type must be a name, an object or an array (a union)");
  }

  Result<const Node*> reference(std::string_view name, const std::string& ns,
                                const std::string& where) {
    if (const Type* p = primitive(name)) return primitive_node(*p, where);
    if (name.find('.') == std::string_view::npos && !ns.empty()) {
      if (auto it = named_.find(ns + "." + std::string(name)); it != named_.end()) {
        return it->second;
      }
    }
    if (auto it = named_.find(std::string(name)); it != named_.end()) return it->second;
    return bad(where, "unknown type " + quoted(name));
  }

  Result<const Node*> parse_union(const json::array& branches, const std::string& ns,
                                  const std::string& where, size_t depth) {
    if (branches.empty()) return bad(where, "a union needs at least one branch");
    if (branches.size() > limits_.max_branches) {
      return bad(where,
                 "a union of more than " + std::to_string(limits_.max_branches) + " branches");
    }
    auto node = new_node(Type::union_, where);
    if (!node) return node.error();
    for (size_t i = 0; i < branches.size(); ++i) {
      auto branch =
          parse_type(branches[i], ns, where + ", union branch " + std::to_string(i), depth + 1);
      if (!branch) return branch.error();
      const Node* b = *branch;
      if (b->type == Type::union_) return bad(where, "a union may not contain a union");
      for (const Node* other : (*node)->branches) {
        bool same =
            b->is_named() ? other->is_named() && other->name == b->name : other->type == b->type;
        if (same) {
          return bad(where,
                     "union branch " + std::to_string(i) + " repeats " +
                         (b->is_named() ? quoted(b->name) : std::string(to_string(b->type))));
        }
      }
      (*node)->branches.push_back(b);
    }
    return *node;
  }

  Result<const Node*> parse_object(const json::object& o, const std::string& ns,
                                   const std::string& where, size_t depth) {
    const json::value* type = o.if_contains("type");
    if (!type || !type->is_string()) return bad(where, "\"type\" must be a string");
    std::string_view name = type->get_string();
    std::string logical;
    if (const json::value* lt = o.if_contains("logicalType")) {
      if (!lt->is_string()) return bad(where, "\"logicalType\" must be a string");
      logical = std::string(lt->get_string());
    }
    if (const Type* p = primitive(name)) {
      if (logical.empty()) return primitive_node(*p, where);
      auto node = new_node(*p, where);
      if (!node) return node.error();
      (*node)->logical_type = std::move(logical);
      return *node;
    }
    if (name == "record" || name == "error") return parse_record(o, ns, where, depth);
    if (name == "enum") return parse_enum(o, ns, where);
    if (name == "fixed") return parse_fixed(o, ns, where, std::move(logical));
    if (name == "array" || name == "map") {
      const char* key = name == "array" ? "items" : "values";
      const json::value* items = o.if_contains(key);
      if (!items) return bad(where, std::string(name) + " without \"" + key + "\"");
      auto node = new_node(name == "array" ? Type::array : Type::map, where);
      if (!node) return node.error();
      auto item = parse_type(*items, ns, where + ", " + key, depth + 1);
      if (!item) return item.error();
      (*node)->items = *item;
      return *node;
    }
    return reference(name, ns, where);  // {"type": "com.example.Named"}
  }

  // Registers a named type: its full name and the namespace its own definitions inherit.
  Result<Node*> define(const json::object& o, Type type, const std::string& ns,
                       const std::string& where, std::string& inner_ns) {
    const json::value* name_value = o.if_contains("name");
    if (!name_value || !name_value->is_string()) {
      return bad(where, std::string(to_string(type)) + " without a \"name\"");
    }
    std::string_view name = name_value->get_string();
    std::string full;
    if (name.find('.') != std::string_view::npos) {
      full = std::string(name);
    } else {
      std::string space = ns;
      if (const json::value* given = o.if_contains("namespace")) {
        if (!given->is_string() && !given->is_null()) {
          return bad(where, "\"namespace\" must be a string");
        }
        space = given->is_string() ? std::string(given->get_string()) : std::string();
      }
      if (!space.empty() && !is_dotted_name(space)) {
        return bad(where, "invalid namespace " + quoted(space));
      }
      full = space.empty() ? std::string(name) : space + "." + std::string(name);
    }
    if (!is_dotted_name(full)) return bad(where, "invalid name " + quoted(full));
    if (const Type* p = primitive(full)) {
      return bad(where, "a named type may not be called " + quoted(to_string(*p)));
    }
    if (named_.count(full)) return bad(where, "the name " + quoted(full) + " is defined twice");
    auto node = new_node(type, where);
    if (!node) return node.error();
    (*node)->name = full;
    auto dot = full.rfind('.');
    inner_ns = dot == std::string::npos ? std::string() : full.substr(0, dot);
    named_.emplace(std::move(full), *node);
    return *node;
  }

  Result<const Node*> parse_record(const json::object& o, const std::string& ns,
                                   const std::string& where, size_t depth) {
    std::string inner_ns;
    auto defined = define(o, Type::record, ns, where, inner_ns);
    if (!defined) return defined.error();
    Node* node = *defined;
    const json::value* fields = o.if_contains("fields");
    if (!fields || !fields->is_array()) {
      return bad(node->name, "a record needs a \"fields\" array");
    }
    const json::array& list = fields->get_array();
    if (list.size() > limits_.max_fields) {
      return bad(node->name, "more than " + std::to_string(limits_.max_fields) + " fields");
    }
    node->fields.reserve(list.size());
    for (size_t i = 0; i < list.size(); ++i) {
      const json::object* f = list[i].if_object();
      const json::value* fname = f ? f->if_contains("name") : nullptr;
      if (!fname || !fname->is_string()) {
        return bad(node->name, "field " + std::to_string(i) + " needs a \"name\"");
      }
      std::string_view field_name = fname->get_string();
      std::string at = "field " + quoted(field_name) + " of " + node->name;
      if (!is_simple_name(field_name)) return bad(at, "invalid field name");
      if (node->field_index(field_name) >= 0) return bad(at, "the field is defined twice");
      const json::value* ftype = f->if_contains("type");
      if (!ftype) return bad(at, "no \"type\"");
      // The node is complete up to here, so a field may refer to its own record (recursion).
      auto type = parse_type(*ftype, inner_ns, at, depth + 1);
      if (!type) return type.error();
      node->fields.push_back(Field{std::string(field_name), *type});
    }
    return node;
  }

  Result<const Node*> parse_enum(const json::object& o, const std::string& ns,
                                 const std::string& where) {
    std::string inner_ns;
    auto defined = define(o, Type::enum_, ns, where, inner_ns);
    if (!defined) return defined.error();
    Node* node = *defined;
    const json::value* symbols = o.if_contains("symbols");
    if (!symbols || !symbols->is_array()) return bad(node->name, "an enum needs \"symbols\"");
    const json::array& list = symbols->get_array();
    if (list.size() > limits_.max_symbols) {
      return bad(node->name, "more than " + std::to_string(limits_.max_symbols) + " symbols");
    }
    for (const json::value& s : list) {
      if (!s.is_string() || !is_simple_name(s.get_string())) {
        return bad(node->name, "enum symbols must be names");
      }
      if (node->symbol_index(s.get_string()) >= 0) {
        return bad(node->name, "the symbol " + quoted(s.get_string()) + " is repeated");
      }
      node->symbols.emplace_back(s.get_string());
    }
    return node;
  }

  Result<const Node*> parse_fixed(const json::object& o, const std::string& ns,
                                  const std::string& where, std::string logical) {
    std::string inner_ns;
    auto defined = define(o, Type::fixed, ns, where, inner_ns);
    if (!defined) return defined.error();
    Node* node = *defined;
    const json::value* size = o.if_contains("size");
    if (!size || !size->is_int64() || size->get_int64() < 0 ||
        static_cast<uint64_t>(size->get_int64()) > limits_.max_fixed_size) {
      return bad(node->name,
                 "fixed needs a \"size\" from 0 to " + std::to_string(limits_.max_fixed_size));
    }
    node->size = static_cast<size_t>(size->get_int64());
    node->logical_type = std::move(logical);
    return node;
  }

  const SchemaLimits& limits_;
  Schema schema_;
  std::map<std::string, Node*, std::less<>> named_;
  std::array<const Node*, 14> primitives_{};
};

Result<Schema> Schema::parse(std::string_view json, const SchemaLimits& limits) {
  return SchemaParser(limits).run(json);
}

}  // namespace pe::pubsub::avro
