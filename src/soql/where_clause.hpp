// where_clause.hpp: the product's check of a caller's SOQL condition before it is queued, e.g.
// the `soqlWhereClause` of POST /api/executebatch ("Amount > 1000 AND StageName = 'Prospecting'").
//
// The clause is parsed as the condition of `SELECT Id FROM <object> WHERE <clause>` by the same
// parser the local org uses (parser.hpp), so what passes here also parses there, and then
// checked against the fields of a describe of the object: a plain name must be one of its fields
// (and filterable), a dotted one (`Account.BillingCountry`) must start with one of its
// relationship names (the rest names fields of another object and is left to Salesforce), and a
// literal must be of the kind the field's type takes (a number for currency, a quoted string for
// a picklist, a valid Id for a reference, ...). Anything after the condition (ORDER BY, LIMIT, a
// `;` or a second statement) is refused: the clause is a condition, not a statement tail.
//
// A problem says what is wrong and where, as a 0-based character offset in the clause as given
// (code points; a byte that is not UTF-8 counts as one), always at most the clause's length. Its
// message is short, valid UTF-8, and quotes at most about 60 characters of the clause:
//   "unknown field 'Amout' at position 0", "unexpected token 'LIMIT' at position 23"
//
//   ObjectFields fields = fields_from_describe(describe);   // GET
//   .../sobjects/Opportunity/describe if (auto problem = check_where_clause(body_clause, fields)) {
//     return bad_request(problem->message);                   // 400, nothing queued
//   }
#pragma once

#include <boost/json/object.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace pe::soql {

// The names a clause on one object may use: its fields (with their describe types) and the
// relationship names of its reference fields. Names are looked up case-insensitively, as SOQL does.
class ObjectFields {
 public:
  struct Field {
    std::string name;  // as the describe spells it: "Amount"
    std::string type;  // the describe's type: "currency", "picklist", "reference", "date", ...
    bool filterable = true;
  };

  explicit ObjectFields(std::string object = "Opportunity") : object_(std::move(object)) {}

  void add_field(Field field);
  void add_relationship(std::string_view name);

  const std::string& object() const { return object_; }
  const Field* field(std::string_view name) const;  // nullptr when there is no such field
  bool has_relationship(std::string_view name) const;
  size_t field_count() const { return fields_.size(); }

 private:
  std::string object_;
  std::map<std::string, Field, std::less<>> fields_;  // by upper-case name
  std::set<std::string, std::less<>> relationships_;  // upper-case
};

// From a describe answer (Salesforce's or the local org's): "name" (the object; "Opportunity"
// when absent), and "fields"[] with "name",
// "type", "relationshipName" (a string or null) and "filterable" (true when absent). Entries that
// are not of that shape are skipped.
ObjectFields fields_from_describe(const boost::json::object& describe);

struct WhereClauseProblem {
  size_t position = 0;  // 0-based character offset in the clause as given
  std::string message;  // "unknown field 'Amout' at position 0"

  friend bool operator==(const WhereClauseProblem&, const WhereClauseProblem&) = default;
};

// nullopt when `clause` is a condition on `fields.object()` that Salesforce can be sent; else the
// first problem found: empty or blank, longer than `max_characters`, not valid UTF-8, bad syntax
// (or syntax the parser does not support, e.g. functions and semi-joins), anything after the
// condition, an unknown or unfilterable field, an unknown relationship, a literal of the wrong
// kind for its field.
std::optional<WhereClauseProblem> check_where_clause(std::string_view clause,
                                                     const ObjectFields& fields,
                                                     size_t max_characters = 4000);

}  // namespace pe::soql
