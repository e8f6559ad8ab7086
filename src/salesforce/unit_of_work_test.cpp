#include "salesforce/unit_of_work.hpp"

#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>

namespace pe::salesforce {
namespace {

namespace json = boost::json;

// One opportunity's quote and three lines, as the worker registers them.
void add_quote(UnitOfWork& work, int n) {
  std::string group = "opp" + std::to_string(n);
  auto quote = work.upsert(group, "Quote", "GenerationKey__c", "tx:" + group, {{"Name", "Q"}});
  for (int l = 0; l < 3; ++l) {
    work.upsert(group, "QuoteLineItem", "GenerationKey__c", "tx:" + group + ":" + std::to_string(l),
                {{"QuoteId", UnitOfWork::id_of(quote)}, {"Quantity", 1}});
  }
}

TEST(UnitOfWork, PacksTenThousandQuotesIntoEightyRequestsWithinTheLimits) {
  UnitOfWork work;
  for (int i = 0; i < 10000; ++i) add_quote(work, i);
  EXPECT_EQ(work.size(), 40000u);
  EXPECT_TRUE(work.idempotent());
  auto payloads = work.payloads("62.0");
  EXPECT_EQ(payloads.size(), 80u);  // the floor: 40,000 nodes at 500 a request
  std::set<std::string> groups_seen;
  for (const auto& p : payloads) {
    const auto& graphs = p.at("graphs").as_array();
    EXPECT_LE(graphs.size(), 75u);
    size_t nodes = 0;
    for (const auto& g : graphs) {
      const auto& requests = g.at("compositeRequest").as_array();
      nodes += requests.size();
      EXPECT_LE(requests.size(), 500u);
      // A group is never split: every graph starts with a quote and holds whole quotes.
      EXPECT_EQ(requests.size() % 4, 0u);
      for (size_t i = 0; i < requests.size(); i += 4) {
        std::string url(requests[i].at("url").as_string());
        EXPECT_NE(url.find("/services/data/v62.0/sobjects/Quote/GenerationKey__c/"),
                  std::string::npos);
        std::string group = url.substr(url.rfind("tx%3A") + 5);
        EXPECT_TRUE(groups_seen.insert(group).second) << group;
      }
    }
    EXPECT_LE(nodes, 500u);
  }
  EXPECT_EQ(groups_seen.size(), 10000u);
}

TEST(UnitOfWork, ReferencesPointAtEarlierNodesOfTheSameGroup) {
  UnitOfWork work;
  add_quote(work, 1);
  auto p = work.payloads("62.0");
  const auto& nodes = p[0].at("graphs").at(0).at("compositeRequest").as_array();
  EXPECT_EQ(nodes[0].at("referenceId"), "r0");
  EXPECT_EQ(nodes[0].at("method"), "PATCH");
  EXPECT_EQ(nodes[1].at("body").at("QuoteId"), "@{r0.id}");
}

TEST(UnitOfWork, LargeGroupsGetTheirOwnGraphsAndOversizedOnesAreRefused) {
  UnitOfWork work;
  for (int i = 0; i < 300; ++i) work.create("big", "Account", {{"Name", "x"}});
  add_quote(work, 1);
  EXPECT_FALSE(work.idempotent());
  auto p = work.payloads("62.0");
  ASSERT_EQ(p.size(), 1u);
  ASSERT_EQ(p[0].at("graphs").as_array().size(), 2u);
  EXPECT_EQ(p[0].at("graphs").at(0).at("compositeRequest").as_array().size(), 300u);

  UnitOfWork huge;
  for (int i = 0; i < 501; ++i) huge.create("too-big", "Account", {{"Name", "x"}});
  auto payloads = huge.payloads("62.0");
  EXPECT_EQ(payloads.at(0).at("graphs").at(0).at("compositeRequest").as_array().size(), 501u);
}

}  // namespace
}  // namespace pe::salesforce
