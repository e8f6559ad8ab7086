// rest_routes.cpp: the Salesforce REST API under /services/data — auth, faults and counting
// around every call, then sObjects, describe, query, Composite, Collections and Bulk API 2.0.
#include "common/json_exact.hpp"
#include "common/json_text.hpp"
#include "common/log.hpp"
#include "devorg/describe.hpp"
#include "devorg/org_state.hpp"
#include "devorg/route_helpers.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <charconv>

namespace pe::devorg {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace http = net::http;
using net::Request;
using net::Response;

constexpr size_t kJsonBodyLimit = 16 * 1024 * 1024;
constexpr size_t kCsvBodyLimit = 100 * 1024 * 1024;

Response sf_json(int status, const json::value& body) {
  auto res = net::json_response(static_cast<http::status>(status), json_text(body));
  res.set(http::field::content_type, "application/json;charset=UTF-8");
  return res;
}

Response sf_error(const ApiError& error) { return sf_json(error.http_status, to_json(error)); }

Response no_content() { return net::empty_response(http::status::no_content); }

Response not_found() {
  return sf_error(ApiError("NOT_FOUND", "The requested resource does not exist", 404));
}

ApiResult<json::value> read_json(const Request& req) {
  auto parsed = parse_json_exact(req.body());
  if (!parsed) return ApiError("JSON_PARSER_ERROR", parsed.error().message, 400);
  return std::move(*parsed);
}

ApiResult<json::object> read_object(const Request& req) {
  auto value = read_json(req);
  if (!value) return value.error();
  if (!value->is_object()) {
    return ApiError("JSON_PARSER_ERROR", "The request body must be a JSON object", 400);
  }
  return std::move(value->as_object());
}

// The `client=` of Sforce-Call-Options, for changeOrigin.
std::string call_client(const Request& req) {
  std::string_view options = req.header("Sforce-Call-Options");
  size_t at = options.find("client=");
  if (at == std::string_view::npos) return "";
  std::string_view rest = options.substr(at + 7);
  return printable(rest.substr(0, rest.find(',')), 80);
}

// Sforce-Query-Options: batchSize=N
int batch_size(const Request& req) {
  std::string_view options = req.header("Sforce-Query-Options");
  size_t at = options.find("batchSize=");
  if (at == std::string_view::npos) return 2000;
  int n = 2000;
  std::string_view digits = options.substr(at + 10);
  std::from_chars(digits.data(), digits.data() + digits.size(), n);
  return n;
}

json::object page_json(const QueryPage& page, std::string_view version) {
  json::object out;
  out["totalSize"] = page.total_size;
  out["done"] = page.done;
  if (!page.done) {
    out["nextRecordsUrl"] =
        "/services/data/v" + std::string(version) + "/query/" + page.next_locator;
  }
  out["records"] = page.records;
  return out;
}

using ApiBody = std::function<asio::awaitable<Response>(Request&, const std::string& version)>;

// Wraps an API handler: version, bearer token, counting, injected latency and faults, and the
// change events of the writes it made.
net::Handler api(OrgState& org, std::string kind, ApiBody body) {
  return [&org, kind = std::move(kind),
          body = std::move(body)](Request& req) -> asio::awaitable<Response> {
    std::string_view v = req.param("v");
    if (v.size() < 2 || v[0] != 'v' || !is_served_version(v.substr(1))) co_return not_found();
    std::string version(v.substr(1));
    std::string_view auth = req.header(http::field::authorization);
    constexpr std::string_view kBearer = "Bearer ";
    const Session* session =
        auth.size() > kBearer.size() && (auth.substr(0, kBearer.size()) == kBearer ||
                                         auth.substr(0, kBearer.size()) == "bearer ")
            ? org.sessions->find(auth.substr(kBearer.size()))
            : nullptr;
    if (session == nullptr) {
      co_return sf_error(ApiError("INVALID_SESSION_ID", "Session expired or invalid", 401));
    }
    org.stats.count(kind);
    if (org.faults.latency().count() > 0) {
      asio::steady_timer timer(*org.io, org.faults.latency());
      boost::system::error_code ignored;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    if (auto fault = org.faults.next()) {
      org.stats.count_fault();
      co_return sf_json(fault->status, fault->body);
    }
    // The session as it is now, after the latency: it may have expired, and a session permission
    // set may have been deactivated since the request came in.
    session = org.sessions->find(auth.substr(kBearer.size()));
    if (session == nullptr) {
      co_return sf_error(ApiError("INVALID_SESSION_ID", "Session expired or invalid", 401));
    }
    org.pending_changes.clear();
    // Set only around the body, which never suspends: no other request runs while it acts.
    ScopedActor acting(*org.store, org.actor_for(*session));
    Response res = co_await body(req, version);
    org.publish_changes(call_client(req));
    res.set("Sforce-Limit-Info", "api-usage=" + std::to_string(org.stats.total()) + "/15000");
    co_return res;
  };
}

// Runs the Bulk API's ingest jobs on the server's io_context until no job has rows left,
// whether or not anyone sends requests: slices of about kBulkSlice (chunks of kChunkRows rows,
// each one transaction whose changes go out as one change-event transaction), then a post, so
// that the requests that arrived meanwhile are served before the next slice.
//
// Paced (the bulk_rows_per_second fault): each slice takes the rows the pace has allowed since
// the last one (a bucket that holds at most one slice's worth, or one chunk), then waits out the
// rest of the slice on a timer, so numberRecordsProcessed grows steadily at that rate.
constexpr auto kBulkSlice = std::chrono::milliseconds(5);

// Processes one paced slice; returns whether work remains. `allowance` carries the fraction of a
// row the pace allowed but a chunk could not take yet.
bool paced_slice(OrgState& org, int64_t rate, double& allowance,
                 std::chrono::steady_clock::time_point& last) {
  auto now = std::chrono::steady_clock::now();
  double per_slice = static_cast<double>(rate) * std::chrono::duration<double>(kBulkSlice).count();
  double cap = std::max(per_slice, static_cast<double>(BulkJobs::kChunkRows));
  allowance = std::min(cap, allowance + static_cast<double>(rate) *
                                            std::chrono::duration<double>(now - last).count());
  last = now;
  bool more = org.bulk->busy();
  while (more && allowance >= 1) {
    auto rows = static_cast<size_t>(std::min(allowance, static_cast<double>(BulkJobs::kChunkRows)));
    org.pending_changes.clear();
    more = org.bulk->step(rows);
    org.publish_changes("bulkapi");
    allowance -= static_cast<double>(rows);
  }
  return more;
}

asio::awaitable<void> process_bulk(OrgState& org) {
  bool more = true;
  double allowance = 0;
  auto last = std::chrono::steady_clock::now();
  asio::steady_timer pause(*org.io);
  while (more) {
    if (int64_t rate = org.faults.bulk_rows_per_second(); rate > 0) {
      more = paced_slice(org, rate, allowance, last);
      if (!more) break;
      pause.expires_after(kBulkSlice);
      boost::system::error_code ignored;
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      continue;
    }
    allowance = 0;
    auto slice_end = std::chrono::steady_clock::now() + kBulkSlice;
    do {
      org.pending_changes.clear();
      more = org.bulk->step(BulkJobs::kChunkRows);
      org.publish_changes("bulkapi");
    } while (more && std::chrono::steady_clock::now() < slice_end);
    last = std::chrono::steady_clock::now();
    if (more) co_await asio::post(*org.io, asio::use_awaitable);
  }
}

void start_bulk_processing(OrgState& org) {
  if (org.bulk_running || !org.bulk->busy()) return;
  org.bulk_running = true;
  asio::co_spawn(*org.io, process_bulk(org), [&org](std::exception_ptr failure) {
    org.bulk_running = false;
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      log::Logger().error("bulk_processing_failed", {{"error", e.what()}});
    }
  });
}

void add_sobject_routes(net::Router& r, OrgState& org) {
  const std::string base = "/services/data/{v}";
  net::RouteOptions json_body{.body_limit = kJsonBodyLimit, .content_types = {"application/json"}};

  r.add(http::verb::get, base + "/sobjects",
        api(org, "describe", [](Request&, const std::string& v) -> asio::awaitable<Response> {
          co_return sf_json(200, describe_global(v));
        }));
  r.add(http::verb::get, base + "/sobjects/{type}",
        api(org, "describe", [](Request& req, const std::string& v) -> asio::awaitable<Response> {
          const ObjectSchema* o = find_object(req.param("type"));
          if (!o) co_return not_found();
          co_return sf_json(200, object_info(*o, v));
        }));
  r.add(
      http::verb::get, base + "/sobjects/{type}/describe",
      api(org, "describe", [&org](Request& req, const std::string& v) -> asio::awaitable<Response> {
        const ObjectSchema* o = find_object(req.param("type"));
        if (!o) co_return not_found();
        co_return sf_json(200, describe_object(*o, v, org.store->actor().hidden));
      }));
  r.add(
      http::verb::post, base + "/sobjects/{type}",
      api(org, "sobject_create",
          [&org](Request& req, const std::string& v) -> asio::awaitable<Response> {
            auto body = read_object(req);
            if (!body) co_return sf_error(body.error());
            std::string type(req.param("type"));
            if (type.size() > 3 && type.ends_with("__e")) {
              auto published = org.events.publish_rest(type, *body, org.store->actor().user);
              if (!published) co_return sf_error(published.error());
              co_return sf_json(201, EventBus::rest_answer(*published, v));
            }
            body->erase("attributes");
            auto id = org.store->create(type, *body);
            if (!id) co_return sf_error(id.error());
            auto res = sf_json(
                201, json::object{{"id", id->str()}, {"success", true}, {"errors", json::array()}});
            const ObjectSchema* o = find_object(type);
            res.set(http::field::location, "/services/data/v" + v + "/sobjects/" +
                                               std::string(o->name) + "/" + std::string(id->str()));
            co_return res;
          }),
      json_body);
  r.add(http::verb::get, base + "/sobjects/{type}/{id}",
        api(org, "sobject_retrieve",
            [&org](Request& req, const std::string& v) -> asio::awaitable<Response> {
              std::vector<std::string> fields;
              std::string list = query_value(req.query, "fields");
              std::string_view rest = list;
              while (!rest.empty()) {
                size_t comma = rest.find(',');
                std::string_view name = rest.substr(0, comma);
                if (!name.empty()) fields.emplace_back(name);
                rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
              }
              auto record = org.store->retrieve(req.param("type"), req.param("id"), fields, v);
              if (!record) co_return sf_error(record.error());
              co_return sf_json(200, *record);
            }));
  r.add(http::verb::patch, base + "/sobjects/{type}/{id}",
        api(org, "sobject_update",
            [&org](Request& req, const std::string&) -> asio::awaitable<Response> {
              auto body = read_object(req);
              if (!body) co_return sf_error(body.error());
              body->erase("attributes");
              auto done = org.store->update(req.param("type"), req.param("id"), *body);
              if (!done) co_return sf_error(done.error());
              co_return no_content();
            }),
        json_body);
  r.add(http::verb::delete_, base + "/sobjects/{type}/{id}",
        api(org, "sobject_delete",
            [&org](Request& req, const std::string&) -> asio::awaitable<Response> {
              auto done = org.store->remove(req.param("type"), req.param("id"));
              if (!done) co_return sf_error(done.error());
              co_return no_content();
            }));
  r.add(http::verb::patch, base + "/sobjects/{type}/{field}/{value}",
        api(org, "sobject_upsert",
            [&org](Request& req, const std::string&) -> asio::awaitable<Response> {
              auto body = read_object(req);
              if (!body) co_return sf_error(body.error());
              body->erase("attributes");
              auto result = org.store->upsert(req.param("type"), req.param("field"),
                                              req.param("value"), *body);
              if (!result) co_return sf_error(result.error());
              co_return sf_json(result->created ? 201 : 200,
                                json::object{{"id", result->id.str()},
                                             {"success", true},
                                             {"errors", json::array()},
                                             {"created", result->created}});
            }),
        json_body);
}

void add_query_routes(net::Router& r, OrgState& org) {
  const std::string base = "/services/data/{v}";
  for (std::string name : {"query", "queryAll"}) {
    bool all = name == "queryAll";
    r.add(http::verb::get, base + "/" + name,
          api(org, "query",
              [&org, all](Request& req, const std::string& v) -> asio::awaitable<Response> {
                std::string soql = query_value(req.query, "q");
                if (soql.empty()) {
                  co_return sf_error(
                      ApiError("MALFORMED_QUERY", "A query string has to be specified", 400));
                }
                auto page = org.store->query(
                    soql,
                    {.api_version = v, .include_deleted = all, .batch_size = batch_size(req)});
                if (!page) co_return sf_error(page.error());
                co_return sf_json(200, page_json(*page, v));
              }));
    r.add(http::verb::get, base + "/" + name + "/{locator}",
          api(org, "queryMore",
              [&org](Request& req, const std::string& v) -> asio::awaitable<Response> {
                auto page = org.store->query_more(req.param("locator"), v);
                if (!page) co_return sf_error(page.error());
                co_return sf_json(200, page_json(*page, v));
              }));
  }
}

void add_composite_routes(net::Router& r, OrgState& org) {
  const std::string base = "/services/data/{v}/composite";
  net::RouteOptions json_body{.body_limit = kJsonBodyLimit, .content_types = {"application/json"}};
  r.add(http::verb::post, base,
        api(org, "composite",
            [&org](Request& req, const std::string& v) -> asio::awaitable<Response> {
              auto body = read_object(req);
              if (!body) co_return sf_error(body.error());
              CompositeExecutor composite(*org.store, v, &org.events);
              auto answer = composite.run_composite(*body);
              if (!answer) co_return sf_error(answer.error());
              co_return sf_json(200, *answer);
            }),
        json_body);
  r.add(http::verb::post, base + "/graph",
        api(org, "graph",
            [&org](Request& req, const std::string& v) -> asio::awaitable<Response> {
              auto body = read_object(req);
              if (!body) co_return sf_error(body.error());
              CompositeExecutor composite(*org.store, v, &org.events);
              auto answer = composite.run_graph(*body);
              if (!answer) co_return sf_error(answer.error());
              co_return sf_json(200, *answer);
            }),
        json_body);
  r.add(http::verb::post, base + "/sobjects",
        api(org, "collections",
            [&org](Request& req, const std::string& v) -> asio::awaitable<Response> {
              auto body = read_object(req);
              if (!body) co_return sf_error(body.error());
              CompositeExecutor composite(*org.store, v, &org.events);
              auto answer = composite.collection_create(*body);
              if (!answer) co_return sf_error(answer.error());
              co_return sf_json(200, *answer);
            }),
        json_body);
  r.add(http::verb::patch, base + "/sobjects",
        api(org, "collections",
            [&org](Request& req, const std::string& v) -> asio::awaitable<Response> {
              auto body = read_object(req);
              if (!body) co_return sf_error(body.error());
              CompositeExecutor composite(*org.store, v, &org.events);
              auto answer = composite.collection_update(*body);
              if (!answer) co_return sf_error(answer.error());
              co_return sf_json(200, *answer);
            }),
        json_body);
  r.add(http::verb::patch, base + "/sobjects/{type}/{field}",
        api(org, "collections",
            [&org](Request& req, const std::string& v) -> asio::awaitable<Response> {
              auto body = read_object(req);
              if (!body) co_return sf_error(body.error());
              CompositeExecutor composite(*org.store, v, &org.events);
              auto answer =
                  composite.collection_upsert(req.param("type"), req.param("field"), *body);
              if (!answer) co_return sf_error(answer.error());
              co_return sf_json(200, *answer);
            }),
        json_body);
  r.add(http::verb::delete_, base + "/sobjects",
        api(org, "collections",
            [&org](Request& req, const std::string& v) -> asio::awaitable<Response> {
              CompositeExecutor composite(*org.store, v, &org.events);
              auto answer = composite.collection_delete(
                  query_value(req.query, "ids"), query_value(req.query, "allOrNone") == "true");
              if (!answer) co_return sf_error(answer.error());
              co_return sf_json(200, *answer);
            }));
}

void add_bulk_routes(net::Router& r, OrgState& org) {
  const std::string base = "/services/data/{v}/jobs";
  net::RouteOptions json_body{.body_limit = 1 << 20, .content_types = {"application/json"}};
  for (std::string kind : {"ingest", "query"}) {
    bool query = kind == "query";
    r.add(http::verb::post, base + "/" + kind,
          api(org, "bulk",
              [&org, query](Request& req, const std::string& v) -> asio::awaitable<Response> {
                auto body = read_object(req);
                if (!body) co_return sf_error(body.error());
                auto info =
                    query ? org.bulk->create_query(*body, v) : org.bulk->create_ingest(*body, v);
                if (!info) co_return sf_error(info.error());
                co_return sf_json(200, *info);
              }),
          json_body);
    r.add(
        http::verb::get, base + "/" + kind,
        api(org, "bulk", [&org, query](Request&, const std::string&) -> asio::awaitable<Response> {
          co_return sf_json(200, org.bulk->list(query));
        }));
    r.add(http::verb::get, base + "/" + kind + "/{id}",
          api(org, "bulk", [&org](Request& req, const std::string&) -> asio::awaitable<Response> {
            auto info = org.bulk->info(req.param("id"));
            if (!info) co_return sf_error(info.error());
            co_return sf_json(200, *info);
          }));
    r.add(http::verb::patch, base + "/" + kind + "/{id}",
          api(org, "bulk",
              [&org](Request& req, const std::string&) -> asio::awaitable<Response> {
                auto body = read_object(req);
                if (!body) co_return sf_error(body.error());
                const json::value* state = body->if_contains("state");
                if (!state || !state->is_string()) {
                  co_return sf_error(ApiError("INVALIDJOBSTATE", "state is required", 400));
                }
                auto info = org.bulk->set_state(req.param("id"), state->as_string());
                if (!info) co_return sf_error(info.error());
                start_bulk_processing(org);
                co_return sf_json(200, *info);
              }),
          json_body);
    r.add(http::verb::delete_, base + "/" + kind + "/{id}",
          api(org, "bulk", [&org](Request& req, const std::string&) -> asio::awaitable<Response> {
            auto done = org.bulk->remove(req.param("id"));
            if (!done) co_return sf_error(done.error());
            co_return no_content();
          }));
  }
  r.add(http::verb::put, base + "/ingest/{id}/batches",
        api(org, "bulk",
            [&org](Request& req, const std::string&) -> asio::awaitable<Response> {
              auto done = org.bulk->upload(req.param("id"), req.body());
              if (!done) co_return sf_error(done.error());
              co_return net::empty_response(http::status::created);
            }),
        {.body_limit = kCsvBodyLimit, .content_types = {"text/csv"}});
  r.add(http::verb::get, base + "/ingest/{id}/{which}",
        api(org, "bulk", [&org](Request& req, const std::string&) -> asio::awaitable<Response> {
          auto csv = org.bulk->results(req.param("id"), req.param("which"));
          if (!csv) co_return sf_error(csv.error());
          Response res{http::status::ok, 11};
          res.set(http::field::content_type, "text/csv");
          res.body() = std::move(*csv);
          co_return res;
        }));
  r.add(http::verb::get, base + "/query/{id}/results",
        api(org, "bulk", [&org](Request& req, const std::string&) -> asio::awaitable<Response> {
          int64_t max_records = 0;
          std::string max = query_value(req.query, "maxRecords");
          std::from_chars(max.data(), max.data() + max.size(), max_records);
          auto page = org.bulk->query_results(req.param("id"), query_value(req.query, "locator"),
                                              max_records);
          if (!page) co_return sf_error(page.error());
          Response res{http::status::ok, 11};
          res.set(http::field::content_type, "text/csv");
          res.set("Sforce-NumberOfRecords", std::to_string(page->records));
          res.set("Sforce-Locator", page->next_locator);
          res.body() = std::move(page->csv);
          co_return res;
        }));
}

}  // namespace

void add_rest_routes(net::Router& r, OrgState& org) {
  r.add(http::verb::get, "/services/data",
        [](Request&) -> asio::awaitable<Response> { co_return sf_json(200, versions()); });
  r.add(http::verb::get, "/services/data/{v}",
        api(org, "resources", [](Request&, const std::string& v) -> asio::awaitable<Response> {
          co_return sf_json(200, resources(v));
        }));
  add_sobject_routes(r, org);
  add_query_routes(r, org);
  add_composite_routes(r, org);
  add_bulk_routes(r, org);
}

}  // namespace pe::devorg
