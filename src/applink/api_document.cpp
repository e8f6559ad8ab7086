#include "applink/api_document.hpp"

#include <boost/json/parse.hpp>

#include <cctype>
#include <stdexcept>

namespace pe::applink {

namespace detail {
extern const std::string_view kApiDocumentYaml;
extern const std::string_view kApiDocumentJson;
}  // namespace detail

namespace {

namespace json = boost::json;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const json::object* object_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

std::vector<ApiOperation> list_operations() {
  std::vector<ApiOperation> out;
  const json::object* paths = object_at(api_document(), "paths");
  if (!paths) return out;
  for (const auto& [path, item] : *paths) {
    if (!item.is_object()) continue;
    for (const auto& [method, operation] : item.get_object()) {
      if (!operation.is_object()) continue;
      ApiOperation op{.method = std::string(method), .path = std::string(path)};
      op.operation = &operation.get_object();
      if (const auto* id = op.operation->if_contains("operationId"); id && id->is_string()) {
        op.operation_id = std::string(id->get_string());
      }
      const json::object* body = object_at(*op.operation, "requestBody");
      const json::object* content = body ? object_at(*body, "content") : nullptr;
      const json::object* media = content ? object_at(*content, "application/json") : nullptr;
      op.request_schema = media ? object_at(*media, "schema") : nullptr;
      op.has_callbacks = object_at(*op.operation, "callbacks") != nullptr;
      out.push_back(std::move(op));
    }
  }
  return out;
}

}  // namespace

std::string_view api_document_yaml() { return detail::kApiDocumentYaml; }

const json::object& api_document() {
  static const json::value document = [] {
    json::value v = json::parse(detail::kApiDocumentJson);
    if (!v.is_object()) throw std::logic_error("api-docs.yaml is not an object");
    return v;
  }();
  return document.get_object();
}

const std::vector<ApiOperation>& api_operations() {
  static const std::vector<ApiOperation> operations = list_operations();
  return operations;
}

const ApiOperation* find_operation(std::string_view method, std::string_view path) {
  std::string m = lower(method);
  for (const auto& op : api_operations()) {
    if (op.method == m && op.path == path) return &op;
  }
  return nullptr;
}

bool operation_has_callbacks(std::string_view method, std::string_view path) {
  const ApiOperation* op = find_operation(method, path);
  return op && op->has_callbacks;
}

const boost::json::object& post_request_schema(std::string_view path) {
  const ApiOperation* op = find_operation("post", path);
  if (!op || !op->request_schema) {
    throw std::logic_error("api-docs.yaml does not describe POST " + std::string(path));
  }
  return *op->request_schema;
}

}  // namespace pe::applink
