// The rule that decides which change events need a quote, for the webhook and the subscriber.
#include "events/change_filter.hpp"

#include <gtest/gtest.h>

namespace pe::events {
namespace {

ChangeEvent event(std::string type, std::vector<std::string> fields = {}) {
  ChangeEvent e;
  e.entity = "Opportunity";
  e.change_type = std::move(type);
  e.record_ids.push_back(SalesforceId::make("006", 1));
  e.transaction_key = "tx";
  e.changed_fields = std::move(fields);
  return e;
}

TEST(ChangeFilter, ReadsTheConfiguration) {
  Env env;
  env.set("PRICING_CHANGE_TYPES", "create, update ,,gap_overflow");
  env.set("PRICING_CHANGED_FIELDS", "StageName,Amount");
  EnvReader read(env);
  auto filter = change_filter_from(read);
  EXPECT_EQ(filter.change_types, (std::vector<std::string>{"CREATE", "UPDATE", "GAP_OVERFLOW"}));
  EXPECT_EQ(filter.changed_fields, (std::vector<std::string>{"StageName", "Amount"}));
  Env none;
  EnvReader defaults(none);
  EXPECT_EQ(change_filter_from(defaults).change_types,
            (std::vector<std::string>{"CREATE", "UPDATE", "UNDELETE"}));
}

TEST(ChangeFilter, TypesFieldsGapsAndIds) {
  ChangeFilter filter{.changed_fields = {"StageName"}};
  EXPECT_EQ(judge(filter, event("CREATE")).skip, Skip::none);
  EXPECT_EQ(judge(filter, event("DELETE")).skip, Skip::change_type);
  EXPECT_EQ(judge(filter, event("UPDATE", {"StageName", "LastModifiedDate"})).skip, Skip::none);
  EXPECT_EQ(judge(filter, event("UPDATE", {"Description"})).skip, Skip::fields);
  // Names decoded from a Pub/Sub bitmap are names like any other: the same verdicts.
  auto bitmap = judge(filter, event("UPDATE", {"0x14"}));
  EXPECT_EQ(bitmap.skip, Skip::none);
  EXPECT_TRUE(bitmap.fields_undecoded);
  auto gap = judge(filter, event("GAP_UPDATE"));
  EXPECT_EQ(gap.skip, Skip::none);  // judged as an UPDATE, whatever its fields
  EXPECT_TRUE(gap.gap);
  auto other = event("CREATE");
  other.entity = "Account";
  EXPECT_EQ(judge(filter, other).skip, Skip::entity);
  auto wildcard = event("UPDATE", {"StageName"});
  wildcard.record_ids.clear();
  wildcard.wildcard_ids = {"006*"};
  EXPECT_EQ(judge(filter, wildcard).skip, Skip::wildcard_ids);
  EXPECT_TRUE(judge(filter, wildcard).wildcard);
  wildcard.wildcard_ids.clear();
  EXPECT_EQ(judge(filter, wildcard).skip, Skip::no_ids);
}

TEST(ChangeFilter, BitmapFields) {
  EXPECT_TRUE(is_bitmap_field("0x01000080"));
  EXPECT_TRUE(is_bitmap_field("4-0x10"));
  EXPECT_FALSE(is_bitmap_field("StageName"));
  EXPECT_FALSE(is_bitmap_field("Ox1"));
}

}  // namespace
}  // namespace pe::events
