#include "devorg/store.hpp"

#include "common/json_exact.hpp"
#include "common/money.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace pe::devorg {
namespace {

namespace json = boost::json;

json::object obj(std::string_view text) { return json::parse(text).as_object(); }

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Store::open({.path = "",
                          .clock =
                              [] {
                                return std::chrono::sys_days(std::chrono::year(2026) / 11 / 23) +
                                       std::chrono::hours(10);
                              }})
                 .value();
  }
  std::string create(std::string_view object, std::string_view fields) {
    auto id = store_->create(object, obj(fields));
    EXPECT_TRUE(id) << (id ? "" : id.error().error_code + ": " + id.error().message);
    return id ? std::string(id->str()) : std::string();
  }
  json::object get(std::string_view object, const std::string& id) {
    auto r = store_->retrieve(object, id, {}, "62.0");
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : json::object{};
  }
  ApiError create_error(std::string_view object, std::string_view fields) {
    auto id = store_->create(object, obj(fields));
    EXPECT_FALSE(id);
    return id ? ApiError() : id.error();
  }
  // An opportunity on the standard price book with a product at 19.99.
  void make_opportunity() {
    auto book = store_->query("SELECT Id FROM Pricebook2 WHERE IsStandard = true", {}).value();
    book_ = std::string(book.records[0].as_object().at("Id").as_string());
    account_ = create("Account", R"({"Name":"Acme","BillingCountry":"Germany"})");
    product_ = create("Product2", R"({"Name":"Widget","Family":"Hardware"})");
    entry_ = create("PricebookEntry", R"({"Pricebook2Id":")" + book_ + R"(","Product2Id":")" +
                                          product_ + R"(","UnitPrice":19.99,"IsActive":true})");
    opportunity_ =
        create("Opportunity",
               R"({"Name":"Big deal","AccountId":")" + account_ +
                   R"(","StageName":"Prospecting","CloseDate":"2026-12-31","Pricebook2Id":")" +
                   book_ + R"("})");
  }
  std::string add_line(std::string_view quantity, std::string_view extra = "") {
    return create("OpportunityLineItem", R"({"OpportunityId":")" + opportunity_ +
                                             R"(","PricebookEntryId":")" + entry_ +
                                             R"(","Quantity":)" + std::string(quantity) +
                                             R"(,"UnitPrice":19.99)" + std::string(extra) + "}");
  }

  std::unique_ptr<Store> store_;
  std::string book_, account_, product_, entry_, opportunity_;
};

TEST_F(StoreTest, CreatesAndRetrievesWithSystemFieldsAndIds) {
  auto id =
      create("Account", R"({"Name":"Acme","BillingCountry":"Germany","NumberOfEmployees":12})");
  ASSERT_EQ(id.size(), 18u);
  EXPECT_EQ(id.substr(0, 3), "001");
  auto a = get("Account", id);
  EXPECT_EQ(a.at("Name"), "Acme");
  EXPECT_EQ(a.at("NumberOfEmployees"), 12);
  EXPECT_EQ(a.at("CreatedDate"), "2026-11-23T10:00:00.000+0000");
  EXPECT_EQ(a.at("CreatedById").as_string(), store_->user_id().str());
  EXPECT_EQ(a.at("OwnerId").as_string(), store_->user_id().str());
  EXPECT_EQ(a.at("IsDeleted"), false);
  EXPECT_TRUE(a.at("Phone").is_null());
  EXPECT_EQ(a.at("attributes").as_object().at("url").as_string(),
            "/services/data/v62.0/sobjects/Account/" + id);
  auto second = create("Account", R"({"Name":"Second"})");
  EXPECT_GT(second, id);  // Ids increase with creation
}

TEST_F(StoreTest, RejectsWhatSalesforceRejects) {
  auto e = create_error("Account", "{}");
  EXPECT_EQ(e.error_code, "REQUIRED_FIELD_MISSING");
  EXPECT_EQ(e.message, "Required fields are missing: [Name]");
  EXPECT_EQ(e.fields, std::vector<std::string>{"Name"});
  e = create_error("Account", R"({"Name":"x","Bacon__c":1})");
  EXPECT_EQ(e.error_code, "INVALID_FIELD");
  EXPECT_EQ(e.message, "No such column 'Bacon__c' on sobject of type Account");
  e = create_error("Account", R"({"Name":"x","CreatedDate":"2020-01-01T00:00:00Z"})");
  EXPECT_EQ(e.error_code, "INVALID_FIELD_FOR_INSERT_UPDATE");
  e = create_error("Account", R"({"Name":")" + std::string(256, 'x') + R"("})");
  EXPECT_EQ(e.error_code, "STRING_TOO_LONG");
  e = create_error("Opportunity",
                   R"({"Name":"x","StageName":"Dreaming","CloseDate":"2026-01-01"})");
  EXPECT_EQ(e.error_code, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  e = create_error("Opportunity",
                   R"({"Name":"x","StageName":"Prospecting","CloseDate":"2026-02-30"})");
  EXPECT_EQ(e.error_code, "JSON_PARSER_ERROR");
  e = create_error("Contact", R"({"LastName":"x","AccountId":"001xx"})");
  EXPECT_EQ(e.error_code, "MALFORMED_ID");
  e = create_error("Contact", R"({"LastName":"x","AccountId":")" +
                                  std::string(SalesforceId::make("001", 999).str()) + R"("})");
  EXPECT_EQ(e.error_code, "INVALID_CROSS_REFERENCE_KEY");
  EXPECT_EQ(e.fields, std::vector<std::string>{"AccountId"});
  e = create_error("Contact", R"({"LastName":"x","AccountId":")" +
                                  std::string(SalesforceId::make("006", 1).str()) + R"("})");
  EXPECT_EQ(e.error_code, "FIELD_INTEGRITY_EXCEPTION");
  e = create_error("Account", R"({"Name":"x","AnnualRevenue":"lots"})");
  EXPECT_EQ(e.error_code, "JSON_PARSER_ERROR");
  EXPECT_EQ(store_->create("Nope", obj("{}")).error().http_status, 404);
}

TEST_F(StoreTest, LineTotalsAndOpportunityAmountFollowEveryWrite) {
  make_opportunity();
  auto line1 = add_line("3");
  auto line2 = add_line("2.5", R"(,"Discount":10)");
  auto l1 = get("OpportunityLineItem", line1);
  EXPECT_EQ(Decimal::from_json(l1.at("TotalPrice")).value().to_string(2), "59.97");
  EXPECT_EQ(Decimal::from_json(l1.at("ListPrice")).value().to_string(2), "19.99");
  EXPECT_EQ(l1.at("Product2Id").as_string(), product_);
  EXPECT_EQ(l1.at("Name"), "Big deal Widget");
  auto l2 = get("OpportunityLineItem", line2);
  EXPECT_EQ(Decimal::from_json(l2.at("Subtotal")).value().to_string(2), "49.98");    // 49.975 up
  EXPECT_EQ(Decimal::from_json(l2.at("TotalPrice")).value().to_string(2), "44.98");  // 44.9775
  auto opp = get("Opportunity", opportunity_);
  EXPECT_EQ(Decimal::from_json(opp.at("Amount")).value().to_string(2), "104.95");
  EXPECT_EQ(opp.at("HasOpportunityLineItem"), true);
  EXPECT_EQ(Decimal::from_json(opp.at("TotalOpportunityQuantity")).value().to_string(2), "5.50");

  ASSERT_TRUE(store_->update("OpportunityLineItem", line1, obj(R"({"Quantity":1})")));
  EXPECT_EQ(Decimal::from_json(get("Opportunity", opportunity_).at("Amount")).value().to_string(2),
            "64.97");
  ASSERT_TRUE(store_->remove("OpportunityLineItem", line2));
  EXPECT_EQ(Decimal::from_json(get("Opportunity", opportunity_).at("Amount")).value().to_string(2),
            "19.99");
  EXPECT_EQ(store_->retrieve("OpportunityLineItem", line2, {}, "62.0").error().error_code,
            "ENTITY_IS_DELETED");
}

TEST_F(StoreTest, StageDrivesClosedWonAndProbability) {
  make_opportunity();
  auto opp = get("Opportunity", opportunity_);
  EXPECT_EQ(opp.at("IsClosed"), false);
  EXPECT_EQ(Decimal::from_json(opp.at("Probability")).value().to_string(), "10");
  ASSERT_TRUE(store_->update("Opportunity", opportunity_, obj(R"({"StageName":"Closed Won"})")));
  opp = get("Opportunity", opportunity_);
  EXPECT_EQ(opp.at("IsClosed"), true);
  EXPECT_EQ(opp.at("IsWon"), true);
  EXPECT_EQ(Decimal::from_json(opp.at("Probability")).value().to_string(), "100");
}

TEST_F(StoreTest, QuotesRollUpTheirLinesAndUpsertByGenerationKey) {
  make_opportunity();
  auto q = store_->upsert("Quote", "GenerationKey__c", "tx1:opp",
                          obj(R"({"Name":"Q","OpportunityId":")" + opportunity_ + R"("})"));
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_TRUE(q->created);
  std::string quote(q->id.str());
  auto again = store_->upsert("Quote", "GenerationKey__c", "tx1:opp", obj(R"({"Name":"Q2"})"));
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->id, q->id);
  auto line = store_->upsert("QuoteLineItem", "GenerationKey__c", "tx1:opp:1",
                             obj(R"({"QuoteId":")" + quote + R"(","PricebookEntryId":")" + entry_ +
                                 R"(","Quantity":4,"UnitPrice":17.99})"));
  ASSERT_TRUE(line) << line.error().message;
  auto record = get("Quote", quote);
  EXPECT_EQ(record.at("Name"), "Q2");
  EXPECT_EQ(record.at("AccountId").as_string(), account_);
  EXPECT_EQ(record.at("Pricebook2Id").as_string(), book_);
  EXPECT_EQ(record.at("LineItemCount"), 1);
  EXPECT_EQ(Decimal::from_json(record.at("TotalPrice")).value().to_string(2), "71.96");
  EXPECT_EQ(Decimal::from_json(record.at("GrandTotal")).value().to_string(2), "71.96");
  EXPECT_EQ(record.at("Status"), "Draft");
  EXPECT_EQ(record.at("QuoteNumber"), "00000001");
  auto dup = store_->create("Quote", obj(R"({"Name":"Q3","OpportunityId":")" + opportunity_ +
                                         R"(","GenerationKey__c":"TX1:OPP"})"));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().error_code, "DUPLICATE_VALUE");
  EXPECT_EQ(dup.error().message,
            "duplicate value found: GenerationKey__c duplicates value on record with id: " + quote);
  EXPECT_EQ(store_->upsert("Quote", "Name", "x", obj("{}")).error().http_status, 404);
}

TEST_F(StoreTest, DeletingAnOpportunityCascadesToItsLinesAndQuotes) {
  make_opportunity();
  auto line = add_line("1");
  ASSERT_TRUE(store_->remove("Opportunity", opportunity_));
  EXPECT_EQ(store_->retrieve("OpportunityLineItem", line, {}, "62.0").error().error_code,
            "ENTITY_IS_DELETED");
  EXPECT_EQ(store_->remove("Opportunity", opportunity_).error().error_code, "ENTITY_IS_DELETED");
  auto all = store_->query("SELECT Id FROM OpportunityLineItem", {.include_deleted = true}).value();
  EXPECT_EQ(all.total_size, 1);
  auto live = store_->query("SELECT Id FROM OpportunityLineItem", {}).value();
  EXPECT_EQ(live.total_size, 0);
}

TEST_F(StoreTest, QueriesRenderParentsChildrenAndNulls) {
  make_opportunity();
  add_line("2");
  add_line("1");
  create("Opportunity", R"({"Name":"Lonely","StageName":"Prospecting","CloseDate":"2026-01-01"})");
  auto page = store_->query(
      "SELECT Name, Amount, Account.Name, (SELECT Quantity FROM OpportunityLineItems) FROM "
      "Opportunity ORDER BY Name",
      {.api_version = "62.0"});
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->total_size, 2);
  EXPECT_TRUE(page->done);
  const auto& big = page->records[0].as_object();
  EXPECT_EQ(big.at("Name"), "Big deal");
  EXPECT_EQ(big.at("Account").as_object().at("Name"), "Acme");
  EXPECT_EQ(big.at("Account").as_object().at("attributes").as_object().at("type"), "Account");
  const auto& lines = big.at("OpportunityLineItems").as_object();
  EXPECT_EQ(lines.at("totalSize"), 2);
  EXPECT_EQ(lines.at("done"), true);
  EXPECT_EQ(lines.at("records").as_array().size(), 2u);
  const auto& lonely = page->records[1].as_object();
  EXPECT_TRUE(lonely.at("Account").is_null());
  EXPECT_TRUE(lonely.at("OpportunityLineItems").is_null());
  EXPECT_TRUE(lonely.at("Amount").is_null());

  auto count = store_->query("SELECT COUNT() FROM Opportunity", {});
  ASSERT_TRUE(count);
  EXPECT_EQ(count->total_size, 2);
  EXPECT_TRUE(count->records.empty());

  auto bad = store_->query("SELECT Bacon FROM Opportunity", {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().error_code, "INVALID_FIELD");
}

TEST_F(StoreTest, PagesThroughTenThousandRowsWithLocators) {
  store_->begin();
  for (int i = 0; i < 10000; ++i) {
    ASSERT_TRUE(store_->create("Account", json::object{{"Name", "A" + std::to_string(i)}}));
  }
  store_->commit();
  auto page = store_->query("SELECT Id, Name FROM Account", {.api_version = "62.0"});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total_size, 10000);
  size_t seen = page->records.size();
  int pages = 1;
  EXPECT_EQ(seen, 2000u);
  EXPECT_NE(page->next_locator.find("-2000"), std::string::npos);
  EXPECT_EQ(page->next_locator.substr(0, 3), "01g");
  std::string first_of_second;
  while (!page->done) {
    auto next = store_->query_more(page->next_locator, "62.0");
    ASSERT_TRUE(next) << next.error().message;
    if (pages == 1)
      first_of_second = std::string(next->records[0].as_object().at("Name").as_string());
    seen += next->records.size();
    page = std::move(next);
    ++pages;
  }
  EXPECT_EQ(seen, 10000u);
  EXPECT_EQ(pages, 5);
  EXPECT_EQ(first_of_second, "A2000");
  EXPECT_EQ(store_->query_more("01gxxxxxxxxxxxxxxx-2000", "62.0").error().error_code,
            "INVALID_QUERY_LOCATOR");

  auto small = store_->query("SELECT Id FROM Account", {.batch_size = 500});
  EXPECT_EQ(small->records.size(), 500u);
  auto clamped = store_->query("SELECT Id FROM Account", {.batch_size = 5});
  EXPECT_EQ(clamped->records.size(), 200u);
}

TEST_F(StoreTest, ChildRowsCountTowardThePageSize) {
  make_opportunity();
  for (int i = 0; i < 300; ++i) {
    opportunity_ =
        create("Opportunity", R"({"Name":"O)" + std::to_string(i) +
                                  R"(","StageName":"Prospecting","CloseDate":"2026-12-31"})");
    add_line("1");
    add_line("2");
  }
  auto page = store_->query(
      "SELECT Id, (SELECT Id FROM OpportunityLineItems) FROM Opportunity WHERE Name LIKE 'O%'",
      {.batch_size = 300});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->records.size(), 100u);  // 100 opportunities × 3 rows each
  EXPECT_FALSE(page->done);
}

TEST_F(StoreTest, RollbackUndoesWritesAndReportsNoChanges) {
  std::vector<Change> changes;
  store_->on_change([&](const Change& c) { changes.push_back(c); });
  store_->begin();
  create("Account", R"({"Name":"Gone"})");
  store_->rollback();
  EXPECT_EQ(store_->query("SELECT Id FROM Account", {})->total_size, 0);
  EXPECT_TRUE(changes.empty());
  make_opportunity();
  ASSERT_TRUE(store_->update("Opportunity", opportunity_, obj(R"({"StageName":"Closed Lost"})")));
  ASSERT_FALSE(changes.empty());
  const Change& last = changes.back();
  EXPECT_EQ(last.kind, Change::Kind::update);
  EXPECT_EQ(last.object, "Opportunity");
  EXPECT_EQ(last.changed_fields, std::vector<std::string>{"StageName"});
}

TEST_F(StoreTest, HostileValuesAreStoredAsPlainText) {
  auto id = create("Account", R"({"Name":"x'); DROP TABLE \"Account\"; --"})");
  EXPECT_EQ(get("Account", id).at("Name"), "x'); DROP TABLE \"Account\"; --");
  auto q = store_->query(
      "SELECT Name FROM Account WHERE Name = 'x\\'); DROP TABLE \"Account\"; --'", {});
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->total_size, 1);
}

TEST_F(StoreTest, SeedIsDeterministic) {
  ASSERT_TRUE(store_->seed({.opportunities = 50, .seed = 7}));
  auto other = Store::open({}).value();
  ASSERT_TRUE(other->seed({.opportunities = 50, .seed = 7}));
  std::string soql =
      "SELECT Id, Name, Amount, Account.BillingCountry, (SELECT Quantity, TotalPrice FROM "
      "OpportunityLineItems) FROM Opportunity ORDER BY Id";
  auto a = store_->query(soql, {});
  auto b = other->query(soql, {});
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->total_size, 50);
  for (auto& r : a->records) r.as_object().erase("CreatedDate");
  EXPECT_EQ(json::serialize(a->records), json::serialize(b->records));
  auto lines = store_->query("SELECT COUNT() FROM OpportunityLineItem", {});
  EXPECT_GE(lines->total_size, 50);
  EXPECT_LE(lines->total_size, 250);
  auto accounts = store_->query("SELECT COUNT() FROM Account WHERE BillingCountry != null", {});
  EXPECT_EQ(accounts->total_size, 10);
}

TEST_F(StoreTest, ActsAsTheSessionsUserWithItsFieldLevelSecurity) {
  make_opportunity();
  std::string line = add_line("2", R"(,"DiscountOverride__c":5)");
  auto sales = SalesforceId::parse(
      create("User", R"({"Username":"s@x.test","LastName":"S","Alias":"s","Email":"s@x.test",)"
                     R"("TimeZoneSidKey":"GMT","LocaleSidKey":"en_US","EmailEncodingKey":"UTF-8",)"
                     R"("LanguageLocaleKey":"en_US"})"));
  ASSERT_TRUE(sales);
  Actor actor{.user = *sales, .hidden = {}};
  actor.hidden.hide(find_object("OpportunityLineItem")->field("DiscountOverride__c"));
  const std::string unknown_on_entity =
      "No such column 'DiscountOverride__c' on entity 'OpportunityLineItem'. If you are "
      "attempting to use a custom field, be sure to append the '__c' after the custom field "
      "name. Please reference your WSDL or the describe call for the appropriate names.";
  {
    ScopedActor acting(*store_, actor);
    // Queries, directly and in a child subquery.
    auto direct = store_->query("SELECT Id, DiscountOverride__c FROM OpportunityLineItem", {});
    ASSERT_FALSE(direct);
    EXPECT_EQ(direct.error().error_code, "INVALID_FIELD");
    EXPECT_TRUE(direct.error().message.ends_with(unknown_on_entity)) << direct.error().message;
    EXPECT_NE(direct.error().message.find("ERROR at Row:1:Column:12"), std::string::npos);
    auto child = store_->query(
        "SELECT Id, (SELECT Id, DiscountOverride__c FROM OpportunityLineItems) FROM Opportunity",
        {});
    ASSERT_FALSE(child);
    EXPECT_TRUE(child.error().message.ends_with(unknown_on_entity));
    EXPECT_TRUE(store_->query("SELECT Id, Discount FROM OpportunityLineItem", {}));
    // Retrieve: named, it is unknown; all fields, it is left out.
    auto named = store_->retrieve("OpportunityLineItem", line, {"DiscountOverride__c"}, "62.0");
    ASSERT_FALSE(named);
    EXPECT_EQ(named.error().error_code, "INVALID_FIELD");
    EXPECT_EQ(named.error().message, unknown_on_entity);
    auto all = store_->retrieve("OpportunityLineItem", line, {}, "62.0");
    ASSERT_TRUE(all);
    EXPECT_FALSE(all->contains("DiscountOverride__c"));
    EXPECT_TRUE(all->contains("Discount"));
    // Writes: unknown, as for a field that does not exist.
    auto update = store_->update("OpportunityLineItem", line, obj(R"({"DiscountOverride__c":9})"));
    ASSERT_FALSE(update);
    EXPECT_EQ(update.error().error_code, "INVALID_FIELD");
    EXPECT_EQ(update.error().message,
              "No such column 'DiscountOverride__c' on sobject of type OpportunityLineItem");
    EXPECT_EQ(create_error("OpportunityLineItem",
                           R"({"OpportunityId":")" + opportunity_ + R"(","PricebookEntryId":")" +
                               entry_ + R"(","Quantity":1,"UnitPrice":1,"DiscountOverride__c":1})")
                  .error_code,
              "INVALID_FIELD");
    // What it writes is recorded as its own.
    ASSERT_TRUE(store_->update("OpportunityLineItem", line, obj(R"({"Quantity":3})")));
    std::string account = create("Account", R"({"Name":"By sales"})");
    auto record = get("Account", account);
    EXPECT_EQ(record.at("CreatedById").as_string(), sales->str());
    EXPECT_EQ(record.at("OwnerId").as_string(), sales->str());
  }
  // Back to the integration user, who sees everything and wrote the rest.
  auto all = get("OpportunityLineItem", line);
  EXPECT_EQ(json::serialize(all.at("DiscountOverride__c")), "5");
  EXPECT_EQ(all.at("LastModifiedById").as_string(), sales->str());
  EXPECT_EQ(all.at("CreatedById").as_string(), store_->user_id().str());
  EXPECT_TRUE(store_->query("SELECT DiscountOverride__c FROM OpportunityLineItem", {}));
}

}  // namespace
}  // namespace pe::devorg
