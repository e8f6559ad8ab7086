// soql_translator.hpp: checks a parsed SOQL statement against the schema and compiles it to
// SQLite statements plus the shape of the records they produce.
//
// The output is everything an executor needs to answer /query like Salesforce, and nothing it
// has to re-derive:
//   - `sql` + `params`: the rows, parent fields joined in (LEFT JOIN per relationship path);
//     every value from the statement is a bound parameter, never text spliced into SQL;
//   - `count_sql` + `count_params`: the row count for totalSize (LIMIT/OFFSET applied);
//   - `nodes`: for each JSON object level (the record, its Account, the Account's Owner...), the
//     object type, the column holding its Id (for attributes.url, and null when the parent does
//     not exist) and its entries in SELECT order, each a field column, a nested parent or a child
//     relationship;
//   - `children`: one statement per child subquery, run once per page of parents with the page's
//     parent Ids (`sql(n)` has n placeholders), never once per row. Rows come back with the
//     parent Id in `parent_key_column`; per-parent LIMIT/OFFSET are applied in SQL.
//
// Errors are Salesforce's: INVALID_TYPE for an unknown object, INVALID_FIELD with the
// Row/Column pointer for an unknown field or relationship, MALFORMED_QUERY "invalid ID field: x"
// for a malformed Id, NUMBER_OUTSIDE_VALID_RANGE for OFFSET > 2000, ...
//
//   TranslateOptions options;          // options.now: the clock for TODAY, LAST_N_DAYS:n, ...
//   auto compiled = compile_soql("SELECT Id, Account.Name FROM Opportunity LIMIT 10", options);
//   compiled->sql   == "SELECT t0.\"Id\" AS c0, t1.\"Id\" AS c1, t1.\"Name\" AS c2 FROM ..."
//   compiled->nodes[0].entries[0]  → {field "Id", column 0}
//   compiled->nodes[0].entries[1]  → {parent "Account", node 1}
#pragma once

#include "devorg/api_error.hpp"
#include "devorg/schema.hpp"
#include "soql/ast.hpp"
#include "soql/parser.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pe::devorg {

// A bound value: NULL, an INTEGER (ints, booleans, millionths of decimals) or TEXT.
using SqlValue = std::variant<std::monostate, int64_t, std::string>;

struct TranslateOptions {
  bool include_deleted = false;  // queryAll: rows with IsDeleted = 1 too
  // The instant and the user's UTC offset that relative date literals are resolved against.
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  std::chrono::minutes utc_offset{0};
  soql::ParseLimits limits;
  int max_offset = 2000;  // Salesforce's OFFSET limit
  // Comparisons in one WHERE clause (an IN list counts once). SQLite prepares a statement in
  // time that grows with the square of this number: 1,000 take about 20 ms, 8,000 two seconds.
  size_t max_conditions = 1000;
  // Field-level security of the session: a hidden field anywhere in the statement (SELECT,
  // WHERE, ORDER BY, a parent path, a child subquery) is INVALID_FIELD "No such column ...", with
  // the pointer, exactly as a field that does not exist.
  HiddenFields hidden;
};

// One JSON object level of a result record.
struct RecordNode {
  struct Entry {
    enum class Kind { field, parent, children };
    Kind kind = Kind::field;
    std::string_view key;                // JSON key: the field's or relationship's canonical name
    const FieldSchema* field = nullptr;  // field: its schema (type decides how it renders)
    int column = -1;                     // field: the result column
    int node = -1;                       // parent: index of the nested RecordNode
    int child = -1;                      // children: index into CompiledQuery::children
  };
  const ObjectSchema* object = nullptr;
  int id_column = -1;  // this level's Id; NULL in a parent node means "Account": null
  std::vector<Entry> entries;
};

struct ChildQuery {
  std::string_view relationship;  // JSON key: "OpportunityLineItems"
  const ObjectSchema* object = nullptr;
  const FieldSchema* parent_field = nullptr;  // OpportunityLineItem.OpportunityId
  int parent_key_column = -1;                 // the column holding the parent's Id
  int column_count = 0;                       // result columns to read (more may follow)
  std::vector<RecordNode> nodes;              // nodes[0]: the child record
  std::vector<SqlValue> params;               // bound after the parent ids

  // The statement for `parent_count` parent Ids: bind the ids to ?1..?n, then `params`.
  std::string sql(size_t parent_count) const;

  std::string sql_head;  // up to "IN ("
  std::string sql_tail;  // from ")" on
};

struct CompiledQuery {
  const ObjectSchema* object = nullptr;
  bool count_only = false;  // SELECT COUNT(): `sql` returns one row, the count; no records
  std::string sql;
  std::vector<SqlValue> params;
  std::string count_sql;
  std::vector<SqlValue> count_params;
  int column_count = 0;
  std::vector<RecordNode> nodes;  // nodes[0]: the record; empty for COUNT()
  std::vector<ChildQuery> children;
};

// `soql` must be the text `query` was parsed from (error messages point into it).
ApiResult<CompiledQuery> translate(const soql::Query& query, std::string_view soql,
                                   const TranslateOptions& options = {});
// parse_soql() then translate().
ApiResult<CompiledQuery> compile_soql(std::string_view soql, const TranslateOptions& options = {});

}  // namespace pe::devorg
