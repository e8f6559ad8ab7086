#include "devorg/soql_translator.hpp"

#include <gtest/gtest.h>

namespace pe::devorg {
namespace {

using namespace std::chrono;
using Entry = RecordNode::Entry;

TranslateOptions fixed_clock() {
  TranslateOptions options;
  options.now = sys_days(year{2024} / March / 13) + hours(15) + minutes(30);  // a Wednesday
  return options;
}

CompiledQuery compile_ok(std::string_view soql, const TranslateOptions& options = fixed_clock()) {
  auto compiled = compile_soql(soql, options);
  EXPECT_TRUE(compiled) << soql << "\n" << (compiled ? "" : compiled.error().message);
  return compiled ? std::move(*compiled) : CompiledQuery{};
}

ApiError compile_error(std::string_view soql, const TranslateOptions& options = fixed_clock()) {
  auto compiled = compile_soql(soql, options);
  EXPECT_FALSE(compiled) << soql << "\n" << (compiled ? compiled->sql : "");
  return compiled ? ApiError{} : compiled.error();
}

std::string error_text(const ApiError& error) {
  auto at = error.message.find("ERROR at Row:");
  if (at == std::string::npos) return error.message;
  return error.message.substr(error.message.find('\n', at) + 1);
}

std::string column_of(const ApiError& error) {
  auto at = error.message.find(":Column:");
  if (at == std::string::npos) return "";
  return error.message.substr(at + 8, error.message.find('\n', at) - at - 8);
}

std::vector<std::string> shown(const std::vector<SqlValue>& params) {
  std::vector<std::string> out;
  for (const auto& p : params) {
    if (std::holds_alternative<std::monostate>(p)) out.push_back("NULL");
    if (const auto* i = std::get_if<int64_t>(&p)) out.push_back("int:" + std::to_string(*i));
    if (const auto* s = std::get_if<std::string>(&p)) out.push_back(*s);
  }
  return out;
}

// "Key=column" for fields, "Key->node" for parents, "Key[child]" for subqueries.
std::vector<std::string> entries(const RecordNode& node) {
  std::vector<std::string> out;
  for (const auto& e : node.entries) {
    switch (e.kind) {
      case Entry::Kind::field:
        out.push_back(std::string(e.key) + "=" + std::to_string(e.column));
        break;
      case Entry::Kind::parent:
        out.push_back(std::string(e.key) + "->" + std::to_string(e.node));
        break;
      case Entry::Kind::children:
        out.push_back(std::string(e.key) + "[" + std::to_string(e.child) + "]");
        break;
    }
  }
  return out;
}

// The WHERE clause of the translated statement, after the IsDeleted filter.
std::string where_of(std::string_view soql) {
  CompiledQuery q = compile_ok(soql);
  auto at = q.sql.find("WHERE t0.\"IsDeleted\" = 0 AND (");
  if (at == std::string::npos) return "(no WHERE) " + q.sql;
  at += 30;
  return q.sql.substr(at, q.sql.rfind(") ORDER BY") - at);
}

TEST(SoqlTranslator, CompilesTheWorkersQueryToOneStatementPlusOneChildStatement) {
  CompiledQuery q = compile_ok(
      "SELECT Id, Name, AccountId, Account.Name, Account.BillingCountry, Pricebook2Id, "
      "(SELECT Id, Quantity, UnitPrice, ListPrice, PricebookEntryId, Product2Id, "
      "Product2.Family, DiscountOverride__c FROM OpportunityLineItems) "
      "FROM Opportunity WHERE Id IN ('006am000006pSAY','006am000006pSAZAA2')");
  EXPECT_EQ(q.object, find_object("Opportunity"));
  EXPECT_FALSE(q.count_only);
  EXPECT_EQ(
      q.sql,
      "SELECT t0.\"Id\" AS c0, t0.\"Name\" AS c1, t0.\"AccountId\" AS c2, t1.\"Id\" AS c3, "
      "t1.\"Name\" AS c4, t1.\"BillingCountry\" AS c5, t0.\"Pricebook2Id\" AS c6 "
      "FROM \"Opportunity\" AS t0 LEFT JOIN \"Account\" AS t1 ON t1.\"Id\" = t0.\"AccountId\" "
      "WHERE t0.\"IsDeleted\" = 0 AND (t0.\"Id\" IN (?, ?)) ORDER BY t0.\"Id\" ASC");
  // 15-character Ids are bound in their 18-character form, the form storage holds.
  EXPECT_EQ(shown(q.params),
            (std::vector<std::string>{"006am000006pSAYAA2", "006am000006pSAZAA2"}));
  EXPECT_EQ(q.count_sql,
            "SELECT COUNT(*) FROM \"Opportunity\" AS t0 LEFT JOIN \"Account\" AS t1 ON t1.\"Id\" = "
            "t0.\"AccountId\" WHERE t0.\"IsDeleted\" = 0 AND (t0.\"Id\" IN (?, ?))");
  EXPECT_EQ(shown(q.count_params), shown(q.params));
  EXPECT_EQ(q.column_count, 7);

  ASSERT_EQ(q.nodes.size(), 2u);
  EXPECT_EQ(q.nodes[0].object->name, "Opportunity");
  EXPECT_EQ(q.nodes[0].id_column, 0);
  EXPECT_EQ(entries(q.nodes[0]),
            (std::vector<std::string>{"Id=0", "Name=1", "AccountId=2", "Account->1",
                                      "Pricebook2Id=6", "OpportunityLineItems[0]"}));
  EXPECT_EQ(q.nodes[1].object->name, "Account");
  EXPECT_EQ(q.nodes[1].id_column, 3);
  EXPECT_EQ(entries(q.nodes[1]), (std::vector<std::string>{"Name=4", "BillingCountry=5"}));
  EXPECT_EQ(q.nodes[1].entries[0].field->type, FieldType::string);

  ASSERT_EQ(q.children.size(), 1u);
  const ChildQuery& lines = q.children[0];
  EXPECT_EQ(lines.relationship, "OpportunityLineItems");
  EXPECT_EQ(lines.object->name, "OpportunityLineItem");
  EXPECT_EQ(lines.parent_field->name, "OpportunityId");
  EXPECT_EQ(lines.parent_key_column, 1);
  EXPECT_EQ(lines.column_count, 10);
  EXPECT_TRUE(lines.params.empty());
  EXPECT_EQ(lines.sql(3),
            "SELECT t0.\"Id\" AS c0, t0.\"OpportunityId\" AS c1, t0.\"Quantity\" AS c2, "
            "t0.\"UnitPrice\" AS c3, t0.\"ListPrice\" AS c4, t0.\"PricebookEntryId\" AS c5, "
            "t0.\"Product2Id\" AS c6, t1.\"Id\" AS c7, t1.\"Family\" AS c8, "
            "t0.\"DiscountOverride__c\" AS c9 FROM \"OpportunityLineItem\" AS t0 "
            "LEFT JOIN \"Product2\" AS t1 ON t1.\"Id\" = t0.\"Product2Id\" "
            "WHERE t0.\"OpportunityId\" IN (?,?,?) AND t0.\"IsDeleted\" = 0 "
            "ORDER BY t0.\"OpportunityId\" ASC, t0.\"Id\" ASC");
  ASSERT_EQ(lines.nodes.size(), 2u);
  EXPECT_EQ(entries(lines.nodes[0]),
            (std::vector<std::string>{"Id=0", "Quantity=2", "UnitPrice=3", "ListPrice=4",
                                      "PricebookEntryId=5", "Product2Id=6", "Product2->1",
                                      "DiscountOverride__c=9"}));
  EXPECT_EQ(lines.nodes[1].object->name, "Product2");
  EXPECT_EQ(lines.nodes[1].id_column, 7);
  EXPECT_EQ(entries(lines.nodes[1]), (std::vector<std::string>{"Family=8"}));
  EXPECT_EQ(lines.nodes[0].entries[1].field->type, FieldType::double_);
  EXPECT_EQ(lines.nodes[0].entries[7].field->type, FieldType::percent);
}

TEST(SoqlTranslator, JoinsEachRelationshipPathOnceAndNestsTheShape) {
  CompiledQuery q = compile_ok(
      "SELECT Id, Account.Owner.Name, Account.Name, Owner.Name, account.owner.email "
      "FROM Opportunity WHERE Account.Owner.IsActive = true ORDER BY Account.Name NULLS FIRST");
  EXPECT_EQ(
      q.sql,
      "SELECT t0.\"Id\" AS c0, t1.\"Id\" AS c1, t2.\"Id\" AS c2, t2.\"Name\" AS c3, "
      "t1.\"Name\" AS c4, t3.\"Id\" AS c5, t3.\"Name\" AS c6, t2.\"Email\" AS c7 "
      "FROM \"Opportunity\" AS t0 LEFT JOIN \"Account\" AS t1 ON t1.\"Id\" = t0.\"AccountId\" "
      "LEFT JOIN \"User\" AS t2 ON t2.\"Id\" = t1.\"OwnerId\" "
      "LEFT JOIN \"User\" AS t3 ON t3.\"Id\" = t0.\"OwnerId\" "
      "WHERE t0.\"IsDeleted\" = 0 AND (t2.\"IsActive\" = ?) "
      "ORDER BY t1.\"Name\" ASC NULLS FIRST, t0.\"Id\" ASC");
  EXPECT_EQ(shown(q.params), (std::vector<std::string>{"int:1"}));
  ASSERT_EQ(q.nodes.size(), 4u);
  EXPECT_EQ(entries(q.nodes[0]), (std::vector<std::string>{"Id=0", "Account->1", "Owner->3"}));
  EXPECT_EQ(entries(q.nodes[1]), (std::vector<std::string>{"Owner->2", "Name=4"}));
  EXPECT_EQ(entries(q.nodes[2]), (std::vector<std::string>{"Name=3", "Email=7"}));
  EXPECT_EQ(q.nodes[2].object->name, "User");
  EXPECT_EQ(q.nodes[2].id_column, 2);
  EXPECT_EQ(entries(q.nodes[3]), (std::vector<std::string>{"Name=6"}));
}

TEST(SoqlTranslator, ReportsCanonicalNamesWhateverTheCaseWritten) {
  CompiledQuery q =
      compile_ok("select NAME, account.NAME from OPPORTUNITY o where o.STAGENAME = 'x'");
  EXPECT_EQ(q.object->name, "Opportunity");
  EXPECT_EQ(entries(q.nodes[0]), (std::vector<std::string>{"Name=1", "Account->1"}));
  EXPECT_EQ(entries(q.nodes[1]), (std::vector<std::string>{"Name=3"}));
  // The object's own name or alias in front of a field names the object itself.
  CompiledQuery own = compile_ok("SELECT Account.Name, a.Industry FROM Account a");
  EXPECT_EQ(entries(own.nodes[0]), (std::vector<std::string>{"Name=1", "Industry=2"}));
  EXPECT_EQ(own.nodes.size(), 1u);
  // The recorded AppLink query: child fields qualified by the child object, FROM qualified by
  // the parent.
  CompiledQuery recorded = compile_ok(
      "SELECT Account.Name, (SELECT Contact.FirstName, Contact.LastName FROM Account.Contacts) "
      "FROM Account LIMIT 5");
  ASSERT_EQ(recorded.children.size(), 1u);
  EXPECT_EQ(recorded.children[0].relationship, "Contacts");
  EXPECT_EQ(entries(recorded.children[0].nodes[0]),
            (std::vector<std::string>{"FirstName=2", "LastName=3"}));
}

TEST(SoqlTranslator, CompilesCountWithLimitAndOffset) {
  CompiledQuery q = compile_ok("SELECT COUNT() FROM Opportunity WHERE StageName = 'Closed Won'");
  EXPECT_TRUE(q.count_only);
  EXPECT_TRUE(q.nodes.empty());
  EXPECT_EQ(q.sql,
            "SELECT COUNT(*) FROM \"Opportunity\" AS t0 WHERE t0.\"IsDeleted\" = 0 AND "
            "(t0.\"StageName\" = ?)");
  EXPECT_EQ(q.sql, q.count_sql);
  EXPECT_EQ(q.column_count, 1);
  CompiledQuery limited = compile_ok("SELECT COUNT() FROM Account LIMIT 5 OFFSET 2");
  EXPECT_EQ(limited.sql,
            "SELECT COUNT(*) FROM (SELECT 1 FROM \"Account\" AS t0 WHERE t0.\"IsDeleted\" = 0 "
            "LIMIT ? OFFSET ?)");
  EXPECT_EQ(shown(limited.params), (std::vector<std::string>{"int:5", "int:2"}));

  CompiledQuery page = compile_ok("SELECT Name FROM Account ORDER BY Name DESC LIMIT 10 OFFSET 20");
  EXPECT_EQ(page.sql,
            "SELECT t0.\"Id\" AS c0, t0.\"Name\" AS c1 FROM \"Account\" AS t0 WHERE "
            "t0.\"IsDeleted\" = 0 ORDER BY t0.\"Name\" DESC, t0.\"Id\" ASC LIMIT ? OFFSET ?");
  EXPECT_EQ(page.count_sql,
            "SELECT COUNT(*) FROM (SELECT 1 FROM \"Account\" AS t0 WHERE t0.\"IsDeleted\" = 0 "
            "LIMIT ? OFFSET ?)");
  CompiledQuery offset_only = compile_ok("SELECT Name FROM Account OFFSET 3");
  EXPECT_TRUE(offset_only.sql.ends_with(" LIMIT ? OFFSET ?"));
  EXPECT_EQ(shown(offset_only.params), (std::vector<std::string>{"int:-1", "int:3"}));
  CompiledQuery by_id = compile_ok("SELECT Name FROM Account ORDER BY Id DESC");
  EXPECT_TRUE(by_id.sql.ends_with("ORDER BY t0.\"Id\" DESC")) << by_id.sql;
}

TEST(SoqlTranslator, FiltersDeletedRowsUnlessQueryAll) {
  TranslateOptions all = fixed_clock();
  all.include_deleted = true;
  CompiledQuery q = compile_ok("SELECT Id, (SELECT Id FROM Contacts) FROM Account", all);
  EXPECT_EQ(q.sql, "SELECT t0.\"Id\" AS c0 FROM \"Account\" AS t0 ORDER BY t0.\"Id\" ASC");
  EXPECT_EQ(q.children[0].sql(1),
            "SELECT t0.\"Id\" AS c0, t0.\"AccountId\" AS c1 FROM \"Contact\" AS t0 WHERE "
            "t0.\"AccountId\" IN (?) ORDER BY t0.\"AccountId\" ASC, t0.\"Id\" ASC");
  // Users are never deleted, so they have no IsDeleted to filter on.
  EXPECT_EQ(compile_ok("SELECT Username FROM User").sql,
            "SELECT t0.\"Id\" AS c0, t0.\"Username\" AS c1 FROM \"User\" AS t0 ORDER BY "
            "t0.\"Id\" ASC");
}

TEST(SoqlTranslator, TranslatesComparisonsPerFieldType) {
  EXPECT_EQ(where_of("SELECT Id FROM Account WHERE Name = 'Acme'"), "t0.\"Name\" = ?");
  EXPECT_EQ(where_of("SELECT Id FROM Account WHERE Name != 'Acme'"), "t0.\"Name\" IS NOT ?");
  EXPECT_EQ(where_of("SELECT Id FROM Account WHERE Name <> 'Acme'"), "t0.\"Name\" IS NOT ?");
  EXPECT_EQ(where_of("SELECT Id FROM Account WHERE Name < 'B'"), "t0.\"Name\" < ?");
  EXPECT_EQ(where_of("SELECT Id FROM Account WHERE Industry = null"), "t0.\"Industry\" IS NULL");
  EXPECT_EQ(where_of("SELECT Id FROM Account WHERE Industry != NULL"),
            "t0.\"Industry\" IS NOT NULL");
  EXPECT_EQ(where_of("SELECT Id FROM Account WHERE Industry > null"), "0");
  // Booleans are never null: "= null" means false.
  EXPECT_EQ(where_of("SELECT Id FROM Product2 WHERE IsActive = null"), "t0.\"IsActive\" = 0");
  EXPECT_EQ(where_of("SELECT Id FROM Product2 WHERE IsActive != null"), "t0.\"IsActive\" = 1");
  EXPECT_EQ(where_of("SELECT Id FROM Account WHERE ParentId = ''"), "t0.\"ParentId\" IS NULL");
  EXPECT_EQ(where_of("SELECT Id FROM Account WHERE Name LIKE 'Ac\\_me%'"),
            "t0.\"Name\" LIKE ? ESCAPE '\\'");
  EXPECT_EQ(where_of("SELECT Id FROM Account WHERE Industry IN ('a', null, 'b')"),
            "(t0.\"Industry\" IN (?, ?) OR t0.\"Industry\" IS NULL)");
  EXPECT_EQ(where_of("SELECT Id FROM Account WHERE Industry NOT IN ('a')"),
            "(t0.\"Industry\" IN (?)) IS NOT 1");
  EXPECT_EQ(where_of("SELECT Id FROM Account WHERE NOT (Name = 'a' OR Name = 'b')"),
            "(t0.\"Name\" = ? OR t0.\"Name\" = ?) IS NOT 1");
  EXPECT_EQ(where_of("SELECT Id FROM Account WHERE NOT (NOT (Name = 'a'))"), "t0.\"Name\" = ?");
  EXPECT_EQ(where_of("SELECT Id FROM Account WHERE Name = 'a' AND (Type = 'b' OR (NOT "
                     "(Industry = 'c' AND Phone = 'd')))"),
            "t0.\"Name\" = ? AND (t0.\"Type\" = ? OR (t0.\"Industry\" = ? AND t0.\"Phone\" = ?) "
            "IS NOT 1)");

  auto params = [](std::string_view soql) { return shown(compile_ok(soql).params); };
  EXPECT_EQ(params("SELECT Id FROM Opportunity WHERE Amount > 100.5 AND Probability <= +30 AND "
                   "TotalOpportunityQuantity = -2 AND IsWon = TRUE AND IsClosed = false"),
            (std::vector<std::string>{"int:100500000", "int:30000000", "int:-2000000", "int:1",
                                      "int:0"}));
  EXPECT_EQ(error_text(compile_error("SELECT Id FROM Account WHERE AnnualRevenue < 1e3")),
            "unexpected token: 'e3'");  // no exponents in SOQL numbers
  EXPECT_EQ(params("SELECT Id FROM Account WHERE NumberOfEmployees >= 250"),
            (std::vector<std::string>{"int:250"}));
  EXPECT_EQ(params("SELECT Id FROM Account WHERE Name LIKE 'Ac\\_me%' AND Name LIKE '50\\%'"),
            (std::vector<std::string>{"Ac\\_me%", "50\\%"}));
  EXPECT_EQ(params("SELECT Id FROM Opportunity WHERE CloseDate = 2024-01-31 AND "
                   "CreatedDate > 2024-01-31T10:00:00+02:00 AND LastModifiedDate < "
                   "2024-02-01T00:00:00Z"),
            (std::vector<std::string>{"2024-01-31", "2024-01-31T08:00:00.000+0000",
                                      "2024-02-01T00:00:00.000+0000"}));
  EXPECT_EQ(params("SELECT Id FROM Contact WHERE AccountId IN ('001am000019vFal', "
                   "'001am000019vFalAAE', '')"),
            (std::vector<std::string>{"001am000019vFalAAE", "001am000019vFalAAE"}));
}

TEST(SoqlTranslator, ResolvesRelativeDatesAgainstTheClockAndTimeZone) {
  auto params = [](std::string_view soql, TranslateOptions options = fixed_clock()) {
    return shown(compile_ok(soql, options).params);
  };
  EXPECT_EQ(where_of("SELECT Id FROM Opportunity WHERE CloseDate = TODAY"),
            "(t0.\"CloseDate\" >= ? AND t0.\"CloseDate\" < ?)");
  EXPECT_EQ(params("SELECT Id FROM Opportunity WHERE CloseDate = TODAY"),
            (std::vector<std::string>{"2024-03-13", "2024-03-14"}));
  EXPECT_EQ(params("SELECT Id FROM Opportunity WHERE CloseDate = LAST_N_DAYS:7"),
            (std::vector<std::string>{"2024-03-06", "2024-03-14"}));
  EXPECT_EQ(
      params("SELECT Id FROM Opportunity WHERE CreatedDate = THIS_MONTH"),
      (std::vector<std::string>{"2024-03-01T00:00:00.000+0000", "2024-04-01T00:00:00.000+0000"}));
  EXPECT_EQ(where_of("SELECT Id FROM Opportunity WHERE CloseDate != TODAY"),
            "(t0.\"CloseDate\" >= ? AND t0.\"CloseDate\" < ?) IS NOT 1");
  EXPECT_EQ(where_of("SELECT Id FROM Opportunity WHERE CloseDate < THIS_WEEK"),
            "t0.\"CloseDate\" < ?");
  EXPECT_EQ(params("SELECT Id FROM Opportunity WHERE CloseDate < THIS_WEEK"),
            (std::vector<std::string>{"2024-03-10"}));
  EXPECT_EQ(params("SELECT Id FROM Opportunity WHERE CloseDate <= THIS_WEEK"),
            (std::vector<std::string>{"2024-03-17"}));
  EXPECT_EQ(params("SELECT Id FROM Opportunity WHERE CloseDate > THIS_WEEK"),
            (std::vector<std::string>{"2024-03-17"}));
  EXPECT_EQ(params("SELECT Id FROM Opportunity WHERE CloseDate >= THIS_WEEK"),
            (std::vector<std::string>{"2024-03-10"}));
  EXPECT_EQ(where_of("SELECT Id FROM Opportunity WHERE CloseDate IN (TODAY, 2024-01-01)"),
            "(t0.\"CloseDate\" IN (?) OR (t0.\"CloseDate\" >= ? AND t0.\"CloseDate\" < ?))");
  EXPECT_EQ(params("SELECT Id FROM Opportunity WHERE CloseDate IN (TODAY, 2024-01-01)"),
            (std::vector<std::string>{"2024-01-01", "2024-03-13", "2024-03-14"}));

  // At 15:30 UTC it is already tomorrow in Tokyo (+09:00): TODAY is the 14th there, and its
  // midnight is 15:00 UTC the day before.
  TranslateOptions tokyo = fixed_clock();
  tokyo.utc_offset = hours(9);
  EXPECT_EQ(params("SELECT Id FROM Opportunity WHERE CloseDate = TODAY", tokyo),
            (std::vector<std::string>{"2024-03-14", "2024-03-15"}));
  EXPECT_EQ(
      params("SELECT Id FROM Opportunity WHERE CreatedDate = TODAY", tokyo),
      (std::vector<std::string>{"2024-03-13T15:00:00.000+0000", "2024-03-14T15:00:00.000+0000"}));
  TranslateOptions new_york = fixed_clock();
  new_york.utc_offset = -hours(4);
  EXPECT_EQ(
      params("SELECT Id FROM Opportunity WHERE CreatedDate = YESTERDAY", new_york),
      (std::vector<std::string>{"2024-03-12T04:00:00.000+0000", "2024-03-13T04:00:00.000+0000"}));
}

TEST(SoqlTranslator, NeverSplicesLiteralsIntoSql) {
  for (std::string_view soql : {
           "SELECT Id FROM Account WHERE Name = '\\' OR 1=1 --'",
           "SELECT Id FROM Account WHERE Name = '\\'); DROP TABLE Account; --'",
           "SELECT Id FROM Account WHERE Name IN ('a\"; DELETE FROM Account; --', 'x')",
           "SELECT Id FROM Account WHERE Name LIKE '%\\' UNION SELECT * FROM User --'",
       }) {
    CompiledQuery q = compile_ok(soql);
    EXPECT_EQ(q.sql.find("DROP"), std::string::npos) << q.sql;
    EXPECT_EQ(q.sql.find("DELETE"), std::string::npos) << q.sql;
    EXPECT_EQ(q.sql.find("UNION"), std::string::npos) << q.sql;
    EXPECT_EQ(q.sql.find("1=1"), std::string::npos) << q.sql;
    EXPECT_EQ(q.sql.find("--"), std::string::npos) << q.sql;
    EXPECT_FALSE(q.params.empty());
  }
  EXPECT_EQ(
      shown(
          compile_ok("SELECT Id FROM Account WHERE Name = '\\'); DROP TABLE Account; --'").params),
      (std::vector<std::string>{"'); DROP TABLE Account; --"}));
}

TEST(SoqlTranslator, PerParentLimitsUseAWindowOverEachParentsChildren) {
  CompiledQuery q = compile_ok(
      "SELECT Id, (SELECT Id, UnitPrice FROM OpportunityLineItems WHERE Quantity > 1 "
      "ORDER BY UnitPrice DESC LIMIT 3 OFFSET 1) FROM Opportunity");
  const ChildQuery& c = q.children[0];
  EXPECT_EQ(c.sql(2),
            "SELECT * FROM (SELECT t0.\"Id\" AS c0, t0.\"OpportunityId\" AS c1, t0.\"UnitPrice\" "
            "AS c2, ROW_NUMBER() OVER (PARTITION BY t0.\"OpportunityId\" ORDER BY "
            "t0.\"OpportunityId\" ASC, t0.\"UnitPrice\" DESC, t0.\"Id\" ASC) AS pe_rn FROM "
            "\"OpportunityLineItem\" AS t0 WHERE t0.\"OpportunityId\" IN (?,?) AND "
            "t0.\"IsDeleted\" = 0 AND (t0.\"Quantity\" > ?)) WHERE pe_rn > ? AND pe_rn <= ? "
            "ORDER BY c1, pe_rn");
  // Bound after the parent ids, in text order.
  EXPECT_EQ(shown(c.params), (std::vector<std::string>{"int:1000000", "int:1", "int:4"}));
  EXPECT_EQ(c.column_count, 3);
}

TEST(SoqlTranslator, AnswersUnknownNamesWithSalesforcesErrors) {
  // Recorded from a real org.
  ApiError bacon = compile_error("SELECT Bacon__c FROM Account LIMIT 2");
  EXPECT_EQ(bacon.error_code, "INVALID_FIELD");
  EXPECT_EQ(bacon.http_status, 400);
  EXPECT_EQ(bacon.message,
            "\nSELECT Bacon__c FROM Account LIMIT 2\n       ^\nERROR at Row:1:Column:8\n"
            "No such column 'Bacon__c' on entity 'Account'. If you are attempting to use a custom "
            "field, be sure to append the '__c' after the custom field name. Please reference "
            "your WSDL or the describe call for the appropriate names.");

  ApiError type = compile_error("SELECT Id FROM Nope__c");
  EXPECT_EQ(type.error_code, "INVALID_TYPE");
  EXPECT_EQ(type.message,
            "\nSELECT Id FROM Nope__c\n               ^\nERROR at Row:1:Column:16\n"
            "sObject type 'Nope__c' is not supported. If you are attempting to use a custom "
            "object, be sure to append the '__c' after the entity name. Please reference your "
            "WSDL or the describe call for the appropriate names.");
  EXPECT_EQ(compile_error("SELECT Id FROM Account.Contacts").error_code, "INVALID_TYPE");

  ApiError relationship = compile_error("SELECT Id, Owner__r.Name FROM Account");
  EXPECT_EQ(relationship.error_code, "INVALID_FIELD");
  EXPECT_EQ(column_of(relationship), "12");
  EXPECT_EQ(error_text(relationship),
            "Didn't understand relationship 'Owner__r' in field path. If you are attempting to "
            "use a custom relationship, be sure to append the '__r' after the custom "
            "relationship name. Please reference your WSDL or the describe call for the "
            "appropriate names.");
  ApiError parent_field = compile_error("SELECT Account.Revenue FROM Opportunity");
  EXPECT_EQ(error_text(parent_field).substr(0, 46),
            "No such column 'Revenue' on entity 'Account'. ");
  ApiError where_field = compile_error("SELECT Id FROM Account WHERE Missing__c = 'x'");
  EXPECT_EQ(where_field.error_code, "INVALID_FIELD");
  EXPECT_EQ(column_of(where_field), "30");
  EXPECT_EQ(compile_error("SELECT Id FROM Account ORDER BY Missing__c").error_code,
            "INVALID_FIELD");
  // A relationship is not a field.
  EXPECT_EQ(error_text(compile_error("SELECT Account FROM Opportunity")).substr(0, 48),
            "No such column 'Account' on entity 'Opportunity'");

  // Child relationships exist only on their parent object.
  ApiError child = compile_error("SELECT Id, (SELECT Id FROM OpportunityLineItems) FROM Account");
  EXPECT_EQ(child.error_code, "INVALID_TYPE");
  EXPECT_EQ(column_of(child), "28");
  EXPECT_EQ(error_text(child),
            "Didn't understand relationship 'OpportunityLineItems' in FROM part of query call. "
            "If you are attempting to use a custom relationship, be sure to append the '__r' "
            "after the custom relationship name. Please reference your WSDL or the describe call "
            "for the appropriate names.");
  EXPECT_EQ(
      compile_error("SELECT Id, (SELECT Id FROM Opportunity.Contacts) FROM Account").error_code,
      "INVALID_TYPE");
  EXPECT_EQ(compile_error("SELECT Id, (SELECT Bacon__c FROM Contacts) FROM Account").error_code,
            "INVALID_FIELD");
}

TEST(SoqlTranslator, ChecksValuesAgainstTheFieldType) {
  struct Case {
    std::string soql;
    std::string code;
    std::string text;
  };
  std::vector<Case> cases = {
      {"SELECT Id FROM Account WHERE Id = 'abc'", "MALFORMED_QUERY", "invalid ID field: abc"},
      {"SELECT Id FROM Contact WHERE AccountId IN ('001am000019vFalAAE', '001am000019vFalXXX')",
       "MALFORMED_QUERY", "invalid ID field: 001am000019vFalXXX"},
      {"SELECT Id FROM Opportunity WHERE Amount = '100'", "INVALID_FIELD",
       "value of filter criterion for field 'Amount' must be of type double and should not be "
       "enclosed in quotes"},
      {"SELECT Id FROM Account WHERE Name = 5", "INVALID_FIELD",
       "value of filter criterion for field 'Name' must be of type string and should be "
       "enclosed in quotes"},
      {"SELECT Id FROM Product2 WHERE IsActive = 'true'", "INVALID_FIELD",
       "value of filter criterion for field 'IsActive' must be of type boolean and should not "
       "be enclosed in quotes"},
      {"SELECT Id FROM Opportunity WHERE CloseDate = 2024-01-01T00:00:00Z", "INVALID_FIELD",
       "value of filter criterion for field 'CloseDate' must be of type date and should not be "
       "enclosed in quotes"},
      {"SELECT Id FROM Opportunity WHERE CreatedDate = 2024-01-01", "INVALID_FIELD",
       "value of filter criterion for field 'CreatedDate' must be of type dateTime and should "
       "not be enclosed in quotes"},
      {"SELECT Id FROM Opportunity WHERE AccountId = 5", "INVALID_FIELD",
       "value of filter criterion for field 'AccountId' must be of type id and should be "
       "enclosed in quotes"},
      {"SELECT Id FROM Account WHERE NumberOfEmployees = 2.5", "INVALID_FIELD",
       "value of filter criterion for field 'NumberOfEmployees' must be of type integer and "
       "should not be enclosed in quotes"},
      {"SELECT Id FROM Account WHERE Name = TODAY", "INVALID_FIELD",
       "value of filter criterion for field 'Name' must be of type string and should be "
       "enclosed in quotes"},
      {"SELECT Id FROM Opportunity WHERE Amount LIKE '1%'", "INVALID_FIELD",
       "invalid operator on field 'Amount': LIKE applies to text fields only"},
      {"SELECT Id FROM Account WHERE Name LIKE 5", "INVALID_FIELD",
       "value of filter criterion for field 'Name' must be of type string and should be "
       "enclosed in quotes"},
      {"SELECT Id FROM Opportunity WHERE Description = 'x'", "INVALID_FIELD",
       "field 'Description' can not be filtered in query call"},
      {"SELECT Id FROM Opportunity ORDER BY Description", "INVALID_FIELD",
       "field 'Description' can not be sorted in a query call"},
      {"SELECT Id FROM Opportunity WHERE Amount = 1.1234567", "MALFORMED_QUERY",
       "The local org compares numbers to at most 6 decimal places: 1.1234567"},
      {"SELECT Id FROM Opportunity WHERE Amount = 99999999999999999999", "MALFORMED_QUERY",
       "numeric value out of range: 99999999999999999999"},
      {"SELECT Id FROM Account WHERE NumberOfEmployees = 99999999999999999999", "MALFORMED_QUERY",
       "numeric value out of range: 99999999999999999999"},
  };
  for (const auto& c : cases) {
    ApiError e = compile_error(c.soql);
    EXPECT_EQ(e.error_code, c.code) << c.soql;
    EXPECT_EQ(error_text(e), c.text) << c.soql;
    EXPECT_NE(e.message.find("ERROR at Row:1:Column:"), std::string::npos) << c.soql;
  }
  EXPECT_EQ(column_of(compile_error("SELECT Id FROM Account WHERE Id = 'abc'")), "35");
}

TEST(SoqlTranslator, EnforcesSalesforcesLimits) {
  ApiError duplicate = compile_error("SELECT Id, Name, id FROM Account");
  EXPECT_EQ(duplicate.error_code, "INVALID_FIELD");
  EXPECT_EQ(duplicate.message, "duplicate field selected: Id");
  EXPECT_EQ(compile_error("SELECT Account.Name, account.NAME FROM Opportunity").message,
            "duplicate field selected: Account.Name");
  EXPECT_EQ(compile_error("SELECT Id, (SELECT Id FROM Contacts), (SELECT Name FROM contacts) "
                          "FROM Account")
                .message,
            "duplicate field selected: Contacts");
  compile_ok("SELECT AccountId, Account.Id FROM Opportunity");  // two different fields

  ApiError offset = compile_error("SELECT Id FROM Account OFFSET 2001");
  EXPECT_EQ(offset.error_code, "NUMBER_OUTSIDE_VALID_RANGE");
  EXPECT_EQ(offset.message, "Maximum SOQL offset allowed for apiName Account is 2000");
  compile_ok("SELECT Id FROM Account OFFSET 2000");
  EXPECT_EQ(compile_error("SELECT Id, (SELECT Id FROM Contacts OFFSET 2001) FROM Account").message,
            "Maximum SOQL offset allowed for apiName Contact is 2000");

  // Five relationships away is the limit.
  compile_ok("SELECT Account.Owner.CreatedBy.CreatedBy.CreatedBy.Name FROM Opportunity");
  ApiError deep = compile_error(
      "SELECT Account.Owner.CreatedBy.CreatedBy.CreatedBy.CreatedBy.Name FROM Opportunity");
  EXPECT_EQ(deep.error_code, "MALFORMED_QUERY");
  EXPECT_EQ(error_text(deep),
            "SOQL statements cannot query relationships that are more than 5 levels away from "
            "the root entity object.");

  // 56 distinct parent relationships: more than Salesforce's 55 (and near SQLite's 64 joins).
  std::vector<std::string> paths = {"Owner", "CreatedBy", "LastModifiedBy"};
  for (size_t i = 0; paths.size() < 56; ++i) {
    paths.push_back(paths[i] + ".CreatedBy");
    paths.push_back(paths[i] + ".LastModifiedBy");
  }
  std::string soql = "SELECT Id";
  for (size_t i = 0; i < 56; ++i) soql += ", " + paths[i] + ".Name";
  ApiError joins = compile_error(soql + " FROM Account");
  EXPECT_EQ(joins.error_code, "QUERY_TOO_COMPLICATED");
  EXPECT_EQ(error_text(joins),
            "Query is too complicated: a statement can follow at most 55 relationships to "
            "parent objects");

  std::string subqueries = "SELECT Id";
  for (int i = 0; i < 21; ++i) subqueries += ", (SELECT Id FROM Contacts)";
  EXPECT_EQ(compile_error(subqueries + " FROM Account").error_code, "QUERY_TOO_COMPLICATED");

  EXPECT_EQ(error_text(compile_error("SELECT Id, (SELECT COUNT() FROM Contacts) FROM Account")),
            "COUNT() in a child relationship query is not supported by the local org");
}

TEST(SoqlTranslator, TreatsHiddenFieldsAsUnknownEverywhereInTheStatement) {
  TranslateOptions fls = fixed_clock();
  const ObjectSchema& line = *find_object("OpportunityLineItem");
  fls.hidden.hide(line.field("DiscountOverride__c"));
  const std::string unknown =
      "No such column 'DiscountOverride__c' on entity 'OpportunityLineItem'. If you are "
      "attempting to use a custom field, be sure to append the '__c' after the custom field "
      "name. Please reference your WSDL or the describe call for the appropriate names.";

  ApiError direct = compile_error("SELECT Id, DiscountOverride__c FROM OpportunityLineItem", fls);
  EXPECT_EQ(direct.error_code, "INVALID_FIELD");
  EXPECT_EQ(direct.http_status, 400);
  EXPECT_EQ(column_of(direct), "12");
  EXPECT_EQ(error_text(direct), unknown);
  ApiError child = compile_error(
      "SELECT Id, (SELECT Id, DiscountOverride__c FROM OpportunityLineItems) FROM Opportunity",
      fls);
  EXPECT_EQ(child.error_code, "INVALID_FIELD");
  EXPECT_EQ(column_of(child), "24");
  EXPECT_EQ(error_text(child), unknown);
  EXPECT_EQ(error_text(compile_error(
                "SELECT Id FROM OpportunityLineItem WHERE DiscountOverride__c > 5", fls)),
            unknown);
  // The name as the statement spells it, as for any unknown field.
  EXPECT_EQ(error_text(compile_error(
                           "SELECT Id FROM OpportunityLineItem ORDER BY discountoverride__c", fls))
                .substr(0, 36),
            "No such column 'discountoverride__c'");
  EXPECT_EQ(error_text(compile_error(
                "SELECT Id FROM OpportunityLineItem l WHERE l.DiscountOverride__c = null", fls)),
            unknown);

  // Other fields of the object, and the field for a session that may see it, compile.
  compile_ok(
      "SELECT Id, (SELECT Id, Quantity, Discount FROM OpportunityLineItems) FROM "
      "Opportunity",
      fls);
  compile_ok("SELECT Id, DiscountOverride__c FROM OpportunityLineItem");

  // A hidden reference field hides its relationship (parent path and child subquery) too.
  TranslateOptions no_account = fixed_clock();
  no_account.hidden.hide(find_object("Opportunity")->field("AccountId"));
  EXPECT_EQ(
      error_text(compile_error("SELECT Account.Name FROM Opportunity", no_account)).substr(0, 40),
      "Didn't understand relationship 'Account'");
  EXPECT_EQ(compile_error("SELECT Id, (SELECT Id FROM Opportunities) FROM Account", no_account)
                .error_code,
            "INVALID_TYPE");
}

}  // namespace
}  // namespace pe::devorg
