#include "pubsub/bitmap_fields.hpp"

#include "pubsub/opportunity_schema.hpp"

#include <gtest/gtest.h>

namespace pe::pubsub {
namespace {

using Names = std::vector<std::string>;

const avro::Schema& oce() {
  static const avro::Schema schema = *avro::Schema::parse(opportunity_change_event_schema());
  return schema;
}

Names expand(const Names& entries) {
  auto names = expand_bitmap_fields(oce(), entries);
  EXPECT_TRUE(names) << names.error().message;
  return names ? *names : Names{};
}

std::string expand_error(const Names& entries) {
  auto names = expand_bitmap_fields(oce(), entries);
  if (names) return "(expanded)";
  EXPECT_EQ(names.error().code, Errc::invalid_argument);
  return names.error().message;
}

TEST(BitmapFields, TopLevelBitsAreSchemaFieldIndexes) {
  // 0x14 = bits 2 and 4 (reference/pubsub.md: the probe's StageName and LastModifiedDate).
  EXPECT_EQ(expand({"0x14"}), (Names{"StageName", "LastModifiedDate"}));
  EXPECT_EQ(expand({"0x1"}), (Names{"ChangeEventHeader"}));
  EXPECT_EQ(expand({"0x0"}), Names{});
  EXPECT_EQ(expand({}), Names{});
  // Upper and lower case, and leading zero digits.
  EXPECT_EQ(expand({"0x0000000A"}), (Names{"Name", "Amount"}));
  EXPECT_EQ(expand({"0x0a"}), (Names{"Name", "Amount"}));
}

TEST(BitmapFields, MultiByteBitmapsAreOneBigEndianInteger) {
  // 0x010206: bits 1, 2 (0x06), 9 (0x02 in the second byte), 16 (0x01 in the third).
  EXPECT_EQ(expand({"0x010206"}),
            (Names{"Name", "StageName", "ShippingAddress__c", "External_ID__c"}));
  // The same integer with an odd number of digits.
  EXPECT_EQ(expand({"0x10206"}), expand({"0x010206"}));
}

TEST(BitmapFields, DashEntriesNameTheCompoundFieldsChildren) {
  // 9-0x06: children 1 and 2 of ShippingAddress__c (["null", Address]).
  EXPECT_EQ(expand({"0x200", "9-0x06"}),
            (Names{"ShippingAddress__c", "ShippingAddress__c.City", "ShippingAddress__c.State"}));
  // Read wherever it stands: first, or between others (the samples look only at the last).
  EXPECT_EQ(expand({"9-0x01", "0x04"}), (Names{"StageName", "ShippingAddress__c.Street"}));
  // All ten children set: each is listed, not the parent alone.
  Names all = expand({"0x0", "9-0x3FF"});
  ASSERT_EQ(all.size(), 10u);
  EXPECT_EQ(all.front(), "ShippingAddress__c.Street");
  EXPECT_EQ(all.back(), "ShippingAddress__c.GeocodeAccuracy");
}

TEST(BitmapFields, RefusesWhatTheSchemaCannotMean) {
  EXPECT_EQ(expand_error({"0x20000"}),
            "field bitmap '0x20000': bit 17 is set but "
            "com.sforce.eventbus.OpportunityChangeEvent has 17 fields");
  EXPECT_EQ(expand_error({"0x"}), "field bitmap '0x': expected 1 to 1024 hex digits");
  EXPECT_EQ(expand_error({"0xG1"}), "field bitmap '0xG1': not a hex digit");
  EXPECT_EQ(expand_error({"14"}), "field bitmap '14': expected 0x followed by hex digits");
  EXPECT_EQ(expand_error({"StageName"}),
            "field bitmap 'StageName': expected 0x followed by hex digits");
  EXPECT_EQ(expand_error({"0x1", "0x2"}), "field bitmap '0x2': a second top-level bitmap");
  EXPECT_EQ(expand_error({"0x0", "17-0x1"}),
            "field bitmap '17-0x1': no field 17 (com.sforce.eventbus.OpportunityChangeEvent has "
            "17)");
  EXPECT_EQ(expand_error({"0x0", "+9-0x1"}),
            "field bitmap '+9-0x1': the parent must be a decimal field index");
  EXPECT_EQ(expand_error({"0x0", "2-0x1"}),
            "field bitmap '2-0x1': field StageName is not a compound field (a record)");
  EXPECT_EQ(expand_error({"0x0", "9-0x400"}),
            "field bitmap '9-0x400': bit 10 is set but com.sforce.eventbus.Address has 10 fields");
  EXPECT_EQ(expand_error({"0x0", "9-0x1", "9-0x2"}),
            "field bitmap '9-0x2': field 9 has a second bitmap");
  EXPECT_EQ(expand_error({"0x" + std::string(2000, '0')}),
            "field bitmap '0x" + std::string(62, '0') + "...': expected 1 to 1024 hex digits");
}

TEST(BitmapFields, NamesBackToBitmaps) {
  auto bits = bitmap_fields_from_names(oce(), Names{"StageName", "LastModifiedDate"});
  ASSERT_TRUE(bits) << bits.error().message;
  EXPECT_EQ(*bits, Names{"0x14"});
  EXPECT_EQ(*bitmap_fields_from_names(oce(), Names{"External_ID__c", "Name"}), Names{"0x010002"});
  EXPECT_EQ(*bitmap_fields_from_names(
                oce(), Names{"ShippingAddress__c.State", "Amount", "ShippingAddress__c.City"}),
            (Names{"0x08", "9-0x06"}));
  EXPECT_EQ(*bitmap_fields_from_names(oce(), Names{}), Names{});
  EXPECT_EQ(bitmap_fields_from_names(oce(), Names{"Nope"}).error().message,
            "field bitmaps: com.sforce.eventbus.OpportunityChangeEvent has no field 'Nope'");
  EXPECT_EQ(bitmap_fields_from_names(oce(), Names{"Amount.Value"}).error().message,
            "field bitmaps: no compound field 'Amount.Value'");
  EXPECT_EQ(bitmap_fields_from_names(oce(), Names{"ShippingAddress__c.Planet"}).error().message,
            "field bitmaps: no compound field 'ShippingAddress__c.Planet'");
}

TEST(BitmapFields, RoundTripNamesBitmapsNames) {
  const Names names = {"Name",
                       "StageName",
                       "Amount",
                       "LastModifiedDate",
                       "IsClosed",
                       "OwnerId",
                       "External_ID__c",
                       "ShippingAddress__c.Street",
                       "ShippingAddress__c.Latitude",
                       "ShippingAddress__c.GeocodeAccuracy"};
  auto bits = bitmap_fields_from_names(oce(), names);
  ASSERT_TRUE(bits) << bits.error().message;
  EXPECT_EQ(expand(*bits), names);
  // And every single field on its own.
  for (const auto& f : oce().root().fields) {
    auto one = bitmap_fields_from_names(oce(), Names{f.name});
    ASSERT_TRUE(one);
    EXPECT_EQ(expand(*one), Names{f.name});
  }
}

}  // namespace
}  // namespace pe::pubsub
