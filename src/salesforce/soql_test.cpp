#include "salesforce/soql.hpp"

#include <gtest/gtest.h>

namespace pe::salesforce {
namespace {

TEST(Soql, QuotesEveryCharacterThatCouldEndTheLiteral) {
  EXPECT_EQ(soql_quote("Acme"), "'Acme'");
  EXPECT_EQ(soql_quote("O'Brien"), R"('O\'Brien')");
  EXPECT_EQ(soql_quote("x' OR Name != '"), R"('x\' OR Name != \'')");
  EXPECT_EQ(soql_quote("back\\slash \"q\"\n\t"), R"('back\\slash \"q\"\n\t')");
  EXPECT_EQ(soql_quote_like("50%_off's"), R"('50\%\_off\'s')");
}

TEST(Soql, SplitsLongInListsUnderBothBudgets) {
  std::vector<SalesforceId> ids;
  for (int i = 1; i <= 10000; ++i) ids.push_back(SalesforceId::make("006", i));
  std::string head = "SELECT Id FROM Opportunity WHERE Id IN (";
  auto queries = split_in_list(head, ids, ")");
  size_t seen = 0;
  for (const auto& q : queries) {
    EXPECT_LE(q.size(), kMaxSoqlChars);
    EXPECT_LE(url_encode(q).size(), kMaxQueryUrlBytes);
    EXPECT_EQ(q.substr(0, head.size()), head);
    EXPECT_EQ(q.back(), ')');
    seen += static_cast<size_t>(std::count(q.begin(), q.end(), '\'')) / 2;
  }
  EXPECT_EQ(seen, ids.size());
  // ~27 encoded bytes an Id: 12,000 bytes hold about 440 Ids a statement.
  EXPECT_GE(queries.size(), 22u);
  EXPECT_LE(queries.size(), 24u);
  EXPECT_NE(
      queries[0].find("'" + std::string(ids[0].str()) + "','" + std::string(ids[1].str()) + "'"),
      std::string::npos);
  auto by_chars = split_in_list(head, ids, ")", 2000, 1'000'000);
  for (const auto& q : by_chars) EXPECT_LE(q.size(), 2000u);
  EXPECT_TRUE(split_in_list(head, {}, ")").empty());
}

TEST(Soql, UrlEncodesForAQueryValue) {
  EXPECT_EQ(url_encode("SELECT Id FROM X WHERE N = 'a&b'"),
            "SELECT%20Id%20FROM%20X%20WHERE%20N%20%3D%20%27a%26b%27");
}

}  // namespace
}  // namespace pe::salesforce
