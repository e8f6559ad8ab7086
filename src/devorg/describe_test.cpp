#include "devorg/describe.hpp"

#include "devorg/schema.hpp"
#include "soql/where_clause.hpp"

#include <gtest/gtest.h>

namespace pe::devorg {
namespace {

// The product reads the fields a batch job's where clause may use from a describe of Opportunity
// (soql/where_clause.hpp); against the local org, this describe is what it reads.
TEST(Describe, OpportunityGivesTheWhereClauseCheckItsFieldsAndRelationships) {
  const ObjectSchema& opportunity = *find_object("Opportunity");
  soql::ObjectFields fields = soql::fields_from_describe(describe_object(opportunity, "62.0"));
  EXPECT_EQ(fields.object(), "Opportunity");
  EXPECT_EQ(fields.field_count(), opportunity.fields.size());
  ASSERT_NE(fields.field("amount"), nullptr);
  EXPECT_EQ(fields.field("amount")->type, "currency");
  EXPECT_EQ(fields.field("CloseDate")->type, "date");
  EXPECT_FALSE(fields.field("Description")->filterable);
  EXPECT_TRUE(fields.has_relationship("Account"));
  EXPECT_TRUE(fields.has_relationship("Owner"));
  EXPECT_TRUE(fields.has_relationship("Pricebook2"));

  EXPECT_EQ(soql::check_where_clause("Amount > 1000 AND StageName IN ('Prospecting') AND "
                                     "Account.BillingCountry = 'France' AND CloseDate = THIS_YEAR",
                                     fields),
            std::nullopt);
  auto unknown = soql::check_where_clause("Amout > 0", fields);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->message, "unknown field 'Amout' at position 0");
  auto mismatch = soql::check_where_clause("Amount > '5'", fields);
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(mismatch->position, 9u);
}

}  // namespace
}  // namespace pe::devorg
