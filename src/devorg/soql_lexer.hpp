// soql_lexer.hpp: splits a SOQL statement into tokens (internal to the SOQL parser; tested on
// its own because hostile input meets it first).
//
// One pass, no allocation per token except decoded string literals. Keywords are not told apart
// from names here: the parser compares identifiers case-insensitively where a keyword may stand.
// Errors are Salesforce's MALFORMED_QUERY: a bad character outside a string literal is
// "line 1:15 unexpected token: '$'", an unterminated literal or a bad escape points at the
// literal.
//
//   auto tokens = lex_soql("SELECT Id FROM Account WHERE Name = 'O\\'Brien'");
//   (*tokens)[7].kind == TokenKind::string; (*tokens)[7].value == "O'Brien"
#pragma once

#include "devorg/api_error.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pe::devorg::soql {

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
  std::string value;         // string: decoded value
  std::string like_pattern;  // string: the value as a SQLite LIKE pattern (ESCAPE '\')
};

// Every token of `soql` followed by one TokenKind::end, or the first lexical error. `soql` must
// already be known to be valid UTF-8 (parse_soql checks).
ApiResult<std::vector<Token>> lex_soql(std::string_view soql);

}  // namespace pe::devorg::soql
