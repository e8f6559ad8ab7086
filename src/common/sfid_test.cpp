#include "common/sfid.hpp"

#include <gtest/gtest.h>

#include <unordered_set>

namespace pe {
namespace {

TEST(SalesforceId, ConvertsFifteenToEighteen) {
  // Ids recorded from real orgs (salesforce-facts.md, section 1).
  auto id = SalesforceId::parse("006am000006pSAY");
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(id->str(), "006am000006pSAYAA2");
  EXPECT_EQ(id->str15(), "006am000006pSAY");
  EXPECT_EQ(id->prefix(), "006");
  EXPECT_EQ(id->sobject_type(), "Opportunity");
  EXPECT_EQ(SalesforceId::parse("001am000019vFalAAE")->sobject_type(), "Account");
  EXPECT_EQ(SalesforceId::parse("000000000000000")->str(), "000000000000000AAA");
  EXPECT_EQ(SalesforceId::parse("AAAAAAAAAAAAAAA")->str(), "AAAAAAAAAAAAAAA555");
}

TEST(SalesforceId, ComparesByTheEighteenCharacterForm) {
  auto a = SalesforceId::parse("006am000006pSAY").value();
  auto b = SalesforceId::parse("006am000006pSAYAA2").value();
  EXPECT_EQ(a, b);
  EXPECT_EQ(std::hash<SalesforceId>()(a), std::hash<SalesforceId>()(b));
  std::unordered_set<SalesforceId> set{a, b};
  EXPECT_EQ(set.size(), 1u);
  // Case matters in the 15-character form: these are different records.
  EXPECT_NE(SalesforceId::parse("006am000006psay").value(), a);
}

TEST(SalesforceId, RejectsMalformedInputWithClearErrors) {
  struct Case {
    std::string text;
    std::string why;
  };
  std::vector<Case> cases = {
      {"", "must be 15 or 18 characters, not 0"},
      {"006am000006pSA", "must be 15 or 18 characters, not 14"},
      {"006am000006pSAYAA", "must be 15 or 18 characters, not 17"},
      {"006am000006pSAYAA3", "the last 3 characters are not the checksum of the first 15"},
      {"006am000006psayAA2", "the last 3 characters are not the checksum of the first 15"},
      {"006am000006pSAYaa2", "the last 3 characters are not the checksum of the first 15"},
      {"006am000006pSA-", "only letters and digits are allowed"},
      {"006am000006pSA'", "only letters and digits are allowed"},
      {"006am 00006pSAY", "only letters and digits are allowed"},
      {std::string("006am000006pSA\0", 15), "only letters and digits are allowed"},
      {"006am000006pSA\xc3\xa9", "must be 15 or 18 characters, not 16"},
  };
  for (const auto& c : cases) {
    auto id = SalesforceId::parse(c.text);
    ASSERT_FALSE(id) << c.text;
    EXPECT_EQ(id.error().code, Errc::invalid_argument);
    EXPECT_NE(id.error().message.find(c.why), std::string::npos) << id.error().message;
  }
  auto huge = SalesforceId::parse(std::string(1'000'000, 'a'));
  ASSERT_FALSE(huge);
  EXPECT_LT(huge.error().message.size(), 200u);
}

TEST(SalesforceId, DefaultsToTheNullId) {
  SalesforceId none;
  EXPECT_TRUE(none.is_null());
  EXPECT_EQ(none.str(), "000000000000000AAA");
  EXPECT_EQ(none, SalesforceId::parse("000000000000000").value());
  EXPECT_FALSE(SalesforceId::make("006", 1).is_null());
}

TEST(SalesforceId, OrdersByTheEighteenCharacterForm) {
  auto a = SalesforceId::parse("001000000000001").value();
  auto b = SalesforceId::parse("001000000000002AAA").value();
  auto upper = SalesforceId::parse("00100000000000A").value();
  EXPECT_LT(a, b);
  EXPECT_LT(b, upper);  // '2' < 'A' in ASCII, as Salesforce sorts Ids
  EXPECT_EQ(upper.str(), "00100000000000AAAQ");
  EXPECT_FALSE(b < a);
}

TEST(SalesforceId, RejectsTheRightChecksumInTheWrongCase) {
  // "AA2" is the suffix; Salesforce never writes it in lower case, and we do not accept it.
  auto id = SalesforceId::parse("006am000006pSAYaA2");
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().message,
            "malformed Salesforce Id '006am000006pSAYaA2': the last 3 characters are not the "
            "checksum of the first 15");
}

TEST(SalesforceId, TellsAKeyPrefixByItsShape) {
  EXPECT_TRUE(is_key_prefix("006"));
  EXPECT_TRUE(is_key_prefix("a0B"));
  EXPECT_FALSE(is_key_prefix("06"));
  EXPECT_FALSE(is_key_prefix("0066"));
  EXPECT_FALSE(is_key_prefix("0-6"));
  EXPECT_FALSE(is_key_prefix("00*"));
}

TEST(SalesforceId, MintsValidIdsWithTheirPrefix) {
  auto id = SalesforceId::make("0Q0", 42);
  EXPECT_EQ(id.prefix(), "0Q0");
  EXPECT_EQ(id.sobject_type(), "Quote");
  EXPECT_EQ(SalesforceId::parse(id.str()).value(), id);
  EXPECT_NE(SalesforceId::make("0Q0", 43), id);
  EXPECT_EQ(SalesforceId::make("006", 0).str15(), "006000000000000");
  EXPECT_THROW(SalesforceId::make("06", 1), std::invalid_argument);
  EXPECT_THROW(SalesforceId::make("0-6", 1), std::invalid_argument);
  // The largest serial still fits in 12 base-62 digits (62^12 > 2^64).
  auto last = SalesforceId::make("00k", UINT64_MAX);
  EXPECT_EQ(SalesforceId::parse(last.str()).value(), last);
  EXPECT_EQ(last.sobject_type(), "OpportunityLineItem");
  // Serials mint distinct Ids in increasing order.
  EXPECT_LT(SalesforceId::make("0QL", 61), SalesforceId::make("0QL", 62));
}

TEST(SalesforceId, KnowsTheKeyPrefixesWeUse) {
  EXPECT_EQ(sobject_type_for_prefix("00k"), "OpportunityLineItem");
  EXPECT_EQ(sobject_type_for_prefix("0QL"), "QuoteLineItem");
  EXPECT_EQ(sobject_type_for_prefix("01u"), "PricebookEntry");
  EXPECT_EQ(sobject_type_for_prefix("zzz"), "");
  EXPECT_EQ(sobject_type_for_prefix("00K"), "");  // prefixes are case-sensitive
  EXPECT_EQ(SalesforceId::parse("a0B000000000001").value().sobject_type(), "");
  EXPECT_EQ(sobject_type_for_prefix("750"), "BulkJob");
  EXPECT_EQ(sobject_type_for_prefix("e00"), "PlatformEvent");
  EXPECT_EQ(sobject_type_for_prefix("00D"), "Organization");
  EXPECT_EQ(key_prefix_for("Product2"), "01t");
  EXPECT_EQ(key_prefix_for("Nope"), "");
}

}  // namespace
}  // namespace pe
