#include "devorg/bulk_jobs.hpp"

#include "common/csv.hpp"
#include "common/json_exact.hpp"
#include "devorg/bulk_ingest.hpp"
#include "devorg/event_bus.hpp"
#include "devorg/schema.hpp"
#include "soql/parser.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>

namespace pe::devorg {

namespace json = boost::json;

struct BulkJobs::Job {
  SalesforceId id;
  bool query = false;
  std::string object;
  std::string operation;  // insert, update, upsert, delete (ingest); query, queryAll
  std::string external_id_field;
  std::string line_ending = "LF";
  std::string column_delimiter = "COMMA";
  std::string api_version;
  Actor actor;  // who created it: its rows are written as that user, with its session's FLS
  std::string state = "Open";
  std::string created_date;
  std::string modstamp;
  std::string error_message;
  std::string data;  // uploaded CSV
  // Processing (ingest): the rows and their results, once UploadComplete.
  std::optional<BulkIngest> ingest;
  int64_t processed = 0;  // query: the rows found
  // Query: the result rows as CSV lines (header first).
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::chrono::steady_clock::time_point started;
  int64_t processing_ms = 0;

  char delimiter() const { return csv_delimiter(column_delimiter); }
  std::string_view line_end() const { return line_ending == "CRLF" ? "\r\n" : "\n"; }
};

namespace {

std::string now_text() { return salesforce_datetime(std::chrono::system_clock::now()); }

ApiError job_error(std::string code, std::string message, int status = 400) {
  return ApiError(std::move(code), std::move(message), status);
}

std::optional<std::string> string_member(const json::object& body, std::string_view key) {
  const json::value* v = body.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

double api_number(std::string_view version) {
  double value = 0;
  std::from_chars(version.data(), version.data() + version.size(), value);
  return value;
}

// A record's fields flattened for a query result CSV: "Account.Name" for parent fields, in the
// record's key order; null → empty; booleans and numbers as text (decimals exactly).
void flatten(const json::object& record, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& out) {
  for (const auto& kv : record) {
    if (kv.key() == "attributes") continue;
    std::string name = prefix + std::string(kv.key());
    const json::value& v = kv.value();
    if (v.is_object()) {
      if (v.as_object().contains("records")) continue;  // a child subquery: not in Bulk
      flatten(v.as_object(), name + ".", out);
    } else if (v.is_null()) {
      out.emplace_back(name, "");
    } else if (v.is_string()) {
      out.emplace_back(name, std::string(v.as_string()));
    } else if (v.is_bool()) {
      out.emplace_back(name, v.as_bool() ? "true" : "false");
    } else if (v.is_double()) {
      out.emplace_back(name, double_to_plain_text(v.as_double()));
    } else {
      out.emplace_back(name, json::serialize(v));
    }
  }
}

}  // namespace

BulkJobs::BulkJobs(Store& store, SalesforceId user) : store_(store), user_(user) {}
BulkJobs::~BulkJobs() = default;

BulkJobs::Job* BulkJobs::find(std::string_view id) const {
  auto parsed = SalesforceId::parse(id);
  if (!parsed) return nullptr;
  auto it = jobs_.find(parsed->str());
  return it == jobs_.end() ? nullptr : it->second.get();
}

ApiResult<json::object> BulkJobs::create_ingest(const json::object& body,
                                                std::string_view api_version) {
  auto object = string_member(body, "object");
  if (!object) return job_error("INVALIDJOB", "InvalidJob : object is required");
  const ObjectSchema* schema = find_object(*object);
  if (!schema) {
    return job_error("INVALIDENTITY", "InvalidEntity : Entity '" + printable(*object, 80) +
                                          "' is not supported by the Bulk API.");
  }
  auto operation = string_member(body, "operation");
  if (!operation || (*operation != "insert" && *operation != "update" && *operation != "upsert" &&
                     *operation != "delete" && *operation != "hardDelete")) {
    return job_error("INVALIDJOB",
                     "InvalidJob : Invalid operation: " + printable(operation.value_or(""), 40));
  }
  auto job = std::make_unique<Job>();
  job->object = std::string(schema->name);
  job->operation = *operation;
  if (*operation == "upsert") {
    auto field = string_member(body, "externalIdFieldName");
    if (!field) {
      return job_error("INVALIDJOB", "InvalidJob : External ID was blank for " + job->object +
                                         ". An External ID must be specified for upsert.");
    }
    const FieldSchema* key = store_.actor().hidden.visible(*schema, *field);
    if (!key || !(key->external_id || key->name == "Id")) {
      return job_error("INVALIDJOB", "InvalidJob : Field name provided, " + printable(*field, 80) +
                                         " does not match an External ID, Salesforce Id, or "
                                         "indexed field for " +
                                         job->object);
    }
    job->external_id_field = std::string(key->name);
  }
  if (auto type = string_member(body, "contentType"); type && *type != "CSV") {
    return job_error("INVALIDJOB", "InvalidJob : Invalid content type: " + printable(*type, 40));
  }
  if (auto ending = string_member(body, "lineEnding")) {
    if (*ending != "LF" && *ending != "CRLF") {
      return job_error("INVALIDJOB", "InvalidJob : Invalid line ending: " + printable(*ending, 40));
    }
    job->line_ending = *ending;
  }
  if (auto delimiter = string_member(body, "columnDelimiter")) {
    if (csv_delimiter(*delimiter) == 0) {
      return job_error("INVALIDJOB",
                       "InvalidJob : Invalid column delimiter: " + printable(*delimiter, 40));
    }
    job->column_delimiter = *delimiter;
  }
  job->id = SalesforceId::make("750", next_serial_++);
  job->api_version = std::string(api_version);
  job->actor = store_.actor();
  job->created_date = job->modstamp = now_text();
  std::string key(job->id.str());
  jobs_[key] = std::move(job);
  return info(key);
}

ApiResult<void> BulkJobs::upload(std::string_view id, std::string_view csv) {
  Job* job = find(id);
  if (!job || job->query)
    return job_error("NOT_FOUND", "The requested resource does not exist", 404);
  if (job->state != "Open") {
    return job_error("INVALIDJOBSTATE",
                     "InvalidJobState : Job is not in the Open state: " + job->state, 409);
  }
  if (job->data.size() + csv.size() > kMaxUploadBytes) {
    return job_error("EXCEEDED_QUOTA", "The job's data exceeds 100 MB", 413);
  }
  if (!job->data.empty()) {
    // A later upload repeats the header row: keep only the first one.
    size_t first_end = job->data.find('\n');
    size_t next_end = csv.find('\n');
    if (first_end != std::string::npos && next_end != std::string_view::npos &&
        job->data.compare(0, first_end, csv.substr(0, next_end)) == 0) {
      csv.remove_prefix(next_end + 1);
    }
    if (job->data.back() != '\n') job->data.push_back('\n');
  }
  job->data.append(csv);
  job->modstamp = now_text();
  return {};
}

ApiResult<json::object> BulkJobs::set_state(std::string_view id, std::string_view state) {
  Job* job = find(id);
  if (!job) return job_error("NOT_FOUND", "The requested resource does not exist", 404);
  if (state == "Aborted") {
    if (job->state == "JobComplete" || job->state == "Failed" || job->state == "Aborted") {
      return job_error("INVALIDJOBSTATE", "InvalidJobState : Aborting a job in state " +
                                              job->state + " is not allowed");
    }
    job->state = "Aborted";
  } else if (state == "UploadComplete" && !job->query) {
    if (job->state != "Open") {
      return job_error("INVALIDJOBSTATE", "InvalidJobState : Closing a job in state " + job->state +
                                              " is not allowed");
    }
    job->state = "UploadComplete";
    job->started = std::chrono::steady_clock::now();
  } else {
    return job_error("INVALIDJOBSTATE", "InvalidJobState : Invalid state: " + printable(state, 40));
  }
  job->modstamp = now_text();
  return info(id);
}

ApiResult<json::object> BulkJobs::info(std::string_view id) const {
  Job* job = find(id);
  if (!job) return job_error("NOT_FOUND", "The requested resource does not exist", 404);
  json::object o;
  o["id"] = job->id.str();
  o["operation"] = job->operation;
  o["object"] = job->object;
  o["createdById"] = job->actor.user.is_null() ? user_.str() : job->actor.user.str();
  o["createdDate"] = job->created_date;
  o["systemModstamp"] = job->modstamp;
  o["state"] = job->state;
  if (!job->external_id_field.empty()) o["externalIdFieldName"] = job->external_id_field;
  o["concurrencyMode"] = "Parallel";
  o["contentType"] = "CSV";
  o["apiVersion"] = api_number(job->api_version);
  o["jobType"] = job->query ? "V2Query" : "V2Ingest";
  if (!job->query) {
    o["contentUrl"] = "services/data/v" + job->api_version + "/jobs/ingest/" +
                      std::string(job->id.str()) + "/batches";
  }
  o["lineEnding"] = job->line_ending;
  o["columnDelimiter"] = job->column_delimiter;
  o["numberRecordsProcessed"] = job->ingest ? job->ingest->processed() : job->processed;
  if (!job->query) o["numberRecordsFailed"] = job->ingest ? job->ingest->failed() : 0;
  o["retries"] = 0;
  o["totalProcessingTime"] = job->processing_ms;
  if (!job->query) {
    o["apiActiveProcessingTime"] = job->processing_ms;
    o["apexProcessingTime"] = 0;
  }
  if (!job->error_message.empty()) o["errorMessage"] = job->error_message;
  return o;
}

json::object BulkJobs::list(bool query_jobs) const {
  json::array records;
  for (const auto& [key, job] : jobs_) {
    if (job->query != query_jobs) continue;
    auto o = info(key);
    if (o) records.push_back(std::move(*o));
  }
  return {{"done", true}, {"records", std::move(records)}, {"nextRecordsUrl", nullptr}};
}

ApiResult<void> BulkJobs::remove(std::string_view id) {
  Job* job = find(id);
  if (!job) return job_error("NOT_FOUND", "The requested resource does not exist", 404);
  if (job->state == "Open" || job->state == "InProgress") {
    return job_error("INVALIDJOBSTATE",
                     "InvalidJobState : Deleting a job in state " + job->state + " is not allowed");
  }
  jobs_.erase(std::string(job->id.str()));
  return {};
}

ApiResult<std::string> BulkJobs::results(std::string_view id, std::string_view which) const {
  Job* job = find(id);
  if (!job || job->query)
    return job_error("NOT_FOUND", "The requested resource does not exist", 404);
  if (job->state != "JobComplete" && job->state != "Failed" && job->state != "Aborted") {
    return job_error("INVALIDJOBSTATE", "InvalidJobState : Job is not complete: " + job->state,
                     409);
  }
  if (job->ingest) {
    if (which == "successfulResults") return job->ingest->successful();
    if (which == "failedResults") return job->ingest->failures();
    if (which == "unprocessedrecords")
      return job->ingest->unprocessed(job->delimiter(), job->line_end());
  } else if (which == "successfulResults" || which == "failedResults" ||
             which == "unprocessedrecords") {
    // Failed before its rows were read, or aborted before it began: every uploaded row is
    // unprocessed; the other files hold their header row only.
    if (which == "unprocessedrecords" && !job->data.empty()) return job->data;
    CsvWriter out(job->delimiter(), job->line_end());
    if (which == "unprocessedrecords") {
      out.row(std::vector<std::string>{});
    } else {
      out.row({"sf__Id", which == "successfulResults" ? "sf__Created" : "sf__Error"});
    }
    return out.take();
  }
  return job_error("NOT_FOUND", "The requested resource does not exist", 404);
}

bool BulkJobs::busy() const {
  return std::any_of(jobs_.begin(), jobs_.end(), [](const auto& kv) {
    return kv.second->state == "UploadComplete" || kv.second->state == "InProgress";
  });
}

bool BulkJobs::step(size_t max_rows) {
  for (auto& [key, job_ptr] : jobs_) {
    Job& job = *job_ptr;
    if (job.state != "UploadComplete" && job.state != "InProgress") continue;
    ScopedActor as_creator(store_, job.actor);
    try {
      if (job.state == "UploadComplete") {
        job.state = "InProgress";
        auto ingest =
            BulkIngest::start(*find_object(job.object), job.operation, job.external_id_field,
                              job.data, job.delimiter(), job.line_end(), job.actor.hidden);
        if (!ingest) {
          job.state = "Failed";  // its data stays: every row is unprocessed
          job.error_message = ingest.error().message;
          job.modstamp = now_text();
          return busy();
        }
        job.ingest.emplace(std::move(*ingest));
        job.data.clear();
        job.data.shrink_to_fit();
      }
      job.ingest->write(store_, max_rows);
    } catch (const std::exception& e) {
      // A broken invariant (our SQL, the disk): the job fails, the org goes on.
      job.state = "Failed";
      job.error_message = std::string("InternalServerError : ") + e.what();
    }
    job.processing_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - job.started)
                            .count();
    if (job.state == "InProgress" && job.ingest->done()) job.state = "JobComplete";
    if (job.state != "InProgress") job.modstamp = now_text();
    return busy();
  }
  return false;
}

ApiResult<json::object> BulkJobs::create_query(const json::object& body,
                                               std::string_view api_version) {
  auto operation = string_member(body, "operation");
  if (!operation || (*operation != "query" && *operation != "queryAll")) {
    return job_error("INVALIDJOB",
                     "InvalidJob : Invalid operation: " + printable(operation.value_or(""), 40));
  }
  auto soql = string_member(body, "query");
  if (!soql) return job_error("INVALIDJOB", "InvalidJob : query is required");
  auto parsed = soql::parse_soql(*soql);
  if (!parsed) return to_api_error(parsed.error());
  if (!parsed->subqueries.empty()) {
    return job_error("FeatureNotEnabled",
                     "FeatureNotEnabled : Nested queries are not supported in Bulk API 2.0");
  }
  auto job = std::make_unique<Job>();
  job->query = true;
  job->operation = *operation;
  job->object = parsed->from.text();
  job->api_version = std::string(api_version);
  job->actor = store_.actor();
  job->created_date = job->modstamp = now_text();
  if (auto delimiter = string_member(body, "columnDelimiter")) {
    if (csv_delimiter(*delimiter) == 0) {
      return job_error("INVALIDJOB",
                       "InvalidJob : Invalid column delimiter: " + printable(*delimiter, 40));
    }
    job->column_delimiter = *delimiter;
  }
  if (auto ending = string_member(body, "lineEnding")) {
    if (*ending != "LF" && *ending != "CRLF") {
      return job_error("INVALIDJOB", "InvalidJob : Invalid line ending: " + printable(*ending, 40));
    }
    job->line_ending = *ending;
  }
  // Run it now: every page of the query, flattened.
  auto started = std::chrono::steady_clock::now();
  QueryOptions options{.api_version = job->api_version,
                       .include_deleted = *operation == "queryAll",
                       .batch_size = 2000};
  auto page = store_.query(*soql, options);
  if (!page) return page.error();
  while (true) {
    for (const auto& r : page->records) {
      std::vector<std::pair<std::string, std::string>> flat;
      flatten(r.as_object(), "", flat);
      if (job->header.empty()) {
        for (auto& [name, value] : flat) job->header.push_back(name);
      }
      std::vector<std::string> row;
      for (auto& [name, value] : flat) row.push_back(std::move(value));
      job->rows.push_back(std::move(row));
    }
    if (page->done) break;
    page = store_.query_more(page->next_locator, job->api_version);
    if (!page) return page.error();
  }
  if (job->header.empty()) {
    for (const auto& item : parsed->select) job->header.push_back(item.field.text());
  }
  job->processed = static_cast<int64_t>(job->rows.size());
  job->processing_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
  job->state = "JobComplete";
  job->id = SalesforceId::make("750", next_serial_++);
  std::string key(job->id.str());
  jobs_[key] = std::move(job);
  return info(key);
}

ApiResult<BulkResultsPage> BulkJobs::query_results(std::string_view id, std::string_view locator,
                                                   int64_t max_records) const {
  Job* job = find(id);
  if (!job || !job->query)
    return job_error("NOT_FOUND", "The requested resource does not exist", 404);
  if (job->state != "JobComplete") {
    return job_error("INVALIDJOBSTATE", "InvalidJobState : Job is not complete: " + job->state,
                     409);
  }
  size_t start = 0;
  if (!locator.empty()) {
    auto [end, ec] = std::from_chars(locator.data(), locator.data() + locator.size(), start);
    if (ec != std::errc() || end != locator.data() + locator.size() || start > job->rows.size()) {
      return job_error("INVALIDLOCATOR", "Invalid locator: " + printable(locator, 40));
    }
  }
  size_t count = max_records > 0 ? static_cast<size_t>(max_records) : 50'000;
  size_t end = std::min(job->rows.size(), start + count);
  CsvWriter out(job->delimiter(), job->line_end());
  out.row(job->header);
  for (size_t i = start; i < end; ++i) out.row(job->rows[i]);
  BulkResultsPage page;
  page.csv = out.take();
  page.records = static_cast<int64_t>(end - start);
  page.next_locator = end < job->rows.size() ? std::to_string(end) : "null";
  return page;
}

}  // namespace pe::devorg
