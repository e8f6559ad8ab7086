// Numbers from clients (README, "Numbers from clients"): what the REST sObject routes hand the
// Store — bodies read with parse_json_exact, as read_json() in rest_routes.cpp does — stored
// rounded half up to the field's scale, refused with Salesforce's errors when out of range.
#include "common/json_exact.hpp"
#include "common/money.hpp"
#include "devorg/store.hpp"

#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>

namespace pe::devorg {
namespace {

namespace json = boost::json;

// A request body as the REST routes read it: numbers too long for a double keep their text.
json::object body(std::string_view text) { return parse_json_exact(text).value().as_object(); }

class RecordWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Store::open({.path = ""}).value();
    auto book = store_->query("SELECT Id FROM Pricebook2 WHERE IsStandard = true", {}).value();
    book_ = std::string(book.records[0].as_object().at("Id").as_string());
    std::string product = create("Product2", R"({"Name":"Widget"})");
    entry_ = create("PricebookEntry", R"({"Pricebook2Id":")" + book_ + R"(","Product2Id":")" +
                                          product + R"(","UnitPrice":19.99,"IsActive":true})");
    opportunity_ = create("Opportunity", R"({"Name":"Deal","StageName":"Prospecting",)"
                                         R"("CloseDate":"2026-12-31","Pricebook2Id":")" +
                                             book_ + R"("})");
  }
  std::string create(std::string_view object, const std::string& fields) {
    auto id = store_->create(object, body(fields));
    EXPECT_TRUE(id) << fields << ": "
                    << (id ? "" : id.error().error_code + " " + id.error().message);
    return id ? std::string(id->str()) : std::string();
  }
  // A line with the given JSON text for UnitPrice (and extra fields).
  std::string line_body(std::string_view unit_price, std::string_view extra = "") {
    return R"({"OpportunityId":")" + opportunity_ + R"(","PricebookEntryId":")" + entry_ +
           R"(","Quantity":2,"UnitPrice":)" + std::string(unit_price) + std::string(extra) + "}";
  }
  // A field of a record as stored, at its scale ("53.99"), or the error code.
  std::string read(std::string_view object, const std::string& id, std::string_view field,
                   int scale = 2) {
    auto r = store_->retrieve(object, id, {}, "62.0");
    if (!r) return r.error().error_code;
    auto d = Decimal::from_json(r->at(field));
    return d ? d->to_string(scale) : "not a number";
  }
  // The error code of updating one field of the line to the given JSON text, "" on success.
  std::string update_error(const std::string& id, std::string_view field, std::string_view value) {
    auto done = store_->update("OpportunityLineItem", id,
                               body("{\"" + std::string(field) + "\":" + std::string(value) + "}"));
    return done ? "" : done.error().error_code;
  }
  int64_t count(std::string_view soql) { return store_->query(soql, {}).value().total_size; }

  std::unique_ptr<Store> store_;
  std::string book_, entry_, opportunity_;
};

TEST_F(RecordWriterTest, CreateRoundsAClientsBinaryFloatToTheFieldsScale) {
  // 53.991 as a Node.js app computes it: the parser keeps the 16 digits as text.
  ASSERT_TRUE(parse_json_exact("53.99100000000001")->is_string());
  std::string line = create("OpportunityLineItem", line_body("53.99100000000001"));
  EXPECT_EQ(read("OpportunityLineItem", line, "UnitPrice", 6), "53.990000");
  EXPECT_EQ(read("OpportunityLineItem", line, "TotalPrice"), "107.98");
  // Stored as exactly 53.99: SOQL finds it by that value.
  EXPECT_EQ(count("SELECT Id FROM OpportunityLineItem WHERE UnitPrice = 53.99"), 1);
  EXPECT_EQ(read("Opportunity", opportunity_, "Amount"), "107.98");
}

TEST_F(RecordWriterTest, UpdateRoundsHalfUpForEveryNumberType) {
  std::string line = create("OpportunityLineItem", line_body("10"));
  struct Case {
    std::string_view field, json, stored;
  };
  const Case cases[] = {
      {"UnitPrice", "0.125", "0.13"},                 // half up
      {"UnitPrice", "0.124999999999999999", "0.12"},  // no double in between
      {"UnitPrice", "-0.125", "-0.13"},               // half away from zero
      {"UnitPrice", "-53.99100000000001", "-53.99"},
      {"UnitPrice", "5.3991e1", "53.99"},  // exponent forms
      {"UnitPrice", "5399.1E-2", "53.99"},
      {"UnitPrice", "1e2", "100.00"},
      {"UnitPrice", "1e-9", "0.00"},
      {"UnitPrice", "\"53.99100000000001\"", "53.99"},  // a string holding a number
      {"UnitPrice", "\"1e2\"", "100.00"},
      {"UnitPrice", "53.991", "53.99"},
      {"Quantity", "1.005", "1.01"},  // double, scale 2
      {"Quantity", "2.9999999999999996", "3.00"},
      {"Discount", "12.345", "12.35"},  // percent, scale 2
      {"Discount", "33.33333333333333", "33.33"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(update_error(line, c.field, c.json), "") << c.field << " " << c.json;
    EXPECT_EQ(read("OpportunityLineItem", line, c.field), c.stored) << c.field << " " << c.json;
  }
}

TEST_F(RecordWriterTest, UpsertRoundsToo) {
  auto quote =
      store_->create("Quote", body(R"({"Name":"Q","OpportunityId":")" + opportunity_ + R"("})"));
  ASSERT_TRUE(quote);
  std::string fields = R"({"QuoteId":")" + std::string(quote->str()) + R"(","PricebookEntryId":")" +
                       entry_ + R"(","Quantity":1.5,"UnitPrice":53.99100000000001})";
  auto created = store_->upsert("QuoteLineItem", "GenerationKey__c", "k1", body(fields));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_TRUE(created->created);
  std::string id(created->id.str());
  EXPECT_EQ(read("QuoteLineItem", id, "UnitPrice"), "53.99");
  EXPECT_EQ(read("QuoteLineItem", id, "TotalPrice"), "80.99");  // 80.985 up
  auto updated =
      store_->upsert("QuoteLineItem", "GenerationKey__c", "k1", body(R"({"UnitPrice":0.125e2})"));
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_FALSE(updated->created);
  EXPECT_EQ(read("QuoteLineItem", id, "UnitPrice"), "12.50");
  EXPECT_EQ(read("Quote", std::string(quote->str()), "TotalPrice"), "18.75");
}

TEST_F(RecordWriterTest, OutOfRangeNumbersGetSalesforcesError) {
  std::string line = create("OpportunityLineItem", line_body("10"));
  for (std::string_view huge : {"1e20", "1e400", "-1e400", "9999999999999999999999.5", "\"1e300\"",
                                "10000000000000", "9223372036854.775807"}) {
    EXPECT_EQ(update_error(line, "UnitPrice", huge), "NUMBER_OUTSIDE_VALID_RANGE") << huge;
  }
  // Discount is a percent(5, 2): at most 3 digits left of the point, checked after rounding.
  EXPECT_EQ(update_error(line, "Discount", "999.994"), "");
  EXPECT_EQ(update_error(line, "Discount", "999.995"), "NUMBER_OUTSIDE_VALID_RANGE");
  auto refused = store_->update("OpportunityLineItem", line, body(R"({"UnitPrice":1e20})")).error();
  EXPECT_EQ(refused.message,
            "Sales Price: value outside of valid range on numeric field: 100000000000000000000");
  EXPECT_EQ(refused.fields, std::vector<std::string>{"UnitPrice"});
  EXPECT_EQ(read("OpportunityLineItem", line, "UnitPrice"), "10.00");  // unchanged
  // Not numbers at all.
  for (std::string_view bad : {"\"lots\"", "true", "[1]", "{}", "\"53.99 \"", "\"0x10\""}) {
    EXPECT_EQ(update_error(line, "UnitPrice", bad), "JSON_PARSER_ERROR") << bad;
  }
}

TEST_F(RecordWriterTest, IntFieldsTakeWholeNumbersInAnySpelling) {
  std::string account = create("Account", R"({"Name":"Acme"})");
  auto employees = [&](std::string_view json) -> std::string {
    auto done = store_->update("Account", account,
                               body("{\"NumberOfEmployees\":" + std::string(json) + "}"));
    if (!done) return done.error().error_code;
    auto r = store_->retrieve("Account", account, {}, "62.0").value();
    return json::serialize(r.at("NumberOfEmployees"));
  };
  EXPECT_EQ(employees("12"), "12");
  EXPECT_EQ(employees("3.0"), "3");
  EXPECT_EQ(employees("1e2"), "100");
  EXPECT_EQ(employees("\"250\""), "250");
  EXPECT_EQ(employees("-3"), "-3");
  EXPECT_EQ(employees("\"-3.00\""), "-3");
  EXPECT_EQ(employees("99999999"), "99999999");
  // Not rounded (UNCONFIRMED: README), and at most 8 digits (NumberOfEmployees' precision).
  EXPECT_EQ(employees("3.5"), "JSON_PARSER_ERROR");
  EXPECT_EQ(employees("3.00000000000000001"), "JSON_PARSER_ERROR");
  EXPECT_EQ(employees("100000000"), "NUMBER_OUTSIDE_VALID_RANGE");
  EXPECT_EQ(employees("1e9"), "NUMBER_OUTSIDE_VALID_RANGE");
  EXPECT_EQ(employees("1e400"), "NUMBER_OUTSIDE_VALID_RANGE");
  EXPECT_EQ(employees("18446744073709551615"), "NUMBER_OUTSIDE_VALID_RANGE");
  EXPECT_EQ(employees("\"many\""), "JSON_PARSER_ERROR");
  auto message =
      store_->update("Account", account, body(R"({"NumberOfEmployees":3.5})")).error().message;
  EXPECT_EQ(message.substr(0, 64),
            "Cannot deserialize instance of int from VALUE_NUMBER_FLOAT value");
}

}  // namespace
}  // namespace pe::devorg
