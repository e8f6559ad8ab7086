#include "devorg/bulk_ingest.hpp"

#include <algorithm>

namespace pe::devorg {

namespace json = boost::json;

namespace {

// "REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --" with fields, and
// "INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--" without (as in Salesforce's and
// Data Loader's error files).
std::string error_text(const ApiError& e) {
  std::string text = e.error_code + ":" + e.message + ":";
  for (size_t f = 0; f < e.fields.size(); ++f) text += (f ? "," : "") + e.fields[f];
  text += e.fields.empty() ? "--" : " --";
  return text;
}

}  // namespace

BulkIngest::BulkIngest(std::string object, std::string operation, std::string external_id_field,
                       CsvTable table, BulkColumns columns, char delimiter,
                       std::string_view line_end)
    : object_(std::move(object)),
      operation_(std::move(operation)),
      external_id_field_(std::move(external_id_field)),
      table_(std::move(table)),
      columns_(std::move(columns)),
      successful_(delimiter, line_end),
      failures_(delimiter, line_end) {
  std::vector<std::string> ok{"sf__Id", "sf__Created"};
  std::vector<std::string> bad{"sf__Id", "sf__Error"};
  ok.insert(ok.end(), table_.header.begin(), table_.header.end());
  bad.insert(bad.end(), table_.header.begin(), table_.header.end());
  successful_.row(ok);
  failures_.row(bad);
}

ApiResult<BulkIngest> BulkIngest::start(const ObjectSchema& object, std::string_view operation,
                                        std::string_view external_id_field, std::string_view csv,
                                        char delimiter, std::string_view line_end,
                                        const HiddenFields& hidden) {
  auto table = parse_csv(csv, delimiter);
  if (!table) return ApiError("InvalidBatch", "InvalidBatch : " + table.error().message);
  auto columns = BulkColumns::plan(object, table->header, hidden, external_id_field);
  if (!columns) return columns.error();
  return BulkIngest(std::string(object.name), std::string(operation),
                    std::string(external_id_field), std::move(*table), std::move(*columns),
                    delimiter, line_end);
}

bool BulkIngest::write(Store& store, size_t max_rows) {
  size_t end = std::min(table_.rows.size(), next_row_ + max_rows);
  store.begin();
  try {
    for (; next_row_ < end; ++next_row_) write_row(store, table_.rows[next_row_]);
  } catch (...) {
    store.rollback();
    throw;
  }
  store.commit();
  return !done();
}

void BulkIngest::write_row(Store& store, const std::vector<std::string>& row) {
  ++processed_;
  BulkRecord rec;
  auto read = columns_.read(store, row, rec);
  std::string created = "false";
  ApiResult<SalesforceId> outcome = ApiError();
  if (!read) {
    outcome = read.error();
  } else if (operation_ == "insert") {
    outcome = store.create(object_, rec.fields);
    created = "true";
  } else if (operation_ == "update") {
    auto done = store.update(object_, rec.id, rec.fields);
    if (done) {
      outcome = SalesforceId::parse(rec.id).value();
    } else {
      outcome = done.error();
    }
  } else if (operation_ == "upsert") {
    auto done = store.upsert(object_, external_id_field_, rec.external_value, rec.fields);
    if (done) {
      outcome = done->id;
      created = done->created ? "true" : "false";
    } else {
      outcome = done.error();
    }
  } else {  // delete, hardDelete
    auto done = store.remove(object_, rec.id);
    if (done) {
      outcome = SalesforceId::parse(rec.id).value();
    } else {
      outcome = done.error();
    }
  }
  std::vector<std::string> line;
  line.reserve(row.size() + 2);
  if (outcome) {
    line = {std::string(outcome->str()), created};
    line.insert(line.end(), row.begin(), row.end());
    successful_.row(line);
    return;
  }
  ++failed_;
  line = {rec.id, error_text(outcome.error())};
  line.insert(line.end(), row.begin(), row.end());
  failures_.row(line);
}

std::string BulkIngest::unprocessed(char delimiter, std::string_view line_end) const {
  CsvWriter out(delimiter, line_end);
  out.row(table_.header);
  for (size_t i = next_row_; i < table_.rows.size(); ++i) out.row(table_.rows[i]);
  return out.take();
}

}  // namespace pe::devorg
