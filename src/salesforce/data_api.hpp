// data_api.hpp: the Salesforce REST API for one org — queries that follow nextRecordsUrl, sObject
// create/retrieve/update/delete/upsert, sObject Collections (chunked to 200), Composite Graph
// payloads and platform event publishing — asynchronous (coroutines) over our HttpClient.
//
// Every call carries the org's Bearer token. Requests that are safe to repeat (GETs, upserts by
// external id, graphs made only of upserts) are retried with exponential backoff and jitter on
// 5xx, 429 and transport failures; on INVALID_SESSION_ID the refresh callback (AppLink's
// credentials, re-fetched) is called once and the request repeated with the new token. Bodies
// are parsed exactly (parse_json_exact): money never passes through a double it cannot hold.
// Tokens never reach a log line or an error message.
//
// A DataApi belongs to the io_context of its HttpClient (one per worker thread).
//
//   DataApi api(client, {.instance_url = url, .api_version = "62.0", .access_token = token});
//   auto result = co_await api.query("SELECT Id, Name FROM Account");   // all pages
//   for (const auto& record : result->records) ...
//   auto id = co_await api.create("Account", {{"Name", "Acme"}});
#pragma once

#include "common/sfid.hpp"
#include "net/http_client.hpp"
#include "net/retry_policy.hpp"
#include "salesforce/org_credentials.hpp"
#include "salesforce/salesforce_error.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pe::salesforce {

// Called once when Salesforce answers INVALID_SESSION_ID: fresh credentials, or an error.
using RefreshCredentials = std::function<boost::asio::awaitable<Result<OrgCredentials>>()>;

struct DataApiOptions {
  net::BackoffOptions backoff{.max_attempts = 5};
  RefreshCredentials refresh;
  std::string client_name = "pricing-engine";  // Sforce-Call-Options client=...
  int batch_size = 2000;                       // Sforce-Query-Options batchSize
};

struct QueryResult {
  int64_t total_size = 0;
  boost::json::array records;
};

struct QueryPage {
  int64_t total_size = 0;
  bool done = true;
  std::string next_records_url;  // when !done
  boost::json::array records;
};

struct UpsertResult {
  SalesforceId id;
  bool created = false;
};

// One record's outcome in a collection call, in request order.
struct SaveResult {
  SalesforceId id;  // null when it failed
  bool success = false;
  std::vector<SalesforceError> errors;
};

class DataApi {
 public:
  DataApi(net::HttpClient& client, OrgCredentials credentials, DataApiOptions options = {});

  // Every record, following nextRecordsUrl; `all` queries deleted rows too (queryAll).
  boost::asio::awaitable<SfResult<QueryResult>> query(std::string_view soql, bool all = false);
  // One page at a time, for results too large to hold: query_page(soql), then
  // query_more(page.next_records_url) while !page.done.
  boost::asio::awaitable<SfResult<QueryPage>> query_page(std::string_view soql, bool all = false);
  boost::asio::awaitable<SfResult<QueryPage>> query_more(std::string_view next_records_url);
  // (A statement too long for a GET URL, kMaxQueryUrlBytes, is sent inside a Composite request.)
  // Up to kMaxCompositeQueries statements in one Composite request: one round trip and one API
  // call for all of them. Their first pages, in order; a refused statement fails the call with
  // its error.
  static constexpr size_t kMaxCompositeQueries = 5;  // Salesforce's limit of query sub-requests
  boost::asio::awaitable<SfResult<std::vector<QueryPage>>> query_pages(
      const std::vector<std::string>& soqls);

  boost::asio::awaitable<SfResult<SalesforceId>> create(std::string_view type,
                                                        boost::json::object fields);
  boost::asio::awaitable<SfResult<boost::json::object>> retrieve(
      std::string_view type, const SalesforceId& id, std::span<const std::string> fields = {});
  boost::asio::awaitable<SfResult<void>> update(std::string_view type, const SalesforceId& id,
                                                boost::json::object fields);
  boost::asio::awaitable<SfResult<void>> remove(std::string_view type, const SalesforceId& id);
  boost::asio::awaitable<SfResult<UpsertResult>> upsert(std::string_view type,
                                                        std::string_view external_id_field,
                                                        std::string_view value,
                                                        boost::json::object fields);

  // sObject Collections, chunked to 200 records a request; results in the records' order.
  // Records carry "attributes": {"type"} (added from `type` when missing); for update, "Id".
  boost::asio::awaitable<SfResult<std::vector<SaveResult>>> create_many(
      std::string_view type, std::vector<boost::json::object> records, bool all_or_none);
  boost::asio::awaitable<SfResult<std::vector<SaveResult>>> update_many(
      std::string_view type, std::vector<boost::json::object> records, bool all_or_none);
  boost::asio::awaitable<SfResult<std::vector<SaveResult>>> remove_many(
      std::span<const SalesforceId> ids, bool all_or_none);

  // POST /composite/graph with the given payload; `idempotent` when every node is an upsert or
  // a read, so that the request may be retried. Answers the parsed response.
  boost::asio::awaitable<SfResult<boost::json::object>> composite_graph(
      const boost::json::object& payload, bool idempotent);

  // POST /sobjects/{EventType}: a platform event.
  boost::asio::awaitable<SfResult<SalesforceId>> publish_event(std::string_view event_type,
                                                               boost::json::object fields);

  const OrgCredentials& credentials() const { return credentials_; }
  std::string base_path() const { return "/services/data/v" + credentials_.api_version; }
  // HTTP requests sent to Salesforce so far, retries and refreshes included (also an attempt
  // lost with a dropped keep-alive connection, which Salesforce did not count).
  uint64_t requests() const { return requests_; }

  // The raw call every method uses: `target` is a path under the instance ("/services/...").
  boost::asio::awaitable<SfResult<net::HttpResponse>> send(
      boost::beast::http::verb method, std::string target, std::string body, bool idempotent,
      std::string content_type = "application/json");

 private:
  boost::asio::awaitable<SfResult<QueryPage>> query_page_in_composite(const std::string& target);
  boost::asio::awaitable<SfResult<std::vector<QueryPage>>> queries_in_composite(
      const std::vector<std::string>& targets);

  net::HttpClient& client_;
  OrgCredentials credentials_;
  DataApiOptions options_;
  uint64_t requests_ = 0;
};

// Typed reads of a query record (a boost::json::object as Salesforce answers it): a field, a
// parent field ("Account.BillingCountry"), the records of a child subquery.
const boost::json::value* field_at(const boost::json::object& record, std::string_view path);
std::string text_field(const boost::json::object& record, std::string_view path);
const boost::json::array* child_records(const boost::json::object& record,
                                        std::string_view relationship);

}  // namespace pe::salesforce
