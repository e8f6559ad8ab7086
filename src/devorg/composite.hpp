// composite.hpp: the local org's Composite API — /composite, /composite/graph and the sObject
// Collections (/composite/sobjects) — executed against the Store with Salesforce's limits,
// reference syntax, all-or-none rules and answer shapes (salesforce-facts.md, section 2).
//
// CompositeExecutor works on parsed JSON and the Store only; the REST layer parses the body,
// checks auth and renders what comes back. Every sub-request runs through run_subrequest(), the
// same record operations as the REST routes: `POST /sobjects/{T}`, `GET|PATCH|DELETE
// /sobjects/{T}/{id}`, `PATCH /sobjects/{T}/{ExtField}/{value}` (upsert), and in /composite also
// `GET /query?q=` and `GET /query/{locator}`. URLs may be given with or without the
// `/services/data/vNN.N` prefix.
//
// References: `@{refId.field}` (and `@{refId.records[0].Id}`) in a URL or in any string of a body
// is replaced by that field of an earlier sub-request's answer; a reference to an unknown or
// failed sub-request fails the sub-request that holds it.
//
// Limits (answers as Salesforce's): /composite ≤ 25 sub-requests of which ≤ 5 queries; a graph
// payload ≤ 75 graphs, ≤ 500 nodes in all, ≤ 500 per graph, reference depth ≤ 15, ≤ 15 distinct
// node kinds (method × object); collections ≤ 200 records. Each graph is all-or-none
// (Store::begin/rollback): the failing node keeps its error, the others answer 400
// PROCESSING_HALTED; after 14 failed graphs the remaining ones are not run.
//
//   CompositeExecutor composite(*store, "62.0");
//   auto answer = composite.run_graph(request_json);   // ApiResult<json::object>
//   if (!answer) reply(answer.error().http_status, to_json(answer.error()));
#pragma once

#include "devorg/api_error.hpp"
#include "devorg/event_bus.hpp"
#include "devorg/store.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace pe::devorg {

// One sub-request's answer: the HTTP status and body it would have had on its own.
struct SubResponse {
  int status = 200;
  boost::json::value body;  // null for 204
  boost::json::object headers;
};

class CompositeExecutor {
 public:
  // `events`: where creates of platform events (types ending in __e) go; without it they are
  // unknown types, as for the Store.
  CompositeExecutor(Store& store, std::string api_version, EventBus* events = nullptr)
      : store_(store), api_version_(std::move(api_version)), events_(events) {}

  // POST /composite: {"allOrNone", "collateSubrequests", "compositeRequest": [...]}.
  ApiResult<boost::json::object> run_composite(const boost::json::object& request);
  // POST /composite/graph: {"graphs": [{"graphId", "compositeRequest": [...]}]}.
  ApiResult<boost::json::object> run_graph(const boost::json::object& request);

  // sObject Collections. Each answers the array of SaveResults in request order.
  // POST /composite/sobjects {"allOrNone", "records": [{"attributes": {"type"}, ...}]}
  ApiResult<boost::json::array> collection_create(const boost::json::object& request);
  // PATCH /composite/sobjects {"allOrNone", "records": [{"attributes": {"type"}, "id", ...}]}
  ApiResult<boost::json::array> collection_update(const boost::json::object& request);
  // PATCH /composite/sobjects/{Type}/{ExtField} {"allOrNone", "records": [...]}
  ApiResult<boost::json::array> collection_upsert(std::string_view object, std::string_view field,
                                                  const boost::json::object& request);
  // DELETE /composite/sobjects?ids=a,b&allOrNone=true
  ApiResult<boost::json::array> collection_delete(std::string_view ids, bool all_or_none);

  // One record operation, as the REST route would answer it.
  SubResponse run_subrequest(std::string_view method, std::string_view url,
                             const boost::json::value& body);

 private:
  // Store::create, or a platform event publish for __e types.
  ApiResult<SalesforceId> create(std::string_view object, const boost::json::object& fields);

  Store& store_;
  std::string api_version_;
  EventBus* events_;
};

}  // namespace pe::devorg
