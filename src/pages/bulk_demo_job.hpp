// bulk_demo_job.hpp: the Salesforce side of the Bulk API demo (bulk_demo_page.hpp) — the
// generated Accounts, the Bulk API 2.0 ingest job that loads them, reading its progress, abort,
// and the delete job that removes exactly the rows it created.
//
// A load is an Account insert job (CSV, LF). Its rows are made here, deterministic: Name
// "Bulk Account 000001", ..., AccountNumber "pe-bulk:<load id>" (the marker), BillingStreet
// "<n> Market Street", and a city, state, postal code and country taken in turn from ten
// countries in several pricing regions. `refused` rows, spread evenly, have an empty Name, which
// Salesforce refuses (REQUIRED_FIELD_MISSING), so the page can show how failures come back. The
// CSV is built in slices of kSliceRows with a yield between them (the thread keeps serving); it
// is one upload, as Bulk API 2.0 wants it (about 9 MB at 100,000 rows).
//
// Progress comes from reading the job's JobInfo: refresh() does it when the last read is older
// than kRefreshAfter and writes the figures to the load's hash. The coroutine that started a load
// keeps refreshing it until it ends, and so does every request for its progress; nothing else
// runs in the background. After a `web` restart the coroutine is gone, and the page's polling
// carries the load to its end. A load still "uploading" whose hash has not moved for
// kUploadStale was being sent by a `web` that stopped: it is marked failed and its job aborted.
//
// Cleanup reads the ingest job's successfulResults (the sf__Id column only) and deletes those
// Ids with a Bulk API delete job, followed the same way; Accounts made outside the demo, even
// with the same names, are not touched.
//
//   BulkDemo demo(services, store);
//   asio::co_spawn(executor, demo.run_load(load), on_end);   // detached, logs
//   auto fresh = co_await demo.refresh(*load);                // Result<BulkLoad>
#pragma once

#include "pages/bulk_demo_store.hpp"
#include "pages/pages.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace pe::pages {

inline constexpr int kBulkMaxRunning = 3;  // loads and cleanups running at once, per app
inline constexpr int64_t kBulkMaxRows = 100'000;
inline constexpr int64_t kBulkMaxRefused = 100;
inline constexpr size_t kBulkFailedShown = 100;  // failed rows kept and shown
inline constexpr int64_t kBulkSliceRows = 10'000;
inline constexpr std::chrono::milliseconds kRefreshAfter{1'000};
inline constexpr std::chrono::seconds kUploadStale{120};

// The CSV header, and rows [first, first + count) of a load (0-based) appended to `out`.
std::string bulk_csv_header();
void append_bulk_rows(std::string& out, std::string_view load_id, int64_t rows, int64_t refused,
                      int64_t first, int64_t count);
std::string bulk_marker(std::string_view load_id);  // "pe-bulk:<id>"
// Whether row `n` (0-based) of a load of `rows` rows with `refused` refused rows is refused.
bool bulk_row_refused(int64_t n, int64_t rows, int64_t refused);

// "Id\n" and the sf__Id of every row of a successfulResults CSV (header skipped); `count` gets
// how many.
std::string delete_csv_from_results(std::string_view results, int64_t& count);
// The first `max_rows` rows of a failedResults CSV as a JSON array of
// {"error","name","street","city","country"}.
std::string failed_rows_json(std::string_view results, size_t max_rows);

class BulkDemo {
 public:
  BulkDemo(PageServices& services, BulkLoadStore store)
      : services_(services), store_(std::move(store)) {}

  BulkLoadStore& store() { return store_; }

  // Creates the job, uploads the rows, closes it, then follows it to its end (detached).
  boost::asio::awaitable<void> run_load(BulkLoad load);
  // Reads the job's progress when the last read is older than kRefreshAfter (or `force`) and
  // the load is still moving; the load as it is now.
  boost::asio::awaitable<Result<BulkLoad>> refresh(BulkLoad load, bool force = false);
  // Aborts the load's job; failed_precondition when it is not running.
  boost::asio::awaitable<Result<void>> abort(BulkLoad load);
  // Reads the created Ids and starts the delete job, then follows it (detached).
  boost::asio::awaitable<void> run_cleanup(BulkLoad load);

 private:
  boost::asio::awaitable<void> follow(std::string id);
  boost::asio::awaitable<bool> fail(const BulkLoad& load, std::string_view from, std::string error);

  PageServices& services_;
  BulkLoadStore store_;
};

}  // namespace pe::pages
