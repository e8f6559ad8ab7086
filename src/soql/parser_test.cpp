#include "soql/parser.hpp"

#include <gtest/gtest.h>

namespace pe::soql {
namespace {

Query parse_ok(std::string_view soql) {
  auto query = parse_soql(soql);
  EXPECT_TRUE(query) << soql << "\n" << (query ? "" : query.error().message);
  return query ? *query : Query{};
}

SoqlError parse_error(std::string_view soql, const ParseLimits& limits = {}) {
  auto query = parse_soql(soql, limits);
  EXPECT_FALSE(query) << soql;
  return query ? SoqlError{} : query.error();
}

// The message after Salesforce's pointer block ("...ERROR at Row:1:Column:N\n<text>").
std::string error_text(const SoqlError& error) {
  auto at = error.message.find("ERROR at Row:");
  if (at == std::string::npos) return error.message;
  return error.message.substr(error.message.find('\n', at) + 1);
}

std::string column_of(const SoqlError& error) {
  auto at = error.message.find(":Column:");
  if (at == std::string::npos) return "";
  return error.message.substr(at + 8, error.message.find('\n', at) - at - 8);
}

std::vector<std::string> field_texts(const Query& q) {
  std::vector<std::string> out;
  for (const auto& item : q.select) {
    out.push_back(item.kind == SelectItem::Kind::field
                      ? item.field.text()
                      : "(sub " + std::to_string(item.subquery) + ")");
  }
  return out;
}

TEST(SoqlParser, ParsesTheQueryTheWorkerSends) {
  Query q = parse_ok(
      "SELECT Id, Name, AccountId, Account.Name, Account.BillingCountry, Pricebook2Id, "
      "(SELECT Id, Quantity, UnitPrice, ListPrice, PricebookEntryId, Product2Id, "
      "Product2.Family, DiscountOverride__c FROM OpportunityLineItems) "
      "FROM Opportunity WHERE Id IN ('006am000006pSAYAA2','006am000006pSAZAA2')");
  EXPECT_EQ(field_texts(q),
            (std::vector<std::string>{"Id", "Name", "AccountId", "Account.Name",
                                      "Account.BillingCountry", "Pricebook2Id", "(sub 0)"}));
  EXPECT_EQ(q.select[3].field.parts, (std::vector<std::string>{"Account", "Name"}));
  EXPECT_EQ(q.select[3].field.offset, 28u);
  EXPECT_EQ(q.from.text(), "Opportunity");
  ASSERT_EQ(q.subqueries.size(), 1u);
  EXPECT_EQ(q.subqueries[0].from.text(), "OpportunityLineItems");
  EXPECT_EQ(
      field_texts(q.subqueries[0]),
      (std::vector<std::string>{"Id", "Quantity", "UnitPrice", "ListPrice", "PricebookEntryId",
                                "Product2Id", "Product2.Family", "DiscountOverride__c"}));
  ASSERT_TRUE(q.where);
  EXPECT_EQ(q.where->kind, Condition::Kind::comparison);
  const Comparison& in = q.where->comparison;
  EXPECT_EQ(in.field.text(), "Id");
  EXPECT_EQ(in.op, CompareOp::in);
  ASSERT_EQ(in.values.size(), 2u);
  EXPECT_EQ(in.values[0].kind, Literal::Kind::string);
  EXPECT_EQ(in.values[1].text, "006am000006pSAZAA2");
  EXPECT_FALSE(q.limit);
  EXPECT_FALSE(q.count);
}

TEST(SoqlParser, ParsesTheStatementsJsforceBuilds) {
  // jsforce's soql-builder: conditions joined by AND, NOT LIKE as "(NOT f LIKE v)", $exists as
  // "!= null", sort as "f DIR", child queries from include().
  Query q = parse_ok(
      "SELECT Id, Name, (SELECT Id, LastName FROM Contacts) FROM Account WHERE Name LIKE 'A%' "
      "AND (NOT Industry LIKE 'Bank%') AND BillingCountry != null AND Type IN ('Prospect', "
      "'Other') ORDER BY CreatedDate DESC, Name ASC LIMIT 10 OFFSET 5");
  ASSERT_TRUE(q.where);
  EXPECT_EQ(q.where->kind, Condition::Kind::and_);
  ASSERT_EQ(q.where->operands.size(), 4u);
  EXPECT_EQ(q.where->operands[0].comparison.op, CompareOp::like);
  EXPECT_EQ(q.where->operands[1].kind, Condition::Kind::not_);
  EXPECT_EQ(q.where->operands[1].operands[0].comparison.field.text(), "Industry");
  EXPECT_EQ(q.where->operands[2].comparison.op, CompareOp::ne);
  EXPECT_EQ(q.where->operands[2].comparison.values[0].kind, Literal::Kind::null);
  EXPECT_EQ(q.where->operands[3].comparison.values.size(), 2u);
  ASSERT_EQ(q.order_by.size(), 2u);
  EXPECT_TRUE(q.order_by[0].descending);
  EXPECT_FALSE(q.order_by[1].descending);
  EXPECT_EQ(q.limit, 10);
  EXPECT_EQ(q.offset, 5);

  Query count = parse_ok("SELECT COUNT() FROM Account WHERE Name = 'x'");
  EXPECT_TRUE(count.count);
  EXPECT_TRUE(count.select.empty());

  // The query the AppLink SDK test recorded against a real org.
  Query recorded = parse_ok(
      "SELECT Account.Name, (SELECT Contact.FirstName, Contact.LastName FROM Account.Contacts) "
      "FROM Account LIMIT 5");
  EXPECT_EQ(recorded.subqueries[0].from.parts, (std::vector<std::string>{"Account", "Contacts"}));
}

TEST(SoqlParser, KeywordsAreCaseInsensitive) {
  Query q = parse_ok(
      "select id from account where name = 'x' and isdeleted = FALSE and or_x = null "
      "ORDER by name desc nulls first limit 1");
  (void)q;
  Query r = parse_ok(
      "sElEcT Id FrOm Account WhErE (Name = 'x' oR Name = 'y') aNd NoT_Used__c = TrUe "
      "oRdEr By Name NuLlS lAsT LiMiT 1 oFfSeT 2");
  EXPECT_EQ(r.where->kind, Condition::Kind::and_);
  EXPECT_EQ(r.where->operands[0].kind, Condition::Kind::or_);
  EXPECT_TRUE(r.where->operands[1].comparison.values[0].boolean);
  EXPECT_EQ(r.order_by[0].nulls, OrderItem::Nulls::last);
  EXPECT_EQ(r.offset, 2);
}

TEST(SoqlParser, ReadsEveryKindOfLiteral) {
  Query q = parse_ok(
      "SELECT Id FROM Opportunity WHERE Name = 'O\\'Brien' AND Amount > -12.50 AND "
      "Probability <= +3 AND CloseDate >= 2024-01-31 AND CreatedDate < 2024-01-31T10:00:00+02:00 "
      "AND IsWon = true AND AccountId = NULL AND LastModifiedDate = LAST_N_DAYS:30 AND "
      "CloseDate = THIS_MONTH AND Name <> 'x'");
  const auto& ops = q.where->operands;
  ASSERT_EQ(ops.size(), 10u);
  auto value = [&](size_t i) { return ops[i].comparison.values[0]; };
  EXPECT_EQ(value(0).kind, Literal::Kind::string);
  EXPECT_EQ(value(0).text, "O'Brien");
  EXPECT_EQ(value(1).kind, Literal::Kind::number);
  EXPECT_EQ(value(1).text, "-12.50");
  EXPECT_EQ(value(2).text, "+3");
  EXPECT_EQ(ops[2].comparison.op, CompareOp::le);
  EXPECT_EQ(value(3).kind, Literal::Kind::date);
  EXPECT_EQ(value(4).kind, Literal::Kind::datetime);
  EXPECT_EQ(value(4).text, "2024-01-31T10:00:00+02:00");
  EXPECT_EQ(value(5).kind, Literal::Kind::boolean);
  EXPECT_TRUE(value(5).boolean);
  EXPECT_EQ(value(6).kind, Literal::Kind::null);
  EXPECT_EQ(value(7).kind, Literal::Kind::date_literal);
  EXPECT_EQ(value(7).text, "LAST_N_DAYS");
  EXPECT_EQ(value(7).n, 30);
  EXPECT_EQ(value(8).text, "THIS_MONTH");
  EXPECT_EQ(ops[9].comparison.op, CompareOp::ne);
}

TEST(SoqlParser, AcceptsAliasesAndNestedConditions) {
  Query q = parse_ok(
      "SELECT a.Name FROM Account a WHERE (a.Name = 'x' AND (Industry = 'Banking' OR "
      "(NOT (Type = 'Other')))) ORDER BY a.Name");
  EXPECT_EQ(q.alias, "a");
  EXPECT_EQ(q.where->kind, Condition::Kind::and_);
  const Condition& inner_or = q.where->operands[1];
  EXPECT_EQ(inner_or.kind, Condition::Kind::or_);
  EXPECT_EQ(inner_or.operands[1].kind, Condition::Kind::not_);
  Query not_in = parse_ok("SELECT Id FROM Account WHERE NOT Name NOT IN ('a')");
  EXPECT_EQ(not_in.where->kind, Condition::Kind::not_);
  EXPECT_EQ(not_in.where->operands[0].comparison.op, CompareOp::not_in);
}

TEST(SoqlParser, AnswersAStatementThatIsNotASelectLikeSalesforce) {
  // Recorded: [{"message":"unexpected token: SELEKT","errorCode":"MALFORMED_QUERY"}].
  SoqlError e = parse_error("SELEKT Name FROM Account");
  EXPECT_EQ(e.error_code, "MALFORMED_QUERY");
  EXPECT_EQ(e.message, "unexpected token: SELEKT");
  EXPECT_EQ(e.offset, 0u);
  EXPECT_EQ(e.reason, "unexpected token: SELEKT");
  EXPECT_EQ(parse_error("").message, "unexpected token: <EOF>");
  EXPECT_EQ(parse_error("   ").message, "unexpected token: <EOF>");
  EXPECT_EQ(parse_error("DELETE FROM Account").message, "unexpected token: DELETE");
}

TEST(SoqlParser, PointsAtUnexpectedTokens) {
  SoqlError eof = parse_error("SELECT Id FROM Account WHERE");
  EXPECT_EQ(eof.error_code, "MALFORMED_QUERY");
  EXPECT_EQ(eof.message,
            "\nSELECT Id FROM Account WHERE\n                            ^\n"
            "ERROR at Row:1:Column:29\nunexpected token: '<EOF>'");
  EXPECT_EQ(eof.offset, 28u);
  EXPECT_EQ(eof.reason, "unexpected token: '<EOF>'");
  SoqlError trailing_comma = parse_error("SELECT Id, FROM Bar__c");
  EXPECT_EQ(error_text(trailing_comma), "unexpected token: 'FROM'");
  EXPECT_EQ(column_of(trailing_comma), "12");
  // Salesforce (Summer '24 release notes) quotes both words.
  EXPECT_EQ(error_text(parse_error("SELECT FROM ServicePresenceStatus")),
            "unexpected token: 'SELECT FROM'");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account WHERE Email = liam.carter@example.com")),
            "unexpected token: 'liam.carter'");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account LIMIT 5 ORDER BY Name")),
            "unexpected token: 'ORDER'");
  EXPECT_EQ(parse_ok("SELECT Id FROM Account Name").alias, "Name");  // an alias, not an error
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account a b")), "unexpected token: 'b'");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account WHERE Name")),
            "unexpected token: '<EOF>'");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account WHERE Name NOT LIKE 'x'")),
            "unexpected token: 'LIKE'");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account WHERE Name = ('x')")),
            "unexpected token: '('");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account WHERE Name = USD500")),
            "unexpected token: 'USD500'");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account.")), "unexpected token: '.'");
  EXPECT_EQ(error_text(parse_error("SELECT * FROM Account")), "unexpected token: '*'");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account WHERE CloseDate = LAST_N_DAYS")),
            "unexpected token: '<EOF>'");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account WHERE CloseDate = TODAY:3")),
            "unexpected token: ':'");
}

TEST(SoqlParser, RefusesToMixAndWithOrWithoutParentheses) {
  // Salesforce: "unexpected token: 'OR'" / "unexpected token: 'AND'".
  SoqlError or_after_and = parse_error("SELECT Id FROM Lead WHERE A = 1 AND B = 2 OR C = 3");
  EXPECT_EQ(or_after_and.error_code, "MALFORMED_QUERY");
  EXPECT_EQ(error_text(or_after_and), "unexpected token: 'OR'");
  EXPECT_EQ(column_of(or_after_and), "43");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account WHERE (A = 1) OR (B = 2) AND C = 3")),
            "unexpected token: 'AND'");
  // NOT applies to one comparison or one parenthesised group, never inside a chain.
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account WHERE A = 1 AND NOT B = 2")),
            "unexpected token: 'NOT'");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account WHERE NOT A = 1 AND B = 2")),
            "unexpected token: 'AND'");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account WHERE NOT NOT A = 1")),
            "unexpected token: 'NOT'");
  parse_ok("SELECT Id FROM Account WHERE (A = 1 AND B = 2) OR C = 3");
  parse_ok("SELECT Id FROM Account WHERE A = 1 AND (NOT B = 2)");
}

TEST(SoqlParser, ValidatesDatesAndNumbers) {
  // Salesforce (Summer '24 release notes): "Invalid datetime: ...".
  EXPECT_EQ(error_text(parse_error(
                "SELECT Id FROM Account WHERE SystemModstamp > 2020-12-12t12:12:00-25:00")),
            "Invalid datetime: 2020-12-12t12:12:00-25:00");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Opportunity WHERE CloseDate = 2023-02-29")),
            "Invalid date: 2023-02-29");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account LIMIT 2147483648")),
            "numeric value out of range: 2147483648");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account LIMIT 99999999999999999999")),
            "numeric value out of range: 99999999999999999999");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account LIMIT -1")), "unexpected token: '-1'");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account LIMIT 1.5")), "unexpected token: '1.5'");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account LIMIT :n")),
            "Bind variables only allowed in Apex code");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account WHERE Id IN :ids")),
            "Bind variables only allowed in Apex code");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account WHERE Name = :name")),
            "Bind variables only allowed in Apex code");
  EXPECT_EQ(parse_ok("SELECT Id FROM Account LIMIT 2147483647").limit, 2147483647);
}

TEST(SoqlParser, RejectsAnEmptyInList) {
  // Salesforce (Summer '24 release notes): "unexpected token: 'ParentId IN ()'".
  EXPECT_EQ(error_text(parse_error("SELECT ParentId FROM Account WHERE ParentId IN ()")),
            "unexpected token: 'ParentId IN ()'");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account WHERE Id NOT IN ()")),
            "unexpected token: 'Id NOT IN ()'");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account WHERE Id IN ('a',)")),
            "unexpected token: ')'");
}

TEST(SoqlParser, RefusesWhatTheLocalOrgDoesNotSupportInsteadOfAnsweringWrongly) {
  struct Case {
    std::string soql;
    std::string text;
  };
  std::vector<Case> cases = {
      {"SELECT Name, COUNT(Id) FROM Account GROUP BY Name",
       "The aggregate function COUNT() is not supported by the local org"},
      {"SELECT Name FROM Account GROUP BY Name", "GROUP BY is not supported by the local org"},
      {"SELECT SUM(Amount) FROM Opportunity",
       "The aggregate function SUM() is not supported by the local org"},
      {"SELECT FIELDS(ALL) FROM Account LIMIT 200",
       "The function FIELDS() is not supported by the local org"},
      {"SELECT Id FROM Account WITH SECURITY_ENFORCED", "WITH is not supported by the local org"},
      {"SELECT Id FROM Account FOR UPDATE",
       "FOR VIEW/REFERENCE/UPDATE is not supported by the local org"},
      {"SELECT Id FROM Account USING SCOPE mine", "USING SCOPE is not supported by the local org"},
      {"SELECT Id FROM Account ALL ROWS", "ALL ROWS is not supported by the local org"},
      {"SELECT TYPEOF Owner WHEN User THEN Name END FROM Account",
       "TYPEOF is not supported by the local org"},
      {"SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact)",
       "A semi-join or anti-join (IN (SELECT ...)) is not supported by the local org"},
      {"SELECT Id FROM Account WHERE CALENDAR_YEAR(CreatedDate) = 2024",
       "The function CALENDAR_YEAR() is not supported by the local org"},
      {"SELECT Id FROM Account ORDER BY MAX(Name)",
       "ORDER BY a function is not supported by the local org"},
      {"SELECT Id FROM Account WHERE Industry INCLUDES ('a')",
       "INCLUDES (multi-select picklists) is not supported by the local org"},
      {"SELECT Id FROM Opportunity WHERE CloseDate = THIS_FISCAL_YEAR",
       "The date literal THIS_FISCAL_YEAR is not supported by the local org"},
      {"SELECT Id FROM Opportunity WHERE CloseDate = N_WEEKS_AGO:2",
       "The date literal N_WEEKS_AGO is not supported by the local org"},
      {"SELECT Id, (SELECT Id, (SELECT Id FROM OpportunityLineItems) FROM Opportunities) FROM "
       "Account",
       "A child relationship query inside another one is not supported by the local org"},
      {"SELECT Id, COUNT() FROM Account", "COUNT() must be the only item selected"},
      {"SELECT COUNT(), Id FROM Account", "COUNT() must be the only item selected"},
  };
  for (const auto& c : cases) {
    SoqlError e = parse_error(c.soql);
    EXPECT_EQ(e.error_code, "MALFORMED_QUERY") << c.soql;
    EXPECT_EQ(error_text(e), c.text) << c.soql;
  }
}

TEST(SoqlParser, KeepsInjectionAttemptsInsideLiterals) {
  Query q = parse_ok("SELECT Id FROM Account WHERE Name = '\\' OR 1=1 --'");
  EXPECT_EQ(q.where->comparison.values[0].text, "' OR 1=1 --");
  Query drop = parse_ok("SELECT Id FROM Account WHERE Name = '\\'); DROP TABLE Account; --'");
  EXPECT_EQ(drop.where->comparison.values[0].text, "'); DROP TABLE Account; --");
  // Outside a literal they are syntax errors, never SQL.
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account WHERE Name = 'x' OR 1=1 --")),
            "unexpected token: '1'");
  // The whole statement is read before it is parsed: an unterminated literal is reported first.
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account WHERE Name = 'x' OR 1=1 --'")),
            "unexpected token: '<EOF>'");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account; DROP TABLE Account")),
            "unexpected token: ';'");
  EXPECT_EQ(error_text(parse_error("SELECT Id FROM Account WHERE Name = '' OR ''=''")),
            "unexpected token: ''''");
  EXPECT_EQ(parse_error("SELECT Id FROM Account -- comment").message,
            "\nSELECT Id FROM Account -- comment\n                       ^\n"
            "ERROR at Row:1:Column:24\nunexpected token: '-'");
  EXPECT_EQ(parse_error("SELECT Id FROM Account /* c */").error_code, "MALFORMED_QUERY");
  EXPECT_EQ(parse_error("SELECT Id FROM \"Account\"").message, "line 1:15 unexpected token: '\"'");
}

TEST(SoqlParser, EnforcesTheStatementLengthLimit) {
  std::string head = "SELECT Id FROM Account WHERE Name = '";
  std::string at_limit = head + std::string(100'000 - head.size() - 1, 'x') + "'";
  ASSERT_EQ(at_limit.size(), 100'000u);
  // Parses (the string itself is then too long for a WHERE clause, Salesforce's other limit).
  EXPECT_EQ(error_text(parse_error(at_limit)), "String literal is longer than 4000 characters");
  std::string over = at_limit + " ";
  SoqlError e = parse_error(over);
  EXPECT_EQ(e.error_code, "QUERY_TOO_COMPLICATED");
  EXPECT_EQ(e.message, "Query is too long: SOQL statements are limited to 100000 characters");
  // Characters, not bytes: 60,000 two-byte characters fit.
  std::string wide = "SELECT Id FROM Account WHERE Name IN (";
  for (int i = 0; i < 2000; ++i)
    wide += std::string(i ? "," : "") + "'" + std::string(14, 'x') + "éé'";
  wide += ")";
  EXPECT_GT(wide.size(), 40'000u);
  parse_ok(wide);
  ParseLimits tight;
  tight.max_characters = 50;
  EXPECT_EQ(parse_error(std::string(60, ' '), tight).error_code, "QUERY_TOO_COMPLICATED");
}

TEST(SoqlParser, BoundsNestingAndValueCounts) {
  auto nested = [](int depth) {
    return "SELECT Id FROM Account WHERE " + std::string(depth, '(') + "Name = 'x'" +
           std::string(depth, ')');
  };
  parse_ok(nested(20));
  SoqlError deep = parse_error(nested(21));
  EXPECT_EQ(deep.error_code, "QUERY_TOO_COMPLICATED");
  EXPECT_EQ(error_text(deep),
            "Query is too complicated: conditions are nested more than 20 levels deep");
  // 50,000 unbalanced parentheses: an error, not a stack overflow.
  EXPECT_EQ(parse_error("SELECT Id FROM Account WHERE " + std::string(50'000, '(')).error_code,
            "QUERY_TOO_COMPLICATED");

  std::string in = "SELECT Id FROM Account WHERE NumberOfEmployees IN (";
  for (int i = 0; i < 30'001; ++i) in += i ? ",1" : "1";
  in += ")";
  SoqlError many = parse_error(in);
  EXPECT_EQ(many.error_code, "QUERY_TOO_COMPLICATED");
  EXPECT_EQ(error_text(many),
            "Query is too complicated: more than 30000 values in the WHERE clause");
  std::string fine = "SELECT Id FROM Account WHERE Id IN (";
  for (int i = 0; i < 4'700; ++i) fine += std::string(i ? "," : "") + "'001000000000001AAA'";
  fine += ")";
  EXPECT_EQ(parse_ok(fine).where->comparison.values.size(), 4'700u);
}

TEST(SoqlParser, RejectsBytesThatAreNotUtf8) {
  SoqlError e = parse_error("SELECT Id FROM Account WHERE Name = '\xff'");
  EXPECT_EQ(e.error_code, "MALFORMED_QUERY");
  EXPECT_EQ(e.message,
            "\nId FROM Account WHERE Name = '\xEF\xBF\xBD'\n"
            "                              ^\nERROR at Row:1:Column:38\n"
            "the query is not valid UTF-8");
  EXPECT_EQ(parse_error("SELECT Id FROM Account WHERE Name = '\xed\xa0\x80'").error_code,
            "MALFORMED_QUERY");  // an encoded surrogate
  EXPECT_EQ(parse_error("SELECT Id FROM Account WHERE Name = '\xc0\xaf'").error_code,
            "MALFORMED_QUERY");  // an overlong '/'
}

TEST(SoqlParser, GivesEveryErrorItsOffsetAndAReasonWithoutThePointer) {
  SoqlError group = parse_error("SELECT Id FROM Account GROUP BY Name");
  EXPECT_EQ(error_text(group), "GROUP BY is not supported by the local org");
  EXPECT_EQ(group.reason, "GROUP BY is not supported");
  EXPECT_EQ(group.offset, 23u);
  SoqlError character = parse_error("SELECT Id FROM Account WHERE Name = $x");
  EXPECT_EQ(character.message, "line 1:36 unexpected token: '$'");
  EXPECT_EQ(character.reason, "unexpected token: '$'");
  EXPECT_EQ(character.offset, 36u);
  SoqlError escape = parse_error("SELECT Id FROM Account WHERE Name = 'a\\q'");
  EXPECT_EQ(escape.offset, 38u);
  EXPECT_EQ(escape.reason,
            "Invalid string literal 'a\\q'. Illegal character sequence '\\q' in string literal.");
  ParseLimits small;
  small.max_characters = 10;
  SoqlError long_one = parse_error("SELECT Id FROM Account", small);
  EXPECT_EQ(long_one.error_code, "QUERY_TOO_COMPLICATED");
  EXPECT_EQ(long_one.offset, 10u);
  EXPECT_EQ(long_one.reason, long_one.message);
}

TEST(SoqlParser, MarksWhereTheConditionEnds) {
  std::string_view soql = "SELECT Id FROM Account WHERE Name = 'x' ORDER BY Name";
  EXPECT_EQ(parse_ok(soql).where_end, soql.find("ORDER"));
  std::string_view plain = "SELECT Id FROM Account WHERE Name = 'x'  ";
  EXPECT_EQ(parse_ok(plain).where_end, plain.size());
}

}  // namespace
}  // namespace pe::soql
