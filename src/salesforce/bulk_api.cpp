#include "salesforce/bulk_api.hpp"

#include "common/json_exact.hpp"
#include "common/json_text.hpp"
#include "salesforce/soql.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <map>

namespace pe::salesforce {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace http = boost::beast::http;

std::string cell(const json::value& v, bool update) {
  if (v.is_null()) return update ? "#N/A" : "";
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  if (v.is_double()) return double_to_plain_text(v.as_double());
  return json_text(v);
}

SfResult<json::object> json_object(const net::HttpResponse& res) {
  auto parsed = parse_json_exact(res.body);
  if (!parsed || !parsed->is_object()) return parse_error(res.status, res.body);
  return std::move(parsed->as_object());
}

std::string text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

int64_t number(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

// Rows of a result CSV; the first `extra` columns are sf__ columns.
SfResult<std::vector<IngestRow>> read_results(const std::string& csv, bool successful,
                                              size_t extra) {
  auto table = parse_csv(csv);
  if (!table) return parse_error(200, "result CSV: " + table.error().message);
  std::vector<IngestRow> rows;
  for (auto& r : table->rows) {
    IngestRow row;
    if (extra == 2) {
      row.id = r[0];
      if (successful) {
        row.created = r[1] == "true";
      } else {
        row.error = r[1];
      }
    }
    row.values.assign(r.begin() + static_cast<std::ptrdiff_t>(extra), r.end());
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

std::string BulkApi::to_csv(const std::vector<json::object>& rows, bool update,
                            std::vector<std::string>* columns_out) {
  std::vector<std::string> columns;
  std::map<std::string, size_t, std::less<>> index;
  for (const auto& row : rows) {
    for (const auto& kv : row) {
      if (kv.key() == "attributes") continue;
      if (index.emplace(std::string(kv.key()), columns.size()).second)
        columns.emplace_back(kv.key());
    }
  }
  CsvWriter csv(',', "\n");
  csv.row(columns);
  std::vector<std::string> values(columns.size());
  for (const auto& row : rows) {
    std::fill(values.begin(), values.end(), std::string());
    for (const auto& kv : row) {
      auto it = index.find(kv.key());
      if (it != index.end()) values[it->second] = cell(kv.value(), update);
    }
    csv.row(values);
  }
  if (columns_out) *columns_out = columns;
  return csv.take();
}

asio::awaitable<SfResult<BulkProgress>> BulkApi::wait(const std::string& path,
                                                      ProgressCallback& progress) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  auto delay = options_.first_poll;
  auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  while (true) {
    auto res = co_await api_.send(http::verb::get, path, "", true);
    if (!res) co_return res.error();
    auto info = json_object(*res);
    if (!info) co_return info.error();
    BulkProgress p{text(*info, "id"), text(*info, "state"), number(*info, "numberRecordsProcessed"),
                   number(*info, "numberRecordsFailed")};
    if (progress) progress(p);
    if (p.state == "JobComplete" || p.state == "Failed" || p.state == "Aborted") co_return p;
    if (std::chrono::steady_clock::now() + delay > deadline) {
      SalesforceError error;
      error.error_code = "BULK_TIMEOUT";
      error.transport = Errc::deadline_exceeded;
      error.message = "job " + p.job_id + " still " + p.state + " after the timeout";
      co_return error;
    }
    timer.expires_after(delay);
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    delay = std::min(options_.max_poll, delay * 2);
  }
}

asio::awaitable<SfResult<std::vector<IngestRow>>> BulkApi::results(std::string path,
                                                                   bool successful, size_t extra) {
  auto res = co_await api_.send(http::verb::get, std::move(path), "", true);
  if (!res) co_return res.error();
  co_return read_results(res->body, successful, extra);
}

asio::awaitable<SfResult<IngestResult>> BulkApi::ingest(const IngestJob& job,
                                                        const std::vector<json::object>& rows,
                                                        ProgressCallback progress) {
  std::vector<std::string> columns;
  std::string csv = to_csv(rows, job.operation == "update", &columns);
  co_return co_await ingest_csv(job, std::move(csv), std::move(columns), ResultFiles{},
                                std::move(progress));
}

asio::awaitable<SfResult<std::vector<IngestRow>>> BulkApi::successful_results(
    const std::string& job_id) {
  std::string path = api_.base_path() + "/jobs/ingest/" + url_encode(job_id);
  co_return co_await results(path + "/successfulResults", true, 2);
}

asio::awaitable<SfResult<IngestResult>> BulkApi::ingest_csv(const IngestJob& job, std::string csv,
                                                            std::vector<std::string> columns,
                                                            ResultFiles files,
                                                            ProgressCallback progress) {
  std::string jobs = api_.base_path() + "/jobs/ingest";
  json::object spec{{"object", job.object},
                    {"operation", job.operation},
                    {"contentType", "CSV"},
                    {"lineEnding", "LF"},
                    {"columnDelimiter", "COMMA"}};
  if (!job.external_id_field.empty()) spec["externalIdFieldName"] = job.external_id_field;
  auto created = co_await api_.send(http::verb::post, jobs, json_text(spec), false);
  if (!created) co_return created.error();
  auto info = json_object(*created);
  if (!info) co_return info.error();
  IngestResult result;
  result.job_id = text(*info, "id");
  result.columns = std::move(columns);
  std::string path = jobs + "/" + url_encode(result.job_id);
  // Uploads of at most max_upload_bytes, each starting with the header row.
  size_t header_end = csv.find('\n') + 1;
  std::string header = csv.substr(0, header_end);
  size_t pos = header_end;
  do {
    size_t end = std::min(csv.size(), pos + options_.max_upload_bytes - header.size());
    if (end < csv.size()) {
      // Cut at a line end outside quotes: rows are LF-terminated and quoted fields double
      // their quotes, so count quotes to know whether a newline ends a row.
      size_t cut = pos;
      bool quoted = false;
      for (size_t i = pos; i < end; ++i) {
        if (csv[i] == '"') quoted = !quoted;
        if (csv[i] == '\n' && !quoted) cut = i + 1;
      }
      end = cut > pos ? cut : end;
    }
    std::string part = header + csv.substr(pos, end - pos);
    // Not repeated on failure: a second upload would append the rows again.
    auto uploaded =
        co_await api_.send(http::verb::put, path + "/batches", std::move(part), false, "text/csv");
    if (!uploaded) co_return uploaded.error();
    pos = end;
  } while (pos < csv.size());

  auto closed = co_await api_.send(http::verb::patch, path, R"({"state":"UploadComplete"})", true);
  if (!closed) co_return closed.error();
  auto done = co_await wait(path, progress);
  if (!done) co_return done.error();
  result.state = done->state;
  if (done->state == "Failed") {
    auto final_info = co_await api_.send(http::verb::get, path, "", true);
    SalesforceError error;
    error.status = 200;
    error.error_code = "BULK_JOB_FAILED";
    error.message = "job " + result.job_id + " failed";
    if (final_info) {
      if (auto o = json_object(*final_info)) error.message += ": " + text(*o, "errorMessage");
    }
    co_return error;
  }
  if (files.successful) {
    auto successful = co_await results(path + "/successfulResults", true, 2);
    if (!successful) co_return successful.error();
    result.successful = std::move(*successful);
  }
  if (files.failed) {
    auto failed = co_await results(path + "/failedResults", false, 2);
    if (!failed) co_return failed.error();
    result.failed = std::move(*failed);
  }
  if (files.unprocessed) {
    auto unprocessed = co_await results(path + "/unprocessedrecords", false, 0);
    if (!unprocessed) co_return unprocessed.error();
    result.unprocessed = std::move(*unprocessed);
  }
  co_return result;
}

asio::awaitable<SfResult<CsvTable>> BulkApi::query(std::string_view soql, ProgressCallback progress,
                                                   int64_t page_size) {
  std::string jobs = api_.base_path() + "/jobs/query";
  json::object spec{{"operation", "query"}, {"query", soql}};
  auto created = co_await api_.send(http::verb::post, jobs, json_text(spec), false);
  if (!created) co_return created.error();
  auto info = json_object(*created);
  if (!info) co_return info.error();
  std::string path = jobs + "/" + url_encode(text(*info, "id"));
  auto done = co_await wait(path, progress);
  if (!done) co_return done.error();
  if (done->state != "JobComplete") {
    co_return parse_error(200, R"([{"errorCode":"BULK_JOB_FAILED","message":"the query job )" +
                                   done->state + R"("}])");
  }
  CsvTable table;
  std::string locator;
  while (true) {
    std::string target = path + "/results?maxRecords=" + std::to_string(page_size);
    if (!locator.empty()) target += "&locator=" + url_encode(locator);
    auto res = co_await api_.send(http::verb::get, target, "", true);
    if (!res) co_return res.error();
    auto page = parse_csv(res->body);
    if (!page) co_return parse_error(200, "result CSV: " + page.error().message);
    if (table.header.empty()) table.header = std::move(page->header);
    for (auto& row : page->rows) table.rows.push_back(std::move(row));
    auto next = res->header("Sforce-Locator");
    if (!next || next->empty() || *next == "null") break;
    locator = std::string(*next);
  }
  co_return table;
}

}  // namespace pe::salesforce
