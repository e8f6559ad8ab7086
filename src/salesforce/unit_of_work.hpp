// unit_of_work.hpp: many writes committed through Composite Graph in as few requests as the
// API's limits allow, with each caller-chosen group all-or-none.
//
// Register creates, upserts, updates and deletes, each in a group (one opportunity's Quote and
// its lines); a node may use the Id of an earlier node of its group (`id_of(ref)` as a field
// value: the QuoteLineItem's QuoteId). commit() packs the groups into graphs and the graphs into
// requests: at most 500 nodes and 75 graphs a request (salesforce-facts.md, section 2), so a
// request holds several groups per graph when groups are small (4-node groups: 7 a graph). A
// graph is all-or-none, so when one fails, each of its groups is sent again in a graph of its
// own: the group at fault fails alone, the others succeed. Sending a group twice is safe because
// the product writes by upsert on generation keys; commit_one_group_per_graph() avoids the
// packing for callers whose writes are not idempotent.
//
//   UnitOfWork work;
//   auto quote = work.upsert("006A", "Quote", "GenerationKey__c", "tx:006A", quote_fields);
//   line["QuoteId"] = UnitOfWork::id_of(quote);
//   work.upsert("006A", "QuoteLineItem", "GenerationKey__c", "tx:006A:00kB", line);
//   auto result = co_await work.commit(api);
//   result->groups["006A"].success; result->nodes[quote.index].id
#pragma once

#include "salesforce/data_api.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pe::salesforce {

struct NodeRef {
  size_t index = 0;
};

struct NodeResult {
  bool success = false;
  SalesforceId id;  // created or upserted record (null for update/delete)
  bool created = false;
  std::optional<SalesforceError> error;  // when it failed itself (not rolled back for another)
};

struct GroupResult {
  bool success = false;
  std::vector<SalesforceError> errors;  // the failing nodes' errors
};

struct CommitResult {
  std::vector<NodeResult> nodes;              // by NodeRef::index
  std::map<std::string, GroupResult> groups;  // by group key
  size_t requests = 0;                        // graph requests sent
};

struct PackingLimits {
  size_t max_nodes_per_request = 500;
  size_t max_graphs_per_request = 75;
  size_t max_nodes_per_graph = 500;
};

class UnitOfWork {
 public:
  NodeRef create(std::string group, std::string type, boost::json::object fields);
  NodeRef upsert(std::string group, std::string type, std::string external_id_field,
                 std::string value, boost::json::object fields);
  NodeRef update(std::string group, std::string type, const SalesforceId& id,
                 boost::json::object fields);
  NodeRef remove(std::string group, std::string type, const SalesforceId& id);

  // A field value meaning "the Id of that node" (same group only).
  static std::string id_of(NodeRef ref);

  size_t size() const { return nodes_.size(); }
  bool empty() const { return nodes_.empty(); }
  // True when every node is an upsert, update or delete (retrying a request is harmless).
  bool idempotent() const;

  // The graph payloads commit() would send first, for tests and dry runs.
  std::vector<boost::json::object> payloads(std::string_view api_version,
                                            const PackingLimits& limits = {}) const;

  // invalid_argument-like error (status 0) when a group has more than 500 nodes or a node refers
  // to a node of another group; otherwise per-node and per-group results.
  boost::asio::awaitable<SfResult<CommitResult>> commit(DataApi& api, PackingLimits limits = {});
  boost::asio::awaitable<SfResult<CommitResult>> commit_one_group_per_graph(DataApi& api);

 private:
  struct Node {
    std::string group;
    std::string method;
    std::string url_tail;  // after /services/data/vNN.N
    boost::json::object body;
    bool has_body = true;
    bool create = false;
  };
  NodeRef add(Node node);
  std::vector<std::vector<std::vector<size_t>>> pack(const std::vector<std::string>& groups,
                                                     const PackingLimits& limits) const;
  boost::json::object payload(const std::vector<std::vector<size_t>>& graphs,
                              std::string_view api_version) const;
  SfResult<void> check() const;

  std::vector<Node> nodes_;
  std::vector<std::string> group_order_;
  std::map<std::string, std::vector<size_t>> group_nodes_;
};

}  // namespace pe::salesforce
