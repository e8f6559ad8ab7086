// WHERE clauses: SOQL conditions to SQLite expressions with bound values.
//
// SOQL comparisons are two-valued: a null field makes "=", "<", "LIKE" and "IN" false and "!="
// and "NOT IN" true, where SQL would answer NULL. Plain SQL comparisons give the same answer
// under AND and OR (NULL behaves as false there); only negation differs, so "!=" is written
// IS NOT (null-safe), and NOT and NOT IN as "(x) IS NOT 1", which is true for false and NULL.
//
// The SQL must also stay within what SQLite's parser accepts: its parser stack (100 entries)
// overflows at about 30 nested parenthesised AND/OR groups, and its expression trees may be at
// most 1,000 deep. So WHERE nesting is capped (ParseLimits::max_nesting), chains are written
// flat in chunks (join_chain) and parentheses are added only where precedence needs them.
// Text columns are COLLATE NOCASE, so = and IN compare case-insensitively as SOQL does.
#include "devorg/soql_scope.hpp"
#include "soql/dates.hpp"

#include "common/money.hpp"
#include "common/sfid.hpp"

#include <charconv>

namespace pe::devorg::detail {
namespace {

using soql::CompareOp;
using soql::Comparison;
using soql::Condition;
using soql::Literal;

// The type as Salesforce names it in "must be of type ..." errors, and whether its values are
// written in quotes.
std::pair<std::string_view, bool> filter_type(FieldType type) {
  switch (type) {
    case FieldType::id:
    case FieldType::reference:
      return {"id", true};
    case FieldType::boolean:
      return {"boolean", false};
    case FieldType::int_:
      return {"integer", false};
    case FieldType::double_:
    case FieldType::currency:
    case FieldType::percent:
      return {"double", false};
    case FieldType::date:
      return {"date", false};
    case FieldType::datetime:
      return {"dateTime", false};
    default:
      return {"string", true};
  }
}

class ConditionTranslator {
 public:
  ConditionTranslator(Scope& scope, const TranslateOptions& options, std::vector<SqlValue>& params)
      : scope_(scope), options_(options), params_(params) {}

  // `operand`: the result is one operand of an AND/OR chain, so a chain must be parenthesised.
  ApiResult<std::string> condition(const Condition& c, bool operand = false) {
    const Condition* node = &c;
    // NOT NOT x is x: SOQL's logic is two-valued.
    while (node->kind == Condition::Kind::not_ &&
           node->operands.front().kind == Condition::Kind::not_) {
      node = &node->operands.front().operands.front();
    }
    switch (node->kind) {
      case Condition::Kind::comparison:
        return comparison(node->comparison);
      case Condition::Kind::not_: {
        auto inner = condition(node->operands.front());
        if (!inner) return inner.error();
        // IS NOT binds tighter than AND and OR: no parentheses needed around the result.
        return "(" + *inner + ") IS NOT 1";
      }
      case Condition::Kind::and_:
      case Condition::Kind::or_: {
        std::vector<std::string> parts;
        for (const auto& each : node->operands) {
          auto part = condition(each, /*operand=*/true);
          if (!part) return part.error();
          parts.push_back(std::move(*part));
        }
        std::string chain =
            join_chain(std::move(parts), node->kind == Condition::Kind::and_ ? " AND " : " OR ");
        return operand ? "(" + chain + ")" : chain;
      }
    }
    return std::string("0");
  }

 private:
  ApiError mismatch(const FieldSchema& field, const Literal& value) const {
    auto [type, quoted] = filter_type(field.type);
    return scope_.error(value.offset,
                        "value of filter criterion for field '" + std::string(field.name) +
                            "' must be of type " + std::string(type) + " and should " +
                            (quoted ? "" : "not ") + "be enclosed in quotes",
                        kInvalidField);
  }

  // One more SQL predicate; too many make the statement too slow for SQLite to prepare.
  ApiResult<void> count_predicate(uint32_t offset) {
    if (++predicates_ <= options_.max_conditions) return {};
    return scope_.error(offset,
                        "Query is too complicated: more than " +
                            std::to_string(options_.max_conditions) +
                            " conditions in the WHERE clause",
                        kQueryTooComplicated);
  }

  ApiResult<std::string> comparison(const Comparison& c) {
    if (auto ok = count_predicate(c.field.offset); !ok) return ok.error();
    auto resolved = scope_.resolve(c.field);
    if (!resolved) return resolved.error();
    const FieldSchema& field = *resolved->field;
    if (!field.filterable) {
      return scope_.error(
          c.field.offset,
          "field '" + std::string(field.name) + "' can not be filtered in query call",
          kInvalidField);
    }
    std::string column = Scope::column_sql(resolved->table, field.name);
    if (c.op == CompareOp::like) return like(field, column, c);
    if (c.op == CompareOp::in || c.op == CompareOp::not_in) return in_list(field, column, c);
    return scalar(field, column, c.op, c.values.front());
  }

  ApiResult<std::string> like(const FieldSchema& field, const std::string& column,
                              const Comparison& c) {
    if (!is_text(field.type)) {
      return scope_.error(c.op_offset,
                          "invalid operator on field '" + std::string(field.name) +
                              "': LIKE applies to text fields only",
                          kInvalidField);
    }
    const Literal& value = c.values.front();
    if (value.kind != Literal::Kind::string) return mismatch(field, value);
    params_.emplace_back(value.like_pattern);
    return column + " LIKE ? ESCAPE '\\'";
  }

  ApiResult<std::string> in_list(const FieldSchema& field, const std::string& column,
                                 const Comparison& c) {
    std::vector<SqlValue> values;
    std::vector<std::pair<std::string, std::string>> ranges;  // relative date literals
    bool null = false;
    for (const auto& literal : c.values) {
      if (is_null(field, literal)) {
        null = true;
      } else if (literal.kind == Literal::Kind::date_literal) {
        if (!ranges.empty()) {
          if (auto ok = count_predicate(literal.offset); !ok) return ok.error();
        }
        auto range = date_bounds(field, literal);
        if (!range) return range.error();
        ranges.push_back(std::move(*range));
      } else {
        auto value = convert(field, literal);
        if (!value) return value.error();
        values.push_back(std::move(*value));
      }
    }
    // Alternatives and their bound values in text order (join_chain keeps the order).
    std::vector<std::string> alternatives;
    if (!values.empty()) {
      std::string placeholders;
      for (auto& value : values) {
        placeholders += placeholders.empty() ? "?" : ", ?";
        params_.push_back(std::move(value));
      }
      alternatives.push_back(column + " IN (" + placeholders + ")");
    }
    for (auto& [lo, hi] : ranges) {
      params_.emplace_back(std::move(lo));
      params_.emplace_back(std::move(hi));
      alternatives.push_back("(" + column + " >= ? AND " + column + " < ?)");
    }
    if (null) alternatives.push_back(null_test(field, column, /*equal=*/true));
    std::string any = alternatives.size() == 1
                          ? alternatives.front()
                          : "(" + join_chain(std::move(alternatives), " OR ") + ")";
    if (c.op == CompareOp::in) return any;
    return "(" + any + ") IS NOT 1";
  }

  ApiResult<std::string> scalar(const FieldSchema& field, const std::string& column, CompareOp op,
                                const Literal& value) {
    if (is_null(field, value)) {
      if (op == CompareOp::eq) return null_test(field, column, true);
      if (op == CompareOp::ne) return null_test(field, column, false);
      return std::string("0");  // nothing is less or greater than null
    }
    if (value.kind == Literal::Kind::date_literal) {
      auto range = date_bounds(field, value);
      if (!range) return range.error();
      const auto& [lo, hi] = *range;
      auto bind = [&](const std::string& bound) { params_.emplace_back(bound); };
      switch (op) {
        case CompareOp::eq:
        case CompareOp::ne: {
          bind(lo);
          bind(hi);
          std::string within = "(" + column + " >= ? AND " + column + " < ?)";
          return op == CompareOp::eq ? within : within + " IS NOT 1";
        }
        case CompareOp::lt:
          bind(lo);
          return column + " < ?";
        case CompareOp::le:
          bind(hi);
          return column + " < ?";
        case CompareOp::gt:
          bind(hi);
          return column + " >= ?";
        case CompareOp::ge:
          bind(lo);
          return column + " >= ?";
        default:
          return std::string("0");
      }
    }
    auto bound = convert(field, value);
    if (!bound) return bound.error();
    params_.push_back(std::move(*bound));
    switch (op) {
      case CompareOp::eq:
        return column + " = ?";
      case CompareOp::ne:
        return column + " IS NOT ?";
      case CompareOp::lt:
        return column + " < ?";
      case CompareOp::le:
        return column + " <= ?";
      case CompareOp::gt:
        return column + " > ?";
      case CompareOp::ge:
        return column + " >= ?";
      default:
        return std::string("0");
    }
  }

  // null, and '' for an Id (Salesforce treats an empty Id as no Id).
  static bool is_null(const FieldSchema& field, const Literal& value) {
    if (value.kind == Literal::Kind::null) return true;
    bool id = field.type == FieldType::id || field.type == FieldType::reference;
    return id && value.kind == Literal::Kind::string && value.text.empty();
  }

  // Booleans are never null: "= null" means false (Salesforce documents this).
  static std::string null_test(const FieldSchema& field, const std::string& column, bool equal) {
    if (field.type == FieldType::boolean) return column + (equal ? " = 0" : " = 1");
    return column + (equal ? " IS NULL" : " IS NOT NULL");
  }

  // [lo, hi) of a relative date literal, as stored text for this field's type.
  ApiResult<std::pair<std::string, std::string>> date_bounds(const FieldSchema& field,
                                                             const Literal& value) {
    if (field.type != FieldType::date && field.type != FieldType::datetime) {
      return mismatch(field, value);
    }
    using namespace std::chrono;
    auto local_now = options_.now + options_.utc_offset;
    sys_days today = floor<days>(local_now);
    auto range = soql::relative_date_range(value.text, value.n, today);
    if (!range) return mismatch(field, value);
    if (field.type == FieldType::date) {
      return std::pair{soql::format_date(range->first), soql::format_date(range->end)};
    }
    // A day of the user's calendar starts at local midnight: its UTC instant is midnight minus
    // the user's offset.
    auto instant = [&](sys_days day) {
      return soql::format_datetime(soql::Millis(day) -
                                   duration_cast<milliseconds>(options_.utc_offset));
    };
    return std::pair{instant(range->first), instant(range->end)};
  }

  ApiResult<SqlValue> convert(const FieldSchema& field, const Literal& value) {
    switch (field.type) {
      case FieldType::id:
      case FieldType::reference: {
        if (value.kind != Literal::Kind::string) return mismatch(field, value);
        auto id = SalesforceId::parse(value.text);
        if (!id) {
          return scope_.error(value.offset, "invalid ID field: " + printable(value.text, 100),
                              kMalformedQuery);
        }
        return SqlValue(std::string(id->str()));
      }
      case FieldType::boolean:
        if (value.kind != Literal::Kind::boolean) return mismatch(field, value);
        return SqlValue(int64_t{value.boolean ? 1 : 0});
      case FieldType::int_:
        return integer(field, value);
      case FieldType::double_:
      case FieldType::currency:
      case FieldType::percent:
        return decimal(field, value);
      case FieldType::date:
        if (value.kind != Literal::Kind::date) return mismatch(field, value);
        return SqlValue(value.text);
      case FieldType::datetime: {
        if (value.kind != Literal::Kind::datetime) return mismatch(field, value);
        auto instant = soql::parse_soql_datetime(value.text);  // validated by the parser
        if (!instant) return mismatch(field, value);
        return SqlValue(soql::format_datetime(*instant));
      }
      default:
        if (value.kind != Literal::Kind::string) return mismatch(field, value);
        return SqlValue(value.text);
    }
  }

  ApiResult<SqlValue> integer(const FieldSchema& field, const Literal& value) {
    std::string_view text = value.text;
    if (value.kind != Literal::Kind::number || text.find('.') != std::string_view::npos) {
      return mismatch(field, value);
    }
    if (text.starts_with('+')) text.remove_prefix(1);
    int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return scope_.error(value.offset, "numeric value out of range: " + printable(value.text, 40),
                          kMalformedQuery);
    }
    return SqlValue(n);
  }

  ApiResult<SqlValue> decimal(const FieldSchema& field, const Literal& value) {
    if (value.kind != Literal::Kind::number) return mismatch(field, value);
    std::string_view text = value.text;
    if (text.starts_with('+')) text.remove_prefix(1);
    auto parsed = Decimal::parse(text);
    if (!parsed) {
      bool too_precise = parsed.error().message.find("decimal places") != std::string::npos;
      return scope_.error(value.offset,
                          too_precise ? "The local org compares numbers to at most 6 decimal "
                                        "places: " +
                                            printable(value.text, 40)
                                      : "numeric value out of range: " + printable(value.text, 40),
                          kMalformedQuery);
    }
    return SqlValue(parsed->units());
  }

  Scope& scope_;
  const TranslateOptions& options_;
  std::vector<SqlValue>& params_;
  size_t predicates_ = 0;
};

}  // namespace

ApiResult<std::string> translate_condition(Scope& scope, const Condition& condition,
                                           const TranslateOptions& options,
                                           std::vector<SqlValue>& params) {
  return ConditionTranslator(scope, options, params).condition(condition);
}

}  // namespace pe::devorg::detail
