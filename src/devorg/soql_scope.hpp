// soql_scope.hpp: internal to the SOQL translator (soql_translator.cpp, soql_where.cpp).
//
// A Scope is one SELECT being compiled: its root object (table alias t0), the parent objects it
// joins (t1, t2, ... one LEFT JOIN per distinct relationship path) and the result columns it
// reads. Resolving a field path registers the joins the path needs.
#pragma once

#include "devorg/api_error.hpp"
#include "devorg/schema.hpp"
#include "devorg/soql_translator.hpp"
#include "soql/ast.hpp"

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pe::devorg::detail {

inline constexpr std::string_view kInvalidField = "INVALID_FIELD";
inline constexpr std::string_view kInvalidType = "INVALID_TYPE";
inline constexpr std::string_view kMalformedQuery = "MALFORMED_QUERY";
inline constexpr std::string_view kQueryTooComplicated = "QUERY_TOO_COMPLICATED";

// A field path resolved against the schema.
struct ResolvedField {
  const FieldSchema* field = nullptr;
  int table = 0;                                  // the alias t<table> that holds the column
  std::vector<const FieldSchema*> relationships;  // reference fields followed from the root
};

class Scope {
 public:
  // `hidden`: the session's hidden fields (field-level security), unknown to resolve(); must
  // outlive the Scope.
  Scope(std::string_view soql, const ObjectSchema& root, std::string_view alias,
        const HiddenFields& hidden);

  // Resolves "Name", "Account.Owner.Name", "Opportunity.Name" (the root's own name or alias as a
  // prefix). Errors: INVALID_FIELD for an unknown field or relationship, MALFORMED_QUERY for a
  // path more than 5 relationships deep or more than 55 joins in the statement.
  ApiResult<ResolvedField> resolve(const soql::FieldRef& ref);

  // t1."Name"
  static std::string column_sql(int table, std::string_view field);
  // The index of the result column for `expression`, added on first use.
  int column(const std::string& expression);
  // t0."Id" AS c0, t1."Name" AS c1, ...
  std::string select_list() const;
  int column_count() const { return static_cast<int>(columns_.size()); }
  // "Opportunity" AS t0 LEFT JOIN "Account" AS t1 ON t1."Id" = t0."AccountId" ...
  std::string from_sql() const;
  // The table alias of the parent reached through `relationships` (all joined by resolve).
  int table_for(const std::vector<const FieldSchema*>& relationships) const;

  ApiError error(uint32_t offset, std::string_view text, std::string_view code) const;

  const ObjectSchema& root() const { return root_; }
  std::string_view soql() const { return soql_; }
  const HiddenFields& hidden() const { return hidden_; }

 private:
  struct Join {
    std::string key;  // canonical relationship path: "Account.Owner"
    int table = 0;
    int from_table = 0;
    const FieldSchema* via = nullptr;
    const ObjectSchema* object = nullptr;
  };

  std::string_view soql_;
  const ObjectSchema& root_;
  std::string alias_;
  const HiddenFields& hidden_;
  std::vector<Join> joins_;
  std::vector<std::string> columns_;
  std::unordered_map<std::string, int> column_index_;
};

// The WHERE condition as SQL, appending its bound values to `params` in the order of their
// placeholders.
ApiResult<std::string> translate_condition(Scope& scope, const soql::Condition& condition,
                                           const TranslateOptions& options,
                                           std::vector<SqlValue>& params);

// Joins `parts` with " AND " or " OR ": flat up to 32 operands ("a AND b AND c", which SQLite's
// parser reads without nesting), beyond that in parenthesised groups of 32, and groups of groups,
// so that a chain of 30,000 terms is at most 3 parentheses and about 100 expression levels deep
// (SQLite's limits: a 100-entry parser stack, expression trees 1,000 deep). Each part must bind
// tighter than AND/OR (a comparison, or anything parenthesised).
std::string join_chain(std::vector<std::string> parts, std::string_view op);

}  // namespace pe::devorg::detail
