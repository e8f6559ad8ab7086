// bulk_ingest.hpp (internal to devorg): the rows of one Bulk API 2.0 ingest job, written to the
// Store a chunk at a time, with the result files Salesforce gives back.
//
// BulkJobs owns the job (state, JobInfo); this is what happens once it is UploadComplete: the
// CSV is parsed and its columns planned (bulk_columns.hpp), then write() takes the next rows as
// one transaction, the way Salesforce processes a Bulk job in chunks of 200 records: each row is
// its own write (insert, update, upsert or delete, through the same Store calls as REST, so
// required fields, rounding to the field's scale, read-only fields, references, cascades and
// change events apply alike), a failing row is undone alone, and the chunk's change events are
// reported when it commits. One commit per chunk, not per row, is what keeps a file database
// fast (README, "Bulk ingest figures").
//
// Result files, as Salesforce writes them, the uploaded columns repeated as uploaded:
//   successfulResults   sf__Id,sf__Created,<columns>   (sf__Created true when a row inserted)
//   failedResults       sf__Id,sf__Error,<columns>     ("CODE:message:fields --")
//   unprocessedrecords  <columns>                      (rows never reached: an aborted job)
//
//   auto ingest = BulkIngest::start(object, "upsert", "GenerationKey__c", csv, ',', "\n", hidden);
//   while (ingest->write(store, 200)) {}
//   ingest->successful();  // "sf__Id,sf__Created,GenerationKey__c,...\n0Q0...,true,k1,...\n"
#pragma once

#include "common/csv.hpp"
#include "devorg/api_error.hpp"
#include "devorg/bulk_columns.hpp"
#include "devorg/store.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace pe::devorg {

class BulkIngest {
 public:
  // Parses and plans; the error (its message is the job's errorMessage: "InvalidBatch : ...")
  // fails the job before any row is written.
  static ApiResult<BulkIngest> start(const ObjectSchema& object, std::string_view operation,
                                     std::string_view external_id_field, std::string_view csv,
                                     char delimiter, std::string_view line_end,
                                     const HiddenFields& hidden);

  // Writes up to max_rows rows in one transaction. Returns whether rows remain.
  bool write(Store& store, size_t max_rows);
  bool done() const { return next_row_ >= table_.rows.size(); }

  int64_t processed() const { return processed_; }
  int64_t failed() const { return failed_; }
  const std::vector<std::string>& header() const { return table_.header; }
  const std::string& successful() const { return successful_.text(); }
  const std::string& failures() const { return failures_.text(); }
  std::string unprocessed(char delimiter, std::string_view line_end) const;

 private:
  BulkIngest(std::string object, std::string operation, std::string external_id_field,
             CsvTable table, BulkColumns columns, char delimiter, std::string_view line_end);
  void write_row(Store& store, const std::vector<std::string>& row);

  std::string object_;
  std::string operation_;
  std::string external_id_field_;
  CsvTable table_;
  BulkColumns columns_;
  size_t next_row_ = 0;
  int64_t processed_ = 0;
  int64_t failed_ = 0;
  CsvWriter successful_;
  CsvWriter failures_;
};

}  // namespace pe::devorg
