#include "soql/where_clause.hpp"

#include "common/sfid.hpp"
#include "soql/parser.hpp"
#include "soql/utf8.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <vector>

namespace pe::soql {
namespace {

namespace json = boost::json;

// Names and tokens quoted in a message are clipped to this many characters.
constexpr size_t kMaxQuoted = 60;

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }
bool is_word(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

// Characters in text[0, end): code points, each byte that is not UTF-8 counting as one.
size_t characters(std::string_view text, size_t end) {
  size_t count = 0;
  for (size_t i = 0; i < end && i < text.size(); ++count) {
    size_t n = utf8_sequence_length(text, i);
    i += n == 0 ? 1 : n;
  }
  return count;
}

std::string quoted(std::string_view name) { return "'" + printable(name, kMaxQuoted) + "'"; }

// What kind of literal a field's type takes, by its describe type.
enum class Takes { text, id, boolean, number, date, datetime, anything };

Takes takes(std::string_view type) {
  if (type == "id" || type == "reference") return Takes::id;
  if (type == "boolean") return Takes::boolean;
  if (type == "int" || type == "long" || type == "double" || type == "currency" ||
      type == "percent") {
    return Takes::number;
  }
  if (type == "date") return Takes::date;
  if (type == "datetime") return Takes::datetime;
  if (type == "string" || type == "picklist" || type == "multipicklist" || type == "textarea" ||
      type == "email" || type == "phone" || type == "url" || type == "combobox" ||
      type == "encryptedstring") {
    return Takes::text;
  }
  return Takes::anything;  // time, base64, address, location, anyType, ...: left to Salesforce
}

std::string_view kind_name(Literal::Kind kind) {
  switch (kind) {
    case Literal::Kind::null:
      return "null";
    case Literal::Kind::boolean:
      return "a boolean";
    case Literal::Kind::number:
      return "a number";
    case Literal::Kind::string:
      return "a string";
    case Literal::Kind::date:
      return "a date";
    case Literal::Kind::datetime:
      return "a datetime";
    case Literal::Kind::date_literal:
      return "a relative date";
  }
  return "a value";
}

bool literal_fits(Takes want, const Literal& value) {
  if (value.kind == Literal::Kind::null) return true;
  switch (want) {
    case Takes::text:
    case Takes::id:
      return value.kind == Literal::Kind::string;
    case Takes::boolean:
      return value.kind == Literal::Kind::boolean;
    case Takes::number:
      return value.kind == Literal::Kind::number;
    case Takes::date:
      return value.kind == Literal::Kind::date || value.kind == Literal::Kind::date_literal;
    case Takes::datetime:
      return value.kind == Literal::Kind::datetime || value.kind == Literal::Kind::date_literal;
    case Takes::anything:
      return true;
  }
  return true;
}

// The check of one parsed clause; offsets in the AST are bytes of `statement`, which is
// `prefix_size` bytes of "SELECT Id FROM ... WHERE " followed by the clause.
class Checker {
 public:
  Checker(std::string_view statement, size_t prefix_size, const ObjectFields& fields)
      : statement_(statement),
        clause_(statement.substr(prefix_size)),
        prefix_(prefix_size),
        fields_(fields) {}

  size_t position(size_t statement_offset) const {
    if (statement_offset <= prefix_) return 0;
    return characters(clause_, statement_offset - prefix_);
  }

  WhereClauseProblem problem(size_t statement_offset, std::string_view what) const {
    size_t at = position(statement_offset);
    return {at, std::string(what) + " at position " + std::to_string(at)};
  }

  // A refusal of the parser, in the clause's terms.
  WhereClauseProblem parse_problem(const SoqlError& error) const {
    std::string_view reason = error.reason;
    constexpr std::string_view kUnexpected = "unexpected token: '";
    if (reason == "unexpected token: '<EOF>'") {
      return problem(error.offset, "unexpected end of the clause");
    }
    if (reason.starts_with(kUnexpected) && reason.ends_with('\'')) {
      std::string_view token = reason.substr(kUnexpected.size());
      token.remove_suffix(1);
      return problem(error.offset, "unexpected token " + quoted(token));
    }
    if (reason == "the query is not valid UTF-8") {
      return problem(error.offset, "the clause is not valid UTF-8");
    }
    return problem(error.offset, printable(reason, kMaxQuoted + 20));
  }

  std::optional<WhereClauseProblem> query(const Query& q) const {
    if (!q.where) return problem(statement_.size(), "no condition");
    if (q.where_end < statement_.size()) {
      // ORDER BY, LIMIT or OFFSET: the only clauses the parser accepts after WHERE.
      size_t end = q.where_end;
      while (end < statement_.size() && is_word(statement_[end])) ++end;
      std::string_view token = statement_.substr(q.where_end, end - q.where_end);
      return problem(q.where_end, "unexpected token " + quoted(token));
    }
    return condition(*q.where);
  }

 private:
  std::optional<WhereClauseProblem> condition(const Condition& c) const {
    if (c.kind == Condition::Kind::comparison) return comparison(c.comparison);
    for (const auto& operand : c.operands) {
      if (auto found = condition(operand)) return found;
    }
    return std::nullopt;
  }

  std::optional<WhereClauseProblem> comparison(const Comparison& c) const {
    std::vector<std::string_view> parts(c.field.parts.begin(), c.field.parts.end());
    // The object's own name may prefix a field: Opportunity.Amount.
    if (parts.size() > 1 && upper(parts.front()) == upper(fields_.object())) {
      parts.erase(parts.begin());
    }
    if (parts.size() > 1) {
      if (fields_.has_relationship(parts.front())) return std::nullopt;
      return problem(c.field.offset, "unknown relationship " + quoted(parts.front()));
    }
    const ObjectFields::Field* field = fields_.field(parts.front());
    if (field == nullptr) return problem(c.field.offset, "unknown field " + quoted(c.field.text()));
    if (!field->filterable) {
      return problem(c.field.offset, "field " + quoted(field->name) + " cannot be filtered");
    }
    Takes want = takes(field->type);
    if (c.op == CompareOp::like && want != Takes::text && want != Takes::anything) {
      return problem(c.op_offset, "LIKE applies to text fields, not to " + field->type + " field " +
                                      quoted(field->name));
    }
    for (const auto& value : c.values) {
      if (!literal_fits(want, value)) {
        return problem(value.offset, std::string(kind_name(value.kind)) +
                                         " cannot be compared with " + field->type + " field " +
                                         quoted(field->name));
      }
      if (want == Takes::id && value.kind == Literal::Kind::string && !value.text.empty() &&
          !SalesforceId::parse(value.text)) {
        return problem(value.offset,
                       "invalid Id " + quoted(value.text) + " for field " + quoted(field->name));
      }
    }
    return std::nullopt;
  }

  std::string_view statement_;
  std::string_view clause_;
  size_t prefix_;
  const ObjectFields& fields_;
};

}  // namespace

void ObjectFields::add_field(Field field) {
  std::string key = upper(field.name);
  fields_.insert_or_assign(std::move(key), std::move(field));
}

void ObjectFields::add_relationship(std::string_view name) { relationships_.insert(upper(name)); }

const ObjectFields::Field* ObjectFields::field(std::string_view name) const {
  auto found = fields_.find(upper(name));
  return found == fields_.end() ? nullptr : &found->second;
}

bool ObjectFields::has_relationship(std::string_view name) const {
  return relationships_.contains(upper(name));
}

ObjectFields fields_from_describe(const json::object& describe) {
  const json::string* object = nullptr;
  if (auto it = describe.find("name"); it != describe.end()) object = it->value().if_string();
  ObjectFields out =
      object && !object->empty() ? ObjectFields(std::string(*object)) : ObjectFields();
  auto list = describe.find("fields");
  if (list == describe.end() || !list->value().is_array()) return out;
  for (const auto& entry : list->value().get_array()) {
    const json::object* f = entry.if_object();
    if (f == nullptr) continue;
    auto string_of = [&](std::string_view key) -> const json::string* {
      auto it = f->find(key);
      return it == f->end() ? nullptr : it->value().if_string();
    };
    const json::string* name = string_of("name");
    const json::string* type = string_of("type");
    if (name == nullptr || name->empty() || type == nullptr) continue;
    ObjectFields::Field field{std::string(*name), std::string(*type), true};
    if (auto it = f->find("filterable"); it != f->end() && it->value().is_bool()) {
      field.filterable = it->value().get_bool();
    }
    out.add_field(std::move(field));
    if (const json::string* relationship = string_of("relationshipName");
        relationship != nullptr && !relationship->empty()) {
      out.add_relationship(*relationship);
    }
  }
  return out;
}

std::optional<WhereClauseProblem> check_where_clause(std::string_view clause,
                                                     const ObjectFields& fields,
                                                     size_t max_characters) {
  // The length first, in one bounded pass: nothing else looks at an oversized clause.
  // (A character is at most 4 bytes, so a clause of more bytes than that needs no count.)
  if (clause.size() > max_characters &&
      (clause.size() / 4 > max_characters || characters(clause, clause.size()) > max_characters)) {
    return WhereClauseProblem{max_characters, "the clause is longer than " +
                                                  std::to_string(max_characters) + " characters"};
  }
  size_t first = 0;
  while (first < clause.size() && is_space(clause[first])) ++first;
  if (first == clause.size()) return WhereClauseProblem{0, "the clause is empty"};

  // An object name that is not a plain name would change the statement: fall back to the
  // object this check exists for.
  std::string_view object = fields.object();
  if (object.empty() || !std::all_of(object.begin(), object.end(), is_word) ||
      (object.front() >= '0' && object.front() <= '9')) {
    object = "Opportunity";
  }
  std::string statement = "SELECT Id FROM " + std::string(object) + " WHERE ";
  size_t prefix = statement.size();
  statement += clause;
  Checker checker(statement, prefix, fields);
  auto parsed = parse_soql(statement);
  if (!parsed) return checker.parse_problem(parsed.error());
  return checker.query(*parsed);
}

}  // namespace pe::soql
