// api_document.hpp: the app's OpenAPI document (api-docs.yaml at the repository root), embedded
// at build time: what `heroku salesforce:publish` uploads, what `web` serves at
// GET /api-docs.yaml, what the org-action routes validate their bodies against, and what the
// local org reads to know which operations have callbacks. One document, so the published
// contract and the running code cannot drift apart (tests/org_actions_test.cpp checks the routes
// against it too).
//
//   const auto* schema = request_schema("post", "/api/generatequote");   // resolved $ref
//   auto ok = SchemaValidator(api_document()).validate(body, *schema);
//   bool async = operation_has_callbacks("POST", "/api/generatequote/async");
#pragma once

#include <boost/json/object.hpp>

#include <string_view>
#include <vector>

namespace pe::applink {

std::string_view api_document_yaml();
// Parsed once, on first use.
const boost::json::object& api_document();

struct ApiOperation {
  std::string method;  // lower case, as in the document: "post"
  std::string path;    // "/api/generatequote"
  std::string operation_id;
  const boost::json::object* operation = nullptr;
  const boost::json::object* request_schema = nullptr;  // nullptr: no JSON body
  bool has_callbacks = false;
};

// Every operation of the document, in its order.
const std::vector<ApiOperation>& api_operations();
// The operation at a method (any case) and exact path, or nullptr.
const ApiOperation* find_operation(std::string_view method, std::string_view path);
bool operation_has_callbacks(std::string_view method, std::string_view path);
// The JSON body schema of POST `path`, for routes that look it up once at start-up: a document
// that does not describe the route is a broken build, so it throws std::logic_error.
const boost::json::object& post_request_schema(std::string_view path);

}  // namespace pe::applink
