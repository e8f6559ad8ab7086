#include "soql/lexer.hpp"

#include <gtest/gtest.h>

namespace pe::soql {
namespace {

std::vector<std::pair<TokenKind, std::string>> kinds(std::string_view soql) {
  auto tokens = lex_soql(soql);
  EXPECT_TRUE(tokens) << tokens.error().message;
  std::vector<std::pair<TokenKind, std::string>> out;
  if (!tokens) return out;
  for (const auto& t : *tokens) out.emplace_back(t.kind, std::string(t.text));
  return out;
}

using K = TokenKind;

TEST(SoqlLexer, SplitsAStatementIntoTokens) {
  EXPECT_EQ(kinds("SELECT Id, Account.Name FROM Opportunity WHERE Amount >= -1.5"),
            (std::vector<std::pair<K, std::string>>{{K::identifier, "SELECT"},
                                                    {K::identifier, "Id"},
                                                    {K::comma, ","},
                                                    {K::identifier, "Account.Name"},
                                                    {K::identifier, "FROM"},
                                                    {K::identifier, "Opportunity"},
                                                    {K::identifier, "WHERE"},
                                                    {K::identifier, "Amount"},
                                                    {K::op, ">="},
                                                    {K::number, "-1.5"},
                                                    {K::end, ""}}));
  EXPECT_EQ(kinds("a<>b!=c<d>e<=f=g"), (std::vector<std::pair<K, std::string>>{{K::identifier, "a"},
                                                                               {K::op, "<>"},
                                                                               {K::identifier, "b"},
                                                                               {K::op, "!="},
                                                                               {K::identifier, "c"},
                                                                               {K::op, "<"},
                                                                               {K::identifier, "d"},
                                                                               {K::op, ">"},
                                                                               {K::identifier, "e"},
                                                                               {K::op, "<="},
                                                                               {K::identifier, "f"},
                                                                               {K::op, "="},
                                                                               {K::identifier, "g"},
                                                                               {K::end, ""}}));
}

TEST(SoqlLexer, ReadsDatesDatetimesAndDateLiteralParameters) {
  EXPECT_EQ(kinds("2024-01-31 2024-01-31T10:00:00Z 2024-01-31T10:00:00.123+02:00 LAST_N_DAYS:7"),
            (std::vector<std::pair<K, std::string>>{{K::date, "2024-01-31"},
                                                    {K::datetime, "2024-01-31T10:00:00Z"},
                                                    {K::datetime, "2024-01-31T10:00:00.123+02:00"},
                                                    {K::identifier, "LAST_N_DAYS"},
                                                    {K::colon, ":"},
                                                    {K::number, "7"},
                                                    {K::end, ""}}));
  // A bad datetime is one token, so the parser can quote it whole.
  EXPECT_EQ(kinds("2020-12-12t12:12:00-25:00)"),
            (std::vector<std::pair<K, std::string>>{
                {K::datetime, "2020-12-12t12:12:00-25:00"}, {K::rparen, ")"}, {K::end, ""}}));
}

TEST(SoqlLexer, DecodesStringEscapesAndKeepsLikeWildcardsApart) {
  auto tokens = lex_soql(R"('O\'Brien \"x\" \\ \n\t\r\b\f 50\% a\_b c%d_e')");
  ASSERT_TRUE(tokens) << tokens.error().message;
  const Token& s = (*tokens)[0];
  EXPECT_EQ(s.kind, TokenKind::string);
  EXPECT_EQ((*tokens)[1].kind, TokenKind::end);
  std::string value;
  std::string like;
  decode_string_literal(s.text, value, like);
  EXPECT_EQ(value, "O'Brien \"x\" \\ \n\t\r\b\f 50% a_b c%d_e");
  // In LIKE, escaped % and _ match themselves, unescaped ones are wildcards, and a literal
  // backslash is escaped for SQLite's ESCAPE '\'.
  EXPECT_EQ(like, "O'Brien \"x\" \\\\ \n\t\r\b\f 50\\% a\\_b c%d_e");

  auto unicode = lex_soql("'Zürich – 東京'");
  ASSERT_TRUE(unicode);
  decode_string_literal((*unicode)[0].text, value, like);
  EXPECT_EQ(value, "Zürich – 東京");
  decode_string_literal("''", value, like);
  EXPECT_EQ(value, "");
}

TEST(SoqlLexer, RejectsAnUnterminatedString) {
  auto tokens = lex_soql("SELECT Id FROM Account WHERE Name = 'abc");
  ASSERT_FALSE(tokens);
  EXPECT_EQ(tokens.error().error_code, "MALFORMED_QUERY");
  EXPECT_EQ(tokens.error().message,
            "\nFROM Account WHERE Name = 'abc\n"
            "                              ^\n"
            "ERROR at Row:1:Column:41\n"
            "unexpected token: '<EOF>'");
  // A backslash at the very end does not escape the statement's end.
  EXPECT_FALSE(lex_soql("'abc\\"));
}

TEST(SoqlLexer, RejectsAnIllegalEscapeSequence) {
  auto tokens = lex_soql(R"(SELECT Id FROM Account WHERE Name = 'a\qb')");
  ASSERT_FALSE(tokens);
  EXPECT_EQ(tokens.error().error_code, "MALFORMED_QUERY");
  EXPECT_EQ(tokens.error().message,
            "\nId FROM Account WHERE Name = 'a\\qb'\n"
            "                               ^\n"
            "ERROR at Row:1:Column:39\n"
            "Invalid string literal 'a\\qb'. Illegal character sequence '\\q' in string literal.");
}

TEST(SoqlLexer, ReportsCharactersOutsideTheLanguageLikeSalesforce) {
  // Salesforce (Summer '24 release notes): "line 1:15 unexpected token: '$'".
  auto tokens = lex_soql("SELECT Id from $casecomment WHERE isdeleted = false");
  ASSERT_FALSE(tokens);
  EXPECT_EQ(tokens.error().error_code, "MALFORMED_QUERY");
  EXPECT_EQ(tokens.error().message, "line 1:15 unexpected token: '$'");

  auto second_line = lex_soql("SELECT Id\nFROM Account WHERE Name = #");
  ASSERT_FALSE(second_line);
  EXPECT_EQ(second_line.error().message, "line 2:26 unexpected token: '#'");

  auto nul = lex_soql(std::string_view("SELECT Id\0 FROM Account", 23));
  ASSERT_FALSE(nul);
  EXPECT_EQ(nul.error().message, "line 1:9 unexpected token: '\\0'");

  auto in_string = lex_soql(std::string_view("'a\0b'", 5));
  ASSERT_FALSE(in_string);
  EXPECT_EQ(in_string.error().message, "line 1:2 unexpected token: '\\0'");

  auto non_ascii = lex_soql("SELECT Id FROM Accöunt");
  ASSERT_FALSE(non_ascii);
  EXPECT_EQ(non_ascii.error().message, "line 1:18 unexpected token: 'ö'");
}

TEST(SoqlLexer, PassesPunctuationItDoesNotUnderstandToTheParser) {
  EXPECT_EQ(kinds("Account. @ * ;"),
            (std::vector<std::pair<K, std::string>>{{K::identifier, "Account"},
                                                    {K::other, "."},
                                                    {K::other, "@"},
                                                    {K::other, "*"},
                                                    {K::other, ";"},
                                                    {K::end, ""}}));
}

}  // namespace
}  // namespace pe::soql
