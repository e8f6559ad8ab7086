// json_exact.hpp: parse JSON text without losing the digits of money.
//
// boost::json::parse turns every number with a fraction or an exponent into a double, which
// cannot hold "0.1000000000000000001" or "1234567890.123456" exactly; a price read from it could
// silently change. parse_json_exact() builds the same boost::json::value, except that such a
// number is kept as a double only when its text has at most 15 significant digits (the double
// nearest to it then prints back as the same decimal); a longer one is kept as a JSON string of
// its source text. Decimal::from_json (money.hpp) reads both, so every amount is read exactly or
// rejected, never rounded by the parser. Integers are stored as int64/uint64 as usual.
//
// Use it for every JSON document that carries money or quantities (price input, Salesforce query
// results); errors name the line and column.
//
//   auto doc = pe::parse_json_exact(R"({"price": 1234567890.123456})");
//   pe::Decimal::from_json(doc->at("price"))->to_string();   // "1234567890.123456"
#pragma once

#include "common/error.hpp"

#include <boost/json/value.hpp>

#include <string_view>

namespace pe {

// Errc::invalid_argument for malformed JSON ("invalid JSON at line 3, column 14: syntax error"),
// for nesting deeper than max_depth, and for text after the document.
Result<boost::json::value> parse_json_exact(std::string_view text, size_t max_depth = 64);

// The error parse_json_exact() gives for a syntax error `ec` at `offset` in `text`, for readers
// that drive boost::json::basic_parser themselves ("invalid JSON at line 3, column 14: ...").
Error json_syntax_error(std::string_view text, size_t offset, const boost::json::error_code& ec);

// The shortest decimal text that reads back as `value`, without an exponent when the exponent
// is within ±40: 1e-7 -> "0.0000001", 17.49 -> "17.49", 1e300 -> "1e+300", inf -> "inf".
std::string double_to_plain_text(double value);

// A JSON value as people should see it in an error message: serialized, doubles in plain
// notation, control characters replaced, cut to max_size characters with "...".
std::string describe_json(const boost::json::value& value, size_t max_size = 40);

}  // namespace pe
