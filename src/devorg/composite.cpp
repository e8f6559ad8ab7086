#include "devorg/composite.hpp"

#include "devorg/schema.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <variant>

namespace pe::devorg {
namespace {

namespace json = boost::json;

constexpr size_t kMaxCompositeRequests = 25;
constexpr size_t kMaxCompositeQueries = 5;
constexpr size_t kMaxGraphs = 75;
constexpr size_t kMaxGraphNodes = 500;  // per graph and per payload
constexpr size_t kMaxGraphDepth = 15;
constexpr size_t kMaxNodeKinds = 15;
constexpr int kMaxFailedGraphs = 14;
constexpr size_t kMaxCollectionRecords = 200;

const char* const kHaltedMessage =
    "We rolled back the transaction since another operation in the same transaction failed.";

json::array error_body(std::string_view code, std::string_view message) {
  return json::array{json::object{{"errorCode", code}, {"message", message}}};
}

SubResponse failure(const ApiError& error) { return {error.http_status, to_json(error), {}}; }

SubResponse halted() { return {400, error_body("PROCESSING_HALTED", kHaltedMessage), {}}; }

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 &&
               hex(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// The value of a query parameter, decoded; nullopt when absent.
std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

// A sub-request URL split into path segments after "/services/data/vNN.N", and its query.
struct Target {
  std::vector<std::string> segments;
  std::string query;
};

std::optional<Target> parse_target(std::string_view url) {
  std::string_view path = url;
  std::string_view query;
  if (size_t q = path.find('?'); q != std::string_view::npos) {
    query = path.substr(q + 1);
    path = path.substr(0, q);
  }
  constexpr std::string_view kPrefix = "/services/data/v";
  if (path.starts_with(kPrefix)) {
    size_t slash = path.find('/', kPrefix.size());
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  if (!path.starts_with('/')) return std::nullopt;
  Target target;
  target.query = std::string(query);
  while (!path.empty()) {
    path.remove_prefix(1);
    size_t slash = path.find('/');
    target.segments.push_back(percent_decode(path.substr(0, slash)));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  return target;
}

bool is_query_url(std::string_view url) {
  auto target = parse_target(url);
  if (!target || target->segments.empty()) return false;
  const auto& first = target->segments[0];
  return first == "query" || first == "queryAll" ||
         (first == "composite" && target->segments.size() > 1 && target->segments[1] == "sobjects");
}

json::object fields_without_attributes(const json::object& body) {
  json::object fields = body;
  fields.erase("attributes");
  return fields;
}

json::object save_result(const SalesforceId& id) {
  return {{"id", id.str()}, {"success", true}, {"errors", json::array()}};
}

json::object failed_result(const ApiError& error) {
  json::array errors;
  json::array fields;
  for (const auto& f : error.fields) fields.emplace_back(f);
  errors.push_back(json::object{
      {"statusCode", error.error_code}, {"message", error.message}, {"fields", std::move(fields)}});
  return {{"success", false}, {"errors", std::move(errors)}};
}

json::object rolled_back_result() {
  return failed_result(ApiError("ALL_OR_NONE_OPERATION_ROLLED_BACK",
                                "Record rolled back because not all records were valid and the "
                                "request was using AllOrNone header"));
}

json::object render_page(const QueryPage& page, std::string_view api_version) {
  json::object out;
  out["totalSize"] = page.total_size;
  out["done"] = page.done;
  if (!page.done) {
    out["nextRecordsUrl"] =
        "/services/data/v" + std::string(api_version) + "/query/" + page.next_locator;
  }
  out["records"] = page.records;
  return out;
}

// Resolves "@{ref.path}" references against earlier answers.
class References {
 public:
  void add(std::string id, const SubResponse& response) { answers_[std::move(id)] = &response; }

  // The value a reference names, or an error message.
  std::variant<json::value, std::string> lookup(std::string_view expression) const {
    size_t dot = expression.find_first_of(".[");
    std::string ref(expression.substr(0, dot));
    auto it = answers_.find(ref);
    if (it == answers_.end() || it->second->status >= 400) {
      return "Invalid reference specified. No value for " + std::string(expression) + " found in " +
             ref + ". Provided " + std::string(expression) + " as reference";
    }
    const json::value* at = &it->second->body;
    std::string_view rest = dot == std::string_view::npos ? "" : expression.substr(dot);
    while (!rest.empty()) {
      if (rest.front() == '.') {
        rest.remove_prefix(1);
        size_t end = rest.find_first_of(".[");
        std::string key(rest.substr(0, end));
        rest = end == std::string_view::npos ? "" : rest.substr(end);
        const json::value* next = at->is_object() ? at->as_object().if_contains(key) : nullptr;
        if (!next) return "Invalid reference specified. No value for " + std::string(expression);
        at = next;
      } else if (rest.front() == '[') {
        size_t close = rest.find(']');
        if (close == std::string_view::npos) return "Invalid reference " + std::string(expression);
        size_t index = 0;
        for (char c : rest.substr(1, close - 1)) {
          if (c < '0' || c > '9') return "Invalid reference " + std::string(expression);
          index = index * 10 + static_cast<size_t>(c - '0');
        }
        rest.remove_prefix(close + 1);
        if (!at->is_array() || index >= at->as_array().size()) {
          return "Invalid reference specified. No value for " + std::string(expression);
        }
        at = &at->as_array()[index];
      } else {
        return "Invalid reference " + std::string(expression);
      }
    }
    return *at;
  }

  // `text` with every reference replaced by its value's text; a string that is exactly one
  // reference becomes the referenced value itself (a number stays a number).
  std::variant<json::value, std::string> substitute(std::string_view text) const {
    std::string out;
    size_t pos = 0;
    while (true) {
      size_t start = text.find("@{", pos);
      if (start == std::string_view::npos) break;
      size_t end = text.find('}', start);
      if (end == std::string_view::npos) break;
      auto value = lookup(text.substr(start + 2, end - start - 2));
      if (auto* message = std::get_if<std::string>(&value)) return *message;
      const json::value& v = std::get<json::value>(value);
      if (start == 0 && end + 1 == text.size()) return v;
      out.append(text.substr(pos, start - pos));
      out.append(v.is_string() ? std::string(v.as_string()) : json::serialize(v));
      pos = end + 1;
    }
    out.append(text.substr(pos));
    return json::value(out);
  }

  // Every string in `value` substituted; an error message when a reference cannot be resolved.
  std::optional<std::string> substitute_all(json::value& value) const {
    if (value.is_string()) {
      if (value.as_string().find("@{") == json::string::npos) return std::nullopt;
      auto result = substitute(value.as_string());
      if (auto* message = std::get_if<std::string>(&result)) return *message;
      value = std::move(std::get<json::value>(result));
    } else if (value.is_object()) {
      for (auto& kv : value.as_object()) {
        if (auto error = substitute_all(kv.value())) return error;
      }
    } else if (value.is_array()) {
      for (auto& v : value.as_array()) {
        if (auto error = substitute_all(v)) return error;
      }
    }
    return std::nullopt;
  }

 private:
  std::map<std::string, const SubResponse*, std::less<>> answers_;
};

// The names "@{name." referenced in a sub-request's URL and body.
void referenced_names(std::string_view text, std::set<std::string>& out) {
  size_t pos = 0;
  while ((pos = text.find("@{", pos)) != std::string_view::npos) {
    size_t end = text.find_first_of(".[}", pos + 2);
    if (end == std::string_view::npos) break;
    out.insert(std::string(text.substr(pos + 2, end - pos - 2)));
    pos = end;
  }
}

void referenced_names(const json::value& value, std::set<std::string>& out) {
  if (value.is_string()) {
    referenced_names(std::string_view(value.as_string()), out);
  } else if (value.is_object()) {
    for (const auto& kv : value.as_object()) referenced_names(kv.value(), out);
  } else if (value.is_array()) {
    for (const auto& v : value.as_array()) referenced_names(v, out);
  }
}

struct Node {
  std::string method;
  std::string url;
  std::string reference_id;
  json::value body;
};

ApiError invalid(std::string message) { return ApiError("INVALID_INPUT", std::move(message)); }

// Reads a compositeRequest array; `graph` requires referenceIds (graphs always have them).
ApiResult<std::vector<Node>> read_nodes(const json::value* list, bool check_headers) {
  if (!list || !list->is_array()) return invalid("compositeRequest must be an array");
  std::vector<Node> nodes;
  std::set<std::string> ids;
  for (const auto& item : list->as_array()) {
    if (!item.is_object()) return invalid("each compositeRequest entry must be an object");
    const auto& o = item.as_object();
    Node node;
    const json::value* method = o.if_contains("method");
    const json::value* url = o.if_contains("url");
    const json::value* ref = o.if_contains("referenceId");
    if (!method || !method->is_string()) return invalid("method is required");
    if (!url || !url->is_string()) return invalid("url is required");
    if (!ref || !ref->is_string() || ref->as_string().empty()) {
      return invalid("referenceId is required");
    }
    node.method = std::string(method->as_string());
    node.url = std::string(url->as_string());
    node.reference_id = std::string(ref->as_string());
    if (!ids.insert(node.reference_id).second) {
      return invalid("Duplicate referenceId provided in the request: " +
                     printable(node.reference_id, 80));
    }
    if (const json::value* body = o.if_contains("body")) node.body = *body;
    if (check_headers) {
      if (const json::value* headers = o.if_contains("httpHeaders");
          headers && headers->is_object()) {
        for (const auto& kv : headers->as_object()) {
          if (iequals(kv.key(), "Accept") || iequals(kv.key(), "Authorization") ||
              iequals(kv.key(), "Content-Type")) {
            return invalid("The httpHeaders of a subrequest may not set " + std::string(kv.key()));
          }
        }
      }
    }
    nodes.push_back(std::move(node));
  }
  return nodes;
}

bool read_all_or_none(const json::object& request) {
  const json::value* v = request.if_contains("allOrNone");
  return v && v->is_bool() && v->as_bool();
}

}  // namespace

ApiResult<SalesforceId> CompositeExecutor::create(std::string_view object,
                                                  const json::object& fields) {
  if (events_ && object.size() > 3 && object.ends_with("__e")) {
    auto published = events_->publish_rest(object, fields, store_.actor().user);
    if (!published) return published.error();
    return published->id;
  }
  return store_.create(object, fields);
}

SubResponse CompositeExecutor::run_subrequest(std::string_view method, std::string_view url,
                                              const json::value& body) {
  auto target = parse_target(url);
  auto not_found = [] {
    return failure(ApiError("NOT_FOUND", "The requested resource does not exist", 404));
  };
  if (!target || target->segments.empty()) return not_found();
  const auto& seg = target->segments;
  auto object_body = [&]() -> const json::object* {
    return body.is_object() ? &body.as_object() : nullptr;
  };
  if (seg[0] == "sobjects" && seg.size() >= 2) {
    const std::string& type = seg[1];
    if (seg.size() == 2 && method == "POST") {
      const json::object* fields = object_body();
      if (!fields)
        return failure(ApiError("JSON_PARSER_ERROR", "The request body must be an object"));
      auto id = create(type, fields_without_attributes(*fields));
      if (!id) return failure(id.error());
      json::object headers{{"Location", "/services/data/v" + api_version_ + "/sobjects/" + type +
                                            "/" + std::string(id->str())}};
      return {201, save_result(*id), std::move(headers)};
    }
    if (seg.size() == 3) {
      const std::string& id = seg[2];
      if (method == "GET") {
        std::vector<std::string> fields;
        if (auto list = query_param(target->query, "fields")) {
          std::string_view rest = *list;
          while (!rest.empty()) {
            size_t comma = rest.find(',');
            if (comma != 0) fields.emplace_back(rest.substr(0, comma));
            rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
          }
        }
        auto record = store_.retrieve(type, id, fields, api_version_);
        if (!record) return failure(record.error());
        return {200, std::move(*record), {}};
      }
      if (method == "PATCH") {
        const json::object* fields = object_body();
        if (!fields)
          return failure(ApiError("JSON_PARSER_ERROR", "The request body must be an object"));
        auto done = store_.update(type, id, fields_without_attributes(*fields));
        if (!done) return failure(done.error());
        return {204, nullptr, {}};
      }
      if (method == "DELETE") {
        auto done = store_.remove(type, id);
        if (!done) return failure(done.error());
        return {204, nullptr, {}};
      }
    }
    if (seg.size() == 4 && (method == "PATCH" || method == "POST")) {
      const json::object* fields = object_body();
      if (!fields)
        return failure(ApiError("JSON_PARSER_ERROR", "The request body must be an object"));
      auto result = store_.upsert(type, seg[2], seg[3], fields_without_attributes(*fields));
      if (!result) return failure(result.error());
      json::object answer = save_result(result->id);
      answer["created"] = result->created;
      return {result->created ? 201 : 200, std::move(answer), {}};
    }
    return failure(ApiError("METHOD_NOT_ALLOWED",
                            "HTTP Method '" + std::string(method) +
                                "' not allowed. Allowed are "
                                "HEAD,GET,PATCH,DELETE",
                            405));
  }
  if ((seg[0] == "query" || seg[0] == "queryAll") && method == "GET") {
    if (seg.size() == 2) {
      auto page = store_.query_more(seg[1], api_version_);
      if (!page) return failure(page.error());
      return {200, render_page(*page, api_version_), {}};
    }
    auto q = query_param(target->query, "q");
    if (!q) return failure(ApiError("MALFORMED_QUERY", "A query string has to be specified"));
    auto page =
        store_.query(*q, {.api_version = api_version_, .include_deleted = seg[0] == "queryAll"});
    if (!page) return failure(page.error());
    return {200, render_page(*page, api_version_), {}};
  }
  return not_found();
}

ApiResult<json::object> CompositeExecutor::run_composite(const json::object& request) {
  auto nodes = read_nodes(request.if_contains("compositeRequest"), true);
  if (!nodes) return nodes.error();
  if (nodes->empty()) return invalid("compositeRequest must not be empty");
  if (nodes->size() > kMaxCompositeRequests) {
    return invalid("Maximum number of subrequests (25) in a composite request exceeded");
  }
  size_t queries = std::count_if(nodes->begin(), nodes->end(),
                                 [](const Node& n) { return is_query_url(n.url); });
  if (queries > kMaxCompositeQueries) {
    return invalid(
        "A composite request can contain at most 5 query or sObject Collections "
        "subrequests");
  }
  bool all_or_none = read_all_or_none(request);
  std::vector<SubResponse> answers(nodes->size());
  References refs;
  bool failed = false;
  if (all_or_none) store_.begin();
  for (size_t i = 0; i < nodes->size(); ++i) {
    Node& node = (*nodes)[i];
    if (failed && all_or_none) {
      answers[i] = halted();
      continue;
    }
    json::value url(node.url);
    auto url_error = refs.substitute_all(url);
    auto body_error = url_error ? url_error : refs.substitute_all(node.body);
    if (body_error) {
      answers[i] = {400, error_body("PROCESSING_HALTED", *body_error), {}};
    } else {
      std::string resolved = url.is_string() ? std::string(url.as_string()) : node.url;
      answers[i] = run_subrequest(node.method, resolved, node.body);
    }
    if (answers[i].status >= 400) failed = true;
    refs.add(node.reference_id, answers[i]);
  }
  if (all_or_none) {
    if (failed) {
      store_.rollback();
      for (auto& a : answers) {
        if (a.status < 400) a = halted();
      }
    } else {
      store_.commit();
    }
  }
  json::array out;
  for (size_t i = 0; i < answers.size(); ++i) {
    out.push_back(json::object{{"body", answers[i].body},
                               {"httpHeaders", answers[i].headers},
                               {"httpStatusCode", answers[i].status},
                               {"referenceId", (*nodes)[i].reference_id}});
  }
  return json::object{{"compositeResponse", std::move(out)}};
}

ApiResult<json::object> CompositeExecutor::run_graph(const json::object& request) {
  const json::value* graphs = request.if_contains("graphs");
  if (!graphs || !graphs->is_array()) return invalid("graphs must be an array");
  if (graphs->as_array().empty()) return invalid("graphs must not be empty");
  if (graphs->as_array().size() > kMaxGraphs) {
    return invalid("The number of graphs exceeds the limit of 75");
  }
  struct Graph {
    std::string id;
    std::vector<Node> nodes;
  };
  std::vector<Graph> parsed;
  std::set<std::string> graph_ids;
  std::set<std::string> kinds;
  size_t total_nodes = 0;
  for (const auto& g : graphs->as_array()) {
    if (!g.is_object()) return invalid("each graph must be an object");
    const json::value* id = g.as_object().if_contains("graphId");
    if (!id || !id->is_string() || id->as_string().empty()) return invalid("graphId is required");
    if (!graph_ids.insert(std::string(id->as_string())).second) {
      return invalid("Duplicate graphId: " + printable(id->as_string(), 80));
    }
    auto nodes = read_nodes(g.as_object().if_contains("compositeRequest"), false);
    if (!nodes) return nodes.error();
    if (nodes->size() > kMaxGraphNodes) {
      return invalid("Graph " + printable(id->as_string(), 80) +
                     " exceeds the limit of 500 nodes per graph");
    }
    total_nodes += nodes->size();
    // Depth: a node is one deeper than the deepest node it references.
    std::map<std::string, size_t> depth;
    for (const auto& node : *nodes) {
      std::set<std::string> names;
      referenced_names(std::string_view(node.url), names);
      referenced_names(node.body, names);
      size_t d = 1;
      for (const auto& n : names) {
        if (auto it = depth.find(n); it != depth.end()) d = std::max(d, it->second + 1);
      }
      if (d > kMaxGraphDepth) {
        return invalid("Graph " + printable(id->as_string(), 80) +
                       " exceeds the maximum depth of 15");
      }
      depth[node.reference_id] = d;
      auto target = parse_target(node.url);
      std::string object = target && target->segments.size() > 1 ? target->segments[1] : "";
      kinds.insert(node.method + " " + object);
    }
    parsed.push_back({std::string(id->as_string()), std::move(*nodes)});
  }
  if (total_nodes > kMaxGraphNodes) {
    return invalid("The number of nodes in the payload exceeds the limit of 500");
  }
  if (kinds.size() > kMaxNodeKinds) {
    return invalid("The payload has more than 15 different nodes (method and sObject type)");
  }

  json::array out;
  int failed_graphs = 0;
  for (auto& graph : parsed) {
    std::vector<SubResponse> answers(graph.nodes.size());
    bool failed = false;
    if (failed_graphs >= kMaxFailedGraphs) {
      for (auto& a : answers) a = halted();
      failed = true;
    } else {
      References refs;
      store_.begin();
      for (size_t i = 0; i < graph.nodes.size(); ++i) {
        Node& node = graph.nodes[i];
        if (failed) {
          answers[i] = halted();
          continue;
        }
        json::value url(node.url);
        auto error = refs.substitute_all(url);
        if (!error) error = refs.substitute_all(node.body);
        if (error) {
          answers[i] = {400, error_body("INVALID_REFERENCE", *error), {}};
        } else {
          answers[i] = run_subrequest(node.method, std::string(url.as_string()), node.body);
        }
        if (answers[i].status >= 400) failed = true;
        refs.add(node.reference_id, answers[i]);
      }
      if (failed) {
        store_.rollback();
        ++failed_graphs;
        for (auto& a : answers) {
          if (a.status < 400) a = halted();
        }
      } else {
        store_.commit();
      }
    }
    json::array responses;
    for (size_t i = 0; i < answers.size(); ++i) {
      responses.push_back(json::object{{"body", answers[i].body},
                                       {"httpHeaders", answers[i].headers},
                                       {"httpStatusCode", answers[i].status},
                                       {"referenceId", graph.nodes[i].reference_id}});
    }
    out.push_back(
        json::object{{"graphId", graph.id},
                     {"graphResponse", json::object{{"compositeResponse", std::move(responses)}}},
                     {"isSuccessful", !failed}});
  }
  return json::object{{"graphs", std::move(out)}};
}

namespace {

ApiResult<const json::array*> collection_records(const json::object& request) {
  const json::value* records = request.if_contains("records");
  if (!records || !records->is_array()) {
    return ApiError("JSON_PARSER_ERROR", "records must be an array");
  }
  if (records->as_array().size() > kMaxCollectionRecords) {
    return ApiError("EXCEEDED_ID_LIMIT",
                    "record limit reached. cannot submit more than 200 records into this call");
  }
  return &records->as_array();
}

std::string record_type(const json::object& record) {
  const json::value* attributes = record.if_contains("attributes");
  if (!attributes || !attributes->is_object()) return "";
  const json::value* type = attributes->as_object().if_contains("type");
  return type && type->is_string() ? std::string(type->as_string()) : "";
}

}  // namespace

// Runs one write per record: all in one transaction (allOrNone), or each in its own.
template <class Write>
json::array run_collection(Store& store, size_t count, bool all_or_none, Write write) {
  json::array results;
  bool failed = false;
  if (all_or_none) store.begin();
  for (size_t i = 0; i < count; ++i) {
    if (!all_or_none) store.begin();
    json::object result = write(i);
    bool ok = result.at("success").as_bool();
    if (!all_or_none) {
      if (ok) {
        store.commit();
      } else {
        store.rollback();
      }
    }
    failed = failed || !ok;
    results.push_back(std::move(result));
  }
  if (all_or_none) {
    if (failed) {
      store.rollback();
      for (auto& r : results) {
        if (r.as_object().at("success").as_bool()) r = rolled_back_result();
      }
    } else {
      store.commit();
    }
  }
  return results;
}

ApiResult<json::array> CompositeExecutor::collection_create(const json::object& request) {
  auto records = collection_records(request);
  if (!records) return records.error();
  const json::array& list = **records;
  return run_collection(store_, list.size(), read_all_or_none(request), [&](size_t i) {
    if (!list[i].is_object()) {
      return failed_result(ApiError("JSON_PARSER_ERROR", "each record must be an object"));
    }
    const auto& record = list[i].as_object();
    std::string type = record_type(record);
    if (type.empty()) {
      return failed_result(ApiError("INVALID_TYPE", "Must send a concrete entity type."));
    }
    if (record.contains("id") || record.contains("Id")) {
      return failed_result(
          ApiError("INVALID_FIELD", "cannot specify Id in an insert call", 400, {"Id"}));
    }
    auto id = create(type, fields_without_attributes(record));
    return id ? save_result(*id) : failed_result(id.error());
  });
}

ApiResult<json::array> CompositeExecutor::collection_update(const json::object& request) {
  auto records = collection_records(request);
  if (!records) return records.error();
  const json::array& list = **records;
  return run_collection(store_, list.size(), read_all_or_none(request), [&](size_t i) {
    if (!list[i].is_object()) {
      return failed_result(ApiError("JSON_PARSER_ERROR", "each record must be an object"));
    }
    json::object fields = fields_without_attributes(list[i].as_object());
    std::string type = record_type(list[i].as_object());
    std::string id;
    for (const char* key : {"id", "Id"}) {
      if (auto* v = fields.if_contains(key); v && v->is_string()) id = std::string(v->as_string());
      fields.erase(key);
    }
    if (type.empty()) {
      return failed_result(ApiError("INVALID_TYPE", "Must send a concrete entity type."));
    }
    if (id.empty()) {
      return failed_result(ApiError("MISSING_ARGUMENT", "Id not specified in an update call"));
    }
    auto done = store_.update(type, id, fields);
    if (!done) return failed_result(done.error());
    auto parsed = SalesforceId::parse(id);
    return save_result(parsed ? *parsed : SalesforceId());
  });
}

ApiResult<json::array> CompositeExecutor::collection_upsert(std::string_view object,
                                                            std::string_view field,
                                                            const json::object& request) {
  auto records = collection_records(request);
  if (!records) return records.error();
  const json::array& list = **records;
  return run_collection(store_, list.size(), read_all_or_none(request), [&](size_t i) {
    if (!list[i].is_object()) {
      return failed_result(ApiError("JSON_PARSER_ERROR", "each record must be an object"));
    }
    json::object fields = fields_without_attributes(list[i].as_object());
    std::string value;
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      if (iequals(it->key(), field)) {
        if (it->value().is_string()) value = std::string(it->value().as_string());
        fields.erase(it);
        break;
      }
    }
    if (value.empty()) {
      return failed_result(ApiError("MISSING_ARGUMENT", std::string(field) + " not specified", 400,
                                    {std::string(field)}));
    }
    auto result = store_.upsert(object, field, value, fields);
    if (!result) return failed_result(result.error());
    json::object answer = save_result(result->id);
    answer["created"] = result->created;
    return answer;
  });
}

ApiResult<json::array> CompositeExecutor::collection_delete(std::string_view ids,
                                                            bool all_or_none) {
  std::vector<std::string> list;
  while (!ids.empty()) {
    size_t comma = ids.find(',');
    list.emplace_back(ids.substr(0, comma));
    ids = comma == std::string_view::npos ? "" : ids.substr(comma + 1);
  }
  if (list.size() > kMaxCollectionRecords) {
    return ApiError("EXCEEDED_ID_LIMIT",
                    "record limit reached. cannot submit more than 200 records into this call");
  }
  return run_collection(store_, list.size(), all_or_none, [&](size_t i) {
    auto id = SalesforceId::parse(list[i]);
    if (!id) {
      return failed_result(ApiError("MALFORMED_ID", "malformed id " + printable(list[i], 40)));
    }
    std::string_view type = id->sobject_type();
    auto done = store_.remove(type, id->str());
    return done ? save_result(*id) : failed_result(done.error());
  });
}

}  // namespace pe::devorg
