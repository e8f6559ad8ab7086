// parser.hpp: parse_soql(), SOQL text to a syntax tree (ast.hpp), with Salesforce's
// errors for what is malformed and explicit errors for what the local org does not support.
//
// A hand-written recursive-descent parser over the token list (lexer.hpp). It follows
// Salesforce's grammar, including its rule that AND and OR do not mix without parentheses and
// that NOT applies to a whole parenthesised group or a single comparison. Hostile input is
// bounded: at most 100,000 characters (Salesforce's limit), 20 levels of parentheses and
// 30,000 literal values, so neither the stack nor SQLite's parameter limit can be exhausted.
//
// Errors carry Salesforce's errorCode and message format:
//   "SELEKT Id FROM Account"        → MALFORMED_QUERY "unexpected token: SELEKT"
//   "SELECT Id FROM Account WHERE"  → MALFORMED_QUERY
//       "\nSELECT Id FROM Account WHERE\n                            ^\nERROR at Row:1:Column:29\n"
//       "unexpected token: '<EOF>'"
//   "SELECT Id FROM Account GROUP BY Name" → MALFORMED_QUERY "... GROUP BY is not supported by
//       the local org" (Salesforce supports it; we refuse rather than answer wrongly)
// The messages are the local org's answers; every error also carries the byte offset of what it
// refuses and its reason without the pointer (SoqlError, error.hpp), for callers that word
// errors their own way (where_clause.hpp).
//
//   auto query = parse_soql("SELECT Id, Name FROM Account WHERE Name LIKE 'Acme%' LIMIT 5");
//   if (!query) return query.error();   // a SoqlError
#pragma once

#include "soql/ast.hpp"
#include "soql/error.hpp"

#include <cstddef>
#include <string_view>

namespace pe::soql {

struct ParseLimits {
  size_t max_characters = 100'000;  // Salesforce's default SOQL statement limit
  // Parentheses in WHERE. Salesforce documents no limit; ours keeps the SQL within SQLite's
  // parser stack (about 30 nested parenthesised groups) with room to spare.
  int max_nesting = 20;
  size_t max_values = 30'000;            // literals in the whole statement (SQLite binds <= 32,766)
  size_t max_string_characters = 4'000;  // Salesforce: each string in a WHERE clause
};

SoqlResult<Query> parse_soql(std::string_view soql, const ParseLimits& limits = {});

}  // namespace pe::soql
