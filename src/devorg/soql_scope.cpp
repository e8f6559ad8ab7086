#include "devorg/soql_scope.hpp"

#include <algorithm>
#include <iterator>

namespace pe::devorg::detail {
namespace {

constexpr size_t kMaxRelationshipDepth = 5;  // Salesforce: parents up to 5 levels away
constexpr size_t kMaxJoins = 55;             // Salesforce: 55 child-to-parent relationships

std::string quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

}  // namespace

Scope::Scope(std::string_view soql, const ObjectSchema& root, std::string_view alias,
             const HiddenFields& hidden)
    : soql_(soql), root_(root), alias_(alias), hidden_(hidden) {}

ApiError Scope::error(uint32_t offset, std::string_view text, std::string_view code) const {
  return ApiError{std::string(code), query_error_message(soql_, offset, text)};
}

ApiResult<ResolvedField> Scope::resolve(const soql::FieldRef& ref) {
  const auto& parts = ref.parts;
  size_t first = 0;
  // "Opportunity.Name" FROM Opportunity (or its alias) names the root's own field, unless the
  // root has a relationship of that name.
  if (parts.size() > 1 && hidden_.visible_relationship(root_, parts[0]) == nullptr &&
      (iequals(parts[0], root_.name) || (!alias_.empty() && iequals(parts[0], alias_)))) {
    first = 1;
  }
  ResolvedField out;
  const ObjectSchema* object = &root_;
  std::string key;
  for (size_t i = first; i + 1 < parts.size(); ++i) {
    const FieldSchema* via = hidden_.visible_relationship(*object, parts[i]);
    const ObjectSchema* parent = via ? find_object(via->reference_to) : nullptr;
    if (parent == nullptr) {
      return error(ref.offset,
                   "Didn't understand relationship '" + printable(parts[i]) +
                       "' in field path. If you are attempting to use a custom relationship, be "
                       "sure to append the '__r' after the custom relationship name. Please "
                       "reference your WSDL or the describe call for the appropriate names.",
                   kInvalidField);
    }
    if (out.relationships.size() == kMaxRelationshipDepth) {
      return error(ref.offset,
                   "SOQL statements cannot query relationships that are more than 5 levels away "
                   "from the root entity object.",
                   kMalformedQuery);
    }
    out.relationships.push_back(via);
    key += key.empty() ? "" : ".";
    key += via->relationship_name;
    auto join =
        std::find_if(joins_.begin(), joins_.end(), [&](const Join& j) { return j.key == key; });
    if (join == joins_.end()) {
      if (joins_.size() == kMaxJoins) {
        return error(ref.offset,
                     "Query is too complicated: a statement can follow at most 55 relationships "
                     "to parent objects",
                     kQueryTooComplicated);
      }
      joins_.push_back({key, static_cast<int>(joins_.size()) + 1, out.table, via, parent});
      join = joins_.end() - 1;
    }
    out.table = join->table;
    object = parent;
  }
  out.field = hidden_.visible(*object, parts.back());
  if (out.field == nullptr) {
    return error(ref.offset,
                 "No such column '" + printable(parts.back()) + "' on entity '" +
                     std::string(object->name) +
                     "'. If you are attempting to use a custom field, be sure to append the '__c' "
                     "after the custom field name. Please reference your WSDL or the describe "
                     "call for the appropriate names.",
                 kInvalidField);
  }
  return out;
}

std::string Scope::column_sql(int table, std::string_view field) {
  return "t" + std::to_string(table) + "." + quoted(field);
}

int Scope::column(const std::string& expression) {
  auto [it, inserted] = column_index_.try_emplace(expression, static_cast<int>(columns_.size()));
  if (inserted) columns_.push_back(expression);
  return it->second;
}

std::string Scope::select_list() const {
  std::string out;
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (i > 0) out += ", ";
    out += columns_[i] + " AS c" + std::to_string(i);
  }
  return out;
}

std::string Scope::from_sql() const {
  std::string out = quoted(root_.name) + " AS t0";
  for (const auto& join : joins_) {
    std::string alias = "t" + std::to_string(join.table);
    out += " LEFT JOIN " + quoted(join.object->name) + " AS " + alias + " ON " + alias +
           ".\"Id\" = " + column_sql(join.from_table, join.via->name);
  }
  return out;
}

int Scope::table_for(const std::vector<const FieldSchema*>& relationships) const {
  std::string key;
  for (const auto* via : relationships) {
    key += key.empty() ? "" : ".";
    key += via->relationship_name;
  }
  if (key.empty()) return 0;
  for (const auto& join : joins_) {
    if (join.key == key) return join.table;
  }
  return -1;
}

std::string join_chain(std::vector<std::string> parts, std::string_view op) {
  constexpr size_t kFlat = 32;
  auto flat = [&](std::vector<std::string>& items, size_t begin, size_t end) {
    std::string out = std::move(items[begin]);
    for (size_t i = begin + 1; i < end; ++i) out += std::string(op) + items[i];
    return out;
  };
  if (parts.empty()) return "1";
  if (parts.size() <= kFlat) return flat(parts, 0, parts.size());
  // The last operands stay at the top level: a nested group usually comes last, and SQLite's
  // parser stack pays for every parenthesis still open around it. The ones before are grouped
  // in parenthesised chunks (and chunks of chunks), all closed before the tail begins.
  std::vector<std::string> head(std::make_move_iterator(parts.begin()),
                                std::make_move_iterator(parts.end() - (kFlat - 1)));
  while (head.size() > kFlat) {
    std::vector<std::string> groups;
    for (size_t i = 0; i < head.size(); i += kFlat) {
      size_t end = std::min(i + kFlat, head.size());
      groups.push_back(end - i == 1 ? std::move(head[i]) : "(" + flat(head, i, end) + ")");
    }
    head = std::move(groups);
  }
  for (size_t i = parts.size() - (kFlat - 1); i < parts.size(); ++i) {
    head.push_back(std::move(parts[i]));
  }
  return flat(head, 0, head.size());
}

}  // namespace pe::devorg::detail
