// ast.hpp: the syntax tree of one SOQL statement, as parse_soql() produces it.
//
// The tree holds names as written (case and all) with their byte offsets in the statement, so
// that the translator can resolve them against the schema and point at them in Salesforce-style
// errors (the local org's translator, the product's where-clause check). Nothing here knows
// the schema.
//
//   SELECT Id, Account.Name, (SELECT Quantity FROM OpportunityLineItems)
//   FROM Opportunity WHERE StageName IN ('Prospecting') AND Amount > 100 ORDER BY Name LIMIT 10
//
//   query.select    = [field Id, field Account.Name, subquery 0]
//   query.from      = {"Opportunity"}
//   query.where     = and_{ comparison StageName IN [...], comparison Amount > 100 }
//   query.order_by  = [Name ASC], query.limit = 10
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pe::soql {

// A dotted name as written: "Account.Owner.Name" → parts {"Account", "Owner", "Name"}.
struct FieldRef {
  std::vector<std::string> parts;
  uint32_t offset = 0;  // byte offset of the first character in the statement

  std::string text() const;  // the parts joined by '.'
};

struct Literal {
  enum class Kind {
    null,
    boolean,
    number,        // text: as written, e.g. "-12.50" or "+3"
    string,        // text: the decoded value; like_pattern: the same for SQLite LIKE
    date,          // text: "2024-01-31" (validated)
    datetime,      // text: as written, e.g. "2024-01-31T10:00:00+02:00" (validated)
    date_literal,  // text: the upper-case name, e.g. "LAST_N_DAYS"; n: its parameter
  };
  Kind kind = Kind::null;
  std::string text;
  // For strings: the value as a SQLite LIKE pattern with ESCAPE '\': SOQL's wildcards % and _
  // stay wildcards, its escaped \% and \_ become literal, a literal backslash becomes "\\".
  std::string like_pattern;
  bool boolean = false;
  int64_t n = 0;  // date literals with a parameter (LAST_N_DAYS:n)
  uint32_t offset = 0;
};

enum class CompareOp { eq, ne, lt, le, gt, ge, like, in, not_in };

struct Comparison {
  FieldRef field;
  CompareOp op = CompareOp::eq;
  std::vector<Literal> values;  // one value, or the IN / NOT IN list
  uint32_t op_offset = 0;
};

struct Condition {
  enum class Kind { comparison, and_, or_, not_ };
  Kind kind = Kind::comparison;
  Comparison comparison;            // when kind == comparison
  std::vector<Condition> operands;  // and_ / or_: two or more; not_: exactly one
};

struct OrderItem {
  enum class Nulls { unspecified, first, last };
  FieldRef field;
  bool descending = false;
  Nulls nulls = Nulls::unspecified;
};

struct SelectItem {
  enum class Kind { field, subquery };
  Kind kind = Kind::field;
  FieldRef field;       // kind == field
  size_t subquery = 0;  // kind == subquery: index into Query::subqueries
};

struct Query {
  std::vector<SelectItem> select;  // empty for SELECT COUNT()
  std::vector<Query> subqueries;   // child relationship queries, in SELECT order
  bool count = false;              // SELECT COUNT()
  uint32_t count_offset = 0;
  // The object ("Opportunity"), or in a subquery the child relationship ("OpportunityLineItems"
  // or "Opportunity.OpportunityLineItems").
  FieldRef from;
  std::string alias;  // FROM Opportunity o
  std::optional<Condition> where;
  uint32_t where_end = 0;  // with a WHERE: the offset of the first token after its condition
  std::vector<OrderItem> order_by;
  std::optional<int64_t> limit;
  std::optional<int64_t> offset;
  uint32_t offset_offset = 0;  // where OFFSET's number is, for range errors
};

}  // namespace pe::soql
