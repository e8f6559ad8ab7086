// store_sqlite.hpp (internal to devorg): the Store over SQLite. Store::open() makes one.
//
// Files: store_sqlite.cpp (opening, transactions, reads and queries with their cursors),
// record_writer.cpp (create, update, delete, upsert: checks, conversions, derived fields),
// seed_data.cpp (the sample data). The layout is schema_sql()'s (README, "Storage layout") plus
// two tables of our own: "__serials" (the next serial per key prefix, so Ids keep increasing
// across restarts of a file database) and "__org" (the org's and its user's Ids).
#pragma once

#include "devorg/schema.hpp"
#include "devorg/sqlite_db.hpp"
#include "devorg/store.hpp"

#include <boost/json/array.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pe::devorg {

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const StoreOptions& options);

  ApiResult<SalesforceId> create(std::string_view object,
                                 const boost::json::object& fields) override;
  ApiResult<boost::json::object> retrieve(std::string_view object, std::string_view id,
                                          const std::vector<std::string>& fields,
                                          std::string_view api_version) override;
  ApiResult<void> update(std::string_view object, std::string_view id,
                         const boost::json::object& fields) override;
  ApiResult<void> remove(std::string_view object, std::string_view id) override;
  ApiResult<UpsertResult> upsert(std::string_view object, std::string_view field,
                                 std::string_view value,
                                 const boost::json::object& fields) override;
  ApiResult<QueryPage> query(std::string_view soql, const QueryOptions& options) override;
  ApiResult<QueryPage> query_more(std::string_view locator, std::string_view api_version) override;
  void begin() override;
  void commit() override;
  void rollback() override;
  void on_change(std::function<void(const Change&)> listener) override {
    listeners_.push_back(std::move(listener));
  }
  ApiResult<void> seed(const SeedOptions& options) override;
  SalesforceId user_id() const override { return user_id_; }
  void act_as(Actor actor) override;
  const Actor& actor() const override { return actor_; }
  SalesforceId org_id() const override { return org_id_; }
  std::optional<SalesforceId> find_by_key(const ObjectSchema& object, const FieldSchema& field,
                                          std::string_view value) override;

  // --- used by record_writer.cpp and seed_data.cpp ---

  // A record's current row as column name → SqlValue, or nullopt when there is none.
  struct Row {
    std::map<std::string, SqlValue, std::less<>> values;
    bool deleted = false;
    const SqlValue& at(std::string_view column) const;
    std::optional<int64_t> int64(std::string_view column) const;
    std::string text(std::string_view column) const;
  };
  std::optional<Row> load(const ObjectSchema& object, const SalesforceId& id);
  SalesforceId mint(const ObjectSchema& object);
  // The next value of an org-wide auto-number ("Quote.QuoteNumber": 1, 2, ...), kept in
  // "__serials" under `key`; a database from before starts after the object's row count. A
  // counter, not COUNT(*) per insert, which made 100,000 Quote inserts quadratic.
  int64_t next_number(std::string_view key, const ObjectSchema& object);
  std::string now_text() const;
  SqliteDb& db() { return db_; }
  void record_change(Change change);
  // Recomputes the roll-up fields of an Opportunity (Amount, HasOpportunityLineItem,
  // TotalOpportunityQuantity) or a Quote (Subtotal, TotalPrice, Discount, GrandTotal,
  // LineItemCount) from their live lines.
  void roll_up_opportunity(const std::string& id);
  void roll_up_quote(const std::string& id);
  SalesforceId standard_pricebook() const { return standard_pricebook_; }

 private:
  struct Cursor {
    boost::json::array records;
    std::vector<int64_t> weights;  // rows each record counts for in a page (1 + its children)
    int64_t total_size = 0;
    int batch_size = 2000;
    std::chrono::steady_clock::time_point last_used;
  };

  void create_schema_if_needed();
  // A file written by an older build lacks the fields added since (SampleKey__c): their columns
  // and indexes are added, so an existing org keeps its data.
  void add_missing_columns();
  ApiResult<QueryPage> page_of(const std::string& cursor_id, Cursor& cursor, size_t offset,
                               std::string_view api_version);
  ApiResult<boost::json::array> run_query(const CompiledQuery& compiled,
                                          std::string_view api_version,
                                          std::vector<int64_t>& weights);
  void drop_old_cursors();

  SqliteDb db_;
  std::function<std::chrono::system_clock::time_point()> clock_;
  SalesforceId user_id_;
  Actor actor_;
  SalesforceId org_id_;
  SalesforceId standard_pricebook_;
  std::string instance_ = "00";  // StoreOptions::instance, or the file's own
  int depth_ = 0;                // begin() nesting
  bool upserting_ = false;       // update() runs as the update half of an upsert
  std::vector<Change> pending_changes_;
  std::vector<std::function<void(const Change&)>> listeners_;
  std::map<std::string, Cursor, std::less<>> cursors_;
  uint64_t next_cursor_ = 1;
};

// JSON → column value for one field, checked as Salesforce checks it. `label` for messages.
ApiResult<SqlValue> to_column(const FieldSchema& field, const boost::json::value& value);
// Column value → JSON in Salesforce's wire form.
boost::json::value to_wire(const FieldSchema& field, const SqlValue& value);
boost::json::value to_wire(const FieldSchema& field, SqliteStatement& row, int column);

}  // namespace pe::devorg
