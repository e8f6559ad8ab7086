#include "salesforce/unit_of_work.hpp"

#include "salesforce/soql.hpp"

#include <algorithm>

namespace pe::salesforce {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

std::string ref_name(size_t index) { return "r" + std::to_string(index); }

// Indexes of the nodes a body refers to with "@{rN.id}".
void references(const json::value& v, std::vector<size_t>& out) {
  if (v.is_string()) {
    std::string_view s = v.as_string();
    size_t pos = 0;
    while ((pos = s.find("@{r", pos)) != std::string_view::npos) {
      size_t end = s.find('.', pos);
      if (end == std::string_view::npos) break;
      out.push_back(std::stoul(std::string(s.substr(pos + 3, end - pos - 3))));
      pos = end;
    }
  } else if (v.is_object()) {
    for (const auto& kv : v.as_object()) references(kv.value(), out);
  } else if (v.is_array()) {
    for (const auto& e : v.as_array()) references(e, out);
  }
}

SalesforceError usage_error(std::string message) {
  SalesforceError e;
  e.error_code = "INVALID_UNIT_OF_WORK";
  e.transport = Errc::invalid_argument;
  e.message = std::move(message);
  return e;
}

}  // namespace

NodeRef UnitOfWork::add(Node node) {
  size_t index = nodes_.size();
  if (!group_nodes_.contains(node.group)) group_order_.push_back(node.group);
  group_nodes_[node.group].push_back(index);
  nodes_.push_back(std::move(node));
  return {index};
}

NodeRef UnitOfWork::create(std::string group, std::string type, json::object fields) {
  return add({std::move(group), "POST", "/sobjects/" + type, std::move(fields), true, true});
}

NodeRef UnitOfWork::upsert(std::string group, std::string type, std::string field,
                           std::string value, json::object fields) {
  return add({std::move(group), "PATCH",
              "/sobjects/" + type + "/" + url_encode(field) + "/" + url_encode(value),
              std::move(fields), true, false});
}

NodeRef UnitOfWork::update(std::string group, std::string type, const SalesforceId& id,
                           json::object fields) {
  return add({std::move(group), "PATCH", "/sobjects/" + type + "/" + std::string(id.str()),
              std::move(fields), true, false});
}

NodeRef UnitOfWork::remove(std::string group, std::string type, const SalesforceId& id) {
  return add({std::move(group),
              "DELETE",
              "/sobjects/" + type + "/" + std::string(id.str()),
              {},
              false,
              false});
}

std::string UnitOfWork::id_of(NodeRef ref) { return "@{" + ref_name(ref.index) + ".id}"; }

bool UnitOfWork::idempotent() const {
  return std::none_of(nodes_.begin(), nodes_.end(), [](const Node& n) { return n.create; });
}

SfResult<void> UnitOfWork::check() const {
  for (const auto& [group, indexes] : group_nodes_) {
    if (indexes.size() > 500) {
      return usage_error("group " + group + " has " + std::to_string(indexes.size()) +
                         " nodes; a graph holds at most 500");
    }
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    std::vector<size_t> refs;
    references(nodes_[i].body, refs);
    for (size_t r : refs) {
      if (r >= i || nodes_[r].group != nodes_[i].group) {
        return usage_error("node " + std::to_string(i) + " refers to node " + std::to_string(r) +
                           ", which is not an earlier node of its group");
      }
    }
  }
  return {};
}

// Requests → graphs → node indexes. Groups stay whole and in order. A graph takes groups until
// it reaches max_nodes_per_request / max_graphs_per_request nodes (7 by default, so that 75
// graphs can fill 500 nodes: two 4-node groups a graph), within max_nodes_per_graph; a request
// takes graphs while it stays within 500 nodes and 75 graphs.
std::vector<std::vector<std::vector<size_t>>> UnitOfWork::pack(
    const std::vector<std::string>& groups, const PackingLimits& limits) const {
  size_t target = (limits.max_nodes_per_request + limits.max_graphs_per_request - 1) /
                  limits.max_graphs_per_request;
  target = std::max<size_t>(1, std::min(target, limits.max_nodes_per_graph));
  std::vector<std::vector<std::vector<size_t>>> requests;
  std::vector<std::vector<size_t>> request;
  std::vector<size_t> graph;
  size_t request_nodes = 0;
  auto close_graph = [&] {
    if (!graph.empty()) request.push_back(std::move(graph));
    graph.clear();
  };
  auto close_request = [&] {
    close_graph();
    if (!request.empty()) requests.push_back(std::move(request));
    request.clear();
    request_nodes = 0;
  };
  for (const auto& group : groups) {
    const auto& indexes = group_nodes_.at(group);
    if (request_nodes + indexes.size() > limits.max_nodes_per_request) close_request();
    if (!graph.empty() &&
        (graph.size() >= target || graph.size() + indexes.size() > limits.max_nodes_per_graph)) {
      close_graph();
      if (request.size() >= limits.max_graphs_per_request) close_request();
    }
    graph.insert(graph.end(), indexes.begin(), indexes.end());
    request_nodes += indexes.size();
  }
  close_request();
  return requests;
}

json::object UnitOfWork::payload(const std::vector<std::vector<size_t>>& graphs,
                                 std::string_view api_version) const {
  json::array out;
  std::string base = "/services/data/v" + std::string(api_version);
  for (size_t i = 0; i < graphs.size(); ++i) {
    json::array nodes;
    for (size_t index : graphs[i]) {
      const Node& n = nodes_[index];
      json::object node{
          {"method", n.method}, {"url", base + n.url_tail}, {"referenceId", ref_name(index)}};
      if (n.has_body) node["body"] = n.body;
      nodes.push_back(std::move(node));
    }
    out.push_back(json::object{{"graphId", "g" + std::to_string(graphs[i].front())},
                               {"compositeRequest", std::move(nodes)}});
  }
  return {{"graphs", std::move(out)}};
}

std::vector<json::object> UnitOfWork::payloads(std::string_view api_version,
                                               const PackingLimits& limits) const {
  std::vector<json::object> out;
  for (const auto& request : pack(group_order_, limits))
    out.push_back(payload(request, api_version));
  return out;
}

namespace {

// Reads one graph's answer into the nodes' results; false when the graph failed.
bool read_graph(const json::object& graph, std::vector<NodeResult>& nodes) {
  bool ok = false;
  if (auto* s = graph.if_contains("isSuccessful"); s && s->is_bool()) ok = s->as_bool();
  const json::value* responses = nullptr;
  if (auto* r = graph.if_contains("graphResponse"); r && r->is_object()) {
    responses = r->as_object().if_contains("compositeResponse");
  }
  if (!responses || !responses->is_array()) return false;
  for (const auto& item : responses->as_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.as_object();
    const json::value* ref = o.if_contains("referenceId");
    if (!ref || !ref->is_string() || ref->as_string().size() < 2) continue;
    size_t index = std::stoul(std::string(ref->as_string().subview(1)));
    if (index >= nodes.size()) continue;
    int status = 0;
    if (auto* s = o.if_contains("httpStatusCode"); s && s->is_int64())
      status = static_cast<int>(s->as_int64());
    const json::value* body = o.if_contains("body");
    NodeResult& result = nodes[index];
    result = NodeResult{};
    if (status >= 200 && status < 300) {
      result.success = ok;
      result.created = status == 201;
      if (body && body->is_object()) {
        if (auto* id = body->as_object().if_contains("id"); id && id->is_string()) {
          if (auto parsed = SalesforceId::parse(id->as_string())) result.id = *parsed;
        }
        if (auto* created = body->as_object().if_contains("created");
            created && created->is_bool()) {
          result.created = created->as_bool();
        }
      }
    } else {
      auto error = error_from_json(status, body ? *body : json::value());
      if (error.error_code != "PROCESSING_HALTED") result.error = std::move(error);
    }
  }
  return ok;
}

}  // namespace

asio::awaitable<SfResult<CommitResult>> UnitOfWork::commit(DataApi& api, PackingLimits limits) {
  auto valid = check();
  if (!valid) co_return valid.error();
  CommitResult result;
  result.nodes.resize(nodes_.size());
  std::vector<std::string> retry;  // groups of failed multi-group graphs, sent again alone
  auto requests = pack(group_order_, limits);
  for (const auto& request : requests) {
    json::object body = payload(request, api.credentials().api_version);
    auto answer = co_await api.composite_graph(body, idempotent());
    ++result.requests;
    if (!answer) co_return answer.error();
    const json::value* graphs = answer->if_contains("graphs");
    if (!graphs || !graphs->is_array()) co_return parse_error(200, "graph answer without graphs");
    for (size_t i = 0; i < graphs->as_array().size() && i < request.size(); ++i) {
      const auto& graph = graphs->as_array()[i];
      bool ok = graph.is_object() && read_graph(graph.as_object(), result.nodes);
      std::vector<std::string> groups_in_graph;
      for (size_t index : request[i]) {
        const std::string& g = nodes_[index].group;
        if (groups_in_graph.empty() || groups_in_graph.back() != g) groups_in_graph.push_back(g);
      }
      if (!ok && groups_in_graph.size() > 1) {
        retry.insert(retry.end(), groups_in_graph.begin(), groups_in_graph.end());
      }
    }
  }
  if (!retry.empty()) {
    PackingLimits alone = limits;
    alone.max_nodes_per_graph = 1;  // forces one group a graph (a group is never split)
    for (const auto& request : pack(retry, alone)) {
      json::object body = payload(request, api.credentials().api_version);
      auto answer = co_await api.composite_graph(body, idempotent());
      ++result.requests;
      if (!answer) co_return answer.error();
      const json::value* graphs = answer->if_contains("graphs");
      if (!graphs || !graphs->is_array()) co_return parse_error(200, "graph answer without graphs");
      for (const auto& graph : graphs->as_array()) {
        if (graph.is_object()) read_graph(graph.as_object(), result.nodes);
      }
    }
  }
  for (const auto& group : group_order_) {
    GroupResult g;
    g.success = true;
    for (size_t index : group_nodes_.at(group)) {
      const NodeResult& n = result.nodes[index];
      if (!n.success) g.success = false;
      if (n.error) g.errors.push_back(*n.error);
    }
    if (!g.success && g.errors.empty())
      g.errors.push_back(usage_error("the group was not written"));
    result.groups[group] = std::move(g);
  }
  co_return result;
}

asio::awaitable<SfResult<CommitResult>> UnitOfWork::commit_one_group_per_graph(DataApi& api) {
  co_return co_await commit(api, PackingLimits{.max_nodes_per_graph = 1});
}

}  // namespace pe::salesforce
