// error.hpp: SoqlError, what the SOQL front end (lexer, parser) answers for a statement it refuses,
// and the two helpers that format caller text in error messages.
//
// The front end speaks Salesforce: `error_code` is Salesforce's own string (MALFORMED_QUERY,
// QUERY_TOO_COMPLICATED) and `message` is the text Salesforce's API would answer, pointer block
// included, so the local org can return it unchanged (devorg maps it to its ApiError with
// to_api_error()). Code that reports the problem in its own words (the product's where-clause
// check, where_clause.hpp) reads `offset` and `reason` instead: where in the statement, and what,
// without the pointer.
//
//   SoqlResult<Query> parsed = parse_soql("SELECT Id FROM Account WHERE");
//   parsed.error().error_code == "MALFORMED_QUERY"
//   parsed.error().offset == 28; parsed.error().reason == "unexpected token: '<EOF>'"
//   parsed.error().message == "\nSELECT Id FROM Account WHERE\n<28 spaces>^\nERROR at Row:1:"
//                             "Column:29\nunexpected token: '<EOF>'"
//
// query_error_message() formats the pointer Salesforce puts in front of SOQL errors:
//   "\nSELECT Bacon__c FROM Account\n       ^\nERROR at Row:1:Column:8\nNo such column ..."
#pragma once

#include "common/error.hpp"

#include <boost/system/result.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace pe::soql {

struct SoqlError {
  SoqlError() = default;
  // Not an aggregate on purpose: SoqlResult<std::string> must not mistake a string for an error.
  SoqlError(std::string code, std::string text, uint32_t at, std::string why)
      : error_code(std::move(code)), message(std::move(text)), offset(at), reason(std::move(why)) {}

  std::string error_code;  // "MALFORMED_QUERY"
  std::string message;     // Salesforce's message; always valid UTF-8 (safe to put in JSON)
  uint32_t offset = 0;     // byte offset in the statement of what is refused (its size at the end)
  // The message without the pointer block and in neutral words ("GROUP BY is not supported",
  // where the local org's message adds "by the local org"). Valid UTF-8; it may quote up to a
  // few hundred characters of the statement, so clip it before showing it elsewhere.
  std::string reason;

  friend bool operator==(const SoqlError&, const SoqlError&) = default;
};

// Found by boost::system::result through argument-dependent lookup (SoqlResult::value()).
[[noreturn]] void throw_exception_from_error(const SoqlError& error, const boost::source_location&);

template <class T>
using SoqlResult = boost::system::result<T, SoqlError>;

// Errc::invalid_argument with the error code in front ("MALFORMED_QUERY: ...").
Error to_error(const SoqlError& error);

// Salesforce's SOQL error text: the line of `soql` around byte `offset` (a window of about 30
// characters each side, cut at word boundaries), a caret under the offending character, its
// 1-based row and column, then `text`. Bytes that are not valid UTF-8 are shown as U+FFFD.
std::string query_error_message(std::string_view soql, size_t offset, std::string_view text);

// `text` with every invalid UTF-8 sequence replaced by U+FFFD and NUL shown as "\0", clipped to
// `max_chars` code points (with "..." appended): for echoing caller input in error messages.
std::string printable(std::string_view text, size_t max_chars = 255);

}  // namespace pe::soql
