// bulk_jobs.hpp: the local org's Bulk API 2.0 — ingest jobs (insert, update, upsert, delete from
// CSV) and query jobs (results as CSV pages with a locator), with Salesforce's job states, JobInfo
// shape and result files (salesforce-facts.md, section 3).
//
// Jobs live in memory. An ingest job is Open while CSV is uploaded, UploadComplete when closed,
// InProgress while step() works through its rows, then JobComplete (or Failed when its data
// cannot be read at all: the CSV is malformed or names an unknown field). Each row is written
// on its own, so some rows may fail while others succeed, as in Salesforce; rows go in chunks
// (kChunkRows, Salesforce's 200), each one transaction. What a header may name (fields, Id, the
// upsert key, relationship columns such as Quote.GenerationKey__c) is bulk_columns.hpp; the rows
// and the result files (`successfulResults`, `failedResults`, `unprocessedrecords`) are
// bulk_ingest.hpp. A query job runs when created and is JobComplete at once; its rows are read
// page by page with a locator.
//
// Background processing: the REST layer (rest_routes.cpp, process_bulk) runs step() on the
// server's io_context from the moment a job is closed until no job has rows left, in slices of a
// few milliseconds with a yield in between, so a job advances on its own at the speed its rows
// take while requests are still served in between; polling only reads its state. One thread, as
// the rest of the local org.
//
//   BulkJobs bulk(store, user);
//   auto job = bulk.create_ingest(json::parse(R"({"object":"Account","operation":"insert"})")
//                                     .as_object(), "62.0");
//   bulk.upload(id, "Name\nAcme\n");
//   bulk.set_state(id, "UploadComplete");
//   while (bulk.step(BulkJobs::kChunkRows)) {}
//   bulk.results(id, "successfulResults");   //
//   "\"sf__Id\",\"sf__Created\",Name\n001...,true,Acme\n"
#pragma once

#include "common/sfid.hpp"
#include "devorg/api_error.hpp"
#include "devorg/store.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace pe::devorg {

struct BulkResultsPage {
  std::string csv;
  int64_t records = 0;       // Sforce-NumberOfRecords
  std::string next_locator;  // Sforce-Locator: "null" on the last page
};

class BulkJobs {
 public:
  static constexpr size_t kMaxUploadBytes = 100'000'000;  // raw CSV per job (150 MB base64)
  static constexpr size_t kChunkRows = 200;  // rows per transaction, as Salesforce chunks a job

  BulkJobs(Store& store, SalesforceId user);
  ~BulkJobs();

  // POST /jobs/ingest → JobInfo (state Open). INVALIDJOB-like errors as Salesforce's:
  // INVALIDENTITY for an unknown object, INVALIDJOB for a bad operation, delimiter or line
  // ending, a missing externalIdFieldName on upsert.
  ApiResult<boost::json::object> create_ingest(const boost::json::object& body,
                                               std::string_view api_version);
  // PUT /jobs/ingest/{id}/batches: appends CSV to an Open job (a second upload's header row is
  // dropped when it matches the first). INVALIDJOBSTATE when not Open; 413-like
  // EXCEEDED_QUOTA over kMaxUploadBytes.
  ApiResult<void> upload(std::string_view id, std::string_view csv);
  // PATCH /jobs/{ingest|query}/{id} with {"state": "UploadComplete" | "Aborted"} → JobInfo.
  ApiResult<boost::json::object> set_state(std::string_view id, std::string_view state);
  // GET /jobs/{ingest|query}/{id}
  ApiResult<boost::json::object> info(std::string_view id) const;
  // GET /jobs/ingest or /jobs/query: {"done": true, "records": [JobInfo...], "nextRecordsUrl":
  // null}
  boost::json::object list(bool query_jobs) const;
  // DELETE /jobs/{ingest|query}/{id}: only UploadComplete, JobComplete, Aborted, Failed.
  ApiResult<void> remove(std::string_view id);
  // GET /jobs/ingest/{id}/{successfulResults|failedResults|unprocessedrecords}
  ApiResult<std::string> results(std::string_view id, std::string_view which) const;

  // POST /jobs/query {"operation": "query"|"queryAll", "query": "SELECT ..."} → JobInfo; the
  // query runs at once (MALFORMED_QUERY and friends are answered here, as Salesforce does).
  ApiResult<boost::json::object> create_query(const boost::json::object& body,
                                              std::string_view api_version);
  // GET /jobs/query/{id}/results?locator=&maxRecords=
  ApiResult<BulkResultsPage> query_results(std::string_view id, std::string_view locator,
                                           int64_t max_records) const;

  // Processes up to max_rows rows (one transaction) of the first job waiting in UploadComplete
  // or InProgress, as the job's creator. Returns whether work remains.
  bool step(size_t max_rows);
  bool busy() const;

  struct Job;

 private:
  Job* find(std::string_view id) const;

  Store& store_;
  SalesforceId user_;
  uint64_t next_serial_ = 1;
  std::map<std::string, std::unique_ptr<Job>, std::less<>> jobs_;
};

}  // namespace pe::devorg
