// soql.hpp: SOQL text built so that it cannot be injected — literals quoted and escaped, Ids
// validated — and long IN lists split into several statements under the API's limits.
//
// Salesforce's string literal escapes: \' \" \\ \n \r \t \b \f (and \% \_ inside LIKE patterns).
// Limits (salesforce-facts.md, section 9): a statement of at most 100,000 characters; a GET URL
// whose query string, percent-encoded, should stay under 16,384 bytes (the URI limit; about 550
// Ids). split_in_list() takes the smaller budget the caller passes.
//
//   auto queries = split_in_list("SELECT Id FROM Opportunity WHERE Id IN (", ids, ")", 15'000);
//   // "SELECT Id FROM Opportunity WHERE Id IN ('006...','006...')", ... each under the budget
#pragma once

#include "common/sfid.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pe::salesforce {

// 'text' with every special character escaped.
std::string soql_quote(std::string_view text);
// The same for a LIKE pattern: % and _ in `text` match themselves (wildcards are the caller's).
std::string soql_quote_like(std::string_view text);

inline constexpr size_t kMaxSoqlChars = 100'000;
// The percent-encoded query string of a GET query (q=...) should stay under this, with room for
// the path and headers within Salesforce's 16,384-byte request-line-and-headers limit.
inline constexpr size_t kMaxQueryUrlBytes = 12'000;

// Statements `head + 'id1','id2',... + tail`, each at most `max_chars` characters of SOQL and at
// most `max_url_bytes` once percent-encoded, covering every Id once, in order. Ids are written
// in their 18-character form.
std::vector<std::string> split_in_list(std::string_view head, std::span<const SalesforceId> ids,
                                       std::string_view tail, size_t max_chars = kMaxSoqlChars,
                                       size_t max_url_bytes = kMaxQueryUrlBytes);

// Percent-encodes for a URL query value (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view text);

}  // namespace pe::salesforce
