// Runs translated SOQL against a real SQLite database laid out by schema_sql(): the SQL is valid,
// binds what it says it binds, and answers as Salesforce would.
#include "devorg/schema.hpp"
#include "devorg/soql_translator.hpp"

#include "common/sfid.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>

namespace pe::devorg {
namespace {

using namespace std::chrono;
using Rows = std::vector<std::vector<std::string>>;

std::string id(std::string_view prefix, uint64_t n) {
  return std::string(SalesforceId::make(prefix, n).str());
}

class TestDb {
 public:
  TestDb() {
    EXPECT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    exec(schema_sql());
  }
  ~TestDb() { sqlite3_close(db_); }
  TestDb(const TestDb&) = delete;
  TestDb& operator=(const TestDb&) = delete;

  void exec(const std::string& sql) {
    char* message = nullptr;
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message), SQLITE_OK) << message;
  }

  void insert(std::string_view table, const std::vector<std::pair<std::string, SqlValue>>& row) {
    std::string columns;
    std::string marks;
    std::vector<SqlValue> values;
    for (const auto& [column, value] : row) {
      columns += (columns.empty() ? "\"" : ", \"") + column + "\"";
      marks += marks.empty() ? "?" : ", ?";
      values.push_back(value);
    }
    run("INSERT INTO \"" + std::string(table) + "\" (" + columns + ") VALUES (" + marks + ")",
        values);
  }

  Rows run(const std::string& sql, const std::vector<SqlValue>& params, int columns = -1) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr);
    EXPECT_EQ(rc, SQLITE_OK) << sqlite3_errmsg(db_) << "\n" << sql;
    if (rc != SQLITE_OK) return {};
    EXPECT_EQ(sqlite3_bind_parameter_count(stmt), static_cast<int>(params.size())) << sql;
    for (size_t i = 0; i < params.size(); ++i) {
      int at = static_cast<int>(i) + 1;
      if (const auto* n = std::get_if<int64_t>(&params[i])) sqlite3_bind_int64(stmt, at, *n);
      if (const auto* s = std::get_if<std::string>(&params[i])) {
        sqlite3_bind_text(stmt, at, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
      }
      if (std::holds_alternative<std::monostate>(params[i])) sqlite3_bind_null(stmt, at);
    }
    Rows rows;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      int n = columns < 0 ? sqlite3_column_count(stmt) : columns;
      std::vector<std::string> row;
      for (int c = 0; c < n; ++c) {
        const auto* text = sqlite3_column_text(stmt, c);
        row.push_back(text ? reinterpret_cast<const char*>(text) : "NULL");
      }
      rows.push_back(std::move(row));
    }
    EXPECT_EQ(rc, SQLITE_DONE) << sqlite3_errmsg(db_) << "\n" << sql;
    sqlite3_finalize(stmt);
    return rows;
  }

  std::vector<std::string> plan(const std::string& sql, const std::vector<SqlValue>& params) {
    std::vector<std::string> out;
    for (const auto& row : run("EXPLAIN QUERY PLAN " + sql, params)) out.push_back(row.back());
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

TranslateOptions fixed_clock() {
  TranslateOptions options;
  options.now = sys_days(year{2024} / March / 13) + hours(11) + minutes(30);
  return options;
}

// A small org: users, accounts, products, opportunities with lines.
class SoqlOnSqlite : public ::testing::Test {
 protected:
  void SetUp() override {
    db.insert("User", {{"Id", id("005", 1)},
                       {"Username", "ada@example.com"},
                       {"Name", "Ada Admin"},
                       {"IsActive", int64_t{1}}});
    db.insert("User", {{"Id", id("005", 2)},
                       {"Username", "bob@example.com"},
                       {"Name", "Bob Gone"},
                       {"IsActive", int64_t{0}}});
    account(1, "Acme", "Banking", "France");
    account(2, "acme corp", std::monostate{}, "Germany");
    account(3, "Globex", "Energy", std::monostate{});
    account(4, "Deleted Co", "Banking", "France", /*deleted=*/true);
    account(5, "50% Off_Sale", "Retail", "Spain");
    account(6, "O'Brien", "Retail", "Ireland");
    db.insert("Product2", {{"Id", id("01t", 1)}, {"Name", "Router"}, {"Family", "Hardware"}});
    db.insert("Product2", {{"Id", id("01t", 2)}, {"Name", "Licence"}, {"Family", "Software"}});
    opportunity(1, 1, "Big deal", int64_t{1'000'500'000}, "2024-03-13",
                "2024-03-13T16:00:00.000+0000");
    opportunity(2, 3, "Energy deal", std::monostate{}, "2024-02-01",
                "2024-01-05T09:00:00.000+0000");
    opportunity(3, 0, "No account", int64_t{5'000'000}, "2024-03-20",
                "2024-03-01T00:00:00.000+0000");
    opportunity(4, 1, "Deleted deal", int64_t{1}, "2024-03-13", "2024-03-13T00:00:00.000+0000",
                /*deleted=*/true);
    line(1, 1, 1, 2'000'000, 100'000'000);
    line(2, 1, 2, 1'000'000, 300'000'000);
    line(3, 1, 1, 5'000'000, 50'000'000);
    line(4, 2, 2, 1'000'000, 10'000'000);
    line(5, 1, 1, 1'000'000, 999'000'000, /*deleted=*/true);
  }

  void account(uint64_t n, std::string name, SqlValue industry, SqlValue country,
               bool deleted = false) {
    db.insert("Account", {{"Id", id("001", n)},
                          {"Name", std::move(name)},
                          {"Industry", std::move(industry)},
                          {"BillingCountry", std::move(country)},
                          {"OwnerId", id("005", n % 2 + 1)},
                          {"IsDeleted", int64_t{deleted}}});
  }
  void opportunity(uint64_t n, uint64_t account_n, std::string name, SqlValue amount,
                   std::string close, std::string created, bool deleted = false) {
    db.insert("Opportunity",
              {{"Id", id("006", n)},
               {"Name", std::move(name)},
               {"AccountId", account_n ? SqlValue(id("001", account_n)) : SqlValue()},
               {"Amount", std::move(amount)},
               {"StageName", "Prospecting"},
               {"CloseDate", std::move(close)},
               {"CreatedDate", std::move(created)},
               {"IsDeleted", int64_t{deleted}}});
  }
  void line(uint64_t n, uint64_t opp, uint64_t product, int64_t quantity, int64_t unit_price,
            bool deleted = false) {
    db.insert("OpportunityLineItem", {{"Id", id("00k", n)},
                                      {"OpportunityId", id("006", opp)},
                                      {"Product2Id", id("01t", product)},
                                      {"Quantity", quantity},
                                      {"UnitPrice", unit_price},
                                      {"IsDeleted", int64_t{deleted}}});
  }

  CompiledQuery compile(std::string_view soql, const TranslateOptions& options = fixed_clock()) {
    auto compiled = compile_soql(soql, options);
    EXPECT_TRUE(compiled) << soql << "\n" << (compiled ? "" : compiled.error().message);
    return compiled ? std::move(*compiled) : CompiledQuery{};
  }
  Rows rows(std::string_view soql, const TranslateOptions& options = fixed_clock()) {
    CompiledQuery q = compile(soql, options);
    return db.run(q.sql, q.params, q.column_count);
  }
  // Column `column` of each row.
  std::vector<std::string> column(std::string_view soql, int column,
                                  const TranslateOptions& options = fixed_clock()) {
    std::vector<std::string> out;
    for (const auto& row : rows(soql, options)) out.push_back(row.at(column));
    return out;
  }
  std::vector<std::string> names(std::string_view soql,
                                 const TranslateOptions& options = fixed_clock()) {
    return column(soql, 1, options);
  }
  int64_t count(std::string_view soql, const TranslateOptions& options = fixed_clock()) {
    CompiledQuery q = compile(soql, options);
    Rows counted = db.run(q.count_sql, q.count_params);
    return counted.empty() ? -1 : std::stoll(counted[0][0]);
  }

  TestDb db;
};

using Names = std::vector<std::string>;

TEST_F(SoqlOnSqlite, AnswersTheWorkersQueryWithOneExtraStatementForAllLines) {
  CompiledQuery q = compile(
      "SELECT Id, Name, AccountId, Account.Name, Account.BillingCountry, Pricebook2Id, "
      "(SELECT Id, Quantity, UnitPrice, ListPrice, PricebookEntryId, Product2Id, "
      "Product2.Family, DiscountOverride__c FROM OpportunityLineItems) FROM Opportunity "
      "WHERE Id IN ('" +
      id("006", 1) + "', '" + id("006", 2) + "', '" + id("006", 4) + "')");
  Rows opps = db.run(q.sql, q.params, q.column_count);
  ASSERT_EQ(opps.size(), 2u);  // the deleted one is not returned
  EXPECT_EQ(opps[0], (std::vector<std::string>{id("006", 1), "Big deal", id("001", 1), id("001", 1),
                                               "Acme", "France", "NULL"}));
  EXPECT_EQ(opps[1][1], "Energy deal");
  EXPECT_EQ(opps[1][5], "NULL");  // Globex has no billing country

  const ChildQuery& lines = q.children[0];
  std::vector<SqlValue> params = {opps[0][0], opps[1][0]};
  params.insert(params.end(), lines.params.begin(), lines.params.end());
  Rows children = db.run(lines.sql(2), params, lines.column_count);
  // Grouped by parent, each parent's lines in Id order; the deleted line is not returned.
  ASSERT_EQ(children.size(), 4u);
  std::vector<std::string> parents;
  std::vector<std::string> families;
  for (const auto& row : children) {
    parents.push_back(row[lines.parent_key_column]);
    families.push_back(row[8]);
  }
  EXPECT_EQ(parents, (Names{id("006", 1), id("006", 1), id("006", 1), id("006", 2)}));
  EXPECT_EQ(families, (Names{"Hardware", "Software", "Hardware", "Software"}));
  EXPECT_EQ(children[0][2], "2000000");    // Quantity 2, in millionths
  EXPECT_EQ(children[0][3], "100000000");  // UnitPrice 100
}

TEST_F(SoqlOnSqlite, ChildQueriesUseTheParentIndexAndNeedNoSort) {
  CompiledQuery q = compile(
      "SELECT Id, (SELECT Id, UnitPrice FROM OpportunityLineItems) FROM Opportunity "
      "WHERE Id IN ('" +
      id("006", 1) + "', '" + id("006", 2) + "')");
  auto main_plan = db.plan(q.sql, q.params);
  ASSERT_FALSE(main_plan.empty());
  EXPECT_NE(main_plan[0].find("USING INDEX sqlite_autoindex_Opportunity_1 (Id=?)"),
            std::string::npos)
      << main_plan[0];
  std::vector<SqlValue> ids = {id("006", 1), id("006", 2)};
  auto child_plan = db.plan(q.children[0].sql(2), ids);
  ASSERT_FALSE(child_plan.empty());
  EXPECT_NE(child_plan[0].find("USING INDEX OpportunityLineItem_OpportunityId (OpportunityId=?)"),
            std::string::npos)
      << child_plan[0];
  for (const auto& step : child_plan)
    EXPECT_EQ(step.find("TEMP B-TREE"), std::string::npos) << step;
}

TEST_F(SoqlOnSqlite, BindsInjectionAttemptsAsPlainValues) {
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE Name = '\\'); DROP TABLE Account; --'"),
            Names{});
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE Name = '\\' OR 1=1 --'"), Names{});
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE Name = 'O\\'Brien'"), Names{"O'Brien"});
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE Name LIKE '%\\' UNION SELECT 1 --'"),
            Names{});
  EXPECT_EQ(count("SELECT COUNT() FROM Account"), 5);  // the table is still there
}

TEST_F(SoqlOnSqlite, ComparesTextCaseInsensitively) {
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE Name = 'ACME'"), Names{"Acme"});
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE Name IN ('ACME CORP', 'globex')"),
            (Names{"acme corp", "Globex"}));
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE Name LIKE 'acme%'"),
            (Names{"Acme", "acme corp"}));
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE Name LIKE '%CORP'"), Names{"acme corp"});
  // Escaped wildcards match themselves; unescaped ones stay wildcards.
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE Name LIKE '50\\% Off\\_Sale'"),
            Names{"50% Off_Sale"});
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE Name LIKE '50_ Off%'"),
            Names{"50% Off_Sale"});
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE Name LIKE '50\\_%'"), Names{});
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE Name LIKE 'Acm_'"), Names{"Acme"});
}

TEST_F(SoqlOnSqlite, TreatsNullsTwoValuedAsSoqlDoes) {
  // != and NOT IN include rows where the field is null; <, =, IN and LIKE exclude them.
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE Industry != 'Banking'"),
            (Names{"acme corp", "Globex", "50% Off_Sale", "O'Brien"}));
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE Industry NOT IN ('Banking', 'Retail')"),
            (Names{"acme corp", "Globex"}));
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE NOT Industry = 'Banking'"),
            (Names{"acme corp", "Globex", "50% Off_Sale", "O'Brien"}));
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE NOT (Industry < 'C' OR Name = 'Globex')"),
            (Names{"acme corp", "50% Off_Sale", "O'Brien"}));
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE Industry < 'C'"), Names{"Acme"});
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE Industry = null"), Names{"acme corp"});
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE Industry IN ('Energy', null)"),
            (Names{"acme corp", "Globex"}));
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE Industry NOT IN ('Energy', null)"),
            (Names{"Acme", "50% Off_Sale", "O'Brien"}));
  // A missing parent compares as null (Salesforce, API 13.0 and later).
  EXPECT_EQ(names("SELECT Id, Name FROM Opportunity WHERE Account.Name = null"),
            Names{"No account"});
  EXPECT_EQ(names("SELECT Id, Name FROM Opportunity WHERE Account.Name != 'Acme'"),
            (Names{"Energy deal", "No account"}));
  // Booleans: null means false.
  EXPECT_EQ(column("SELECT Id, Username FROM User WHERE IsActive = null", 1),
            Names{"bob@example.com"});
}

TEST_F(SoqlOnSqlite, ComparesMoneyExactlyAndDatesAsText) {
  EXPECT_EQ(names("SELECT Id, Name FROM Opportunity WHERE Amount > 1000.49"), Names{"Big deal"});
  EXPECT_EQ(names("SELECT Id, Name FROM Opportunity WHERE Amount >= 1000.5"), Names{"Big deal"});
  EXPECT_EQ(names("SELECT Id, Name FROM Opportunity WHERE Amount > 1000.5"), Names{});
  EXPECT_EQ(names("SELECT Id, Name FROM Opportunity WHERE Amount = 5"), Names{"No account"});
  EXPECT_EQ(names("SELECT Id, Name FROM Opportunity WHERE CloseDate >= 2024-03-01 AND "
                  "CloseDate < 2024-03-14"),
            Names{"Big deal"});
  // Created at 16:00 UTC, which is 18:00 at +02:00.
  EXPECT_EQ(names("SELECT Id, Name FROM Opportunity WHERE CreatedDate > "
                  "2024-03-13T18:00:00+02:00"),
            Names{});
  EXPECT_EQ(names("SELECT Id, Name FROM Opportunity WHERE CreatedDate >= "
                  "2024-03-13T18:00:00+02:00"),
            Names{"Big deal"});
  EXPECT_EQ(names("SELECT Id, Name FROM Opportunity WHERE CreatedDate > "
                  "2024-03-13T17:59:59.999+02:00"),
            Names{"Big deal"});
}

TEST_F(SoqlOnSqlite, ResolvesRelativeDatesOnTheGivenClock) {
  EXPECT_EQ(names("SELECT Id, Name FROM Opportunity WHERE CloseDate = TODAY"), Names{"Big deal"});
  EXPECT_EQ(names("SELECT Id, Name FROM Opportunity WHERE CloseDate = THIS_MONTH"),
            (Names{"Big deal", "No account"}));
  EXPECT_EQ(names("SELECT Id, Name FROM Opportunity WHERE CloseDate < THIS_MONTH"),
            Names{"Energy deal"});
  EXPECT_EQ(names("SELECT Id, Name FROM Opportunity WHERE CloseDate = NEXT_N_DAYS:7"),
            Names{"No account"});
  EXPECT_EQ(names("SELECT Id, Name FROM Opportunity WHERE CreatedDate = LAST_N_DAYS:14"),
            (Names{"Big deal", "No account"}));
  EXPECT_EQ(names("SELECT Id, Name FROM Opportunity WHERE CreatedDate = TODAY"), Names{"Big deal"});
  // In Tokyo (+09:00) it is 20:30 on the 13th; the deal created at 16:00 UTC is the 14th there.
  TranslateOptions tokyo = fixed_clock();
  tokyo.utc_offset = hours(9);
  EXPECT_EQ(names("SELECT Id, Name FROM Opportunity WHERE CreatedDate = TODAY", tokyo), Names{});
  EXPECT_EQ(names("SELECT Id, Name FROM Opportunity WHERE CreatedDate = TOMORROW", tokyo),
            Names{"Big deal"});
}

TEST_F(SoqlOnSqlite, OrdersPagesAndCounts) {
  EXPECT_EQ(names("SELECT Id, Industry FROM Account ORDER BY Industry"),
            (Names{"NULL", "Banking", "Energy", "Retail", "Retail"}));
  EXPECT_EQ(names("SELECT Id, Industry FROM Account ORDER BY Industry NULLS LAST"),
            (Names{"Banking", "Energy", "Retail", "Retail", "NULL"}));
  EXPECT_EQ(names("SELECT Id, Industry FROM Account ORDER BY Industry DESC"),
            (Names{"Retail", "Retail", "Energy", "Banking", "NULL"}));
  EXPECT_EQ(names("SELECT Id, Industry FROM Account ORDER BY Industry DESC NULLS FIRST"),
            (Names{"NULL", "Retail", "Retail", "Energy", "Banking"}));
  // Ties are broken by Id, so pages are stable.
  EXPECT_EQ(
      column("SELECT Id, Industry FROM Account WHERE Industry = 'Retail' ORDER BY Industry", 0),
      (Names{id("001", 5), id("001", 6)}));
  EXPECT_EQ(names("SELECT Id, Name FROM Opportunity ORDER BY Account.Name DESC NULLS LAST"),
            (Names{"Energy deal", "Big deal", "No account"}));
  EXPECT_EQ(names("SELECT Id, Name FROM Account ORDER BY Name LIMIT 2 OFFSET 1"),
            (Names{"Acme", "acme corp"}));
  EXPECT_EQ(count("SELECT Id, Name FROM Account ORDER BY Name LIMIT 2 OFFSET 1"), 2);
  EXPECT_EQ(count("SELECT Id FROM Account LIMIT 100"), 5);
  EXPECT_EQ(count("SELECT Id FROM Account OFFSET 4"), 1);
  CompiledQuery counted = compile("SELECT COUNT() FROM Account WHERE Industry = 'Retail'");
  EXPECT_EQ(db.run(counted.sql, counted.params), (Rows{{"2"}}));
}

TEST_F(SoqlOnSqlite, QueryAllIncludesDeletedRows) {
  TranslateOptions all = fixed_clock();
  all.include_deleted = true;
  EXPECT_EQ(count("SELECT Id FROM Account", all), 6);
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE Name LIKE 'Deleted%'", all),
            Names{"Deleted Co"});
  EXPECT_EQ(names("SELECT Id, Name FROM Account WHERE Name LIKE 'Deleted%'"), Names{});
}

TEST_F(SoqlOnSqlite, ReportsMissingParentsAsNullIds) {
  CompiledQuery q = compile("SELECT Name, Account.Name FROM Opportunity ORDER BY Name");
  Rows result = db.run(q.sql, q.params, q.column_count);
  ASSERT_EQ(result.size(), 3u);
  int parent_id = q.nodes[1].id_column;
  EXPECT_EQ(result[2][1], "No account");
  EXPECT_EQ(result[2][parent_id], "NULL");  // renders as "Account": null
  EXPECT_EQ(result[0][parent_id], id("001", 1));
}

TEST_F(SoqlOnSqlite, LimitsChildrenPerParent) {
  CompiledQuery q = compile(
      "SELECT Id, (SELECT Id, UnitPrice FROM OpportunityLineItems ORDER BY UnitPrice DESC "
      "LIMIT 2) FROM Opportunity");
  const ChildQuery& c = q.children[0];
  std::vector<SqlValue> params = {id("006", 1), id("006", 2), id("006", 3)};
  params.insert(params.end(), c.params.begin(), c.params.end());
  Rows children = db.run(c.sql(3), params, c.column_count);
  Names prices;
  for (const auto& row : children) prices.push_back(row[c.parent_key_column] + ":" + row[2]);
  EXPECT_EQ(prices, (Names{id("006", 1) + ":300000000", id("006", 1) + ":100000000",
                           id("006", 2) + ":10000000"}));

  CompiledQuery skip = compile(
      "SELECT Id, (SELECT Id, UnitPrice FROM OpportunityLineItems ORDER BY UnitPrice "
      "OFFSET 1) FROM Opportunity");
  const ChildQuery& s = skip.children[0];
  params = {id("006", 1), id("006", 2)};
  params.insert(params.end(), s.params.begin(), s.params.end());
  Rows rest = db.run(s.sql(2), params, s.column_count);
  prices.clear();
  for (const auto& row : rest) prices.push_back(row[2]);
  EXPECT_EQ(prices, (Names{"100000000", "300000000"}));
}

// The worst statements the parser accepts must still be statements SQLite can prepare: its
// parser stack holds about 30 nested parenthesised groups, its expression trees 1,000 levels,
// its statements 32,766 parameters.
TEST_F(SoqlOnSqlite, RunsTheWorstStatementsTheParserAcceptsWithinSqlitesLimits) {
  std::string nots = "SELECT Id, Name FROM Account WHERE ";
  for (int i = 0; i < 20; ++i) nots += "NOT (";
  nots += "Name = 'Acme'" + std::string(20, ')');
  EXPECT_EQ(names(nots), Names{"Acme"});  // an even number of NOTs

  // Exactly 20 nested parentheses mixing OR, AND and NOT groups, each level 40 comparisons wide.
  std::string deep = "SELECT Id, Name FROM Account WHERE ";
  int opened = 0;
  for (int level = 0; opened < 20; ++level) {
    for (int i = 0; i < 40; ++i) {
      deep += "NumberOfEmployees != " + std::to_string(level * 100 + i) +
              (level % 2 ? " AND " : " OR ");
    }
    bool with_not = level % 3 == 2 && opened + 2 <= 20;
    deep += with_not ? "(NOT (" : "(";
    opened += with_not ? 2 : 1;
  }
  deep += "Name = 'Globex'" + std::string(opened, ')');
  // Every account matches: its NumberOfEmployees is null, so the first "!=" is true.
  EXPECT_EQ(names(deep).size(), 5u);

  // The longest chain accepted: 1,000 comparisons (about 20 ms for SQLite to prepare).
  std::string ors = "SELECT Id, Name FROM Account WHERE Name = 'Globex'";
  for (int i = 1; i < 1000; ++i) ors += " OR Name<'!'";
  EXPECT_EQ(names(ors), Names{"Globex"});
  // 8,000 fit in 100,000 characters but would take SQLite seconds to prepare.
  while (ors.size() < 99'980) ors += " OR Name<'!'";
  auto long_chain = compile_soql(ors, fixed_clock());
  ASSERT_FALSE(long_chain);
  EXPECT_EQ(long_chain.error().error_code, "QUERY_TOO_COMPLICATED");
  EXPECT_NE(long_chain.error().message.find(
                "Query is too complicated: more than 1000 conditions in the WHERE clause"),
            std::string::npos);

  std::string ids = "SELECT Id, Name FROM Account WHERE Id IN ('" + id("001", 3) + "'";
  for (int i = 0; i < 4'500; ++i) ids += ", '" + id("001", 1000 + i) + "'";
  ids += ")";
  ASSERT_LT(ids.size(), 100'000u);
  EXPECT_EQ(names(ids), Names{"Globex"});

  // Each relative date in an IN list is a range of its own, so it counts as a condition.
  std::string in_dates = "SELECT Id, Name FROM Opportunity WHERE CloseDate IN (TODAY";
  for (int i = 0; i < 999; ++i) in_dates += ",LAST_N_DAYS:" + std::to_string(i);
  EXPECT_EQ(names(in_dates + ")"), (Names{"Big deal", "Energy deal"}));
  auto too_many_dates = compile_soql(in_dates + ",TODAY)", fixed_clock());
  ASSERT_FALSE(too_many_dates);
  EXPECT_EQ(too_many_dates.error().error_code, "QUERY_TOO_COMPLICATED");
  // An IN list is one condition, however long: 30,000 values.
  std::string in = "SELECT Id, Name FROM Account WHERE NumberOfEmployees IN (1";
  for (int i = 0; i < 29'999; ++i) in += ",1";
  EXPECT_EQ(names(in + ")"), Names{});
}

}  // namespace
}  // namespace pe::devorg
