// The Composite API over an in-memory Store, here for numbers from clients (README, "Numbers
// from clients"): /composite, /composite/graph and sObject Collections round a client's binary
// float to the field's scale and refuse numbers out of range, as the REST routes do. Request
// bodies are read with parse_json_exact, as rest_routes.cpp reads them.
#include "devorg/composite.hpp"

#include "common/json_exact.hpp"
#include "common/money.hpp"

#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>

namespace pe::devorg {
namespace {

namespace json = boost::json;

json::object body(std::string_view text) { return parse_json_exact(text).value().as_object(); }

class CompositeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Store::open({.path = ""}).value();
    auto book = store_->query("SELECT Id FROM Pricebook2 WHERE IsStandard = true", {}).value();
    std::string book_id(book.records[0].as_object().at("Id").as_string());
    std::string product = id_of(store_->create("Product2", body(R"({"Name":"Widget"})")));
    entry_ = id_of(store_->create(
        "PricebookEntry", body(R"({"Pricebook2Id":")" + book_id + R"(","Product2Id":")" + product +
                               R"(","UnitPrice":19.99,"IsActive":true})")));
    opportunity_ = id_of(store_->create(
        "Opportunity", body(R"({"Name":"Deal","StageName":"Prospecting","CloseDate":)"
                            R"("2026-12-31","Pricebook2Id":")" +
                            book_id + R"("})")));
  }
  static std::string id_of(const ApiResult<SalesforceId>& id) {
    EXPECT_TRUE(id) << (id ? "" : id.error().message);
    return id ? std::string(id->str()) : "";
  }
  std::string line_fields(std::string_view unit_price) {
    return R"("OpportunityId":")" + opportunity_ + R"(","PricebookEntryId":")" + entry_ +
           R"(","Quantity":2,"UnitPrice":)" + std::string(unit_price);
  }
  // The stored UnitPrice of every line, in Id order, at 2 places.
  std::vector<std::string> unit_prices(std::string_view object = "OpportunityLineItem") {
    auto page =
        store_->query("SELECT UnitPrice FROM " + std::string(object) + " ORDER BY Id", {}).value();
    std::vector<std::string> out;
    for (const auto& r : page.records) {
      out.push_back(Decimal::from_json(r.as_object().at("UnitPrice")).value().to_string(2));
    }
    return out;
  }
  static std::string price(const json::value& v) {
    return Decimal::from_json(v).value().to_string(2);
  }

  std::unique_ptr<Store> store_;
  std::string entry_, opportunity_;
};

TEST_F(CompositeTest, CompositeCreatesWithAFloatAndReadsTheRoundedValueBack) {
  CompositeExecutor composite(*store_, "62.0");
  auto answer = composite.run_composite(
      body(R"({"allOrNone":true,"compositeRequest":[)"
           R"({"method":"POST","url":"/services/data/v62.0/sobjects/OpportunityLineItem",)"
           R"("referenceId":"line","body":{)" +
           line_fields("53.99100000000001") +
           R"(}},{"method":"GET","referenceId":"read",)"
           R"("url":"/services/data/v62.0/sobjects/OpportunityLineItem/@{line.id}"},)"
           R"({"method":"PATCH","referenceId":"again",)"
           R"("url":"/services/data/v62.0/sobjects/OpportunityLineItem/@{line.id}",)"
           R"("body":{"Quantity":5.3991e1,"Discount":-0.125}}]})"));
  ASSERT_TRUE(answer) << answer.error().message;
  const auto& responses = answer->at("compositeResponse").as_array();
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[0].at("httpStatusCode"), 201);
  EXPECT_EQ(responses[1].at("httpStatusCode"), 200);
  EXPECT_EQ(price(responses[1].at("body").at("UnitPrice")), "53.99");
  EXPECT_EQ(price(responses[1].at("body").at("TotalPrice")), "107.98");
  EXPECT_EQ(responses[2].at("httpStatusCode"), 204);
  auto line = store_->query("SELECT Quantity, Discount FROM OpportunityLineItem", {}).value();
  EXPECT_EQ(price(line.records[0].at("Quantity")), "53.99");
  EXPECT_EQ(price(line.records[0].at("Discount")), "-0.13");
}

TEST_F(CompositeTest, CompositeRefusesAHugeNumberWithSalesforcesError) {
  CompositeExecutor composite(*store_, "62.0");
  auto answer = composite.run_composite(
      body(R"({"compositeRequest":[{"method":"POST","referenceId":"line",)"
           R"("url":"/services/data/v62.0/sobjects/OpportunityLineItem","body":{)" +
           line_fields("1e20") + "}}]}"));
  ASSERT_TRUE(answer);
  const auto& response = answer->at("compositeResponse").at(0);
  EXPECT_EQ(response.at("httpStatusCode"), 400);
  EXPECT_EQ(response.at("body").at(0).at("errorCode"), "NUMBER_OUTSIDE_VALID_RANGE");
  EXPECT_TRUE(unit_prices().empty());
}

TEST_F(CompositeTest, GraphRoundsEachNodeAndRollsBackAGraphWithAHugeNumber) {
  auto graph = [&](std::string_view id, std::string_view key, std::string_view unit_price) {
    return R"({"graphId":")" + std::string(id) +
           R"(","compositeRequest":[)"
           R"({"method":"PATCH","url":"/services/data/v62.0/sobjects/Quote/GenerationKey__c/)" +
           std::string(key) + R"(","referenceId":"quote","body":{"Name":"Q","OpportunityId":")" +
           opportunity_ +
           R"("}},{"method":"POST","url":"/services/data/v62.0/sobjects/QuoteLineItem",)"
           R"("referenceId":"line","body":{"QuoteId":"@{quote.id}","PricebookEntryId":")" +
           entry_ + R"(","Quantity":1.5,"UnitPrice":)" + std::string(unit_price) + "}}]}";
  };
  CompositeExecutor composite(*store_, "62.0");
  auto answer = composite.run_graph(body(R"({"graphs":[)" + graph("g1", "k1", "53.99100000000001") +
                                         "," + graph("g2", "k2", "0.125") + "," +
                                         graph("g3", "k3", "-1e400") + "]}"));
  ASSERT_TRUE(answer) << answer.error().message;
  const auto& graphs = answer->at("graphs").as_array();
  ASSERT_EQ(graphs.size(), 3u);
  EXPECT_EQ(graphs[0].at("isSuccessful"), true);
  EXPECT_EQ(graphs[1].at("isSuccessful"), true);
  EXPECT_EQ(graphs[2].at("isSuccessful"), false);
  const auto& failed = graphs[2].at("graphResponse").at("compositeResponse").as_array();
  EXPECT_EQ(failed[1].at("body").at(0).at("errorCode"), "NUMBER_OUTSIDE_VALID_RANGE");
  EXPECT_EQ(failed[0].at("body").at(0).at("errorCode"), "PROCESSING_HALTED");
  EXPECT_EQ(unit_prices("QuoteLineItem"), (std::vector<std::string>{"53.99", "0.13"}));
  auto quotes = store_->query("SELECT TotalPrice FROM Quote ORDER BY Id", {}).value();
  ASSERT_EQ(quotes.total_size, 2);  // g3's quote rolled back with its line
  EXPECT_EQ(price(quotes.records[0].at("TotalPrice")), "80.99");  // 1.5 × 53.99 = 80.985
  EXPECT_EQ(price(quotes.records[1].at("TotalPrice")), "0.20");   // 1.5 × 0.13 = 0.195
}

TEST_F(CompositeTest, CollectionsCreateUpdateAndUpsertRound) {
  CompositeExecutor composite(*store_, "62.0");
  auto created = composite.collection_create(
      body(R"({"allOrNone":false,"records":[)"
           R"({"attributes":{"type":"OpportunityLineItem"},)" +
           line_fields("53.99100000000001") + R"(},{"attributes":{"type":"OpportunityLineItem"},)" +
           line_fields("1e13") + R"(},{"attributes":{"type":"OpportunityLineItem"},)" +
           line_fields("\"1e2\"") + "}]}"));
  ASSERT_TRUE(created) << created.error().message;
  ASSERT_EQ(created->size(), 3u);
  EXPECT_EQ(created->at(0).at("success"), true);
  EXPECT_EQ(created->at(1).at("success"), false);
  EXPECT_EQ(created->at(1).at("errors").at(0).at("statusCode"), "NUMBER_OUTSIDE_VALID_RANGE");
  EXPECT_EQ(created->at(2).at("success"), true);
  EXPECT_EQ(unit_prices(), (std::vector<std::string>{"53.99", "100.00"}));

  std::string first(created->at(0).at("id").as_string());
  auto updated = composite.collection_update(
      body(R"({"records":[{"attributes":{"type":"OpportunityLineItem"},"id":")" + first +
           R"(","UnitPrice":-0.125}]})"));
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->at(0).at("success"), true);
  EXPECT_EQ(unit_prices(), (std::vector<std::string>{"-0.13", "100.00"}));

  std::string quote = id_of(
      store_->create("Quote", body(R"({"Name":"Q","OpportunityId":")" + opportunity_ + R"("})")));
  auto upserted = composite.collection_upsert(
      "QuoteLineItem", "GenerationKey__c",
      body(R"({"records":[{"attributes":{"type":"QuoteLineItem"},"GenerationKey__c":"k1",)"
           R"("QuoteId":")" +
           quote + R"(","PricebookEntryId":")" + entry_ +
           R"(","Quantity":1,"UnitPrice":5.3991e1}]})"));
  ASSERT_TRUE(upserted);
  EXPECT_EQ(upserted->at(0).at("success"), true) << json::value(*upserted);
  EXPECT_EQ(unit_prices("QuoteLineItem"), std::vector<std::string>{"53.99"});
}

}  // namespace
}  // namespace pe::devorg
