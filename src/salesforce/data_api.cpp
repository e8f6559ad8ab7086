#include "salesforce/data_api.hpp"

#include "common/json_exact.hpp"
#include "common/json_text.hpp"
#include "salesforce/soql.hpp"

namespace pe::salesforce {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace http = boost::beast::http;

constexpr size_t kCollectionChunk = 200;

SfResult<json::value> parse_body(const net::HttpResponse& res) {
  auto parsed = parse_json_exact(res.body);
  if (!parsed) {
    SalesforceError error;
    error.status = res.status;
    error.error_code = "INVALID_RESPONSE";
    error.message = "the answer is not JSON: " + parsed.error().message;
    return error;
  }
  return std::move(*parsed);
}

SfResult<QueryPage> to_page(const json::value& body) {
  QueryPage page;
  if (!body.is_object()) return parse_error(200, "not a query result");
  const auto& o = body.as_object();
  if (auto* v = o.if_contains("totalSize"); v && v->is_int64()) page.total_size = v->as_int64();
  if (auto* v = o.if_contains("done"); v && v->is_bool()) page.done = v->as_bool();
  if (auto* v = o.if_contains("nextRecordsUrl"); v && v->is_string()) {
    page.next_records_url = std::string(v->as_string());
  }
  if (auto* v = o.if_contains("records"); v && v->is_array()) page.records = v->as_array();
  if (!page.done && page.next_records_url.empty()) {
    SalesforceError error;
    error.status = 200;
    error.error_code = "INVALID_RESPONSE";
    error.message = "a query page that is not done has no nextRecordsUrl";
    return error;
  }
  return page;
}

std::vector<SaveResult> to_save_results(const json::value& body) {
  std::vector<SaveResult> out;
  if (!body.is_array()) return out;
  for (const auto& item : body.as_array()) {
    SaveResult r;
    if (!item.is_object()) {
      out.push_back(std::move(r));
      continue;
    }
    const auto& o = item.as_object();
    if (auto* s = o.if_contains("success"); s && s->is_bool()) r.success = s->as_bool();
    if (auto* id = o.if_contains("id"); id && id->is_string()) {
      if (auto parsed = SalesforceId::parse(id->as_string())) r.id = *parsed;
    }
    if (auto* errors = o.if_contains("errors"); errors && errors->is_array()) {
      for (const auto& e : errors->as_array()) {
        if (e.is_object()) r.errors.push_back(error_from_json(400, json::array{e}));
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

DataApi::DataApi(net::HttpClient& client, OrgCredentials credentials, DataApiOptions options)
    : client_(client), credentials_(std::move(credentials)), options_(std::move(options)) {
  while (!credentials_.instance_url.empty() && credentials_.instance_url.back() == '/') {
    credentials_.instance_url.pop_back();
  }
}

asio::awaitable<SfResult<net::HttpResponse>> DataApi::send(http::verb method, std::string target,
                                                           std::string body, bool idempotent,
                                                           std::string content_type) {
  bool refreshed = false;
  while (true) {
    net::HttpRequest req{.method = method,
                         .url = credentials_.instance_url + target,
                         .headers = {{"Authorization", "Bearer " + credentials_.access_token},
                                     {"Accept", "application/json"},
                                     {"Sforce-Call-Options", "client=" + options_.client_name}},
                         .body = body,
                         .idempotent = idempotent};
    if (!body.empty()) req.headers.push_back({"Content-Type", content_type});
    if (method == http::verb::get) {
      req.headers.push_back(
          {"Sforce-Query-Options", "batchSize=" + std::to_string(options_.batch_size)});
    }
    auto inner = net::exponential_backoff(options_.backoff);
    uint64_t* counter = &requests_;
    net::RetryPolicy counting = [inner, counter](const net::RetryAttempt& attempt) {
      if (attempt.sent) ++*counter;
      return inner(attempt);
    };
    auto res = co_await client_.request_with_retry(std::move(req), counting);
    if (!res) co_return transport_error(res.error());
    if (res->status == 401 && !refreshed && options_.refresh) {
      auto error = parse_error(res->status, res->body);
      if (error.is_invalid_session()) {
        refreshed = true;
        auto fresh = co_await options_.refresh();
        if (!fresh) {
          SalesforceError failed = error;
          failed.message += " (refreshing the credentials failed: " + fresh.error().message + ")";
          co_return failed;
        }
        credentials_ = std::move(*fresh);
        while (!credentials_.instance_url.empty() && credentials_.instance_url.back() == '/') {
          credentials_.instance_url.pop_back();
        }
        continue;
      }
    }
    if (res->status >= 300) co_return parse_error(res->status, res->body);
    co_return std::move(*res);
  }
}

asio::awaitable<SfResult<QueryPage>> DataApi::query_page(std::string_view soql, bool all) {
  std::string target = base_path() + (all ? "/queryAll?q=" : "/query?q=") + url_encode(soql);
  if (target.size() > kMaxQueryUrlBytes) co_return co_await query_page_in_composite(target);
  auto res = co_await send(http::verb::get, std::move(target), "", true);
  if (!res) co_return res.error();
  auto body = parse_body(*res);
  if (!body) co_return body.error();
  co_return to_page(*body);
}

// A query whose URL is too long for a GET travels as the one sub-request of a Composite request:
// its URL is then inside the body, where only the 100,000-character SOQL limit applies. One API
// call, like the GET; later pages are ordinary GETs of nextRecordsUrl.
asio::awaitable<SfResult<QueryPage>> DataApi::query_page_in_composite(const std::string& target) {
  std::vector<std::string> targets{target};
  auto pages = co_await queries_in_composite(targets);
  if (!pages) co_return pages.error();
  co_return std::move(pages->front());
}

asio::awaitable<SfResult<std::vector<QueryPage>>> DataApi::query_pages(
    const std::vector<std::string>& soqls) {
  if (soqls.empty() || soqls.size() > kMaxCompositeQueries) {
    SalesforceError error;
    error.error_code = "invalid_argument";
    error.message = "query_pages takes 1 to 5 statements";
    co_return error;
  }
  std::vector<std::string> targets;
  for (const auto& soql : soqls) targets.push_back(base_path() + "/query?q=" + url_encode(soql));
  co_return co_await queries_in_composite(targets);
}

asio::awaitable<SfResult<std::vector<QueryPage>>> DataApi::queries_in_composite(
    const std::vector<std::string>& targets) {
  json::array subs;
  for (size_t i = 0; i < targets.size(); ++i) {
    subs.push_back(json::object{
        {"method", "GET"}, {"url", targets[i]}, {"referenceId", "query" + std::to_string(i)}});
  }
  json::object payload{{"allOrNone", false}, {"compositeRequest", std::move(subs)}};
  auto res = co_await send(http::verb::post, base_path() + "/composite", json_text(payload), true);
  if (!res) co_return res.error();
  auto body = parse_body(*res);
  if (!body) co_return body.error();
  const json::array* responses = nullptr;
  if (body->is_object()) {
    if (auto* r = body->as_object().if_contains("compositeResponse"); r && r->is_array()) {
      responses = &r->as_array();
    }
  }
  if (!responses || responses->size() != targets.size()) {
    co_return parse_error(res->status, "not a composite response");
  }
  std::vector<QueryPage> pages;
  for (const auto& value : *responses) {
    if (!value.is_object()) co_return parse_error(res->status, "not a composite response");
    const auto& answer = value.as_object();
    const json::value* status = answer.if_contains("httpStatusCode");
    const json::value* sub_body = answer.if_contains("body");
    if (!status || !status->is_int64() || !sub_body) {
      co_return parse_error(res->status, "not a composite response");
    }
    int code = static_cast<int>(status->as_int64());
    if (code >= 300) co_return parse_error(code, json_text(*sub_body));
    auto page = to_page(*sub_body);
    if (!page) co_return page.error();
    pages.push_back(std::move(*page));
  }
  co_return pages;
}

asio::awaitable<SfResult<QueryPage>> DataApi::query_more(std::string_view next_records_url) {
  // nextRecordsUrl is a path on the instance; anything else is refused rather than followed.
  if (!next_records_url.starts_with("/services/data/")) {
    SalesforceError error;
    error.error_code = "INVALID_QUERY_LOCATOR";
    error.message = "nextRecordsUrl is not a path of the instance";
    co_return error;
  }
  auto res = co_await send(http::verb::get, std::string(next_records_url), "", true);
  if (!res) co_return res.error();
  auto body = parse_body(*res);
  if (!body) co_return body.error();
  co_return to_page(*body);
}

asio::awaitable<SfResult<QueryResult>> DataApi::query(std::string_view soql, bool all) {
  auto page = co_await query_page(soql, all);
  if (!page) co_return page.error();
  QueryResult result;
  result.total_size = page->total_size;
  result.records = std::move(page->records);
  while (!page->done) {
    std::string next = page->next_records_url;
    page = co_await query_more(next);
    if (!page) co_return page.error();
    for (auto& r : page->records) result.records.push_back(std::move(r));
  }
  co_return result;
}

asio::awaitable<SfResult<SalesforceId>> DataApi::create(std::string_view type,
                                                        json::object fields) {
  auto res = co_await send(http::verb::post, base_path() + "/sobjects/" + std::string(type),
                           json_text(fields), false);
  if (!res) co_return res.error();
  auto body = parse_body(*res);
  if (!body) co_return body.error();
  const json::value* id = body->is_object() ? body->as_object().if_contains("id") : nullptr;
  auto parsed = id && id->is_string() ? SalesforceId::parse(id->as_string())
                                      : Result<SalesforceId>(Error{Errc::internal, "no id"});
  if (!parsed) co_return parse_error(res->status, res->body);
  co_return *parsed;
}

asio::awaitable<SfResult<json::object>> DataApi::retrieve(std::string_view type,
                                                          const SalesforceId& id,
                                                          std::span<const std::string> fields) {
  std::string target = base_path() + "/sobjects/" + std::string(type) + "/" + std::string(id.str());
  if (!fields.empty()) {
    std::string list;
    for (const auto& f : fields) list += (list.empty() ? "" : ",") + f;
    target += "?fields=" + url_encode(list);
  }
  auto res = co_await send(http::verb::get, std::move(target), "", true);
  if (!res) co_return res.error();
  auto body = parse_body(*res);
  if (!body) co_return body.error();
  if (!body->is_object()) co_return parse_error(res->status, res->body);
  co_return std::move(body->as_object());
}

asio::awaitable<SfResult<void>> DataApi::update(std::string_view type, const SalesforceId& id,
                                                json::object fields) {
  fields.erase("Id");
  fields.erase("attributes");
  auto res =
      co_await send(http::verb::patch,
                    base_path() + "/sobjects/" + std::string(type) + "/" + std::string(id.str()),
                    json_text(fields), true);  // setting the same values twice is harmless
  if (!res) co_return res.error();
  co_return SfResult<void>{};
}

asio::awaitable<SfResult<void>> DataApi::remove(std::string_view type, const SalesforceId& id) {
  auto res = co_await send(
      http::verb::delete_,
      base_path() + "/sobjects/" + std::string(type) + "/" + std::string(id.str()), "", true);
  if (!res) co_return res.error();
  co_return SfResult<void>{};
}

asio::awaitable<SfResult<UpsertResult>> DataApi::upsert(std::string_view type,
                                                        std::string_view external_id_field,
                                                        std::string_view value,
                                                        json::object fields) {
  auto res = co_await send(http::verb::patch,
                           base_path() + "/sobjects/" + std::string(type) + "/" +
                               url_encode(external_id_field) + "/" + url_encode(value),
                           json_text(fields), true);
  if (!res) co_return res.error();
  UpsertResult result;
  result.created = res->status == 201;
  auto body = parse_body(*res);
  if (body && body->is_object()) {
    const auto& o = body->as_object();
    if (auto* id = o.if_contains("id"); id && id->is_string()) {
      if (auto parsed = SalesforceId::parse(id->as_string())) result.id = *parsed;
    }
    if (auto* created = o.if_contains("created"); created && created->is_bool()) {
      result.created = created->as_bool();
    }
  }
  co_return result;
}

namespace {

json::object with_type(json::object record, std::string_view type) {
  if (!record.contains("attributes")) record["attributes"] = json::object{{"type", type}};
  return record;
}

}  // namespace

asio::awaitable<SfResult<std::vector<SaveResult>>> DataApi::create_many(
    std::string_view type, std::vector<json::object> records, bool all_or_none) {
  std::vector<SaveResult> results;
  for (size_t start = 0; start < records.size(); start += kCollectionChunk) {
    json::array chunk;
    for (size_t i = start; i < std::min(records.size(), start + kCollectionChunk); ++i) {
      chunk.push_back(with_type(std::move(records[i]), type));
    }
    json::object payload{{"allOrNone", all_or_none}, {"records", std::move(chunk)}};
    auto res = co_await send(http::verb::post, base_path() + "/composite/sobjects",
                             json_text(payload), false);
    if (!res) co_return res.error();
    auto body = parse_body(*res);
    if (!body) co_return body.error();
    for (auto& r : to_save_results(*body)) results.push_back(std::move(r));
  }
  co_return results;
}

asio::awaitable<SfResult<std::vector<SaveResult>>> DataApi::update_many(
    std::string_view type, std::vector<json::object> records, bool all_or_none) {
  std::vector<SaveResult> results;
  for (size_t start = 0; start < records.size(); start += kCollectionChunk) {
    json::array chunk;
    for (size_t i = start; i < std::min(records.size(), start + kCollectionChunk); ++i) {
      chunk.push_back(with_type(std::move(records[i]), type));
    }
    json::object payload{{"allOrNone", all_or_none}, {"records", std::move(chunk)}};
    auto res = co_await send(http::verb::patch, base_path() + "/composite/sobjects",
                             json_text(payload), true);
    if (!res) co_return res.error();
    auto body = parse_body(*res);
    if (!body) co_return body.error();
    for (auto& r : to_save_results(*body)) results.push_back(std::move(r));
  }
  co_return results;
}

asio::awaitable<SfResult<std::vector<SaveResult>>> DataApi::remove_many(
    std::span<const SalesforceId> ids, bool all_or_none) {
  std::vector<SaveResult> results;
  for (size_t start = 0; start < ids.size(); start += kCollectionChunk) {
    std::string list;
    for (size_t i = start; i < std::min(ids.size(), start + kCollectionChunk); ++i) {
      list += (list.empty() ? "" : ",") + std::string(ids[i].str());
    }
    auto res = co_await send(http::verb::delete_,
                             base_path() + "/composite/sobjects?ids=" + list +
                                 "&allOrNone=" + (all_or_none ? "true" : "false"),
                             "", true);
    if (!res) co_return res.error();
    auto body = parse_body(*res);
    if (!body) co_return body.error();
    for (auto& r : to_save_results(*body)) results.push_back(std::move(r));
  }
  co_return results;
}

asio::awaitable<SfResult<json::object>> DataApi::composite_graph(const json::object& payload,
                                                                 bool idempotent) {
  auto res = co_await send(http::verb::post, base_path() + "/composite/graph", json_text(payload),
                           idempotent);
  if (!res) co_return res.error();
  auto body = parse_body(*res);
  if (!body) co_return body.error();
  if (!body->is_object()) co_return parse_error(res->status, res->body);
  co_return std::move(body->as_object());
}

asio::awaitable<SfResult<SalesforceId>> DataApi::publish_event(std::string_view event_type,
                                                               json::object fields) {
  co_return co_await create(event_type, std::move(fields));
}

const json::value* field_at(const json::object& record, std::string_view path) {
  const json::object* at = &record;
  while (true) {
    size_t dot = path.find('.');
    const json::value* v = at->if_contains(path.substr(0, dot));
    if (!v || dot == std::string_view::npos) return v;
    if (!v->is_object()) return nullptr;
    at = &v->as_object();
    path.remove_prefix(dot + 1);
  }
}

std::string text_field(const json::object& record, std::string_view path) {
  const json::value* v = field_at(record, path);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

const json::array* child_records(const json::object& record, std::string_view relationship) {
  const json::value* v = record.if_contains(relationship);
  if (!v || !v->is_object()) return nullptr;
  const json::value* records = v->as_object().if_contains("records");
  return records && records->is_array() ? &records->as_array() : nullptr;
}

}  // namespace pe::salesforce
