// json_schema.hpp: checks a JSON value against the subset of JSON Schema that OpenAPI 3.0 request
// bodies use, so that the app validates requests with the very schemas api-docs.yaml publishes.
//
// Supported keywords: type (object, array, string, integer, number, boolean; `nullable: true`
// admits null), required, properties, additionalProperties (false, or a schema), items,
// minItems, maxItems, uniqueItems, minLength, maxLength (in characters), pattern (ECMAScript,
// matched against the whole value only when anchored as written), enum, minimum, maximum, and
// $ref to "#/components/schemas/Name" within the same document. Unknown keywords (description,
// example, format, x-*) are ignored: they document, they do not constrain. The first problem
// found is reported, naming where it is: "opportunityIds[3]: must match ^[a-zA-Z0-9]{15}...$".
//
// Schemas are compiled once (patterns included): a SchemaValidator is built at start-up and
// used by every request of its thread.
//
//   SchemaValidator validator(document);                       // the whole OpenAPI document
//   auto ok = validator.validate(body, *schema);               // Result<void>
//   if (!ok) return json_error(req, ok.error());               // 400 invalid_argument
#pragma once

#include "common/error.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <map>
#include <memory>
#include <regex>
#include <string>

namespace pe {

class SchemaValidator {
 public:
  // `document` holds components/schemas for $ref; it must outlive the validator. Throws
  // std::invalid_argument for a pattern that does not compile (a start-up error).
  explicit SchemaValidator(const boost::json::object& document);

  Result<void> validate(const boost::json::value& value, const boost::json::object& schema) const;

 private:
  Result<void> check(const boost::json::value& value, const boost::json::object& schema,
                     const std::string& where, int depth) const;
  const boost::json::object* resolve(const boost::json::object& schema) const;
  const std::regex& pattern(const std::string& text) const;

  const boost::json::object& document_;
  mutable std::map<std::string, std::unique_ptr<std::regex>> patterns_;
};

}  // namespace pe
