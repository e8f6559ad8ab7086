// store.hpp: the local org's data — records in SQLite, written and read the way Salesforce does.
//
// Store is the one place that touches the database. The REST layer (devorg_api.hpp) turns HTTP
// requests into calls here and renders what comes back; everything Salesforce checks or computes
// on a write (required fields, references, restricted picklists, read-only fields, system fields,
// derived fields such as TotalPrice and Amount, cascade deletes) happens here, so that every
// entry point — REST, composite, collections, bulk — behaves the same.
//
// Records cross this interface as JSON objects keyed by field API name, in Salesforce's wire
// form: decimals as JSON numbers, dates "YYYY-MM-DD", datetimes "YYYY-MM-DDTHH:MM:SS.sss+0000",
// booleans true/false, references as 15- or 18-character Ids (answers always use 18).
//
// One Store is used by one thread at a time (SQLite connection); the REST layer serialises calls.
//
//   auto store = Store::open({.path = ""});            // in memory
//   store->seed({.opportunities = 100, .seed = 7});
//   auto id = store->create("Account", json::parse(R"({"Name":"Acme"})").as_object());
//   auto page = store->query("SELECT Id, Name FROM Account", {.api_version = "62.0"});
//   // page->records: [{"attributes":{"type":"Account","url":"/services/data/v62.0/sobjects/
//   //                  Account/001..."},"Id":"001...","Name":"Acme"}], page->done == true
#pragma once

#include "common/sfid.hpp"
#include "devorg/api_error.hpp"
#include "devorg/schema.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pe::devorg {

struct StoreOptions {
  std::string path;  // SQLite file; empty: in memory. An existing file keeps its data.
  // The clock for system fields and for TODAY, LAST_N_DAYS:n in SOQL (tests pin it).
  std::function<std::chrono::system_clock::time_point()> clock;
  // Two characters of [0-9A-Za-z] every Id the org mints carries in positions 4 and 5, where
  // Salesforce puts the instance ("pod") an Id was made on: orgs with different instances never
  // share an Id, not even their org Id (00D). "00" (the default) gives the Ids of a single
  // local org. A file database keeps the instance it was created with.
  std::string instance = "00";
};

struct QueryOptions {
  std::string api_version = "62.0";  // for attributes.url and nextRecordsUrl
  bool include_deleted = false;      // queryAll
  int batch_size = 2000;             // Sforce-Query-Options: batchSize (200..2000; clamped)
};

// One page of a query answer, ready to render as Salesforce's JSON.
struct QueryPage {
  int64_t total_size = 0;
  bool done = true;
  boost::json::array records;
  // When !done: the locator of the next page ("01gD0000002HU6KIAW-2000"); the REST layer makes
  // nextRecordsUrl "/services/data/vXX.X/query/<locator>" of it.
  std::string next_locator;
};

// What a write did, for change events (eventing issue) and for /devorg/stats.
struct Change {
  enum class Kind { create, update, remove, undelete };
  Kind kind = Kind::create;
  std::string object;  // "Opportunity"
  SalesforceId id;
  std::vector<std::string> changed_fields;  // update: the fields the caller set (API names)
};

struct UpsertResult {
  SalesforceId id;
  bool created = false;
};

// Who the calls that follow act as: the session's user (CreatedById, LastModifiedById, the
// default OwnerId) and the fields its session may not see (field-level security: queries,
// retrieve and writes treat them as unknown fields). The REST layer sets it around each request.
struct Actor {
  SalesforceId user;  // null: the org's integration user
  HiddenFields hidden;
};

struct SeedOptions {
  int opportunities = 0;  // N opportunities with 1..5 line items each
  uint64_t seed = 1;      // same seed, same data (names, amounts, Ids)
};

class Store {
 public:
  static ApiResult<std::unique_ptr<Store>> open(const StoreOptions& options);
  virtual ~Store() = default;

  // Salesforce's record-level errors: REQUIRED_FIELD_MISSING, INVALID_FIELD (unknown field),
  // INVALID_FIELD_FOR_INSERT_UPDATE (read-only), INVALID_TYPE, MALFORMED_ID,
  // INVALID_CROSS_REFERENCE_KEY (reference to a missing record or wrong type),
  // FIELD_INTEGRITY_EXCEPTION, INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST, DUPLICATE_VALUE,
  // STRING_TOO_LONG, JSON_PARSER_ERROR (wrong value type), NOT_FOUND (404), ENTITY_IS_DELETED.
  virtual ApiResult<SalesforceId> create(std::string_view object,
                                         const boost::json::object& fields) = 0;
  // `fields` empty: every field. Unknown field: INVALID_FIELD.
  virtual ApiResult<boost::json::object> retrieve(std::string_view object, std::string_view id,
                                                  const std::vector<std::string>& fields,
                                                  std::string_view api_version) = 0;
  virtual ApiResult<void> update(std::string_view object, std::string_view id,
                                 const boost::json::object& fields) = 0;
  virtual ApiResult<void> remove(std::string_view object, std::string_view id) = 0;
  // By external id field (GenerationKey__c) or by Id: creates when no record has the value.
  virtual ApiResult<UpsertResult> upsert(std::string_view object, std::string_view field,
                                         std::string_view value,
                                         const boost::json::object& fields) = 0;

  virtual ApiResult<QueryPage> query(std::string_view soql, const QueryOptions& options) = 0;
  // The next page of a query; INVALID_QUERY_LOCATOR when unknown or expired.
  virtual ApiResult<QueryPage> query_more(std::string_view locator,
                                          std::string_view api_version) = 0;

  // All-or-none groups of writes (composite allOrNone, graphs, collections): everything between
  // begin() and commit() is undone by rollback(). Changes are reported at commit.
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;
  // Called once per committed write (outside begin/commit: per write).
  virtual void on_change(std::function<void(const Change&)> listener) = 0;

  // Deterministic sample data: the standard price book, accounts in several countries, products
  // in families with price book entries, a user, and N opportunities with line items.
  virtual ApiResult<void> seed(const SeedOptions& options) = 0;
  // The org's integration user (the one its AppLink authorization acts as), and the org's Id.
  virtual SalesforceId user_id() const = 0;
  // Every call from now on acts as `actor` (until the next act_as).
  virtual void act_as(Actor actor) = 0;
  virtual const Actor& actor() const = 0;
  virtual SalesforceId org_id() const = 0;
  // The live record whose unique field (an external id such as GenerationKey__c, or Id) has
  // `value`, compared as the field compares (case-insensitively unless case-sensitive); nullopt
  // when none. Bulk API relationship columns (Quote.GenerationKey__c) resolve through it.
  virtual std::optional<SalesforceId> find_by_key(const ObjectSchema& object,
                                                  const FieldSchema& field,
                                                  std::string_view value) = 0;
};

// Acts as `actor` while it lives, then as whoever acted before.
//   ScopedActor as_sales(store, {.user = sales, .hidden = hidden});
class ScopedActor {
 public:
  ScopedActor(Store& store, Actor actor) : store_(store), saved_(store.actor()) {
    store_.act_as(std::move(actor));
  }
  ~ScopedActor() { store_.act_as(std::move(saved_)); }
  ScopedActor(const ScopedActor&) = delete;
  ScopedActor& operator=(const ScopedActor&) = delete;

 private:
  Store& store_;
  Actor saved_;
};

}  // namespace pe::devorg
