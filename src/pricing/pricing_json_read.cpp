// pricing_json_read.cpp: opportunities from the `price` input format, every problem reported
// with its JSON path.
#include "pricing/pricing_json.hpp"

#include "common/json_exact.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <optional>

namespace pe::pricing {
namespace {

namespace json = boost::json;

constexpr size_t kMaxErrors = 20;

std::string shown(const json::value& v) { return describe_json(v); }

class InputReader {
 public:
  bool full() const { return errors_.size() >= kMaxErrors; }
  void fail(const std::string& path, std::string_view problem) {
    if (!full()) errors_.push_back(path + ": " + std::string(problem));
  }
  const std::vector<std::string>& errors() const { return errors_; }

  void only_keys(const json::object& o, const std::string& path,
                 std::initializer_list<std::string_view> allowed) {
    for (const auto& kv : o) {
      if (std::find(allowed.begin(), allowed.end(), kv.key()) == allowed.end()) {
        fail(path + "." + std::string(kv.key()).substr(0, 40), "unknown field");
      }
    }
  }

  // A Salesforce Id of the given sObject type; null/absent allowed when optional.
  SalesforceId id(const json::object& o, const std::string& path, std::string_view key,
                  std::string_view type, bool required) {
    const json::value* v = o.if_contains(key);
    std::string at = path + "." + std::string(key);
    if (!v || v->is_null()) {
      if (required) fail(at, "missing");
      return {};
    }
    if (!v->is_string()) {
      fail(at, "must be a string, not " + shown(*v));
      return {};
    }
    auto parsed = SalesforceId::parse(v->get_string());
    if (!parsed) {
      fail(at, parsed.error().message);
      return {};
    }
    if (parsed->sobject_type() != type) {
      fail(at, "'" + std::string(parsed->str()) + "' is not " +
                   (type.front() == 'O' || type.front() == 'A' ? "an " : "a ") + std::string(type) +
                   " Id (key prefix " + std::string(key_prefix_for(type)) + ")");
      return {};
    }
    return *parsed;
  }

  std::string text(const json::object& o, const std::string& path, std::string_view key,
                   size_t max_size) {
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return {};
    std::string at = path + "." + std::string(key);
    if (!v->is_string()) {
      fail(at, "must be a string, not " + shown(*v));
      return {};
    }
    if (v->get_string().size() > max_size) {
      fail(at, "longer than " + std::to_string(max_size) + " bytes");
      return {};
    }
    return std::string(v->get_string());
  }

  std::optional<Decimal> number(const json::object& o, const std::string& path,
                                std::string_view key, bool required) {
    const json::value* v = o.if_contains(key);
    std::string at = path + "." + std::string(key);
    if (!v || v->is_null()) {
      if (required) fail(at, "missing");
      return std::nullopt;
    }
    if (!v->is_number() && !v->is_string()) {
      fail(at, "must be a number, not " + shown(*v));
      return std::nullopt;
    }
    auto d = Decimal::from_json(*v);
    if (!d) {
      fail(at, d.error().message);
      return std::nullopt;
    }
    return *d;
  }

  std::optional<Decimal> positive(const json::object& o, const std::string& path,
                                  std::string_view key) {
    auto d = number(o, path, key, true);
    if (d && !d->is_positive()) {
      fail(path + "." + std::string(key), "must be positive, not " + d->to_string());
      return std::nullopt;
    }
    return d;
  }

 private:
  std::vector<std::string> errors_;
};

void read_line(InputReader& r, const json::value& v, const std::string& path,
               OpportunityLine& line) {
  const json::object* o = v.if_object();
  if (!o) return r.fail(path, "must be an object, not " + shown(v));
  r.only_keys(*o, path,
              {"id", "product2_id", "pricebook_entry_id", "product_family", "quantity",
               "list_price", "discount_override"});
  line.id = r.id(*o, path, "id", "OpportunityLineItem", true);
  line.product2_id = r.id(*o, path, "product2_id", "Product2", false);
  line.pricebook_entry_id = r.id(*o, path, "pricebook_entry_id", "PricebookEntry", false);
  line.product_family = r.text(*o, path, "product_family", 255);
  line.quantity = r.positive(*o, path, "quantity").value_or(Decimal());
  line.list_price = r.positive(*o, path, "list_price").value_or(Decimal());
  line.discount_override = r.number(*o, path, "discount_override", false);
  if (line.discount_override &&
      (line.discount_override->is_negative() || *line.discount_override > Decimal::one())) {
    r.fail(path + ".discount_override",
           "must be a rate from 0 to 1, not " + line.discount_override->to_string());
  }
}

void read_opportunity(InputReader& r, const json::value& v, const std::string& path,
                      Opportunity& opp) {
  const json::object* o = v.if_object();
  if (!o) return r.fail(path, "must be an object, not " + shown(v));
  r.only_keys(*o, path, {"id", "name", "account", "pricebook2_id", "lines"});
  opp.id = r.id(*o, path, "id", "Opportunity", true);
  opp.name = r.text(*o, path, "name", 120);
  opp.pricebook2_id = r.id(*o, path, "pricebook2_id", "Pricebook2", false);
  if (const json::value* a = o->if_contains("account"); a && !a->is_null()) {
    std::string at = path + ".account";
    if (const json::object* account = a->if_object()) {
      r.only_keys(*account, at, {"id", "name", "billing_country"});
      opp.account.id = r.id(*account, at, "id", "Account", false);
      opp.account.name = r.text(*account, at, "name", 255);
      opp.account.billing_country = r.text(*account, at, "billing_country", 80);
    } else {
      r.fail(at, "must be an object, not " + shown(*a));
    }
  }
  const json::value* lines = o->if_contains("lines");
  if (!lines || lines->is_null()) return;  // no lines: the engine skips it, with the reason
  const json::array* list = lines->if_array();
  if (!list) return r.fail(path + ".lines", "must be an array, not " + shown(*lines));
  opp.lines.resize(list->size());
  for (size_t i = 0; i < list->size() && !r.full(); ++i) {
    read_line(r, (*list)[i], path + ".lines[" + std::to_string(i) + "]", opp.lines[i]);
  }
}

}  // namespace

Result<std::vector<Opportunity>> opportunities_from_json(std::string_view text) {
  auto doc = parse_json_exact(text);
  if (!doc) return doc.error();
  const json::array* list = doc->if_array();
  std::string prefix = "opportunities";
  if (const json::object* root = doc->if_object()) {
    const json::value* v = root->if_contains("opportunities");
    if (!v) return Error{Errc::invalid_argument, "expected {\"opportunities\": [...]}"};
    for (const auto& kv : *root) {
      if (kv.key() != "opportunities") {
        return Error{Errc::invalid_argument,
                     std::string(kv.key()).substr(0, 40) + ": unknown field"};
      }
    }
    list = v->if_array();
    if (!list) {
      return Error{Errc::invalid_argument, "opportunities: must be an array, not " + shown(*v)};
    }
  }
  if (!list)
    return Error{Errc::invalid_argument, "expected {\"opportunities\": [...]} or an array"};
  InputReader r;
  std::vector<Opportunity> out(list->size());
  for (size_t i = 0; i < list->size() && !r.full(); ++i) {
    read_opportunity(r, (*list)[i], prefix + "[" + std::to_string(i) + "]", out[i]);
  }
  if (!r.errors().empty()) {
    std::string message;
    for (const auto& e : r.errors()) message += (message.empty() ? "" : "\n") + e;
    if (r.full()) message += "\n(stopped after " + std::to_string(kMaxErrors) + " problems)";
    return Error{Errc::invalid_argument, std::move(message)};
  }
  return out;
}

}  // namespace pe::pricing
