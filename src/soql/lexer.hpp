// lexer.hpp: splits a SOQL statement into tokens (internal to the SOQL parser; tested on
// its own because hostile input meets it first).
//
// One pass, no allocation per token (string literals are decoded when the parser keeps them).
// Keywords are not told apart from names here: the parser compares identifiers case-insensitively
// where a keyword may stand. Errors are Salesforce's MALFORMED_QUERY: a bad character outside a
// string literal is "line 1:15 unexpected token: '$'", an unterminated literal or a bad escape
// points at the literal.
//
//   auto tokens = lex_soql("SELECT Id FROM Account WHERE Name = 'O\\'Brien'");
//   (*tokens)[7].kind == TokenKind::string; (*tokens)[7].text == "'O\\'Brien'"
#pragma once

#include "soql/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pe::soql {

enum class TokenKind {
  end,         // after the last token; text is empty
  identifier,  // a name or keyword, dots included: "Account.Name"
  string,      // 'text'; value holds the decoded text
  number,      // 12, 12.5, -3, +4
  date,        // 2024-01-31 (not yet validated: "2024-13-99" is a date token)
  datetime,    // 2024-01-31T10:00:00Z (not yet validated)
  comma,
  lparen,
  rparen,
  colon,
  op,     // = != <> < <= > >=
  other,  // punctuation SOQL knows but never allows where it stands: . @ * ; ...
};

struct Token {
  TokenKind kind = TokenKind::end;
  std::string_view text;  // as written, quotes included
  uint32_t offset = 0;
};

// Every token of `soql` followed by one TokenKind::end, or the first lexical error. `soql` must
// already be known to be valid UTF-8 (parse_soql checks).
SoqlResult<std::vector<Token>> lex_soql(std::string_view soql);

// The text of a string token (quotes included, escapes already checked by lex_soql): `value` is
// the decoded text, `like_pattern` the same as a SQLite LIKE pattern with ESCAPE '\' (SOQL's
// wildcards % and _ stay wildcards, its \% and \_ match themselves, a backslash is escaped).
void decode_string_literal(std::string_view literal, std::string& value, std::string& like_pattern);

}  // namespace pe::soql
