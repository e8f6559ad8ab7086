// bulk_demo_store.hpp: the Bulk API demo's loads, kept in Redis so that a reload, another `web`
// instance or a restarted `web` shows the same load and its result (bulk_demo_page.hpp).
//
// Keys (<prefix> is PRICING_REDIS_PREFIX, "pe:" by default), all with a 7-day TTL, refreshed on
// every write:
//   <prefix>ui:bulk:<id>       hash: one load (the fields of BulkLoad below; nothing secret: no
//                              token, no session, only the client address that started it)
//   <prefix>ui:bulk:recent     sorted set: load ids by creation time (ms), the newest 50 kept
//   <prefix>ui:bulk:running    sorted set: the loads and cleanups that hold one of the running
//                              slots (kMaxRunning), by the time they took it
// Writes are Lua scripts so that a field update never recreates an expired hash and a state
// change happens only from the states it is allowed from (two `web` threads or instances may
// refresh the same load at once; an abort must not be overwritten by a late "running").
//
//   BulkLoadStore store(redis, "pe:");
//   auto slot = co_await store.create(load, kMaxRunning);   // false: too many running
//   auto load = co_await store.get(id);                     // Result<optional<BulkLoad>>
//   co_await store.update(id, {{"processed", "20"}}, kRunningStates);
#pragma once

#include "common/error.hpp"
#include "net/redis_connection.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pe::pages {

// Our states of a load (Salesforce's job state is sf_state):
//   uploading → running → complete | failed | aborted;
//   complete | aborted | cleanup_failed → cleaning → cleaned | cleanup_failed.
namespace bulk_state {
inline constexpr std::string_view uploading = "uploading";  // creating the job, sending the CSV
inline constexpr std::string_view running = "running";      // closed; Salesforce works on it
inline constexpr std::string_view complete = "complete";    // JobComplete
inline constexpr std::string_view failed = "failed";        // Failed, or we could not start it
inline constexpr std::string_view aborted = "aborted";      // Aborted
inline constexpr std::string_view cleaning = "cleaning";    // the delete job runs
inline constexpr std::string_view cleaned = "cleaned";      // the rows it loaded are deleted
inline constexpr std::string_view cleanup_failed = "cleanup_failed";
}  // namespace bulk_state

// True for the states the page polls in (the load or its cleanup is still moving).
bool bulk_state_moving(std::string_view state);

struct BulkLoad {
  std::string id;  // 16 lower-case hex digits
  std::string org;
  int64_t rows = 0;
  int64_t refused = 0;  // rows generated with an empty Name
  std::string state;
  std::string sf_state;   // the JobInfo state last read
  std::string job_id;     // the ingest job (750...)
  int64_t processed = 0;  // numberRecordsProcessed (the failed rows included, as Salesforce counts)
  int64_t failed = 0;     // numberRecordsFailed
  std::string error;      // why it failed, short, shown on the page
  std::string by;         // the client address that started it
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  int64_t refreshed_ms = 0;  // last JobInfo read
  bool abort_requested = false;
  std::string failed_rows;  // JSON array of the first failed rows, read once at the end
  std::string cleanup_job_id;
  std::string cleanup_sf_state;  // the delete job's JobInfo state last read
  int64_t cleanup_total = 0;     // rows the delete job was given
  int64_t cleanup_processed = 0;
  int64_t cleanup_failed = 0;
  int64_t deleted = 0;  // when cleaned: cleanup_processed - cleanup_failed
};

using BulkFields = std::vector<std::pair<std::string, std::string>>;

BulkFields to_fields(const BulkLoad& load);
BulkLoad from_fields(std::string id, const std::vector<std::string>& flat);  // HGETALL's reply

int64_t now_ms();

class BulkLoadStore {
 public:
  static constexpr std::chrono::seconds kTtl{7 * 24 * 3600};
  static constexpr int kRecentKept = 50;

  BulkLoadStore(std::shared_ptr<net::RedisConnection> redis, std::string prefix);

  std::string key(std::string_view id) const { return prefix_ + "ui:bulk:" + std::string(id); }

  // Takes a running slot (at most max_running, slots older than a day are dropped first) and
  // stores the load; false when every slot is taken.
  boost::asio::awaitable<Result<bool>> create(const BulkLoad& load, int max_running);
  boost::asio::awaitable<Result<std::optional<BulkLoad>>> get(std::string id);
  // Writes the fields when the load exists and its state is one of `from` (empty: any); false
  // otherwise. updated_ms is set too.
  boost::asio::awaitable<Result<bool>> update(std::string id, BulkFields fields,
                                              std::vector<std::string> from = {});
  // The newest loads first (ids whose hash expired are skipped).
  boost::asio::awaitable<Result<std::vector<BulkLoad>>> recent(int count);
  // The ids holding a running slot.
  boost::asio::awaitable<Result<std::vector<std::string>>> running();
  // Takes a slot for the load's cleanup; false when every slot is taken.
  boost::asio::awaitable<Result<bool>> take_slot(std::string id, int max_running);
  boost::asio::awaitable<void> release_slot(std::string id);

 private:
  std::shared_ptr<net::RedisConnection> redis_;
  std::string prefix_;
};

}  // namespace pe::pages
