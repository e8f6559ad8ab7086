// record_writer.cpp: create, update, delete and upsert, checked and completed as Salesforce does
// (README, "Storage layout" and "Fields storage computes").
#include "common/json_exact.hpp"
#include "common/money.hpp"
#include "devorg/store_sqlite.hpp"

#include <boost/json/serialize.hpp>

#include <cmath>
#include <cstdio>
#include <optional>
#include <set>

namespace pe::devorg {
namespace {

namespace json = boost::json;

std::string quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

ApiError not_found() { return ApiError("NOT_FOUND", "The requested resource does not exist", 404); }

std::string shown(const json::value& v) {
  if (v.is_string()) return printable(v.as_string(), 80);
  if (v.is_double()) return printable(double_to_plain_text(v.as_double()), 80);
  return printable(json::serialize(v), 80);
}

// Jackson's name for the token a value came as (a JSON number too long for a double arrives
// here as a string: parse_json_exact keeps its text).
std::string_view token_of(const json::value& v) {
  return v.is_string()   ? "VALUE_STRING"
         : v.is_object() ? "START_OBJECT"
         : v.is_array()  ? "START_ARRAY"
         : v.is_double() ? "VALUE_NUMBER_FLOAT"
                         : "VALUE";
}

ApiError bad_value(const FieldSchema& field, std::string_view type, const json::value& v) {
  return ApiError("JSON_PARSER_ERROR",
                  "Cannot deserialize instance of " + std::string(type) + " from " +
                      std::string(token_of(v)) + " value " + shown(v) +
                      " or request may be missing a required field at " +
                      "[line:1, column:1] for field " + std::string(field.name),
                  400, {std::string(field.name)});
}

std::string label_of(const FieldSchema& f) {
  return f.label.empty() ? std::string(f.name) : f.label;
}

ApiError out_of_range(const FieldSchema& field, const json::value& v) {
  return ApiError("NUMBER_OUTSIDE_VALID_RANGE",
                  label_of(field) + ": value outside of valid range on numeric field: " + shown(v),
                  400, {std::string(field.name)});
}

// A number field's value as decimal text: a JSON number (an integer, a double — at most 15
// significant digits, so its shortest text is the client's — or a longer number that
// parse_json_exact kept as its source text) or a string holding one, as Salesforce also takes.
// nullopt for booleans, objects and arrays.
std::optional<std::string> number_text(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      return std::string(v.get_string());
    case json::kind::int64:
      return std::to_string(v.get_int64());
    case json::kind::uint64:
      return std::to_string(v.get_uint64());
    case json::kind::double_:
      // Boost.JSON reads 1e400 as infinity: out of range, like any number that large.
      if (std::isinf(v.get_double())) return "1e400";
      return double_to_plain_text(v.get_double());
    default:
      return std::nullopt;
  }
}

// A currency, percent or double field: any number in range, rounded once (half up) to the
// field's scale (README, "Numbers from clients"), in millionths.
ApiResult<SqlValue> decimal_column(const FieldSchema& field, const json::value& value) {
  auto text = number_text(value);
  if (!text) return bad_value(field, "double", value);
  Result<Decimal> rounded = Decimal::parse_rounded(*text, field.scale);
  if (!rounded) {
    if (rounded.error().code == Errc::out_of_range) return out_of_range(field, value);
    return bad_value(field, "double", value);
  }
  // precision: digits left of the point at most precision - scale (storage holds 13).
  int64_t limit = 1;
  for (int i = 0; i < field.precision - field.scale && i < 13; ++i) limit *= 10;
  if (field.precision - field.scale < 13 && (rounded->units() >= limit * Decimal::kUnitsPerOne ||
                                             rounded->units() <= -limit * Decimal::kUnitsPerOne)) {
    return out_of_range(field, value);
  }
  return SqlValue(rounded->units());
}

// An int field: a whole number, also when written 3.0 or 1e2; 3.5 is refused, not rounded
// (UNCONFIRMED: README, "Numbers from clients"). At most `precision` digits.
ApiResult<SqlValue> int_column(const FieldSchema& field, const json::value& value) {
  int64_t n = 0;
  if (value.is_int64()) {
    n = value.get_int64();
  } else {
    auto text = number_text(value);
    if (!text) return bad_value(field, "int", value);
    Result<Decimal> exact = Decimal::parse(*text);
    if (!exact && exact.error().code == Errc::out_of_range) return out_of_range(field, value);
    if (!exact || !exact->has_scale(0)) return bad_value(field, "int", value);
    n = exact->units() / Decimal::kUnitsPerOne;
  }
  int64_t limit = 1;
  for (int i = 0; i < field.precision && i < 18; ++i) limit *= 10;
  if (n >= limit || n <= -limit) return out_of_range(field, value);
  return SqlValue(n);
}

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "YYYY-MM-DD" with a real calendar day.
bool valid_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!is_digits(s.substr(0, 4)) || !is_digits(s.substr(5, 2)) || !is_digits(s.substr(8, 2))) {
    return false;
  }
  std::chrono::year_month_day ymd{
      std::chrono::year(std::stoi(std::string(s.substr(0, 4)))),
      std::chrono::month(static_cast<unsigned>(std::stoi(std::string(s.substr(5, 2))))),
      std::chrono::day(static_cast<unsigned>(std::stoi(std::string(s.substr(8, 2)))))};
  return ymd.ok();
}

// A datetime in any ISO 8601 form Salesforce accepts, normalised to UTC in the wire form
// "YYYY-MM-DDTHH:MM:SS.sss+0000"; nullopt when malformed.
std::optional<std::string> normalise_datetime(std::string_view s) {
  if (s.size() < 19 || !valid_date(s.substr(0, 10)) || (s[10] != 'T' && s[10] != ' ')) {
    return std::nullopt;
  }
  auto two = [&](size_t at) -> int {
    if (!is_digits(s.substr(at, 2))) return -1;
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
  };
  int hh = two(11), mm = two(14), ss = two(17);
  if (s[13] != ':' || s[16] != ':' || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59) {
    return std::nullopt;
  }
  size_t i = 19;
  int millis = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (digits < 3) millis = millis * 10 + (s[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) millis *= 10;
  }
  int offset_minutes = 0;
  if (i < s.size()) {
    if (s[i] == 'Z' && i + 1 == s.size()) {
      ++i;
    } else if (s[i] == '+' || s[i] == '-') {
      int sign = s[i] == '-' ? -1 : 1;
      std::string_view rest = s.substr(i + 1);
      int oh = -1, om = -1;
      if (rest.size() == 5 && rest[2] == ':') {
        oh = two(i + 1);
        om = two(i + 4);
      } else if (rest.size() == 4) {
        oh = two(i + 1);
        om = two(i + 3);
      }
      if (oh < 0 || oh > 14 || om < 0 || om > 59) return std::nullopt;
      offset_minutes = sign * (oh * 60 + om);
      i = s.size();
    } else {
      return std::nullopt;
    }
  }
  if (i != s.size()) return std::nullopt;
  using namespace std::chrono;
  year_month_day given{
      year(std::stoi(std::string(s.substr(0, 4)))),
      month(static_cast<unsigned>(std::stoi(std::string(s.substr(5, 2))))),
      std::chrono::day(static_cast<unsigned>(std::stoi(std::string(s.substr(8, 2)))))};
  auto t = sys_time<milliseconds>(sys_days(given)) + hours(hh) + minutes(mm) + seconds(ss) +
           milliseconds(millis) - minutes(offset_minutes);
  auto utc_day = floor<days>(t);
  year_month_day ymd(utc_day);
  hh_mm_ss<milliseconds> tod(t - utc_day);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03d+0000",
                static_cast<int>(ymd.year()) % 10000, static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(tod.hours().count()),
                static_cast<int>(tod.minutes().count()), static_cast<int>(tod.seconds().count()),
                static_cast<int>(tod.subseconds().count()));
  return std::string(buf);
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

ApiResult<SqlValue> to_column(const FieldSchema& field, const json::value& value) {
  if (value.is_null()) {
    if (field.type == FieldType::boolean) return SqlValue(int64_t{0});
    return SqlValue(std::monostate{});
  }
  switch (field.type) {
    case FieldType::id:
    case FieldType::reference: {
      if (!value.is_string()) return bad_value(field, "id", value);
      if (value.as_string().empty()) return SqlValue(std::monostate{});
      auto id = SalesforceId::parse(value.as_string());
      if (!id) {
        return ApiError("MALFORMED_ID",
                        label_of(field) + ": id value of incorrect type: " + shown(value), 400,
                        {std::string(field.name)});
      }
      if (field.type == FieldType::reference && id->sobject_type() != field.reference_to) {
        return ApiError("FIELD_INTEGRITY_EXCEPTION",
                        label_of(field) + ": id value of incorrect type: " + std::string(id->str()),
                        400, {std::string(field.name)});
      }
      return SqlValue(std::string(id->str()));
    }
    case FieldType::boolean:
      if (value.is_bool()) return SqlValue(int64_t{value.as_bool() ? 1 : 0});
      if (value.is_string() && (value.as_string() == "true" || value.as_string() == "false")) {
        return SqlValue(int64_t{value.as_string() == "true" ? 1 : 0});
      }
      return bad_value(field, "boolean", value);
    case FieldType::int_:
      return int_column(field, value);
    case FieldType::double_:
    case FieldType::currency:
    case FieldType::percent:
      return decimal_column(field, value);
    case FieldType::date:
      if (!value.is_string() || !valid_date(value.as_string()))
        return bad_value(field, "date", value);
      return SqlValue(std::string(value.as_string()));
    case FieldType::datetime: {
      if (!value.is_string()) return bad_value(field, "datetime", value);
      auto normal = normalise_datetime(value.as_string());
      if (!normal) return bad_value(field, "datetime", value);
      return SqlValue(*normal);
    }
    default: {  // text types
      std::string text;
      if (value.is_string()) {
        text = std::string(value.as_string());
      } else if (value.is_number() || value.is_bool()) {
        text = json::serialize(value);
      } else {
        return bad_value(field, "string", value);
      }
      if (field.length > 0 && utf8_length(text) > static_cast<size_t>(field.length)) {
        return ApiError("STRING_TOO_LONG",
                        label_of(field) + ": data value too large: " + printable(text, 80) +
                            " (max length=" + std::to_string(field.length) + ")",
                        400, {std::string(field.name)});
      }
      if (field.type == FieldType::picklist && field.restricted_picklist && !text.empty()) {
        bool known = std::any_of(field.picklist_values.begin(), field.picklist_values.end(),
                                 [&](std::string_view v) { return v == text; });
        if (!known) {
          return ApiError(
              "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
              label_of(field) + ": bad value for restricted picklist field: " + printable(text, 80),
              400, {std::string(field.name)});
        }
      }
      if (text.empty()) return SqlValue(std::monostate{});
      return SqlValue(std::move(text));
    }
  }
}

namespace {

using Values = std::map<std::string, SqlValue, std::less<>>;

std::optional<int64_t> int_of(const Values& v, std::string_view key) {
  auto it = v.find(key);
  if (it == v.end()) return std::nullopt;
  if (const auto* n = std::get_if<int64_t>(&it->second)) return *n;
  return std::nullopt;
}

std::string text_of(const Values& v, std::string_view key) {
  auto it = v.find(key);
  if (it == v.end()) return "";
  if (const auto* s = std::get_if<std::string>(&it->second)) return *s;
  return "";
}

bool is_null(const Values& v, std::string_view key) {
  auto it = v.find(key);
  return it == v.end() || std::holds_alternative<std::monostate>(it->second);
}

// Default Probability for a stage, as a new org's sales process has it.
int64_t stage_probability(std::string_view stage) {
  static const std::map<std::string_view, int64_t> kStages = {
      {"Prospecting", 10},          {"Qualification", 10},
      {"Needs Analysis", 20},       {"Value Proposition", 50},
      {"Id. Decision Makers", 60},  {"Perception Analysis", 70},
      {"Proposal/Price Quote", 75}, {"Negotiation/Review", 90},
      {"Closed Won", 100},          {"Closed Lost", 0}};
  auto it = kStages.find(stage);
  return it == kStages.end() ? 0 : it->second;
}

// Subtotal = Quantity × UnitPrice and TotalPrice = Subtotal × (1 − Discount/100), each from the
// exact product and rounded once to cents (Quantity and UnitPrice have at most 2 places, so the
// product is exact at 6).
void price_line(Values& v) {
  Decimal quantity = Decimal::from_units(int_of(v, "Quantity").value_or(0));
  Decimal unit = Decimal::from_units(int_of(v, "UnitPrice").value_or(0));
  Decimal discount = Decimal::from_units(int_of(v, "Discount").value_or(0));
  auto exact = quantity.multiply(unit, 6);
  if (!exact) return;
  v["Subtotal"] = exact->round(2).units();
  auto rate = discount.divide(Decimal::from_units(100 * Decimal::kUnitsPerOne));
  auto total = rate ? exact->apply_discount(*rate, 2) : Result<Decimal>(exact->round(2));
  if (total) v["TotalPrice"] = total->units();
}

}  // namespace

void SqliteStore::roll_up_opportunity(const std::string& id) {
  auto& stmt = db_.prepare(
      "UPDATE \"Opportunity\" SET "
      "\"HasOpportunityLineItem\" = EXISTS (SELECT 1 FROM \"OpportunityLineItem\" l "
      "  WHERE l.\"OpportunityId\" = ?1 AND l.\"IsDeleted\" = 0), "
      "\"TotalOpportunityQuantity\" = (SELECT SUM(l.\"Quantity\") FROM \"OpportunityLineItem\" l "
      "  WHERE l.\"OpportunityId\" = ?1 AND l.\"IsDeleted\" = 0), "
      "\"Amount\" = CASE WHEN EXISTS (SELECT 1 FROM \"OpportunityLineItem\" l "
      "  WHERE l.\"OpportunityId\" = ?1 AND l.\"IsDeleted\" = 0) THEN (SELECT "
      "SUM(l.\"TotalPrice\") "
      "  FROM \"OpportunityLineItem\" l WHERE l.\"OpportunityId\" = ?1 AND l.\"IsDeleted\" = 0) "
      "  ELSE \"Amount\" END "
      "WHERE \"Id\" = ?1");
  stmt.bind({id}).step();
}

void SqliteStore::roll_up_quote(const std::string& id) {
  auto& sums = db_.prepare(
      "SELECT COALESCE(SUM(\"Subtotal\"), 0), COALESCE(SUM(\"TotalPrice\"), 0), COUNT(*) FROM "
      "\"QuoteLineItem\" WHERE \"QuoteId\" = ?1 AND \"IsDeleted\" = 0");
  sums.bind({id});
  sums.step();
  int64_t subtotal = sums.int64(0), total = sums.int64(1), count = sums.int64(2);
  sums.reset();
  SqlValue discount = std::monostate{};
  if (subtotal != 0) {
    // (1 − TotalPrice / Subtotal) × 100, at the field's 2 places.
    auto ratio = Decimal::from_units(total).divide(Decimal::from_units(subtotal), 6);
    if (ratio) {
      auto pct =
          (Decimal::one() - *ratio).multiply(Decimal::from_units(100 * Decimal::kUnitsPerOne), 2);
      if (pct) discount = pct->units();
    }
  }
  auto& update = db_.prepare(
      "UPDATE \"Quote\" SET \"Subtotal\" = ?2, \"TotalPrice\" = ?3, \"LineItemCount\" = ?4, "
      "\"Discount\" = ?5, \"GrandTotal\" = ?3 + COALESCE(\"Tax\", 0) + "
      "COALESCE(\"ShippingHandling\", 0) WHERE \"Id\" = ?1");
  update.bind({id, subtotal, total, count, discount}).step();
}

// DUPLICATE_VALUE for the unique field whose value another record already has.
static ApiError duplicate_of(SqliteStore& store, const ObjectSchema& object, const Values& values) {
  for (const auto& f : object.fields) {
    if (!f.unique || f.system || is_null(values, f.name)) continue;
    auto& find = store.db().prepare("SELECT \"Id\" FROM " + quoted(object.name) + " WHERE " +
                                    quoted(f.name) + " = ?1 LIMIT 1");
    find.bind({values.at(std::string(f.name))});
    if (find.step()) {
      std::string other(find.text(0));
      find.reset();
      return ApiError("DUPLICATE_VALUE",
                      "duplicate value found: " + std::string(f.name) +
                          " duplicates value on record with id: " + other,
                      400, {std::string(f.name)});
    }
    find.reset();
  }
  return ApiError("DUPLICATE_VALUE", "duplicate value found", 400);
}

// The body of create(): everything but the transaction and the change report.
static ApiResult<SalesforceId> insert_record(SqliteStore& store, const ObjectSchema& object,
                                             const json::object& fields) {
  if (!object.createable) {
    return ApiError("INVALID_TYPE_FOR_OPERATION",
                    "entity type cannot be inserted: " + std::string(object.name));
  }
  Values values;
  for (const auto& kv : fields) {
    const FieldSchema* field = store.actor().hidden.visible(object, kv.key());
    if (!field) {
      return ApiError("INVALID_FIELD",
                      "No such column '" + printable(kv.key(), 80) + "' on sobject of type " +
                          std::string(object.name),
                      400);
    }
    bool settable = field->createable && !(field->derived && field->name != "Amount");
    if (!settable) {
      return ApiError("INVALID_FIELD_FOR_INSERT_UPDATE",
                      "Unable to create/update fields: " + std::string(field->name) +
                          ". Please check the security settings of this field and verify that it "
                          "is read/write for your profile or permission set.",
                      400, {std::string(field->name)});
    }
    auto column = to_column(*field, kv.value());
    if (!column) return column.error();
    values[std::string(field->name)] = std::move(*column);
  }
  // Defaults the org fills in.
  for (const auto& f : object.fields) {
    if (values.contains(f.name)) continue;
    if (f.type == FieldType::boolean && !f.derived && !f.system) {
      values[std::string(f.name)] = int64_t{f.default_value == "true" ? 1 : 0};
    } else if (f.type == FieldType::picklist && !f.default_value.empty()) {
      values[std::string(f.name)] = std::string(f.default_value);
    }
  }
  if (object.field("OwnerId") && is_null(values, "OwnerId")) {
    values["OwnerId"] = std::string(store.actor().user.str());
  }
  // Required fields.
  std::vector<std::string> missing;
  for (const auto& f : object.fields) {
    if (f.required_on_create() && is_null(values, f.name)) missing.emplace_back(f.name);
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    return ApiError("REQUIRED_FIELD_MISSING", "Required fields are missing: [" + list + "]", 400,
                    missing);
  }
  // References must name live records of the right type.
  std::map<std::string, SqliteStore::Row, std::less<>> parents;
  for (const auto& f : object.fields) {
    if (f.type != FieldType::reference || is_null(values, f.name)) continue;
    std::string id = text_of(values, f.name);
    const ObjectSchema* target = find_object(f.reference_to);
    auto row = target ? store.load(*target, SalesforceId::parse(id).value()) : std::nullopt;
    if (!row || row->deleted) {
      return ApiError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", 400,
                      {std::string(f.name)});
    }
    parents.emplace(std::string(f.name), std::move(*row));
  }

  std::string name(object.name);
  // Derived fields.
  if (name == "Contact" || name == "User") {
    std::string first = text_of(values, "FirstName");
    values["Name"] =
        first.empty() ? text_of(values, "LastName") : first + " " + text_of(values, "LastName");
  } else if (name == "PricebookEntry") {
    const auto& product = parents.at("Product2Id");
    values["Name"] = product.text("Name");
    values["ProductCode"] = product.at("ProductCode");
    // A custom price book's entry needs the product's standard price first (Salesforce's rule).
    if (text_of(values, "Pricebook2Id") != store.standard_pricebook().str()) {
      auto& standard = store.db().prepare(
          "SELECT 1 FROM \"PricebookEntry\" WHERE \"Product2Id\" = ?1 AND \"Pricebook2Id\" = ?2 "
          "AND \"IsDeleted\" = 0");
      standard.bind({text_of(values, "Product2Id"), std::string(store.standard_pricebook().str())});
      bool has_standard = standard.step();
      standard.reset();
      if (!has_standard) {
        return ApiError("STANDARD_PRICE_NOT_DEFINED",
                        "Before creating a custom price, create a standard price.", 400);
      }
    }
  } else if (name == "Pricebook2") {
    values["IsStandard"] = int64_t{0};
  } else if (name == "Opportunity") {
    std::string stage = text_of(values, "StageName");
    values["IsClosed"] = int64_t{stage == "Closed Won" || stage == "Closed Lost"};
    values["IsWon"] = int64_t{stage == "Closed Won"};
    values["HasOpportunityLineItem"] = int64_t{0};
    if (is_null(values, "Probability")) {
      values["Probability"] = stage_probability(stage) * Decimal::kUnitsPerOne;
    }
  } else if (name == "OpportunityLineItem" || name == "QuoteLineItem") {
    bool opportunity_line = name == "OpportunityLineItem";
    const auto& entry = parents.at("PricebookEntryId");
    auto& header = parents.at(opportunity_line ? "OpportunityId" : "QuoteId");
    std::string header_book = header.text("Pricebook2Id");
    std::string entry_book = entry.text("Pricebook2Id");
    if (header_book.empty()) {
      // The first line sets the price book of its opportunity or quote.
      std::string table = opportunity_line ? "Opportunity" : "Quote";
      auto& set = store.db().prepare("UPDATE " + quoted(table) +
                                     " SET \"Pricebook2Id\" = ?2 WHERE \"Id\" = ?1");
      set.bind({header.text("Id"), entry_book}).step();
    } else if (header_book != entry_book) {
      return ApiError("FIELD_INTEGRITY_EXCEPTION",
                      "field integrity exception: PricebookEntryId (pricebook entry is in a "
                      "different pricebook than the one assigned to the " +
                          std::string(opportunity_line ? "opportunity" : "quote") + ")",
                      400, {"PricebookEntryId"});
    }
    values["ListPrice"] = entry.at("UnitPrice");
    if (is_null(values, "Product2Id")) {
      values["Product2Id"] = entry.at("Product2Id");
    } else if (text_of(values, "Product2Id") != entry.text("Product2Id")) {
      return ApiError("FIELD_INTEGRITY_EXCEPTION",
                      "field integrity exception: Product2Id (the product is not the price book "
                      "entry's)",
                      400, {"Product2Id"});
    }
    price_line(values);
    if (opportunity_line) {
      values["Name"] = header.text("Name") + " " + entry.text("Name");
    } else {
      auto& count =
          store.db().prepare("SELECT COUNT(*) FROM \"QuoteLineItem\" WHERE \"QuoteId\" = ?1");
      count.bind({header.text("Id")});
      count.step();
      char number[32];
      std::snprintf(number, sizeof number, "%08lld", static_cast<long long>(count.int64(0) + 1));
      count.reset();
      values["LineNumber"] = std::string(number);
    }
  } else if (name == "Quote") {
    const auto& opportunity = parents.at("OpportunityId");
    values["AccountId"] = opportunity.at("AccountId");
    if (is_null(values, "Pricebook2Id")) values["Pricebook2Id"] = opportunity.at("Pricebook2Id");
    char number[32];
    std::snprintf(number, sizeof number, "%08lld",
                  static_cast<long long>(store.next_number("Quote.QuoteNumber", object)));
    values["QuoteNumber"] = std::string(number);
    values["IsSyncing"] = int64_t{0};
    values["Subtotal"] = int64_t{0};
    values["TotalPrice"] = int64_t{0};
    values["LineItemCount"] = int64_t{0};
    values["GrandTotal"] =
        int_of(values, "Tax").value_or(0) + int_of(values, "ShippingHandling").value_or(0);
  }

  // System fields.
  SalesforceId id = store.mint(object);
  std::string now = store.now_text();
  std::string user(store.actor().user.str());
  values["Id"] = std::string(id.str());
  if (object.has_is_deleted()) values["IsDeleted"] = int64_t{0};
  values["CreatedDate"] = now;
  values["LastModifiedDate"] = now;
  values["SystemModstamp"] = now;
  values["CreatedById"] = user;
  values["LastModifiedById"] = user;

  std::string columns, placeholders;
  std::vector<SqlValue> params;
  for (const auto& [column, value] : values) {
    if (!object.field(column)) continue;
    columns += (columns.empty() ? "" : ", ") + quoted(column);
    placeholders += (placeholders.empty() ? "?" : ", ?") + std::to_string(params.size() + 1);
    params.push_back(value);
  }
  auto& insert = store.db().prepare("INSERT INTO " + quoted(object.name) + " (" + columns +
                                    ") VALUES (" + placeholders + ")");
  insert.bind(params);
  insert.step();
  if (insert.constraint_failed()) return duplicate_of(store, object, values);
  if (name == "OpportunityLineItem") store.roll_up_opportunity(text_of(values, "OpportunityId"));
  if (name == "QuoteLineItem") store.roll_up_quote(text_of(values, "QuoteId"));
  return id;
}

ApiResult<SalesforceId> SqliteStore::create(std::string_view object_name,
                                            const json::object& fields) {
  const ObjectSchema* object = find_object(object_name);
  if (!object) return not_found();
  begin();
  auto id = insert_record(*this, *object, fields);
  if (!id) {
    rollback();
    return id;
  }
  Change change{Change::Kind::create, std::string(object->name), *id, {}};
  for (const auto& kv : fields) change.changed_fields.emplace_back(kv.key());
  record_change(std::move(change));
  commit();
  return id;
}

// The body of update(): checks, conversions, derived fields; no transaction, no change report.
// `upsert`: the update half of an upsert, where a create-only field (QuoteLineItem.QuoteId) may be
// sent again with the record's current value and is then ignored (UNCONFIRMED: README, "Writes").
static ApiResult<void> update_record(SqliteStore& store, const ObjectSchema& object,
                                     const SalesforceId& id, const json::object& fields,
                                     bool upsert) {
  if (!object.updateable) {
    return ApiError("INVALID_TYPE_FOR_OPERATION",
                    "entity type cannot be updated: " + std::string(object.name));
  }
  auto current = store.load(object, id);
  if (!current) return not_found();
  if (current->deleted) return ApiError("ENTITY_IS_DELETED", "entity is deleted", 404);
  Values values = current->values;
  Values changed;
  for (const auto& kv : fields) {
    if (kv.key() == "Id" || kv.key() == "attributes") continue;
    const FieldSchema* field = store.actor().hidden.visible(object, kv.key());
    if (!field) {
      return ApiError("INVALID_FIELD",
                      "No such column '" + printable(kv.key(), 80) + "' on sobject of type " +
                          std::string(object.name),
                      400);
    }
    bool settable = field->updateable && !(field->derived && field->name != "Amount");
    auto column = to_column(*field, kv.value());
    if (!settable) {
      bool unchanged = upsert && field->createable && !field->derived && column &&
                       *column == current->at(field->name);
      if (unchanged) continue;
      return ApiError("INVALID_FIELD_FOR_INSERT_UPDATE",
                      "Unable to create/update fields: " + std::string(field->name) +
                          ". Please check the security settings of this field and verify that it "
                          "is read/write for your profile or permission set.",
                      400, {std::string(field->name)});
    }
    if (!column) return column.error();
    if (!field->nillable && std::holds_alternative<std::monostate>(*column) &&
        field->type != FieldType::boolean) {
      return ApiError("REQUIRED_FIELD_MISSING",
                      "Required fields are missing: [" + std::string(field->name) + "]", 400,
                      {std::string(field->name)});
    }
    if (field->type == FieldType::reference && !std::holds_alternative<std::monostate>(*column)) {
      const ObjectSchema* target = find_object(field->reference_to);
      auto row = store.load(*target, SalesforceId::parse(std::get<std::string>(*column)).value());
      if (!row || row->deleted) {
        return ApiError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", 400,
                        {std::string(field->name)});
      }
    }
    changed[std::string(field->name)] = *column;
    values[std::string(field->name)] = std::move(*column);
  }
  std::string name(object.name);
  if (name == "Contact" || name == "User") {
    std::string first = text_of(values, "FirstName");
    changed["Name"] =
        first.empty() ? text_of(values, "LastName") : first + " " + text_of(values, "LastName");
  } else if (name == "Opportunity" && changed.contains("StageName")) {
    std::string stage = text_of(values, "StageName");
    changed["IsClosed"] = int64_t{stage == "Closed Won" || stage == "Closed Lost"};
    changed["IsWon"] = int64_t{stage == "Closed Won"};
    if (!fields.contains("Probability")) {
      changed["Probability"] = stage_probability(stage) * Decimal::kUnitsPerOne;
    }
  } else if ((name == "OpportunityLineItem" || name == "QuoteLineItem") &&
             (changed.contains("Quantity") || changed.contains("UnitPrice") ||
              changed.contains("Discount"))) {
    price_line(values);
    changed["Subtotal"] = values["Subtotal"];
    changed["TotalPrice"] = values["TotalPrice"];
  }
  std::string now = store.now_text();
  changed["LastModifiedDate"] = now;
  changed["SystemModstamp"] = now;
  changed["LastModifiedById"] = std::string(store.actor().user.str());

  std::string sets;
  std::vector<SqlValue> params{std::string(id.str())};
  for (auto& [column, value] : changed) {
    sets +=
        (sets.empty() ? "" : ", ") + quoted(column) + " = ?" + std::to_string(params.size() + 1);
    params.push_back(value);
  }
  auto& stmt =
      store.db().prepare("UPDATE " + quoted(object.name) + " SET " + sets + " WHERE \"Id\" = ?1");
  stmt.bind(params);
  stmt.step();
  if (stmt.constraint_failed()) return duplicate_of(store, object, changed);
  if (name == "OpportunityLineItem") store.roll_up_opportunity(text_of(values, "OpportunityId"));
  if (name == "QuoteLineItem") store.roll_up_quote(text_of(values, "QuoteId"));
  if (name == "Quote" && (changed.contains("Tax") || changed.contains("ShippingHandling"))) {
    store.roll_up_quote(std::string(id.str()));
  }
  return {};
}

// Soft-deletes a record and, through master-detail references, its children.
static void delete_cascade(SqliteStore& store, const ObjectSchema& object, const std::string& id,
                           const std::string& now, int depth) {
  auto& stmt = store.db().prepare("UPDATE " + quoted(object.name) +
                                  " SET \"IsDeleted\" = 1, \"SystemModstamp\" = ?2, "
                                  "\"LastModifiedDate\" = ?2 WHERE \"Id\" = ?1");
  stmt.bind({id, now}).step();
  if (depth > 4) return;
  for (const auto& child : object.child_relationships) {
    if (!child.cascade_delete) continue;
    const ObjectSchema* child_object = find_object(child.child_object);
    if (!child_object || !child_object->has_is_deleted()) continue;
    std::vector<std::string> ids;
    auto& find = store.db().prepare("SELECT \"Id\" FROM " + quoted(child_object->name) + " WHERE " +
                                    quoted(child.field) + " = ?1 AND \"IsDeleted\" = 0");
    find.bind({id});
    while (find.step()) ids.emplace_back(find.text(0));
    find.reset();
    for (const auto& child_id : ids) delete_cascade(store, *child_object, child_id, now, depth + 1);
  }
}

ApiResult<void> SqliteStore::update(std::string_view object_name, std::string_view id,
                                    const json::object& fields) {
  const ObjectSchema* object = find_object(object_name);
  if (!object) return not_found();
  auto parsed = SalesforceId::parse(id);
  if (!parsed) {
    return ApiError(
        "MALFORMED_ID",
        std::string(object->name) + " ID: id value of incorrect type: " + printable(id, 40), 400,
        {"Id"});
  }
  if (parsed->prefix() != object->key_prefix) return not_found();
  begin();
  auto done = update_record(*this, *object, *parsed, fields, upserting_);
  if (!done) {
    rollback();
    return done;
  }
  Change change{Change::Kind::update, std::string(object->name), *parsed, {}};
  for (const auto& kv : fields) {
    if (kv.key() != "attributes" && kv.key() != "Id") change.changed_fields.emplace_back(kv.key());
  }
  record_change(std::move(change));
  commit();
  return {};
}

ApiResult<void> SqliteStore::remove(std::string_view object_name, std::string_view id) {
  const ObjectSchema* object = find_object(object_name);
  if (!object) return not_found();
  auto parsed = SalesforceId::parse(id);
  if (!parsed) {
    return ApiError(
        "MALFORMED_ID",
        std::string(object->name) + " ID: id value of incorrect type: " + printable(id, 40), 400,
        {"Id"});
  }
  if (parsed->prefix() != object->key_prefix) return not_found();
  if (!object->deletable) {
    return ApiError("INVALID_TYPE_FOR_OPERATION",
                    "entity type cannot be deleted: " + std::string(object->name));
  }
  auto current = load(*object, *parsed);
  if (!current) return not_found();
  if (current->deleted) return ApiError("ENTITY_IS_DELETED", "entity is deleted", 404);
  begin();
  std::string key(parsed->str());
  delete_cascade(*this, *object, key, now_text(), 0);
  if (object->name == "OpportunityLineItem") roll_up_opportunity(current->text("OpportunityId"));
  if (object->name == "QuoteLineItem") roll_up_quote(current->text("QuoteId"));
  record_change({Change::Kind::remove, std::string(object->name), *parsed, {}});
  commit();
  return {};
}

ApiResult<UpsertResult> SqliteStore::upsert(std::string_view object_name,
                                            std::string_view field_name, std::string_view value,
                                            const json::object& fields) {
  const ObjectSchema* object = find_object(object_name);
  if (!object) return not_found();
  const FieldSchema* field = actor_.hidden.visible(*object, field_name);
  if (!field || !(field->external_id || field->name == "Id")) {
    return ApiError("NOT_FOUND",
                    "Provided external ID field does not exist or is not accessible: " +
                        printable(field_name, 80),
                    404);
  }
  if (field->name == "Id") {
    auto parsed = SalesforceId::parse(value);
    if (parsed) {
      auto done = update(object->name, parsed->str(), fields);
      if (!done) return done.error();
      return UpsertResult{*parsed, false};
    }
    return ApiError("MALFORMED_ID", "Id: id value of incorrect type: " + printable(value, 40), 400);
  }
  std::vector<std::string> matches;
  auto& find = db_.prepare("SELECT \"Id\" FROM " + quoted(object->name) + " WHERE " +
                           quoted(field->name) + " = ?1 AND \"IsDeleted\" = 0 LIMIT 2");
  find.bind({std::string(value)});
  while (find.step()) matches.emplace_back(find.text(0));
  find.reset();
  if (matches.size() > 1) {
    return ApiError("MULTIPLE_CHOICES",
                    "more than one record found for external id field: " + std::string(field->name),
                    300);
  }
  json::object body = fields;
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (iequals(it->key(), field->name)) {
      body.erase(it);
      break;
    }
  }
  if (matches.empty()) {
    body[field->name] = std::string(value);
    auto id = create(object->name, body);
    if (!id) return id.error();
    return UpsertResult{*id, true};
  }
  auto id = SalesforceId::parse(matches[0]).value();
  upserting_ = true;
  auto done = update(object->name, id.str(), body);
  upserting_ = false;
  if (!done) return done.error();
  return UpsertResult{id, false};
}

}  // namespace pe::devorg
