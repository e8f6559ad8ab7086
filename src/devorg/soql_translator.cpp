#include "devorg/soql_translator.hpp"

#include "devorg/soql_scope.hpp"

namespace pe::devorg {
namespace {

using detail::Scope;

constexpr size_t kMaxChildQueries = 20;     // Salesforce: 20 parent-to-child relationships
constexpr size_t kMaxBoundValues = 30'000;  // SQLite binds at most 32,766 per statement

// The parts of one SELECT that become SQL clauses.
struct Clauses {
  std::string where;             // without "WHERE"; may be empty
  std::string order;             // without "ORDER BY"; never empty (t0.Id breaks ties)
  std::vector<SqlValue> params;  // the WHERE clause's
};

ApiError unsupported(const Scope& scope, uint32_t offset, std::string_view what) {
  return scope.error(offset, std::string(what) + " is not supported by the local org",
                     detail::kMalformedQuery);
}

ApiError too_many_values(const Scope& scope) {
  return scope.error(0,
                     "Query is too complicated: more than " + std::to_string(kMaxBoundValues) +
                         " values to compare",
                     detail::kQueryTooComplicated);
}

// Adds a field selected through `relationships` to the record shape, creating the parent
// nodes on the way ("Account" inside the record, "Owner" inside the Account).
ApiResult<void> add_field(Scope& scope, std::vector<RecordNode>& nodes,
                          const detail::ResolvedField& resolved) {
  int node = 0;
  const auto& path = resolved.relationships;
  for (size_t hop = 0; hop < path.size(); ++hop) {
    const FieldSchema* via = path[hop];
    int next = -1;
    for (const auto& entry : nodes[node].entries) {
      if (entry.kind == RecordNode::Entry::Kind::parent && entry.key == via->relationship_name) {
        next = entry.node;
      }
    }
    if (next < 0) {
      // resolve() has joined every prefix of the path: find this parent's table.
      int table =
          scope.table_for({path.begin(), path.begin() + static_cast<std::ptrdiff_t>(hop) + 1});
      RecordNode parent;
      parent.object = find_object(via->reference_to);
      parent.id_column = scope.column(Scope::column_sql(table, "Id"));
      next = static_cast<int>(nodes.size());
      nodes[node].entries.push_back(
          {RecordNode::Entry::Kind::parent, via->relationship_name, nullptr, -1, next, -1});
      nodes.push_back(std::move(parent));
    }
    node = next;
  }
  const FieldSchema* field = resolved.field;
  for (const auto& entry : nodes[node].entries) {
    if (entry.kind == RecordNode::Entry::Kind::field && entry.field == field) {
      std::string path;
      for (const FieldSchema* via : resolved.relationships) {
        path += std::string(via->relationship_name) + ".";
      }
      return ApiError{std::string(detail::kInvalidField),
                      "duplicate field selected: " + path + std::string(field->name)};
    }
  }
  int column = scope.column(Scope::column_sql(resolved.table, field->name));
  nodes[node].entries.push_back(
      {RecordNode::Entry::Kind::field, field->name, field, column, -1, -1});
  return {};
}

ApiResult<void> add_fields(Scope& scope, const soql::Query& query, std::vector<RecordNode>& nodes) {
  for (const auto& item : query.select) {
    if (item.kind != soql::SelectItem::Kind::field) continue;
    auto resolved = scope.resolve(item.field);
    if (!resolved) return resolved.error();
    auto added = add_field(scope, nodes, *resolved);
    if (!added) return added.error();
  }
  return {};
}

// WHERE (with IsDeleted unless queryAll) and ORDER BY of one SELECT.
ApiResult<Clauses> clauses(Scope& scope, const soql::Query& query, const TranslateOptions& options,
                           std::string_view extra_condition = {},
                           std::string_view first_order = {}) {
  Clauses out;
  out.order = first_order;
  std::vector<std::string> conditions;
  if (!extra_condition.empty()) conditions.emplace_back(extra_condition);
  if (!options.include_deleted && scope.root().has_is_deleted()) {
    conditions.push_back(Scope::column_sql(0, "IsDeleted") + " = 0");
  }
  if (query.where) {
    auto where = detail::translate_condition(scope, *query.where, options, out.params);
    if (!where) return where.error();
    conditions.push_back("(" + *where + ")");
  }
  for (size_t i = 0; i < conditions.size(); ++i) {
    out.where += (i == 0 ? "" : " AND ") + conditions[i];
  }
  bool ordered_by_id = false;
  for (const auto& item : query.order_by) {
    auto resolved = scope.resolve(item.field);
    if (!resolved) return resolved.error();
    if (!resolved->field->sortable) {
      return scope.error(
          item.field.offset,
          "field '" + std::string(resolved->field->name) + "' can not be sorted in a query call",
          detail::kInvalidField);
    }
    ordered_by_id = ordered_by_id || (resolved->table == 0 && resolved->field->name == "Id");
    out.order += out.order.empty() ? "" : ", ";
    out.order += Scope::column_sql(resolved->table, resolved->field->name);
    out.order += item.descending ? " DESC" : " ASC";
    if (item.nulls == soql::OrderItem::Nulls::first) out.order += " NULLS FIRST";
    if (item.nulls == soql::OrderItem::Nulls::last) out.order += " NULLS LAST";
  }
  // Rows without a complete order come in Id order, which is creation order for the Ids the
  // local org mints, so pages of a result never overlap or skip.
  if (!ordered_by_id) out.order += std::string(out.order.empty() ? "" : ", ") + "t0.\"Id\" ASC";
  if (out.params.size() > kMaxBoundValues) return too_many_values(scope);
  return out;
}

ApiResult<void> check_offset(const Scope& scope, const soql::Query& query,
                             const TranslateOptions& options) {
  if (query.offset && *query.offset > options.max_offset) {
    return ApiError{"NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed for apiName " +
                                                      std::string(scope.root().name) + " is " +
                                                      std::to_string(options.max_offset)};
  }
  return {};
}

// " LIMIT ? OFFSET ?" and its values.
std::string limit_sql(const soql::Query& query, std::vector<SqlValue>& params) {
  std::string out;
  if (query.limit || query.offset) {
    out += " LIMIT ?";
    params.emplace_back(query.limit.value_or(-1));
  }
  if (query.offset) {
    out += " OFFSET ?";
    params.emplace_back(*query.offset);
  }
  return out;
}

ApiResult<ChildQuery> compile_child(const Scope& parent, std::string_view parent_alias,
                                    const soql::Query& sub, const TranslateOptions& options) {
  const auto& parts = sub.from.parts;
  const ObjectSchema& parent_object = parent.root();
  bool prefix_ok =
      parts.size() == 1 ||
      (parts.size() == 2 && (iequals(parts[0], parent_object.name) ||
                             (!parent_alias.empty() && iequals(parts[0], parent_alias))));
  const ChildRelationship* relationship =
      prefix_ok ? parent_object.child_relationship(parts.back()) : nullptr;
  // A child relationship whose reference field the session cannot see does not exist for it.
  if (relationship != nullptr &&
      options.hidden.contains(
          find_object(relationship->child_object)->field(relationship->field))) {
    relationship = nullptr;
  }
  if (relationship == nullptr) {
    return parent.error(sub.from.offset,
                        "Didn't understand relationship '" + printable(sub.from.text()) +
                            "' in FROM part of query call. If you are attempting to use a custom "
                            "relationship, be sure to append the '__r' after the custom "
                            "relationship name. Please reference your WSDL or the describe call "
                            "for the appropriate names.",
                        detail::kInvalidType);
  }
  ChildQuery child;
  child.relationship = relationship->name;
  child.object = find_object(relationship->child_object);
  child.parent_field = child.object->field(relationship->field);
  Scope scope(parent.soql(), *child.object, sub.alias, options.hidden);
  if (sub.count)
    return unsupported(scope, sub.count_offset, "COUNT() in a child relationship query");
  if (auto ok = check_offset(scope, sub, options); !ok) return ok.error();

  child.nodes.push_back({child.object, scope.column(Scope::column_sql(0, "Id")), {}});
  child.parent_key_column = scope.column(Scope::column_sql(0, child.parent_field->name));
  if (auto ok = add_fields(scope, sub, child.nodes); !ok) return ok.error();
  // Children come grouped by parent (the executor attaches them in one pass), each parent's in
  // the subquery's order; the index on (parent key, Id) serves both the IN and this order.
  std::string parent_key = Scope::column_sql(0, child.parent_field->name);
  auto parts_sql = clauses(scope, sub, options, "", parent_key + " ASC");
  if (!parts_sql) return parts_sql.error();
  child.params = std::move(parts_sql->params);
  child.column_count = scope.column_count();

  std::string rest = parts_sql->where.empty() ? "" : " AND " + parts_sql->where;
  if (!sub.limit && !sub.offset) {
    child.sql_head = "SELECT " + scope.select_list() + " FROM " + scope.from_sql() + " WHERE " +
                     parent_key + " IN (";
    child.sql_tail = ")" + rest + " ORDER BY " + parts_sql->order;
    return child;
  }
  // LIMIT and OFFSET count per parent: number each parent's children in order and keep a window.
  child.sql_head = "SELECT * FROM (SELECT " + scope.select_list() +
                   ", ROW_NUMBER() OVER (PARTITION BY " + parent_key + " ORDER BY " +
                   parts_sql->order + ") AS pe_rn FROM " + scope.from_sql() + " WHERE " +
                   parent_key + " IN (";
  child.sql_tail = ")" + rest + ") WHERE pe_rn > ?";
  int64_t skip = sub.offset.value_or(0);
  child.params.emplace_back(skip);
  if (sub.limit) {
    child.sql_tail += " AND pe_rn <= ?";
    child.params.emplace_back(skip + *sub.limit);
  }
  child.sql_tail += " ORDER BY c" + std::to_string(child.parent_key_column) + ", pe_rn";
  return child;
}

// The record shape of a top-level SELECT: fields, parents and child subqueries in order.
ApiResult<void> add_select_items(Scope& scope, const soql::Query& query,
                                 const TranslateOptions& options, CompiledQuery& out) {
  out.nodes.push_back({out.object, scope.column(Scope::column_sql(0, "Id")), {}});
  for (const auto& item : query.select) {
    if (item.kind == soql::SelectItem::Kind::field) {
      auto resolved = scope.resolve(item.field);
      if (!resolved) return resolved.error();
      if (auto ok = add_field(scope, out.nodes, *resolved); !ok) return ok.error();
      continue;
    }
    auto child = compile_child(scope, query.alias, query.subqueries[item.subquery], options);
    if (!child) return child.error();
    for (const auto& entry : out.nodes[0].entries) {
      if (entry.kind == RecordNode::Entry::Kind::children && entry.key == child->relationship) {
        return ApiError{std::string(detail::kInvalidField),
                        "duplicate field selected: " + std::string(child->relationship)};
      }
    }
    out.nodes[0].entries.push_back({RecordNode::Entry::Kind::children, child->relationship, nullptr,
                                    -1, -1, static_cast<int>(out.children.size())});
    out.children.push_back(std::move(*child));
  }
  return {};
}

}  // namespace

std::string ChildQuery::sql(size_t parent_count) const {
  std::string out = sql_head;
  out.reserve(sql_head.size() + sql_tail.size() + 3 * parent_count);
  for (size_t i = 0; i < parent_count; ++i) out += i == 0 ? "?" : ",?";
  out += sql_tail;
  return out;
}

ApiResult<CompiledQuery> translate(const soql::Query& query, std::string_view soql,
                                   const TranslateOptions& options) {
  CompiledQuery out;
  out.object = find_object(query.from.text());
  if (out.object == nullptr || query.from.parts.size() != 1) {
    return ApiError{std::string(detail::kInvalidType),
                    query_error_message(soql, query.from.offset,
                                        "sObject type '" + printable(query.from.text()) +
                                            "' is not supported. If you are attempting to use a "
                                            "custom object, be sure to append the '__c' after "
                                            "the entity name. Please reference your WSDL or the "
                                            "describe call for the appropriate names.")};
  }
  Scope scope(soql, *out.object, query.alias, options.hidden);
  if (auto ok = check_offset(scope, query, options); !ok) return ok.error();
  if (query.subqueries.size() > kMaxChildQueries) {
    return scope.error(0, "Query is too complicated: at most 20 child relationship queries",
                       detail::kQueryTooComplicated);
  }

  if (!query.count) {
    if (auto ok = add_select_items(scope, query, options, out); !ok) return ok.error();
  }
  auto parts = clauses(scope, query, options);
  if (!parts) return parts.error();

  std::string from_where =
      " FROM " + scope.from_sql() + (parts->where.empty() ? "" : " WHERE " + parts->where);
  out.count_params = parts->params;
  std::string limit = limit_sql(query, out.count_params);
  out.count_sql = limit.empty() ? "SELECT COUNT(*)" + from_where
                                : "SELECT COUNT(*) FROM (SELECT 1" + from_where + limit + ")";
  if (query.count) {
    out.count_only = true;
    out.sql = out.count_sql;
    out.params = out.count_params;
    out.column_count = 1;
    return out;
  }
  out.params = std::move(parts->params);
  out.sql = "SELECT " + scope.select_list() + from_where + " ORDER BY " + parts->order +
            limit_sql(query, out.params);
  out.column_count = scope.column_count();
  return out;
}

ApiResult<CompiledQuery> compile_soql(std::string_view soql, const TranslateOptions& options) {
  auto query = soql::parse_soql(soql, options.limits);
  if (!query) return to_api_error(query.error());
  return translate(*query, soql, options);
}

}  // namespace pe::devorg
