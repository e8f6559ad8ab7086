#include "devorg/schema.hpp"

#include "devorg/schema_catalogue.hpp"

#include <algorithm>

namespace pe::devorg {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// The catalogue plus the child relationships derived from the children's reference fields.
std::vector<ObjectSchema> build() {
  std::vector<ObjectSchema> objects = detail::build_catalogue();
  for (const auto& child : objects) {
    for (const auto& f : child.fields) {
      if (f.type != FieldType::reference || f.child_relationship.empty()) continue;
      auto parent = std::find_if(objects.begin(), objects.end(),
                                 [&](const ObjectSchema& o) { return o.name == f.reference_to; });
      if (parent == objects.end()) continue;
      parent->child_relationships.push_back(
          {f.child_relationship, child.name, f.name, f.cascade_delete});
    }
  }
  return objects;
}

const std::vector<ObjectSchema>& catalogue() {
  static const std::vector<ObjectSchema> objects = build();
  return objects;
}

std::string quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view type_name(FieldType type) {
  switch (type) {
    case FieldType::id:
      return "id";
    case FieldType::reference:
      return "reference";
    case FieldType::string:
      return "string";
    case FieldType::textarea:
      return "textarea";
    case FieldType::picklist:
      return "picklist";
    case FieldType::boolean:
      return "boolean";
    case FieldType::int_:
      return "int";
    case FieldType::double_:
      return "double";
    case FieldType::currency:
      return "currency";
    case FieldType::percent:
      return "percent";
    case FieldType::date:
      return "date";
    case FieldType::datetime:
      return "datetime";
    case FieldType::email:
      return "email";
    case FieldType::phone:
      return "phone";
    case FieldType::url:
      return "url";
  }
  return "string";
}

std::string_view soap_type(FieldType type) {
  switch (type) {
    case FieldType::id:
    case FieldType::reference:
      return "tns:ID";
    case FieldType::boolean:
      return "xsd:boolean";
    case FieldType::int_:
      return "xsd:int";
    case FieldType::double_:
    case FieldType::currency:
    case FieldType::percent:
      return "xsd:double";
    case FieldType::date:
      return "xsd:date";
    case FieldType::datetime:
      return "xsd:dateTime";
    default:
      return "xsd:string";
  }
}

bool is_text(FieldType type) {
  switch (type) {
    case FieldType::string:
    case FieldType::textarea:
    case FieldType::picklist:
    case FieldType::email:
    case FieldType::phone:
    case FieldType::url:
      return true;
    default:
      return false;
  }
}

bool is_decimal(FieldType type) {
  return type == FieldType::currency || type == FieldType::percent || type == FieldType::double_;
}

const FieldSchema* ObjectSchema::field(std::string_view field_name) const {
  for (const auto& f : fields) {
    if (iequals(f.name, field_name)) return &f;
  }
  return nullptr;
}

void HiddenFields::hide(const FieldSchema* field) {
  if (field != nullptr && !contains(field)) fields_.push_back(field);
}

bool HiddenFields::contains(const FieldSchema* field) const {
  return std::find(fields_.begin(), fields_.end(), field) != fields_.end();
}

const FieldSchema* HiddenFields::visible(const ObjectSchema& object, std::string_view name) const {
  const FieldSchema* f = object.field(name);
  return contains(f) ? nullptr : f;
}

const FieldSchema* HiddenFields::visible_relationship(const ObjectSchema& object,
                                                      std::string_view name) const {
  const FieldSchema* f = object.relationship(name);
  return contains(f) ? nullptr : f;
}

const FieldSchema* ObjectSchema::relationship(std::string_view relationship_name) const {
  for (const auto& f : fields) {
    if (f.type == FieldType::reference && iequals(f.relationship_name, relationship_name)) {
      return &f;
    }
  }
  return nullptr;
}

const ChildRelationship* ObjectSchema::child_relationship(
    std::string_view relationship_name) const {
  for (const auto& r : child_relationships) {
    if (iequals(r.name, relationship_name)) return &r;
  }
  return nullptr;
}

const FieldSchema* ObjectSchema::name_field() const {
  for (const auto& f : fields) {
    if (f.name_field) return &f;
  }
  return nullptr;
}

std::span<const ObjectSchema> all_objects() { return catalogue(); }

const ObjectSchema* find_object(std::string_view object_name) {
  for (const auto& o : catalogue()) {
    if (iequals(o.name, object_name)) return &o;
  }
  return nullptr;
}

const ObjectSchema* find_object_by_prefix(std::string_view prefix) {
  for (const auto& o : catalogue()) {
    if (o.key_prefix == prefix) return &o;  // key prefixes are case-sensitive ("00k" vs "00K")
  }
  return nullptr;
}

std::string column_definition(const FieldSchema& field) {
  std::string out = quoted(field.name);
  switch (field.type) {
    case FieldType::id:
      return out + " TEXT NOT NULL PRIMARY KEY";
    case FieldType::reference:
    case FieldType::date:
    case FieldType::datetime:
      return out + " TEXT";
    case FieldType::boolean:
      return out + " INTEGER NOT NULL DEFAULT " + (field.default_value == "true" ? "1" : "0");
    case FieldType::int_:
    case FieldType::double_:
    case FieldType::currency:
    case FieldType::percent:
      return out + " INTEGER";
    default:
      // A case-sensitive unique key (SampleKey__c) keeps SQLite's binary collation, so that its
      // unique index and upsert matching tell "a" from "A"; every other text compares as SOQL does.
      return out + (field.case_sensitive ? " TEXT" : " TEXT COLLATE NOCASE");
  }
}

std::string schema_sql() {
  std::string sql;
  for (const auto& o : catalogue()) {
    sql += "CREATE TABLE IF NOT EXISTS " + quoted(o.name) + " (\n";
    for (size_t i = 0; i < o.fields.size(); ++i) {
      sql += "  " + column_definition(o.fields[i]) + (i + 1 < o.fields.size() ? ",\n" : "\n");
    }
    sql += ");\n";
    for (const auto& f : o.fields) {
      if (f.type == FieldType::id) continue;  // the primary key has its own index
      bool index = f.unique || (f.type == FieldType::reference && !f.system);
      if (!index) continue;
      // A reference index also holds Id: child subqueries look children up by parent and read
      // them in (parent, Id) order without sorting.
      std::string columns = quoted(f.name) + (f.unique ? "" : ", \"Id\"");
      sql += std::string(f.unique ? "CREATE UNIQUE INDEX" : "CREATE INDEX") + " IF NOT EXISTS " +
             quoted(std::string(o.name) + "_" + std::string(f.name)) + " ON " + quoted(o.name) +
             " (" + columns + ");\n";
    }
  }
  return sql;
}

}  // namespace pe::devorg
