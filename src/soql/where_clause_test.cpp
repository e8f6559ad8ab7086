#include "soql/where_clause.hpp"

#include "soql/parser.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace pe::soql {
namespace {

// The shape of a real Salesforce describe of Opportunity (GET .../sobjects/Opportunity/describe),
// cut down to the fields the tests use; real answers carry many more keys per field.
constexpr std::string_view kDescribe = R"({
  "name": "Opportunity", "label": "Opportunity", "keyPrefix": "006",
  "fields": [
    {"name": "Id", "type": "id", "relationshipName": null, "filterable": true, "soapType": "tns:ID"},
    {"name": "Name", "type": "string", "relationshipName": null, "filterable": true},
    {"name": "AccountId", "type": "reference", "relationshipName": "Account",
     "referenceTo": ["Account"], "filterable": true},
    {"name": "OwnerId", "type": "reference", "relationshipName": "Owner", "filterable": true},
    {"name": "StageName", "type": "picklist", "relationshipName": null, "filterable": true},
    {"name": "Amount", "type": "currency", "relationshipName": null, "filterable": true},
    {"name": "Probability", "type": "percent", "relationshipName": null},
    {"name": "TotalOpportunityQuantity", "type": "double", "relationshipName": null},
    {"name": "CloseDate", "type": "date", "relationshipName": null, "filterable": true},
    {"name": "CreatedDate", "type": "datetime", "relationshipName": null, "filterable": true},
    {"name": "IsWon", "type": "boolean", "relationshipName": null, "filterable": true},
    {"name": "Description", "type": "textarea", "relationshipName": null, "filterable": false},
    {"name": "DiscountOverride__c", "type": "percent", "custom": true, "filterable": true},
    {"name": "Broken"},
    "not a field"
  ],
  "childRelationships": [{"relationshipName": "OpportunityLineItems"}]
})";

const ObjectFields& opportunity() {
  static const ObjectFields fields =
      fields_from_describe(boost::json::parse(kDescribe).as_object());
  return fields;
}

std::optional<WhereClauseProblem> check(std::string_view clause) {
  return check_where_clause(clause, opportunity());
}

// The problem as "position: message", or "ok".
std::string verdict(std::string_view clause) {
  auto problem = check(clause);
  if (!problem) return "ok";
  return std::to_string(problem->position) + ": " + problem->message;
}

TEST(WhereClause, ReadsTheFieldsOfADescribe) {
  const ObjectFields& fields = opportunity();
  EXPECT_EQ(fields.object(), "Opportunity");
  EXPECT_EQ(fields.field_count(), 13u);  // "Broken" (no type) and the string are skipped
  ASSERT_NE(fields.field("amount"), nullptr);
  EXPECT_EQ(fields.field("AMOUNT")->name, "Amount");
  EXPECT_EQ(fields.field("Amount")->type, "currency");
  EXPECT_TRUE(fields.field("Probability")->filterable);  // absent: filterable
  EXPECT_FALSE(fields.field("Description")->filterable);
  EXPECT_EQ(fields.field("Account"), nullptr);
  EXPECT_TRUE(fields.has_relationship("account"));
  EXPECT_TRUE(fields.has_relationship("Owner"));
  EXPECT_FALSE(fields.has_relationship("AccountId"));
  EXPECT_FALSE(fields.has_relationship("OpportunityLineItems"));  // a child, not a parent
  EXPECT_EQ(fields_from_describe(boost::json::object{}).object(), "Opportunity");
}

TEST(WhereClause, AcceptsConditionsOnTheObject) {
  for (std::string_view clause : {
           "Amount > 1000",
           "amount >= 1000.50 AND stagename = 'Prospecting'",
           "StageName IN ('Prospecting', 'Qualification') OR Amount = null",
           "StageName NOT IN ('Closed Won', 'Closed Lost')",
           "Name LIKE 'Acme%' AND Name LIKE '100\\% sure'",
           "CloseDate >= 2024-01-01 AND CloseDate < NEXT_N_DAYS:30",
           "CloseDate = THIS_QUARTER OR CloseDate IN (TODAY, YESTERDAY)",
           "CreatedDate > 2024-01-31T10:00:00Z AND CreatedDate < LAST_N_WEEKS:2",
           "((Amount > 1 AND (IsWon = true OR IsWon = FALSE)) OR (Probability < 50))",
           "NOT (StageName = 'Closed Lost')",
           "NOT Amount > 5",
           "Account.BillingCountry = 'France'",
           "account.owner.name != 'x' AND Owner.Profile.Name = 'System Administrator'",
           "Opportunity.Amount > 0",
           "Id = '006am000006pSAY' OR AccountId = '' OR AccountId IN ('001am000006pSAYAA2')",
           "TotalOpportunityQuantity > -2.5 AND DiscountOverride__c = +3",
           "  Amount > 0  ",
           "Amount\n>\t0\r\n",
           "Name = 'Zürich'",
       }) {
    EXPECT_EQ(verdict(clause), "ok") << clause;
  }
}

TEST(WhereClause, AcceptedClausesParseAsTheStatementTheProductSends) {
  std::string clause = "StageName IN ('Prospecting') AND Account.Name LIKE 'A%'";
  ASSERT_EQ(check(clause), std::nullopt);
  EXPECT_TRUE(parse_soql("SELECT Id FROM Opportunity WHERE " + clause));
}

TEST(WhereClause, RefusesEmptyAndOversizedClauses) {
  EXPECT_EQ(verdict(""), "0: the clause is empty");
  EXPECT_EQ(verdict(" \t\r\n"), "0: the clause is empty");
  std::string big = "Name = '" + std::string(3991, 'x') + "'";
  ASSERT_EQ(big.size(), 4000u);
  EXPECT_EQ(verdict(big), "ok");
  EXPECT_EQ(verdict(big + " "), "4000: the clause is longer than 4000 characters");
  // Characters, not bytes: 3,990 two-byte characters fit.
  std::string wide = "Name = '";
  for (int i = 0; i < 3991; ++i) wide += "é";
  wide += "'";
  EXPECT_EQ(verdict(wide), "ok");
  EXPECT_EQ(verdict(std::string(1'000'000, 'x')),
            "4000: the clause is longer than 4000 characters");
  auto small = check_where_clause("Amount > 10", opportunity(), 5);
  ASSERT_TRUE(small);
  EXPECT_EQ(small->position, 5u);
}

TEST(WhereClause, RefusesBadSyntaxAtItsPosition) {
  EXPECT_EQ(verdict("Amount >"), "8: unexpected end of the clause at position 8");
  EXPECT_EQ(verdict("Amount > 0 AND"), "14: unexpected end of the clause at position 14");
  EXPECT_EQ(verdict("Amount 5"), "7: unexpected token '5' at position 7");
  EXPECT_EQ(verdict("(Amount > 5"), "11: unexpected end of the clause at position 11");
  EXPECT_EQ(verdict("Amount > 5)"), "10: unexpected token ')' at position 10");
  EXPECT_EQ(verdict("Amount > 1 AND IsWon = true OR Amount < 3"),
            "28: unexpected token 'OR' at position 28");
  EXPECT_EQ(verdict("Name = 'unterminated"), "20: unexpected end of the clause at position 20");
  EXPECT_EQ(verdict("Name = 'bad \\q escape'"),
            "12: Invalid string literal 'bad \\q escape'. Illegal character sequence '\\q' in "
            "strin... at position 12");
  EXPECT_EQ(verdict("Amount > $5"), "9: unexpected token '$' at position 9");
  EXPECT_EQ(verdict("CloseDate = 2024-02-30"), "12: Invalid date: 2024-02-30 at position 12");
  EXPECT_EQ(verdict("Amount = :limit"),
            "9: Bind variables only allowed in Apex code at position 9");
  EXPECT_EQ(verdict("StageName IN ()"), "13: unexpected token 'StageName IN ()' at position 13");
  EXPECT_EQ(verdict("Id IN (SELECT OpportunityId FROM OpportunityLineItem)"),
            "7: A semi-join or anti-join (IN (SELECT ...)) is not supported at position 7");
  EXPECT_EQ(verdict("CALENDAR_YEAR(CloseDate) = 2024"),
            "0: The function CALENDAR_YEAR() is not supported at position 0");
  // Positions count characters: 'Zürich' is 7 bytes and 6 characters.
  EXPECT_EQ(verdict("Name = 'Zürich' AND"), "19: unexpected end of the clause at position 19");
  EXPECT_EQ(verdict("Name = '\xff'"), "8: the clause is not valid UTF-8 at position 8");
}

TEST(WhereClause, RefusesAnythingAfterTheCondition) {
  EXPECT_EQ(verdict("Amount > 0 LIMIT 5"), "11: unexpected token 'LIMIT' at position 11");
  EXPECT_EQ(verdict("Amount > 0 ORDER BY Name"), "11: unexpected token 'ORDER' at position 11");
  EXPECT_EQ(verdict("Amount > 0 OFFSET 10"), "11: unexpected token 'OFFSET' at position 11");
  EXPECT_EQ(verdict("StageName = 'Prospecting' limit 10"),
            "26: unexpected token 'limit' at position 26");
  EXPECT_EQ(verdict("Amount > 0; DELETE FROM Opportunity"),
            "10: unexpected token ';' at position 10");
  EXPECT_EQ(verdict("Amount > 0 SELECT Id FROM Account"),
            "11: unexpected token 'SELECT' at position 11");
  EXPECT_EQ(verdict("Amount > 0 GROUP BY Name"), "11: GROUP BY is not supported at position 11");
  EXPECT_EQ(verdict("Amount > 0 WITH SECURITY_ENFORCED"),
            "11: WITH is not supported at position 11");
  EXPECT_EQ(verdict("LIMIT 5"), "0: unexpected token 'LIMIT' at position 0");
}

TEST(WhereClause, RefusesUnknownFieldsAndRelationships) {
  EXPECT_EQ(verdict("Amout > 0"), "0: unknown field 'Amout' at position 0");
  EXPECT_EQ(verdict("Amount > 0 AND Stage = 'x'"), "15: unknown field 'Stage' at position 15");
  EXPECT_EQ(verdict("Acount.Name = 'x'"), "0: unknown relationship 'Acount' at position 0");
  EXPECT_EQ(verdict("AccountId.Name = 'x'"), "0: unknown relationship 'AccountId' at position 0");
  EXPECT_EQ(verdict("Account = 'x'"), "0: unknown field 'Account' at position 0");
  EXPECT_EQ(verdict("Opportunity.Amout > 0"), "0: unknown field 'Opportunity.Amout' at position 0");
  EXPECT_EQ(verdict("Description = 'x'"),
            "0: field 'Description' cannot be filtered at position 0");
  EXPECT_EQ(verdict("(Amount > 0 OR (IsWon = true AND (NOT (Bogus__c = 1))))"),
            "39: unknown field 'Bogus__c' at position 39");
}

TEST(WhereClause, RefusesLiteralsOfTheWrongKind) {
  EXPECT_EQ(verdict("Amount > '1000'"),
            "9: a string cannot be compared with currency field 'Amount' at position 9");
  EXPECT_EQ(verdict("Probability IN (10, '20')"),
            "20: a string cannot be compared with percent field 'Probability' at position 20");
  EXPECT_EQ(verdict("StageName = 5"),
            "12: a number cannot be compared with picklist field 'StageName' at position 12");
  EXPECT_EQ(verdict("IsWon = 'true'"),
            "8: a string cannot be compared with boolean field 'IsWon' at position 8");
  EXPECT_EQ(verdict("CloseDate > 2024-01-01T00:00:00Z"),
            "12: a datetime cannot be compared with date field 'CloseDate' at position 12");
  EXPECT_EQ(verdict("CreatedDate > 2024-01-01"),
            "14: a date cannot be compared with datetime field 'CreatedDate' at position 14");
  EXPECT_EQ(verdict("Amount = TODAY"),
            "9: a relative date cannot be compared with currency field 'Amount' at position 9");
  EXPECT_EQ(verdict("Amount LIKE '1%'"),
            "7: LIKE applies to text fields, not to currency field 'Amount' at position 7");
  EXPECT_EQ(verdict("AccountId = 'abc'"),
            "12: invalid Id 'abc' for field 'AccountId' at position 12");
}

TEST(WhereClause, NeverQuotesMoreThanSixtyCharactersOfTheClause) {
  std::string name(300, 'A');
  auto unknown = check(name + " = 1");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->message, "unknown field '" + std::string(60, 'A') + "...' at position 0");
  auto token = check("Amount > 0 " + name);
  ASSERT_TRUE(token);
  EXPECT_EQ(token->message, "unexpected token '" + std::string(60, 'A') + "...' at position 11");
  auto literal = check("Name = '" + std::string(200, 'x') + "\\q'");
  ASSERT_TRUE(literal);
  EXPECT_LE(literal->message.size(), 120u);
}

TEST(WhereClause, UsesTheObjectOfTheDescribe) {
  ObjectFields account("Account");
  account.add_field({"BillingCountry", "string", true});
  account.add_relationship("Owner");
  EXPECT_EQ(check_where_clause("BillingCountry = 'France'", account), std::nullopt);
  EXPECT_EQ(check_where_clause("Account.BillingCountry = 'France'", account), std::nullopt);
  EXPECT_EQ(check_where_clause("Amount > 0", account)->message,
            "unknown field 'Amount' at position 0");
}

}  // namespace
}  // namespace pe::soql
