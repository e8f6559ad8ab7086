// bulk_api.hpp: Bulk API 2.0 — ingest jobs (CSV built with correct quoting, uploaded, closed,
// polled with backoff, results parsed) and query jobs (results paged with the locator), with
// progress callbacks for long jobs (salesforce-facts.md, section 3).
//
//   BulkApi bulk(api);
//   std::vector<json::object> rows = ...;                          // one object per record
//   auto result = co_await bulk.ingest({.object = "Account", .operation = "insert"}, rows,
//                                      [](const BulkProgress& p) { log p.processed ... });
//   result->successful.size(), result->failed[0].error              // "REQUIRED_FIELD_MISSING:..."
//   auto records = co_await bulk.query("SELECT Id, Name FROM Account");   // CsvTable
#pragma once

#include "common/csv.hpp"
#include "salesforce/data_api.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace pe::salesforce {

struct IngestJob {
  std::string object;
  std::string operation = "insert";  // insert, update, upsert, delete
  std::string external_id_field;     // upsert
};

// Which result files ingest() reads when the job is done (each is one request).
struct ResultFiles {
  bool successful = true;
  bool failed = true;
  bool unprocessed = true;
};

struct BulkProgress {
  std::string job_id;
  std::string state;  // Open, UploadComplete, InProgress, JobComplete, Failed, Aborted
  int64_t processed = 0;
  int64_t failed = 0;
};
using ProgressCallback = std::function<void(const BulkProgress&)>;

struct IngestRow {
  std::string id;        // sf__Id (empty for a failed insert)
  bool created = false;  // sf__Created
  std::string
      error;  // sf__Error: "REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --"
  std::vector<std::string> values;  // the row as uploaded, in `columns` order
};

struct IngestResult {
  std::string job_id;
  std::string state;
  std::vector<std::string> columns;
  std::vector<IngestRow> successful;
  std::vector<IngestRow> failed;
  std::vector<IngestRow> unprocessed;
};

struct BulkOptions {
  std::chrono::milliseconds first_poll{200};
  std::chrono::milliseconds max_poll{10'000};
  std::chrono::milliseconds timeout{30 * 60'000};  // give up waiting (the job goes on)
  size_t max_upload_bytes = 100'000'000;  // split the CSV above this (one job, several PUTs)
};

class BulkApi {
 public:
  explicit BulkApi(DataApi& api, BulkOptions options = {}) : api_(api), options_(options) {}

  // Rows are JSON objects of field → value (string, number, bool, null → "#N/A" on update);
  // the columns are the union of their keys, in first-seen order.
  boost::asio::awaitable<SfResult<IngestResult>> ingest(
      const IngestJob& job, const std::vector<boost::json::object>& rows,
      ProgressCallback progress = {});
  // The same with the CSV already made (header row first, LF line ends; `columns` its header),
  // reading only the result files asked for: a large job builds its CSV row by row instead of
  // holding a JSON object per row.
  boost::asio::awaitable<SfResult<IngestResult>> ingest_csv(const IngestJob& job, std::string csv,
                                                            std::vector<std::string> columns,
                                                            ResultFiles files = {},
                                                            ProgressCallback progress = {});
  // A finished ingest job's successfulResults, read later (when ingest_csv did not).
  boost::asio::awaitable<SfResult<std::vector<IngestRow>>> successful_results(
      const std::string& job_id);

  // Every result row of a query job, the header first.
  boost::asio::awaitable<SfResult<CsvTable>> query(std::string_view soql,
                                                   ProgressCallback progress = {},
                                                   int64_t page_size = 50'000);

  // The CSV for rows (exposed for tests): header from the keys, values quoted as needed.
  static std::string to_csv(const std::vector<boost::json::object>& rows, bool update,
                            std::vector<std::string>* columns = nullptr);

 private:
  boost::asio::awaitable<SfResult<BulkProgress>> wait(const std::string& path,
                                                      ProgressCallback& progress);
  boost::asio::awaitable<SfResult<std::vector<IngestRow>>> results(std::string path,
                                                                   bool successful, size_t extra);

  DataApi& api_;
  BulkOptions options_;
};

}  // namespace pe::salesforce
